"""Helpers the bureaus' detail checks share: routing by finding type, standard codes, ratios, provenance.

Pure functions; the only data they read is the policy book the bureaus pass in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict

from phaseout_bureau.domain.findings import CheckError
from phaseout_policy import Rule


def details_config(*examples: dict[str, Any]) -> ConfigDict:
    """Typed details: unknown fields rejected; the examples are shown in OpenAPI."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


def reject(field: str, zh: str, en: str) -> CheckError:
    """A CheckError whose reason reads Chinese first, English in brackets."""
    return CheckError(field, f"{zh} ({en})")


# ---- standard codes ---------------------------------------------------------------------------------------

_CODE = re.compile(
    r"^(?P<prefix>DB\d{2}(?:/T)?|[A-Z]+(?:/[TZ])?)/?\s?(?P<number>\d+(?:\.\d+)*)-(?P<year>(?:19|20)\d{2})$"
)


def standard_code_validator(*prefixes: str) -> Callable[[str], str]:
    """Validates and normalises a standard code with one of the prefixes (GB, GB/T, HJ, DB50 …)."""
    shown = "、".join(prefixes)

    def normalise(value: str) -> str:
        text = re.sub(r"\s+", " ", value.strip().upper().replace("—", "-").replace("－", "-"))
        text = re.sub(r"\s*/\s*", "/", text)
        match = _CODE.match(text)
        if match is None or match["prefix"] not in prefixes:
            raise ValueError(
                f"标准编号格式应为“{shown} 编号-年份”，如 GB 1499.2-2018 (standard code must be "
                f"<{'|'.join(prefixes)}> <number>-<year>)"
            )
        prefix = match["prefix"]
        separator = "/" if prefix.startswith("DB") and not prefix.endswith("/T") else " "
        return f"{prefix}{separator}{match['number']}-{match['year']}"

    return normalise


NationalStandardCode = Annotated[str, AfterValidator(standard_code_validator("GB", "GB/T"))]
"""A national standard code, normalised: ``gb/t1499.2-2018`` → ``GB/T 1499.2-2018``."""


def standard_year(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def cited_after(field: str, code: str, found_on: date) -> None:
    """A standard cannot be cited before the year it was issued."""
    if standard_year(code) > found_on.year:
        raise reject(
            field,
            f"标准 {code} 晚于发现日期 {found_on} 才发布",
            f"{code} was issued after the finding date {found_on}",
        )


def is_mandatory(code: str) -> bool:
    """GB = mandatory (强制性), GB/T = recommended (推荐性)."""
    return not code.split(" ", 1)[0].endswith(("/T", "/Z"))


# ---- numbers ------------------------------------------------------------------------------------------------


def number(value: Decimal | float) -> float | int:
    """A JSON number for derived values (integers stay integers)."""
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else round(as_float, 6)


def excess(measured: Decimal | float, limit: Decimal | float) -> tuple[float | int, float | None]:
    """(measured − limit, (measured − limit) / limit); the ratio is None for a limit ≤ 0."""
    diff = Decimal(str(measured)) - Decimal(str(limit))
    ratio = None if Decimal(str(limit)) <= 0 else round(float(diff / Decimal(str(limit))), 4)
    return number(diff), ratio


def times_zh(ratio: float) -> str:
    return f"{ratio:g} 倍"


# ---- provenance ---------------------------------------------------------------------------------------------

CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}


def provenance(rule: Rule) -> dict[str, Any]:
    """Legal basis of a reference record, with a caution when its confidence is not high."""
    out: dict[str, Any] = {
        "record_id": rule.id,
        "document": rule.document,
        "clause": rule.clause,
        "source": rule.source,
        "confidence": rule.confidence,
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
    }
    if rule.validity_note:
        out["validity_note"] = rule.validity_note
    if rule.confidence != "high":
        out["caution_zh"] = (
            f"参考数据置信度为{CONFIDENCE_ZH[rule.confidence]}（{rule.confidence}），"
            "作出处理决定前须核对原文 (reference value not verified against the official text)"
        )
    return out


def validity_zh(rule: Rule) -> str:
    start = rule.valid_from.isoformat() if rule.valid_from else "?"
    end = rule.valid_to.isoformat() if rule.valid_to else "至今"
    return f"{rule.document}（{start} 至 {end}）"
