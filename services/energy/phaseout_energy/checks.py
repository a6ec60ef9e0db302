"""Energy checks against the policy data: the limit edition in force on the finding date, tiered prices."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import excess, number, provenance, reject, times_zh
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import UNVERIFIED_BASIS_ZH, EnergyLimitResult, TieredPriceResult
from phaseout_policy import EnergyLimit, PolicyBook

if TYPE_CHECKING:
    from phaseout_energy.details import EnergyLimitDetails, TieredPriceDetails

CATEGORY_ZH = {
    "over_limit_within_1x": "超限额1倍以内（含1倍）",
    "over_limit_beyond_1x": "超限额1倍以上",
    "over_limit": "超限额（限定值≤0，倍数无意义）",
}


def _since(rec: EnergyLimit) -> str:
    start = rec.valid_from or rec.not_in_force_before
    return f"{start} 起" if start else f"{rec.edition_year}年发布，实施日期不详"


def _edition_zh(rec: EnergyLimit) -> str:
    return f"{rec.document}（{_since(rec)}{f'，至 {rec.valid_to}' if rec.valid_to else ''}）"


def product_key(book: PolicyBook, product: str, found_on: date, *, supplied: bool = False) -> str | None:
    """The policy data's indicator key for a key or a Chinese indicator name that names exactly one key; None
    for an indicator the data does not know when the bureau supplies the limit itself."""
    records = book.energy.records
    if any(r.key == product for r in records):
        return product
    keys = sorted({r.key for r in records if r.indicator_zh == product})
    if len(keys) == 1:
        return keys[0]
    if keys:
        raise reject(
            "product", f"指标名“{product}”不唯一，请用指标代码：{'、'.join(keys)}", "ambiguous product"
        )
    if supplied:
        return None
    covered = "、".join(book.covered_energy_keys(found_on))
    raise reject(
        "product",
        f"参考数据中没有“{product}”的能耗限额；{found_on} 有在用限额的指标代码：{covered}；"
        "其他指标请填写在用标准（cited_standard）及其限定值（limit_value、limit_source）",
        f"unknown product; indicators with a limit in force on {found_on} are listed",
    )


def limit_in_force(
    book: PolicyBook, product: str, unit: str, cited: str | None, found_on: date
) -> EnergyLimit:
    key = product_key(book, product, found_on)
    assert key is not None  # not supplied: an unknown product was refused
    limit = book.energy_limit(key, found_on)
    if limit is None:
        editions = "；".join(_edition_zh(r) for r in book.energy.records if r.key == key)
        raise reject(
            "product",
            f"{found_on} 没有在用的“{product}”能耗限额标准；参考数据中的版本：{editions}",
            f"no edition of the limit for {key} in force on {found_on}",
        )
    name = limit.indicator_zh or limit.key
    if unit.replace(" ", "").casefold() != limit.unit.replace(" ", "").casefold():
        raise reject("measured_unit", f"计量单位应为 {limit.unit}", f"unit must be {limit.unit} for {name}")
    if cited is not None and cited != limit.document:
        raise reject(
            "cited_standard",
            f"{found_on} 在用的是 {limit.document}，不是 {cited}",
            f"{limit.document} is in force on {found_on}, not {cited}",
        )
    return limit


def _category(exceedance: Any, ratio: float | None) -> str:
    if exceedance <= 0:
        return "within_limit"
    if ratio is None:
        return "over_limit"
    return "over_limit_within_1x" if ratio <= 1 else "over_limit_beyond_1x"


def comparison(limit: EnergyLimit, measured: Any) -> dict[str, Any]:
    exceedance, ratio = excess(measured, limit.existing_enterprise_limit)
    return {
        "product_key": limit.key,
        "indicator_zh": limit.indicator_zh,
        "industry_zh": limit.industry_zh,
        "standard": limit.document,
        "edition_year": limit.edition_year,
        "limit": number(limit.existing_enterprise_limit),
        "limit_unit": limit.unit,
        "limit_grade": "3级（限定值，现有企业）",
        "grade_scheme": limit.grade_scheme,
        "measured_value": number(measured),
        "exceedance": exceedance,
        "ratio_over_limit": ratio,
        "over_limit": exceedance > 0,
        "category": _category(exceedance, ratio),
        "confidence": limit.confidence,
        "reference": provenance(limit),
    }


def supplied_comparison(book: PolicyBook, details: EnergyLimitDetails, found_on: date) -> dict[str, Any]:
    """The limit the bureau applied, where the edition in force has no values on file (or the indicator is
    not in the data): refused only where certainly wrong — a standard not in force that day, a unit that
    contradicts the indicator — else compared and marked as not verified."""
    key = product_key(book, details.product, found_on, supplied=True)
    edition = None if key is None else book.energy_edition(key, found_on)
    cited = details.cited_standard
    if edition is not None and cited is not None and cited != edition.document:
        raise reject(
            "cited_standard",
            f"{found_on} 在用的是 {edition.document}，不是 {cited}",
            f"{edition.document} is in force on {found_on}, not {cited}",
        )
    document = edition.document if edition is not None else cited
    if document is None:
        raise reject(
            "cited_standard",
            "参考数据没有该指标的限额标准，请注明在用的限额标准（如 GB 16780-2012）",
            "give the standard in force",
        )
    units = {r.unit for r in book.energy.records if r.key == key}
    unit = details.measured_unit
    if units and unit.replace(" ", "").casefold() not in {u.replace(" ", "").casefold() for u in units}:
        raise reject(
            "measured_unit", f"计量单位应为 {'或'.join(sorted(units))}", "unit contradicts the indicator"
        )
    assert details.limit_value is not None
    exceedance, ratio = excess(details.measured_value, details.limit_value)
    source = details.limit_source or "检查人员填报"
    names = [r for r in book.energy.records if r.key == key]
    return {
        "product_key": key or details.product,
        "indicator_zh": names[0].indicator_zh if names else details.product,
        "industry_zh": names[0].industry_zh if names else None,
        "standard": document,
        "limit": number(details.limit_value),
        "limit_unit": unit,
        "limit_grade": "限定值（委办局填报）",
        "measured_value": number(details.measured_value),
        "exceedance": exceedance,
        "ratio_over_limit": ratio,
        "over_limit": exceedance > 0,
        "category": _category(exceedance, ratio),
        "confidence": "low",
        "basis_verified": False,
        "warnings_zh": [
            f"{document} 限定值 {number(details.limit_value)} {unit}（{source}）：{UNVERIFIED_BASIS_ZH}"
        ],
        "reference": {"document": document, "clause": None, "source": source, "confidence": "low"},
    }


def check_energy_limit(
    finding: FindingCreate, details: EnergyLimitDetails, book: PolicyBook
) -> EnergyLimitResult:
    derived = _limit_comparison(finding, details, book)
    if not derived["over_limit"]:
        raise reject(
            "measured_value",
            f"实测值 {derived['measured_value']} {derived['limit_unit']} 未超过 {derived['standard']} 限定值 "
            f"{derived['limit']} {derived['limit_unit']}，不构成超限额",
            "the measured value is within the limit (≤ limit passes)",
        )
    ratio = derived["ratio_over_limit"]
    derived["category_zh"] = CATEGORY_ZH[derived["category"]]
    if ratio is not None:
        derived["category_zh"] += f"（超出 {times_zh(ratio)}）"
        punitive = book.punitive_price(ratio, finding.found_on)
        derived["punitive_price"] = (
            None
            if punitive is None
            else {
                "category_zh": punitive.category_zh,
                "surcharge_yuan_per_kwh": punitive.surcharge_yuan_per_kwh,
                "document": punitive.rule.document,
                "rates_document": punitive.rates_rule.document if punitive.rates_rule else None,
                "confidence": punitive.confidence,
            }
        )
    return EnergyLimitResult.model_validate(derived)


def _limit_comparison(
    finding: FindingCreate, details: EnergyLimitDetails, book: PolicyBook
) -> dict[str, Any]:
    """Against the limit on file for the edition in force; else against the limit the bureau supplies."""
    on = finding.found_on
    key = product_key(book, details.product, on, supplied=details.limit_value is not None)
    if key is not None and book.energy_limit(key, on) is not None:
        limit = limit_in_force(book, key, details.measured_unit, details.cited_standard, on)
        return comparison(limit, details.measured_value)
    if details.limit_value is None:
        edition = None if key is None else book.energy_edition(key, on)
        in_force_zh = (
            f"{on} 在用的是 {edition.document}，参考数据未收录其限额值"
            if edition
            else f"{on} 没有在用的限额标准记录"
        )
        raise reject(
            "limit_value",
            f"{in_force_zh}；请按在用标准填写限定值（limit_value）及出处（limit_source）",
            "no limit on file for the edition in force: supply it",
        )
    return supplied_comparison(book, details, on)


def check_tiered_price(
    finding: FindingCreate, details: TieredPriceDetails, book: PolicyBook
) -> TieredPriceResult:
    limit = limit_in_force(
        book, details.product, details.measured_unit, details.cited_standard, finding.found_on
    )
    price = book.aluminium_tiered_price(float(details.measured_value), finding.found_on)
    if limit.key != "aluminium_liquid_ac_electricity_consumption" or price is None:
        raise reject(
            "product" if price is not None else "measured_value",
            f"{finding.found_on} 没有适用于“{limit.indicator_zh or limit.key}”的电解铝阶梯电价",
            "the aluminium tiered price applies to aluminium-liquid AC consumption, from 2014-01-01",
        )
    tiers = price.rule.tiers or []
    tier = next(i for i, t in enumerate(tiers, start=1) if t.contains(float(details.measured_value)))
    low, high = tiers[tier - 1].lower_exclusive, tiers[tier - 1].upper_inclusive
    span = [f">{low:g}"] if low is not None else []
    span += [f"≤{high:g}"] if high is not None else []
    return TieredPriceResult.model_validate(
        {
            "metric_zh": price.rule.metric_zh,
            "measured_value": number(details.measured_value),
            "unit": "kWh/t",
            "tier": tier,
            "tier_range": " 且 ".join(span) + " kWh/t",
            "surcharge_yuan_per_kwh": price.surcharge_yuan_per_kwh,
            "price_document": price.rule.document,
            "confidence": price.confidence,
            "price_reference": provenance(price.rule),
            "energy_limit": comparison(limit, details.measured_value),
        }
    )
