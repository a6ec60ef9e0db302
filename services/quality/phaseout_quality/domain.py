"""The quality bureau: its finding types, each declared once (code, title, details, check); the checks are in
checks.py, the details in details.py."""

from __future__ import annotations

from phaseout_bureau.domain.findings import BureauSpec, FindingType
from phaseout_quality.checks import check_licence_action, check_spot_check
from phaseout_quality.details import (
    BusinessLicenceRevokedDetails,
    LicenceActionDetails,
    SpotCheckDetails,
    UnlicensedProductionDetails,
)

SPEC = BureauSpec(
    name="quality",
    types=(
        FindingType("spot_check_failed", "监督抽查不合格", SpotCheckDetails, check_spot_check),
        FindingType("licence_action", "生产许可证处置", LicenceActionDetails, check_licence_action),
        FindingType("unlicensed_production", "无证生产", UnlicensedProductionDetails),
        FindingType("business_licence_revoked", "吊销营业执照", BusinessLicenceRevokedDetails),
    ),
)
