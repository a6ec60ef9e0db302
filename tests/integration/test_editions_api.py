"""The law in force on the finding date, through the bureaus' own APIs on both databases (issue 13): a finding
of 2020 judged under the 2020 instruments, one of 2026 under those in force in 2026 — or, where the reference
data lacks the item, accepted with the basis the bureau supplies, marked as not verified."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_quality.domain import SPEC as QUALITY
from phaseout_safety.domain import SPEC as SAFETY
from phaseout_technology.domain import SPEC as TECHNOLOGY
from tests.apps import auth, bureau_client
from tests.casebook.book import Filed

WRITER = auth("demo-safety-writer")


def hazard(found_on: str, code: str) -> dict[str, Any]:
    return {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范水泥有限公司",
        "town": "李渡街道",
        "industry": "cement",
        "finding_type": "major_hazard",
        "found_on": found_on,
        "legal_basis": "涪经信发〔2020〕85号 二、(四)",
        "inspector": "王强",
        "details": {"hazard_code": code, "description": "煤磨袋式收尘器未设置固定式一氧化碳浓度监测报警装置"},
    }


@pytest.mark.parametrize(
    ("found_on", "code", "standard", "verified"),
    [
        ("2020-09-01", "building_materials.01", "工贸行业重大生产安全事故隐患判定标准（2017版）", True),
        ("2026-03-02", "L10-A6-1", "应急管理部令第10号《工贸企业重大事故隐患判定标准》", True),
        ("2026-03-02", "L10-A4-6", "应急管理部令第10号《工贸企业重大事故隐患判定标准》", False),
    ],
)
async def test_a_major_hazard_is_judged_under_the_standard_in_force_on_its_date(
    database_url: str, broker: EmbeddedBroker, found_on: str, code: str, standard: str, verified: bool
) -> None:
    async with bureau_client(SAFETY, database_url, broker.bootstrap) as client:
        created = await client.post("/api/v1/findings", json=hazard(found_on, code), headers=WRITER)
    assert created.status_code == 201, created.text
    derived = created.json()["derived"]
    assert derived["standard_zh"] == standard and derived.get("basis_verified", True) is verified


async def test_a_2017_item_cited_in_2026_is_refused_naming_the_field(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(SAFETY, database_url, broker.bootstrap) as client:
        refused = await client.post(
            "/api/v1/findings", json=hazard("2026-03-02", "building_materials.01"), headers=WRITER
        )
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"][-1] == "hazard_code" and "L10-A6-3" in error["msg"]


def energy_use(found_on: str, product: str, value: float, unit: str, **supplied: Any) -> dict[str, Any]:
    return {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范铝业有限公司",
        "town": "白涛街道",
        "industry": "electrolytic_aluminium",
        "finding_type": "energy_limit_exceeded",
        "found_on": found_on,
        "legal_basis": "涪经信发〔2020〕85号 二、(一)",
        "inspector": "张伟",
        "details": {
            "product": product,
            "measured_value": value,
            "measured_unit": unit,
            "programme": "city_directed",
            **supplied,
        },
    }


@pytest.mark.parametrize(
    ("body", "standard", "verified"),
    [
        (energy_use("2020-07-01", "铝液交流电耗", 13900, "kWh/t"), "GB 21346-2013", True),
        (energy_use("2026-03-02", "铝液交流电耗", 13900, "kWh/t"), "GB 21346-2022", True),
        (
            energy_use("2026-03-02", "top_charged_coke_oven", 160, "kgce/t", limit_value=150),
            "GB 21342-2013",
            False,
        ),
    ],
)
async def test_an_energy_limit_is_the_edition_in_force_on_the_finding_date(
    database_url: str, broker: EmbeddedBroker, body: dict[str, Any], standard: str, verified: bool
) -> None:
    async with bureau_client(ENERGY, database_url, broker.bootstrap) as client:
        created = await client.post("/api/v1/findings", json=body, headers=auth("demo-energy-writer"))
    assert created.status_code == 201, created.text
    derived = created.json()["derived"]
    assert derived["standard"] == standard and derived.get("basis_verified", True) is verified


def equipment(found_on: str, **details: Any) -> dict[str, Any]:
    return {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范水泥有限公司",
        "town": "李渡街道",
        "industry": "cement",
        "finding_type": "eliminated_equipment",
        "found_on": found_on,
        "legal_basis": "涪经信发〔2020〕85号 二、(五)",
        "inspector": "刘洋",
        "details": {"equipment": "水泥机立窑", **details},
    }


@pytest.mark.parametrize(
    ("body", "catalogue", "verified"),
    [
        (equipment("2020-09-01", catalogue="2019", item_code="cbmf2019_cement_01"), "catalogue_2019", True),
        (
            equipment(
                "2026-03-02",
                catalogue="2024",
                item_text="水泥机立窑（产业结构调整指导目录（2024年本）淘汰类）",
            ),
            "catalogue_2024",
            False,
        ),
    ],
)
async def test_eliminated_equipment_is_judged_under_the_catalogue_in_force(
    database_url: str, broker: EmbeddedBroker, body: dict[str, Any], catalogue: str, verified: bool
) -> None:
    async with bureau_client(TECHNOLOGY, database_url, broker.bootstrap) as client:
        created = await client.post("/api/v1/findings", json=body, headers=auth("demo-technology-writer"))
        stale = await client.post(
            "/api/v1/findings",
            json=equipment("2026-03-02", catalogue="2019", item_code="cbmf2019_cement_01"),
            headers=auth("demo-technology-writer"),
        )
    assert created.status_code == 201, created.text
    derived = created.json()["derived"]
    assert derived["catalogue"] == catalogue and derived["basis_verified"] is verified
    assert stale.status_code == 422 and stale.json()["detail"][0]["loc"][-1] == "item_code"


@pytest.mark.parametrize("found_on", ["2020-09-01", "2026-03-02"])
async def test_quality_and_environment_findings_of_either_era_are_accepted(
    database_url: str, broker: EmbeddedBroker, found_on: str
) -> None:
    """Neither bureau's check depends on reference data that changed since 2020: a 2026 finding is recorded
    like a 2020 one, with the standard the inspector cites."""
    for spec in (QUALITY, ENVIRONMENT):
        body = Filed(spec.name, date.fromisoformat(found_on)).body(
            "91500102MA5U7RGE16", "重庆市涪陵区示范水泥有限公司"
        )
        async with bureau_client(spec, database_url, broker.bootstrap) as client:
            created = await client.post(
                "/api/v1/findings", json=body, headers=auth(f"demo-{spec.name}-writer")
            )
        assert created.status_code == 201, (spec.name, created.text)
