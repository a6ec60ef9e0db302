"""One valid finding per bureau for load: the fault-injection tests and the benchmarks post thousands of them.

Each passes its bureau's checks against the policy data when found on a date the cited standard, hazard item
or catalogue item is in force (2020-09-01 and 2023-03-01 both are).
"""

from __future__ import annotations

from datetime import date
from typing import Any

# bureau -> (industry, finding type, typed details)
SAMPLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "energy": (
        "electrolytic_aluminium",
        "energy_limit_exceeded",
        {
            "product": "铝液交流电耗",
            "measured_value": 13900,
            "measured_unit": "kWh/t",
            "programme": "city_directed",
        },
    ),
    "environment": (
        "cement",
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
        "cement",
        "spot_check_failed",
        {
            "product": "普通硅酸盐水泥 P·O 42.5",
            "standard": "GB 175-2007",
            "sample_id": "FLCC-SAMPLE-001",
            "failed_items": ["28天抗压强度"],
        },
    ),
    "safety": (
        "cement",
        "major_hazard",
        {"hazard_code": "building_materials.01", "description": "煤磨袋式收尘器未设置一氧化碳监测"},
    ),
    "technology": (
        "cement",
        "eliminated_equipment",
        {"catalogue": "2019", "item_code": "cbmf2019_cement_01", "equipment": "水泥机立窑"},
    ),
}


def sample_finding(
    bureau: str,
    *,
    uscc: str,
    enterprise_name: str,
    found_on: date,
    industry: str | None = None,
    industrial_park: str | None = None,
    sample_id: str = "FLCC-SAMPLE-001",
) -> dict[str, Any]:
    """The body of ``POST /api/v1/findings`` for ``bureau``'s sample finding."""
    own_industry, finding_type, details = SAMPLES[bureau]
    body: dict[str, Any] = {
        "uscc": uscc,
        "enterprise_name": enterprise_name,
        "town": "李渡街道",
        "industry": industry or own_industry,
        "finding_type": finding_type,
        "found_on": found_on.isoformat(),
        "legal_basis": "涪经信发〔2020〕85号",
        "inspector": "李强",
        "details": {**details, "sample_id": sample_id} if "sample_id" in details else details,
    }
    if industrial_park:
        body["industrial_park"] = industrial_park
    return body
