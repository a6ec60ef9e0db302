"""Safety checks: the major-hazard item of the judgment standard in force on the finding date — the 2017
standard (安监总管四〔2017〕129号) until 2023-05-14, 应急管理部令第10号 from 2023-05-15."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import provenance, reject
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import UNVERIFIED_BASIS_ZH, MajorHazardResult, SuspensionResult
from phaseout_policy import PolicyBook
from phaseout_policy.book import in_force

if TYPE_CHECKING:
    from phaseout_policy.models import Fact
    from phaseout_safety.details import MajorHazardDetails, SuspensionDetails

ORDER_10 = "order_10_2023"
# 令第10号 items are cited by article and item, e.g. L10-A6-3 = 第六条（三）; L10-A14 = 第十四条 (failed devices).
ORDER_10_CODE = re.compile(r"^L10-A(?P<article>\d{1,2})(?:-(?P<item>\d{1,2}))?$")
NUMERALS_ZH = "零一二三四五六七八九十"


def numeral_zh(n: int) -> str:
    """1-19 as in a Chinese legal citation (第十四条, 第六条（三）)."""
    return NUMERALS_ZH[n] if n <= 10 else f"十{NUMERALS_ZH[n - 10]}"


def _edition_zh(edition: Fact) -> str:
    return f"{edition.document}{(edition.model_extra or {}).get('title_zh', '')}"


def hazard_item(book: PolicyBook, code: str, found_on: date) -> dict[str, Any]:
    edition = in_force(book.safety.documents, found_on)
    if edition is None:
        raise reject(
            "hazard_code", f"{found_on} 无在用的重大事故隐患判定标准", f"no standard in force on {found_on}"
        )
    if edition.id == ORDER_10:
        return _order_10_item(book, code, edition)
    if ORDER_10_CODE.match(code):
        raise reject(
            "hazard_code",
            f"{_edition_zh(edition)}适用于{found_on}；应急管理部令第10号自2023-05-15起施行，"
            "请按2017版条目代码认定（如 metallurgy.08）",
            f"令第10号 applies from 2023-05-15, not on {found_on}",
        )
    return _standard_2017_item(book, code, found_on)


def _standard_2017_item(book: PolicyBook, code: str, found_on: date) -> dict[str, Any]:
    hazard = book.major_hazard(code)
    if hazard is None or not hazard.in_force(found_on):
        raise reject(
            "hazard_code",
            f"未知的重大事故隐患条目“{code}”（{found_on} 适用2017版判定标准，参考数据收录其全部 "
            f"{len(book.safety.records)} 项，代码如 metallurgy.08、confined_space.01）",
            "unknown major-hazard item of the 2017 standard",
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


def _order_10_item(book: PolicyBook, code: str, edition: Fact) -> dict[str, Any]:
    """An item of 令第10号 cited by article and item: refused only where it certainly does not exist (no such
    article, or an item beyond a count known with high confidence); a text not on file leaves the finding
    standing with its basis marked as supplied by the bureau."""
    cited = ORDER_10_CODE.match(code)
    if cited is None:
        raise reject(
            "hazard_code",
            f"{_edition_zh(edition)}自2023-05-15起施行，条目按条、项引用，代码如 L10-A6-3（第六条（三））、"
            "L10-A14（第十四条：监控报警防护设施失效）；2017版条目代码已不适用",
            "令第10号 applies: cite L10-A<article>-<item>",
        )
    article_no, item_no = int(cited["article"]), int(cited["item"]) if cited["item"] else None
    article = book.hazard_article(article_no)
    if article is None:
        raise reject(
            "hazard_code",
            f"令第10号第{article_no}条不判定重大事故隐患条目（判定条目见第三条至第十四条）",
            "no such article of 令第10号",
        )
    if (article.item_count is None) != (item_no is None):
        wanted = (
            "不列条目，引用为 L10-A14" if article.item_count is None else f"须注明项，如 L10-A{article_no}-1"
        )
        raise reject("hazard_code", f"{article.article_zh}{wanted}", "article and item do not fit")
    if item_no is not None and (
        item_no < 1
        or (
            article.item_count is not None
            and item_no > article.item_count
            and article.item_count_confidence == "high"
        )
    ):
        raise reject(
            "hazard_code",
            f"{article.article_zh}（{article.scope_zh}）共{article.item_count}项，没有第{item_no}项",
            "no such item in 令第10号",
        )
    item = book.major_hazard(code)
    verified = item is not None and item.confidence != "low"
    clause = article.article_zh + (f"（{numeral_zh(item_no)}）" if item_no else "")
    return {
        "hazard_code": code,
        "item_no": item_no,
        "item_text_zh": item.text_zh if item else None,
        "article_lead_zh": article.lead_zh,
        "group_zh": article.group_zh,
        "sector_zh": article.scope_zh,
        "clause_zh": clause,
        "standard_zh": _edition_zh(edition),
        "basis_verified": verified,
        **({} if verified else {"warnings_zh": [f"{clause}：{UNVERIFIED_BASIS_ZH}"]}),
        "reference": provenance(item or article),
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
    hazard = MajorHazardResult.model_validate(hazard_item(book, code, finding.found_on))
    return SuspensionResult(hazard=hazard, basis_verified=hazard.basis_verified)
