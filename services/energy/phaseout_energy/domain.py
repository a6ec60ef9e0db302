"""The energy bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_energy.checks import check_energy_limit, check_tiered_price
from phaseout_energy.details import EnergyLimitDetails, TieredPriceDetails

SPEC = BureauSpec(
    name="energy",
    types=(
        FindingType("energy_limit_exceeded", "单位产品能耗超限额", EnergyLimitDetails, check_energy_limit),
        FindingType("tiered_price_check", "电解铝阶梯电价核查", TieredPriceDetails, check_tiered_price),
    ),
)
