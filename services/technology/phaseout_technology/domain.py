"""The technology bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_technology.checks import (
    check_abnormal_electricity,
    check_below_benchmark,
    check_eliminated_equipment,
)
from phaseout_technology.details import (
    AbnormalElectricityDetails,
    BelowBenchmarkDetails,
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
            "below_benchmark_unretrofitted",
            "能效低于基准水平且逾期未改造（参照淘汰类管理）",
            BelowBenchmarkDetails,
            check_below_benchmark,
        ),
        FindingType(
            "abnormal_electricity_use",
            "异常用电（供电公司报告）",
            AbnormalElectricityDetails,
            check_abnormal_electricity,
        ),
    ),
)
