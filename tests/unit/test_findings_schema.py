from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from phaseout_bureau.domain.findings import FindingCreate


def body(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范铝业有限公司",
        "town": "白涛街道",
        "industry": "electrolytic_aluminium",
        "finding_type": "energy_limit_exceeded",
        "found_on": "2020-07-01",
        "legal_basis": "涪经信发〔2020〕85号 二、(一)",
        "inspector": "张伟",
        "production_line": {"name": "一期电解系列", "capacity": {"value": 12.5, "unit": "万吨/年"}},
    }
    doc.update(overrides)
    return doc


def error_fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_a_complete_finding_is_accepted_and_normalised() -> None:
    finding = FindingCreate.model_validate(body(uscc="91500102ma5u7rge16"))
    assert finding.uscc == "91500102MA5U7RGE16"
    assert finding.severity.value == "general"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": "91500102MA5U7RGE1X"}, "uscc"),
        ({"industry": "textiles"}, "industry"),
        ({"enterprise_name": "   "}, "enterprise_name"),
        (
            {"production_line": {"name": "x", "capacity": {"value": 0, "unit": "万吨/年"}}},
            "production_line.capacity.value",
        ),
        (
            {"production_line": {"name": "x", "capacity": {"value": 1, "unit": "桶"}}},
            "production_line.capacity.unit",
        ),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FindingCreate.model_validate(body(**overrides))
    assert field in error_fields(caught.value)
