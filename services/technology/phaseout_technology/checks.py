"""Technology checks: eliminated items of the catalogue edition in force, abnormal electricity use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import excess, number, provenance, reject
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import (
    UNVERIFIED_BASIS_ZH,
    AbnormalElectricityResult,
    BelowBenchmarkResult,
    EliminatedEquipmentResult,
)
from phaseout_policy import PolicyBook
from phaseout_policy.book import in_force

if TYPE_CHECKING:
    from phaseout_technology.details import (
        AbnormalElectricityDetails,
        BelowBenchmarkDetails,
        EliminatedEquipmentDetails,
    )

EDITIONS = ("catalogue_2019", "catalogue_2024")
UNMATCHED_ZH = "目录条目未能与参考数据匹配，须人工核对条目原文 (catalogue item not matched: verify by hand)"
ASSOCIATION_ZH = (
    "条目取自行业协会目录，非国家发展改革委目录原文，须核对 (association-list item, not the NDRC text)"
)


def _title(book: PolicyBook, doc_id: str) -> str:
    docs = {d.id: d for d in book.catalogue.documents}
    return str((docs[doc_id].model_extra or {}).get("title_zh", doc_id))


def check_eliminated_equipment(
    finding: FindingCreate, details: EliminatedEquipmentDetails, book: PolicyBook
) -> EliminatedEquipmentResult:
    on = finding.found_on
    editions = [d for d in book.catalogue.documents if d.id in EDITIONS]
    current = in_force(editions, on)
    current_zh = _title(book, current.id) if current else "无"
    item = None if details.item_code is None else book.eliminated_item(details.item_code)
    if item is not None and not item.in_force(on):
        # The shipped items are the 2019年本's; the 2024年本's are on file only where the office loaded them.
        of = in_force(editions, item.valid_from or item.valid_to or on)
        raise reject(
            "item_code",
            f"条目 {item.code} 属于{_title(book, of.id) if of else '其他版本'}，{on} 不在用；适用{current_zh}"
            "（请引用在用版本的条目代码，或以 item_text 填写条目原文）",
            f"item {item.code} is not in force on {on}",
        )
    if current is None or current.id != f"catalogue_{details.catalogue}":
        raise reject(
            "catalogue",
            f"{on} 适用{current_zh}，不是{_title(book, f'catalogue_{details.catalogue}')}",
            f"{current.id if current else 'no catalogue'} is in force on {on}",
        )
    if item is None and details.item_text is None:
        raise reject(
            "item_text",
            f"参考数据中没有条目代码“{details.item_code}”，请填写目录条目原文",
            "unknown item code: give the item text",
        )
    derived: dict[str, Any] = {
        "catalogue": current.id,
        "catalogue_zh": current_zh,
        "catalogue_match": item is not None,
        "basis_verified": item is not None,
        "item_code": item.code if item else details.item_code,
        "item_text_zh": item.item_zh if item else details.item_text,
        "warnings_zh": [ASSOCIATION_ZH] if item and item.association_list else [] if item else [UNMATCHED_ZH],
    }
    if item is not None:
        derived |= {
            "industry_zh": item.industry_zh,
            "deadline": item.deadline,
            "association_list": item.association_list,
            "confidence": item.confidence,
            "reference": provenance(item),
        }
    return EliminatedEquipmentResult.model_validate(derived)


BELOW_BENCHMARK_FROM = "catalogue_2024"  # the 2024年本 brought the route 参照淘汰类管理


def check_below_benchmark(
    finding: FindingCreate, details: BelowBenchmarkDetails, book: PolicyBook
) -> BelowBenchmarkResult:
    """参照淘汰类管理 (2024年本): efficiency below the benchmark of the latest benchmark document and not
    retrofitted by its deadline. Refused before the 2024年本 took effect, before the deadline passed, or where
    the measured value meets the benchmark; the benchmark itself is not in the reference data (not verified)."""
    on = finding.found_on
    edition = in_force([d for d in book.catalogue.documents if d.id.startswith("catalogue_")], on)
    if edition is None or edition.id != BELOW_BENCHMARK_FROM:
        raise reject(
            "retrofit_deadline",
            f"“参照淘汰类管理”自{_title(book, BELOW_BENCHMARK_FROM)}施行（2024-02-01）起适用，{on} 不适用",
            "the route applies from 2024-02-01",
        )
    if details.retrofit_deadline >= on:
        raise reject(
            "retrofit_deadline",
            f"改造期限 {details.retrofit_deadline} 尚未届满，不构成参照淘汰类管理",
            "the retrofit deadline has not passed",
        )
    if details.measured_value <= details.benchmark_value:
        raise reject(
            "measured_value",
            f"实测值 {number(details.measured_value)} {details.unit} 未劣于基准水平 {number(details.benchmark_value)}",
            "the measured value meets the benchmark",
        )
    exceedance, ratio = excess(details.measured_value, details.benchmark_value)
    return BelowBenchmarkResult.model_validate(
        {
            "catalogue": edition.id,
            "catalogue_zh": _title(book, edition.id),
            "benchmark_document": details.benchmark_document,
            "retrofit_deadline": details.retrofit_deadline.isoformat(),
            "exceedance": exceedance,
            "ratio_over_benchmark": ratio,
            "basis_verified": False,
            "warnings_zh": [
                f"{details.benchmark_document} {details.indicator} 基准水平：{UNVERIFIED_BASIS_ZH}"
            ],
        }
    )


def check_abnormal_electricity(
    finding: FindingCreate, details: AbnormalElectricityDetails, _book: PolicyBook
) -> AbnormalElectricityResult:
    if not details.period_from <= details.period_to <= finding.found_on:
        raise reject(
            "period_to",
            "用电期间须起止有序且不晚于发现日期",
            "period_from ≤ period_to ≤ found_on is required",
        )
    days = (details.period_to - details.period_from).days + 1
    derived: dict[str, Any] = {"days": days, "kwh_per_day": number(round(details.kwh / days, 2))}
    if details.baseline_kwh is not None:
        derived["increase_kwh"], derived["ratio_over_baseline"] = excess(details.kwh, details.baseline_kwh)
    return AbnormalElectricityResult.model_validate(derived)
