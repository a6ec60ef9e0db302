"""The quality bureau's finding details: typed, validated on input (pure: no I/O)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from phaseout_bureau.domain.checks import NationalStandardCode, details_config
from phaseout_bureau.domain.findings import LongText, Text


class LicenceAction(StrEnum):
    REVOKE_ELIMINATED_EQUIPMENT = "revoke_eliminated_equipment"  # 使用淘汰类设备：撤销生产许可证
    REVOKE_DITIAOGANG = "revoke_ditiaogang"  # 生产“地条钢”：撤销生产许可证
    CANCEL_CLOSED = "cancel_closed"  # 已关闭、僵尸企业：注销生产许可证
    EXPIRY_REMINDER = "expiry_reminder"  # 生产许可证到期提醒


class SpotCheckDetails(BaseModel):
    model_config = details_config(
        {
            "product": "热轧带肋钢筋 HRB400E Φ16",
            "standard": "GB/T 1499.2-2018",
            "sample_id": "CQFL-2020-GJ-017",
            "failed_items": ["重量偏差", "最大力总延伸率"],
        }
    )
    product: Text = Field(description="抽查产品（名称、规格型号）")
    standard: NationalStandardCode = Field(
        description="判定依据的国家标准编号，如 GB 175-2007、GB/T 1499.2-2018"
    )
    sample_id: Text = Field(description="抽样单编号")
    failed_items: list[Text] = Field(min_length=1, max_length=30, description="不合格项目")
    description: LongText | None = Field(default=None, description="问题描述")


class LicenceActionDetails(BaseModel):
    model_config = details_config(
        {"action": "revoke_eliminated_equipment", "licence_no": "XK08-001-00123", "product": "水泥"},
        {
            "action": "expiry_reminder",
            "licence_no": "XK05-001-00456",
            "product": "钢筋",
            "expires_on": "2021-03-31",
        },
    )
    action: LicenceAction = Field(
        description="revoke_eliminated_equipment 淘汰设备撤证、revoke_ditiaogang 地条钢撤证、"
        "cancel_closed 关闭/僵尸企业注销、expiry_reminder 到期提醒"
    )
    licence_no: Text = Field(description="工业产品生产许可证编号")
    product: Text = Field(description="许可产品")
    expires_on: date | None = Field(default=None, description="许可证有效期至（到期提醒必填）")
    description: LongText | None = Field(default=None, description="问题描述")


class UnlicensedProductionDetails(BaseModel):
    model_config = details_config({"product": "热轧带肋钢筋", "description": "未取得生产许可证擅自生产"})
    product: Text = Field(description="无证生产的产品")
    description: LongText = Field(description="问题描述")


class BusinessLicenceRevokedDetails(BaseModel):
    model_config = details_config(
        {"decision_no": "涪市监处罚〔2020〕88号", "reason": "生产“地条钢”，依法取缔"}
    )
    decision_no: Text = Field(description="行政处罚决定书文号")
    reason: LongText = Field(description="吊销营业执照的理由")
