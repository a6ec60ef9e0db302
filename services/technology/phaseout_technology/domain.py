"""The technology bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_technology.checks import check_abnormal_electricity, check_eliminated_equipment
from phaseout_technology.details import (
    AbnormalElectricityDetails,
    CoalMineClosureDetails,
    EliminatedEquipmentDetails,
    IllegalSteelPatrolDetails,
)

SPEC = BureauSpec(
    name="technology",
    types=(
        FindingType(
            "eliminated_equipment", "淘汰类工艺装备", EliminatedEquipmentDetails, check_eliminated_equipment
        ),
        FindingType("coal_mine_closure", "煤矿关闭", CoalMineClosureDetails),
        FindingType("illegal_steel_patrol", "地条钢巡查发现", IllegalSteelPatrolDetails),
        FindingType(
            "abnormal_electricity_use",
            "异常用电（供电公司报告）",
            AbnormalElectricityDetails,
            check_abnormal_electricity,
        ),
    ),
)
