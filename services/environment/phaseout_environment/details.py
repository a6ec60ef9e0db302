"""The environment bureau's finding details: typed, validated on input (pure: no I/O)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from phaseout_bureau.domain.checks import details_config, standard_code_validator
from phaseout_bureau.domain.findings import LongText, Text

EmissionStandardCode = Annotated[
    str, AfterValidator(standard_code_validator("GB", "GB/T", "HJ", "DB50", "DB50/T"))
]


class Medium(StrEnum):
    AIR = "air"  # 大气
    WATER = "water"  # 水
    SOIL_HEAVY_METAL = "soil_heavy_metal"  # 土壤（重金属）


class MaliciousFlag(StrEnum):
    COVERT_DISCHARGE = "covert_discharge"  # 偷排偷放（暗管、渗井、渗坑、灌注等）
    DATA_FALSIFICATION = "data_falsification"  # 篡改、伪造监测数据
    REPEAT_OFFENCE = "repeat_offence"  # 屡查屡犯


class CreditRating(StrEnum):
    """重庆市企业环境信用等级 (渝环〔2017〕174号, kept by 渝环规〔2021〕7号); see policy local_rules.json."""

    HONEST = "honest"  # 环保诚信企业
    GOOD = "good"  # 环保良好企业
    WARNING = "warning"  # 环保警示企业
    BAD = "bad"  # 环保不良企业


class EnvironmentDetails(BaseModel):
    malicious: list[MaliciousFlag] = Field(
        default_factory=list,
        max_length=3,
        description="恶意违法情形：covert_discharge 偷排偷放、data_falsification 数据造假、repeat_offence 屡查屡犯",
    )
    credit_rating: CreditRating | None = Field(
        default=None,
        description="企业环境信用等级（重庆）：honest 环保诚信、good 环保良好、warning 环保警示、bad 环保不良",
    )
    description: LongText | None = Field(default=None, description="问题描述")


class EmissionDetails(EnvironmentDetails):
    model_config = details_config(
        {
            "medium": "air",
            "pollutant": "颗粒物",
            "measured_value": 54,
            "limit_value": 30,
            "unit": "mg/m³",
            "standard": "GB 4915-2013",
            "description": "窑尾颗粒物排放浓度超标",
        }
    )
    medium: Medium = Field(description="环境要素：air 大气、water 水、soil_heavy_metal 土壤（重金属）")
    pollutant: Text = Field(description="污染物，如 二氧化硫、化学需氧量、铅")
    heavy_metal: bool = Field(default=False, description="是否为重金属等严重危害环境、人体健康的污染物")
    measured_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="实测浓度")
    limit_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="排放限值")
    unit: Text = Field(description="计量单位，如 mg/m³、mg/L")
    standard: EmissionStandardCode = Field(description="排放标准编号，如 GB 4915-2013、DB50/418-2016")


class OnlineMonitoringDetails(EmissionDetails):
    model_config = details_config(
        {
            "medium": "water",
            "pollutant": "化学需氧量",
            "measured_value": 128,
            "limit_value": 100,
            "unit": "mg/L",
            "standard": "GB 8978-1996",
            "monitoring_point": "废水总排口",
            "averaging": "daily",
        }
    )
    monitoring_point: Text = Field(description="在线监测点位")
    averaging: Literal["hourly", "daily"] = Field(description="超标数据：hourly 小时均值、daily 日均值")


class TotalLoadDetails(EnvironmentDetails):
    model_config = details_config(
        {
            "pollutant": "氨氮",
            "permitted_t": 38,
            "actual_t": 46.2,
            "period": "2020年1—8月",
            "permit_no": "91500102XXXX001P",
        }
    )
    pollutant: Text = Field(description="总量控制污染物")
    permitted_t: Decimal = Field(
        gt=0, max_digits=14, decimal_places=3, description="许可（核定）年排放量，吨"
    )
    actual_t: Decimal = Field(gt=0, max_digits=14, decimal_places=3, description="实际排放量，吨")
    period: Text = Field(description="统计期间，如 2020年1—9月")
    permit_no: Text | None = Field(default=None, description="排污许可证编号")


class PermitDetails(EnvironmentDetails):
    model_config = details_config({"kind": "no_permit", "description": "未取得排污许可证擅自排放"})
    kind: Literal["no_permit", "not_per_permit"] = Field(
        description="no_permit 无证排污、not_per_permit 不按证排污"
    )
    permit_no: Text | None = Field(default=None, description="排污许可证编号（不按证排污时填写）")


class EvasiveDischargeDetails(EnvironmentDetails):
    model_config = details_config(
        {"medium": "water", "methods": ["covert_discharge"], "description": "私设暗管将生产废水直排长江"}
    )
    medium: Medium = Field(description="环境要素")
    methods: list[Literal["covert_discharge", "data_falsification"]] = Field(
        min_length=1,
        max_length=2,
        description="逃避监管的方式：covert_discharge 偷排偷放、data_falsification 篡改伪造监测数据",
    )


class PollutionControlDetails(EnvironmentDetails):
    model_config = details_config(
        {"kind": "facilities_not_operated", "description": "电炉烟气除尘设施未正常运行"}
    )
    kind: Literal["facilities_not_operated", "fugitive_emission"] = Field(
        description="facilities_not_operated 不正常运行防治污染设施、fugitive_emission 无组织排放未采取控制措施"
    )


class SolidWasteDetails(EnvironmentDetails):
    model_config = details_config(
        {"waste": "hazardous", "quantity_t": 12.5, "description": "废矿物油未按规定贮存、转移"}
    )
    waste: Literal["hazardous", "general_industrial"] = Field(
        description="hazardous 危险废物、general_industrial 一般工业固体废物"
    )
    quantity_t: Decimal | None = Field(
        default=None, gt=0, max_digits=14, decimal_places=3, description="数量，吨"
    )
