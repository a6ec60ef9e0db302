"""The safety bureau's finding details: typed, validated on input (pure: no I/O)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from phaseout_bureau.domain.checks import details_config
from phaseout_bureau.domain.findings import LongText, Text

HAZARD_CODE_ZH = (
    "重大事故隐患条目：2023-05-14及以前按《工贸行业重大生产安全事故隐患判定标准（2017版）》条目代码，"
    "如 metallurgy.08、confined_space.01；2023-05-15起按应急管理部令第10号的条、项，如 L10-A6-3（第六条（三））、"
    "L10-A14（第十四条）"
)


class MajorHazardDetails(BaseModel):
    model_config = details_config(
        {"hazard_code": "metallurgy.08", "description": "炼钢主控室未设置固定式一氧化碳监测报警装置"}
    )
    hazard_code: str = Field(min_length=1, max_length=40, description=HAZARD_CODE_ZH)
    description: LongText = Field(description="现场情况")


class StandardisationDetails(BaseModel):
    model_config = details_config({"status": "review_failed", "description": "安全生产标准化三级评审未通过"})
    status: Literal["not_started", "review_failed", "certificate_expired", "certificate_revoked"] = Field(
        description="not_started 未开展创建、review_failed 评审未达标、certificate_expired 证书过期、"
        "certificate_revoked 证书被撤销"
    )
    required_level: Literal["一级", "二级", "三级"] = Field(default="三级", description="应达到的标准化等级")
    description: LongText | None = Field(default=None, description="问题描述")


class SuspensionDetails(BaseModel):
    model_config = details_config(
        {
            "reason": "存在重大事故隐患，责令停产停业整顿",
            "order_no": "(涪)应急责改〔2020〕15号",
            "hazard_code": "metallurgy.05",
        }
    )
    reason: LongText = Field(description="责令停产停业整顿的理由")
    order_no: Text | None = Field(default=None, description="决定书文号")
    hazard_code: str | None = Field(
        default=None, min_length=1, max_length=40, description="所依据的重大事故隐患条目代码（可选）"
    )
