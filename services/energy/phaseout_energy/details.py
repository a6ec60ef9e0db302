"""The energy bureau's finding details: typed, validated on input (pure: no I/O)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from phaseout_bureau.domain.checks import NationalStandardCode, details_config
from phaseout_bureau.domain.findings import Text


class InspectionProgramme(StrEnum):
    FOLLOW_UP_2019 = "follow_up_2019"  # 2019年专项监察后续整改
    NATIONAL_SPECIAL = "national_special"  # 国家专项监察
    CITY_DIRECTED = "city_directed"  # 市级指定监察
    TIERED_PRICE_CHECK = "tiered_price_check"  # 阶梯电价核查


ALUMINIUM_AC = "aluminium_liquid_ac_electricity_consumption"


class EnergyLimitDetails(BaseModel):
    model_config = details_config(
        {
            "product": ALUMINIUM_AC,
            "measured_value": 13900,
            "measured_unit": "kWh/t",
            "programme": "city_directed",
            "cited_standard": "GB 21346-2013",
        },
        {
            "product": "烧结实心制品",
            "measured_value": 58.6,
            "measured_unit": "kgce/t",
            "programme": "city_directed",
        },
    )
    product: str = Field(
        min_length=1,
        max_length=120,
        description="产品/工序指标：政策数据中的指标代码（如 aluminium_liquid_ac_electricity_consumption），"
        "或唯一对应的中文指标名（如 铝液交流电耗、烧结实心制品）",
    )
    measured_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="实测单位产品能耗")
    measured_unit: str = Field(
        min_length=1, max_length=40, description="计量单位，须与限额标准一致，如 kWh/t"
    )
    programme: InspectionProgramme = Field(description="监察任务来源")
    cited_standard: NationalStandardCode | None = Field(
        default=None, description="检查人员引用的限额标准（可选；须为发现日期在用的版本），如 GB 21346-2013"
    )
    limit_value: Decimal | None = Field(
        default=None,
        gt=0,
        max_digits=14,
        decimal_places=4,
        description="在用标准的限定值（3级，现有企业），仅当参考数据未收录该版本的限额值时填写；"
        "该认定标注“依据由委办局提供，未经参考数据核对”",
    )
    limit_source: Text | None = Field(
        default=None, description="限定值出处，如 GB 16780-2012 表1 3级（填写 limit_value 时）"
    )


class TieredPriceDetails(EnergyLimitDetails):
    model_config = details_config(
        {"product": ALUMINIUM_AC, "measured_value": 13750, "measured_unit": "kWh/t"},
    )
    product: str = Field(
        default=ALUMINIUM_AC,
        min_length=1,
        max_length=120,
        description="铝液交流电耗（阶梯电价按铝液电解交流电耗核定）",
    )
    measured_value: Decimal = Field(
        gt=0, max_digits=14, decimal_places=4, description="上一年度铝液交流电耗实绩（kWh/t）"
    )
    measured_unit: str = Field(default="kWh/t", min_length=1, max_length=40, description="计量单位 kWh/t")
    programme: InspectionProgramme = Field(
        default=InspectionProgramme.TIERED_PRICE_CHECK, description="监察任务来源"
    )
