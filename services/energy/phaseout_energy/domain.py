"""Energy bureau's finding types and typed details (pure: no I/O)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from phaseout_bureau.domain.findings import BureauSpec


class InspectionProgramme(StrEnum):
    FOLLOW_UP_2019 = "follow_up_2019"  # 2019年专项监察后续整改
    NATIONAL_SPECIAL = "national_special"  # 国家专项监察
    CITY_DIRECTED = "city_directed"  # 市级指定监察
    TIERED_PRICE_CHECK = "tiered_price_check"  # 阶梯电价核查


class EnergyLimitDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str = Field(min_length=1, max_length=80, description="产品或工序，如 电解铝液交流电耗")
    measured_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="实测单位产品能耗")
    measured_unit: str = Field(min_length=1, max_length=40, description="计量单位，如 kWh/t")
    programme: InspectionProgramme


SPEC = BureauSpec(
    name="energy",
    title_zh="能耗",
    department_zh="区经济信息委",
    finding_types={"energy_limit_exceeded": "单位产品能耗超限额标准"},
    details_models={"energy_limit_exceeded": EnergyLimitDetails},
)
