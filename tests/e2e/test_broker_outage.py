"""The broker stops for 30 s while all five bureaus keep accepting findings; after it returns (empty, as a
memory broker does) every accepted finding reaches the coordinator exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from phaseout_bureau.domain.findings import Industry
from phaseout_kit.events.broker import wait_for_broker
from phaseout_kit.settings import BUREAUS
from phaseout_kit.uscc import make_code
from tests.apps import auth
from tests.conftest import BACKENDS, wait_until
from tests.e2e.platform import running_platform

OUTAGE_S = 30.0
ENTERPRISES = [make_code(f"91500102MA5U{n:04d}X") for n in range(10)]
DETAILS = {
    "energy": (
        "energy_limit_exceeded",
        {
            "product": "铝液交流电耗",
            "measured_value": 13900,
            "measured_unit": "kWh/t",
            "programme": "city_directed",
        },
    ),
    "environment": (
        "emission_exceedance",
        {
            "medium": "air",
            "pollutant": "颗粒物",
            "measured_value": 54,
            "limit_value": 30,
            "unit": "mg/m³",
            "standard": "GB 4915-2013",
        },
    ),
    "quality": (
        "spot_check_failed",
        {
            "product": "普通硅酸盐水泥 P·O 42.5",
            "standard": "GB 175-2007",
            "sample_id": "FLCC-E2E-001",
            "failed_items": ["28天抗压强度"],
        },
    ),
    "safety": (
        "major_hazard",
        {"hazard_code": "building_materials.01", "description": "煤磨袋式收尘器未设置一氧化碳监测"},
    ),
    "technology": (
        "eliminated_equipment",
        {"catalogue": "2019", "item_code": "cbmf2019_cement_01", "equipment": "水泥机立窑"},
    ),
}


def body(bureau: str, n: int) -> dict[str, object]:
    finding_type, details = DETAILS[bureau]
    return {
        "uscc": ENTERPRISES[n % len(ENTERPRISES)],
        "enterprise_name": f"重庆市涪陵区测试企业{n % len(ENTERPRISES)}有限公司",
        "town": "李渡街道",
        "industry": Industry.CEMENT.value,
        "finding_type": finding_type,
        "found_on": "2020-09-01",
        "legal_basis": "涪经信发〔2020〕85号",
        "inspector": "李强",
        "details": details,
    }


@pytest.mark.parametrize("backend", BACKENDS)
async def test_every_finding_accepted_during_an_outage_arrives_exactly_once(
    backend: str, tmp_path: Path
) -> None:
    async with running_platform(backend, tmp_path) as platform, httpx.AsyncClient(timeout=10) as client:
        accepted: dict[str, list[str]] = {b: [] for b in BUREAUS}
        rejected = 0

        async def post_for(bureau: str, seconds: float) -> None:
            nonlocal rejected
            deadline = time.monotonic() + seconds
            n = len(accepted[bureau])
            while time.monotonic() < deadline:
                r = await client.post(
                    f"{platform.url(bureau)}/api/v1/findings",
                    json=body(bureau, n),
                    headers=auth(f"demo-{bureau}-writer"),
                )
                if r.status_code == 201:
                    accepted[bureau].append(r.json()["finding_id"])
                else:
                    rejected += 1
                n += 1
                await asyncio.sleep(0.05)

        await asyncio.gather(*(post_for(b, 2.0) for b in BUREAUS))
        platform.kill_broker()
        outage_started = time.monotonic()
        await asyncio.gather(*(post_for(b, OUTAGE_S) for b in BUREAUS))
        assert time.monotonic() - outage_started >= OUTAGE_S
        platform.start_broker()
        await wait_for_broker(platform.bootstrap)
        await asyncio.gather(*(post_for(b, 2.0) for b in BUREAUS))
        total = sum(len(ids) for ids in accepted.values())

        async def all_arrived() -> bool:
            status = (
                await client.get(
                    f"{platform.url('coordinator')}/api/v1/ingest/status", headers=auth("demo-reader")
                )
            ).json()
            return all(status[b]["contiguous"] == len(accepted[b]) for b in BUREAUS)

        await wait_until(
            all_arrived, timeout_s=90, interval_s=0.5, message="every accepted finding at the coordinator"
        )
        seen: Counter[str] = Counter()
        for uscc in ENTERPRISES:
            dossier = (
                await client.get(
                    f"{platform.url('coordinator')}/api/v1/enterprises/{uscc}", headers=auth("demo-reader")
                )
            ).json()
            seen.update(e["data"]["finding_id"] for e in dossier["timeline"])
    expected = {fid for ids in accepted.values() for fid in ids}
    lost = expected - set(seen)
    duplicated = [fid for fid, count in seen.items() if count > 1]
    print(
        f"\n[{backend}] accepted={total} delivered={len(seen)} lost={len(lost)} duplicated={len(duplicated)} rejected={rejected}"
    )
    assert rejected == 0, "the bureaus keep accepting while the broker is away"
    assert total > 500
    assert not lost and not duplicated
    assert set(seen) == expected
