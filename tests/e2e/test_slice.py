"""The vertical slice: a finding posted to the energy bureau crosses the real broker into the coordinator."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.apps import auth
from tests.conftest import BACKENDS, wait_until
from tests.e2e.platform import running_platform
from tests.integration.test_bureau_api import finding


@pytest.mark.parametrize("backend", BACKENDS)
async def test_finding_reaches_the_coordinator_dossier(backend: str, tmp_path: Path) -> None:
    async with running_platform(backend, tmp_path, ("coordinator", "energy")) as platform:
        async with httpx.AsyncClient(timeout=5) as client:
            created = await client.post(
                f"{platform.url('energy')}/api/v1/findings",
                json=finding(),
                headers=auth("demo-energy-writer"),
            )
            assert created.status_code == 201, created.text
            finding_id = created.json()["finding_id"]

            async def dossier() -> dict | None:  # type: ignore[type-arg]
                r = await client.get(
                    f"{platform.url('coordinator')}/api/v1/enterprises/91500102MA5U7RGE16",
                    headers=auth("demo-office-viewer"),
                )
                return r.json() if r.status_code == 200 else None

            found = await wait_until(dossier, timeout_s=30, interval_s=0.1, message="the dossier")
            status = (
                await client.get(
                    f"{platform.url('coordinator')}/api/v1/ingest/status", headers=auth("demo-reader")
                )
            ).json()
    assert found["name"] == "重庆市涪陵区示范铝业有限公司"
    assert [e["data"]["finding_id"] for e in found["timeline"]] == [finding_id]
    assert found["timeline"][0]["type"] == "cn.gov.fuling.phaseout.energy.finding.recorded"
    assert status["energy"] == {"contiguous": 1, "highest_seen": 1}
