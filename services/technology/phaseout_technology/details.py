"""The technology bureau's finding details: typed, validated on input (pure: no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from phaseout_bureau.domain.checks import details_config
from phaseout_bureau.domain.findings import LongText, Text
from phaseout_kit.registry import unit

POWER_COMPANY = unit("power_company").name_zh


class EliminatedEquipmentDetails(BaseModel):
    model_config = details_config(
        {"catalogue": "2019", "item_code": "cat2011_steel_01", "equipment": "10吨中频炉"},
        {"catalogue": "2019", "item_text": "马蹄窑、土窑等烧结砖瓦土窑", "equipment": "马蹄窑"},
    )
    catalogue: Literal["2019", "2024"] = Field(
        description="《产业结构调整指导目录》版本：2019 即2019年本、2024 即2024年本（须为发现日期在用的版本）"
    )
    item_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="参考数据中的淘汰类条目代码，如 cat2011_steel_01",
    )
    item_text: LongText | None = Field(
        default=None, description="目录条目原文（无条目代码或代码未收录时填写，平台将标记为待人工核对）"
    )
    equipment: Text = Field(description="现场设备/工艺，如 10吨中频炉、Φ2.6m水泥球磨机")
    description: LongText | None = Field(default=None, description="问题描述")

    @model_validator(mode="after")
    def _code_or_text(self) -> Self:
        if self.item_code is None and self.item_text is None:
            raise ValueError("须填写 item_code 或 item_text (item_code or item_text is required)")
        return self


class CoalMineClosureDetails(BaseModel):
    model_config = details_config(
        {
            "closure_list": "2020年煤矿去产能关闭名单",
            "problems": ["equipment_not_removed", "shaft_not_sealed"],
        }
    )
    closure_list: Text = Field(description="列入的关闭煤矿名单（批次/文号）")
    problems: list[Literal["still_producing", "equipment_not_removed", "shaft_not_sealed"]] = Field(
        min_length=1,
        max_length=3,
        description="still_producing 仍在生产、equipment_not_removed 井下设备未拆除、shaft_not_sealed 井口未封闭",
    )
    description: LongText | None = Field(default=None, description="问题描述")


class IllegalSteelPatrolDetails(BaseModel):
    model_config = details_config(
        {"furnace_type": "intermediate_frequency", "furnace_count": 2, "furnace_capacity_t": 10}
    )
    furnace_type: Literal["intermediate_frequency", "power_frequency"] = Field(
        description="intermediate_frequency 中频感应炉、power_frequency 工频感应炉"
    )
    furnace_count: int = Field(ge=1, le=100, description="感应炉台数")
    furnace_capacity_t: Decimal | None = Field(
        default=None, gt=0, max_digits=8, decimal_places=2, description="单台容量，吨"
    )
    description: LongText | None = Field(default=None, description="巡查发现情况")


class AbnormalElectricityDetails(BaseModel):
    model_config = details_config(
        {"reported_by": POWER_COMPANY, "kwh": 1850000, "period_from": "2020-08-01", "period_to": "2020-08-31"}
    )
    reported_by: Text = Field(default=POWER_COMPANY, description="报告单位（供电公司）")
    kwh: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="期间用电量，kWh")
    period_from: date = Field(description="用电期间起")
    period_to: date = Field(description="用电期间止")
    baseline_kwh: Decimal | None = Field(
        default=None, gt=0, max_digits=14, decimal_places=2, description="同期正常用电量（比较基准），kWh"
    )
    description: LongText | None = Field(default=None, description="异常情况说明")


class BelowBenchmarkDetails(BaseModel):
    model_config = details_config(
        {
            "benchmark_document": "工业重点领域能效标杆水平和基准水平（2023年版）",
            "indicator": "水泥熟料单位产品综合能耗",
            "measured_value": 118,
            "benchmark_value": 117,
            "unit": "kgce/t",
            "retrofit_deadline": "2025-12-31",
        }
    )
    benchmark_document: Text = Field(
        description="所依据的能效基准水平文件（最新版），如 工业重点领域能效标杆水平和基准水平（2023年版）"
    )
    indicator: Text = Field(description="能效指标")
    measured_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="实测值")
    benchmark_value: Decimal = Field(gt=0, max_digits=14, decimal_places=4, description="基准水平")
    unit: Text = Field(description="计量单位")
    retrofit_deadline: date = Field(description="规定的改造升级期限")
    description: LongText | None = Field(default=None, description="问题描述")
