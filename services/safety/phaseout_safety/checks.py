"""Safety checks: major-hazard items of the 2017 standard, and the instrument in force on the finding date."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import provenance, reject
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import MajorHazardResult, SuspensionResult
from phaseout_policy import PolicyBook
from phaseout_policy.book import in_force

if TYPE_CHECKING:
    from phaseout_safety.details import MajorHazardDetails, SuspensionDetails


def hazard_item(book: PolicyBook, code: str, found_on: date) -> dict[str, Any]:
    hazard = book.major_hazard(code)
    if hazard is None:
        raise reject(
            "hazard_code",
            f"未知的重大事故隐患条目“{code}”（参考数据收录2017版全部 {len(book.safety.records)} 项，"
            "代码如 metallurgy.08、confined_space.01）",
            "unknown major-hazard item",
        )
    if not hazard.in_force(found_on):
        current = in_force(book.safety.documents, found_on)
        title = (current.model_extra or {}).get("title_zh", "") if current else ""
        applies = (
            f"{found_on} 适用{current.document}{title}（{current.valid_from} 起施行）" if current else ""
        )
        raise reject(
            "hazard_code",
            f"2017版判定标准已于 {hazard.valid_to} 废止，{applies or f'{found_on} 无在用的判定标准'}；"
            "参考数据未收录新标准条目，请按新标准认定",
            f"the 2017 standard ended on {hazard.valid_to}; "
            f"{current.document if current else 'no instrument'} applies on {found_on}",
        )
    return {
        "hazard_code": hazard.code,
        "item_text_zh": hazard.text_zh,
        "group_zh": hazard.group_zh,
        "sector_zh": hazard.category_zh,
        "sector_en": hazard.category_en,
        "item_no": hazard.no,
        "standard_zh": "工贸行业重大生产安全事故隐患判定标准（2017版）",
        "reference": provenance(hazard),
    }


def check_major_hazard(
    finding: FindingCreate, details: MajorHazardDetails, book: PolicyBook
) -> MajorHazardResult:
    return MajorHazardResult.model_validate(hazard_item(book, details.hazard_code, finding.found_on))


def check_suspension(
    finding: FindingCreate, details: SuspensionDetails, book: PolicyBook
) -> SuspensionResult:
    code = details.hazard_code
    if code is None:
        return SuspensionResult()
    return SuspensionResult(
        hazard=MajorHazardResult.model_validate(hazard_item(book, code, finding.found_on))
    )
