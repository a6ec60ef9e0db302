"""The environment bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_environment.checks import check_emission, check_other, check_total_load
from phaseout_environment.details import (
    EmissionDetails,
    EvasiveDischargeDetails,
    OnlineMonitoringDetails,
    PermitDetails,
    PollutionControlDetails,
    SolidWasteDetails,
    TotalLoadDetails,
)

if TYPE_CHECKING:
    from fastapi import APIRouter

    from phaseout_policy.office import LayeredBook


def _emitters_router(policy: LayeredBook) -> APIRouter:
    from phaseout_environment.views import emitters_router  # the only module of this package that does I/O

    return emitters_router(policy)


SPEC = BureauSpec(
    name="environment",
    types=(
        FindingType("emission_exceedance", "超标排放", EmissionDetails, check_emission),
        FindingType("online_monitoring_exceedance", "在线监测超标", OnlineMonitoringDetails, check_emission),
        FindingType("total_load_exceeded", "超总量排放", TotalLoadDetails, check_total_load),
        FindingType("permit_violation", "无证排污/不按证排污", PermitDetails, check_other),
        FindingType(
            "evasive_discharge", "逃避监管排污（偷排偷放、数据造假）", EvasiveDischargeDetails, check_other
        ),
        FindingType(
            "pollution_control_violation",
            "污染防治设施不正常运行/无组织排放",
            PollutionControlDetails,
            check_other,
        ),
        FindingType("solid_waste_violation", "固体废物违法", SolidWasteDetails, check_other),
    ),
    extra_routers=(_emitters_router,),
)
