"""Environment checks: exceedance ratios and the emitter class (超标排放 / 超标排放严重) under the local rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phaseout_bureau.domain.checks import excess, number, provenance, reject, times_zh
from phaseout_bureau.domain.findings import FindingCreate
from phaseout_bureau.results import EmitterClassification
from phaseout_policy import PolicyBook

if TYPE_CHECKING:
    from phaseout_environment.details import EmissionDetails, EnvironmentDetails, TotalLoadDetails

EMITTER_CLASS_ZH = {
    "seriously_over_standard": "超标排放严重",
    "over_standard": "超标排放",
    "none": "不列入超标排放名单",
}
MALICIOUS_ZH = {
    "covert_discharge": "偷排偷放",
    "data_falsification": "数据造假",
    "repeat_offence": "屡查屡犯",
}


def _flags(details: EnvironmentDetails) -> list[str]:
    methods: list[str] = getattr(details, "methods", [])
    return sorted({*(f.value for f in details.malicious), *methods})


def _classified(
    finding: FindingCreate, details: EnvironmentDetails, ratio: float | None, book: PolicyBook
) -> dict[str, Any]:
    """Emitter class of one finding. ``ratio`` is (measured − limit) / limit of an emission over its standard."""
    flags, rule = _flags(details), book.emitter_class_rule(finding.found_on)
    reasons = [f"超过排放限值 {times_zh(ratio)}"] if ratio is not None else []
    serious = []
    if rule is not None:
        serious = [MALICIOUS_ZH[f] for f in flags if f in rule.malicious_flags]
        if ratio is not None and ratio >= rule.ratio_over_limit_ge:
            serious.insert(0, f"超过排放限值 {times_zh(ratio)}（≥{times_zh(rule.ratio_over_limit_ge)}）")
    if serious:
        emitter_class = "seriously_over_standard"
    else:
        emitter_class = "over_standard" if ratio is not None else "none"
    out: dict[str, Any] = {
        "malicious_flags": flags,
        "malicious_zh": [MALICIOUS_ZH[f] for f in flags],
        "emitter_class": emitter_class,
        "emitter_class_zh": EMITTER_CLASS_ZH[emitter_class],
        "emitter_class_reasons_zh": serious or reasons,
        "emitter_class_rule": None
        if rule is None
        else {
            "text_zh": rule.text_zh,
            "ratio_over_limit_ge": rule.ratio_over_limit_ge,
            "status": rule.status,
            "basis_zh": rule.basis_zh,
            **provenance(rule),
        },
    }
    return out | _credit(finding, details, book)


def _credit(finding: FindingCreate, details: EnvironmentDetails, book: PolicyBook) -> dict[str, Any]:
    if details.credit_rating is None:
        return {"credit_rating": None}
    scale = book.environmental_credit_scale(finding.found_on)
    level = (
        None if scale is None else next((lv for lv in scale.levels if lv.code == details.credit_rating), None)
    )
    if scale is None or level is None:
        raise reject(
            "credit_rating",
            f"{finding.found_on} 没有适用的企业环境信用等级“{details.credit_rating}”",
            "no environmental credit scale with that level in force on the finding date",
        )
    return {
        "credit_rating": {
            "code": level.code,
            "title_zh": level.title_zh,
            "min_score": level.min_score,
            "below_score": level.below_score,
            "document": scale.document,
            "confidence": scale.confidence,
        }
    }


def check_emission(
    finding: FindingCreate, details: EmissionDetails, book: PolicyBook
) -> EmitterClassification:
    exceedance, ratio = excess(details.measured_value, details.limit_value)
    if ratio is None or ratio <= 0:
        raise reject(
            "measured_value",
            f"实测值 {number(details.measured_value)} {details.unit} 未超过排放限值 "
            f"{number(details.limit_value)} {details.unit}，不构成超标排放",
            "the measured value does not exceed the limit",
        )
    return EmitterClassification.model_validate(
        {
            "pollutant": details.pollutant,
            "standard": details.standard,
            "measured_value": number(details.measured_value),
            "limit_value": number(details.limit_value),
            "unit": details.unit,
            "exceedance": exceedance,
            "ratio_over_limit": ratio,
            **_classified(finding, details, ratio, book),
        }
    )


def check_total_load(
    finding: FindingCreate, details: TotalLoadDetails, book: PolicyBook
) -> EmitterClassification:
    exceedance, ratio = excess(details.actual_t, details.permitted_t)
    if ratio is None or ratio <= 0:
        raise reject(
            "actual_t",
            f"实际排放量 {number(details.actual_t)} 吨未超过许可排放量 {number(details.permitted_t)} 吨",
            "actual load does not exceed the permitted load",
        )
    load = {"pollutant": details.pollutant, "exceedance_t": exceedance, "ratio_over_quota": ratio}
    return EmitterClassification.model_validate(load | _classified(finding, details, None, book))


def check_other(
    finding: FindingCreate, details: EnvironmentDetails, book: PolicyBook
) -> EmitterClassification:
    return EmitterClassification.model_validate(_classified(finding, details, None, book))
