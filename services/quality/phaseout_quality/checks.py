"""Quality checks: the cited standard (format, year) and licence actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import cited_after, is_mandatory, reject, standard_year
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import LicenceActionResult, SpotCheckResult
from phaseout_policy import PolicyBook

if TYPE_CHECKING:
    from phaseout_quality.details import LicenceActionDetails, SpotCheckDetails

LICENCE_ACTION_ZH = {
    "revoke_eliminated_equipment": "使用淘汰类工艺装备，撤销生产许可证",
    "revoke_ditiaogang": "生产“地条钢”，撤销生产许可证",
    "cancel_closed": "企业已关闭或为僵尸企业，注销生产许可证",
    "expiry_reminder": "生产许可证到期提醒",
}


def check_spot_check(finding: FindingCreate, details: SpotCheckDetails, _book: PolicyBook) -> SpotCheckResult:
    cited_after("standard", details.standard, finding.found_on)
    mandatory = is_mandatory(details.standard)
    return SpotCheckResult(
        standard=details.standard,
        standard_year=standard_year(details.standard),
        standard_kind="mandatory" if mandatory else "recommended",
        standard_kind_zh="强制性国家标准" if mandatory else "推荐性国家标准",
        failed_item_count=len(details.failed_items),
    )


def check_licence_action(
    finding: FindingCreate, details: LicenceActionDetails, _book: PolicyBook
) -> LicenceActionResult:
    if details.action == "expiry_reminder" and details.expires_on is None:
        raise reject(
            "expires_on", "到期提醒须填写许可证有效期", "expires_on is required for an expiry reminder"
        )
    derived: dict[str, Any] = {"action_zh": LICENCE_ACTION_ZH[details.action]}
    if details.expires_on is not None:
        derived["expires_on"] = details.expires_on.isoformat()
        derived["days_to_expiry"] = (details.expires_on - finding.found_on).days
    return LicenceActionResult.model_validate(derived)
