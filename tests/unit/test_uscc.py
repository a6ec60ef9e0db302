from __future__ import annotations

from typing import Any

import pytest

from phaseout_kit import uscc


def test_every_valid_vector_is_accepted_without_warning(reference_vectors: dict[str, Any]) -> None:
    for vector in reference_vectors["valid"]:
        assert uscc.validate(vector["code"]).warnings == [], vector["code"]


def test_checksum_failures_are_rejected_with_the_expected_character(
    reference_vectors: dict[str, Any],
) -> None:
    for vector in reference_vectors["invalid_checksum"]:
        with pytest.raises(uscc.USCCError):
            uscc.validate(vector["code"])
    with pytest.raises(uscc.USCCError, match="应为 L"):
        uscc.validate("91110000600037341N")


def test_legitimate_nonconforming_codes_are_accepted_with_a_warning(
    reference_vectors: dict[str, Any],
) -> None:
    for vector in reference_vectors["legit_but_nonconforming"]:
        result = uscc.validate(vector["code"])
        assert result.code == vector["code"]
        assert len(result.warnings) == 1 and "试点" in result.warnings[0]


def test_format_invalid_codes_name_the_reason(reference_vectors: dict[str, Any]) -> None:
    for vector in reference_vectors["format_invalid"]:
        with pytest.raises(uscc.USCCError, match="非法字符"):
            uscc.validate(vector["code"])
    with pytest.raises(uscc.USCCError, match="18位"):
        uscc.validate("9150010212345")


def test_letter_authority_codes_that_stdnum_rejects_are_accepted() -> None:
    for prefix in ("A1", "N2", "Y1"):
        code = uscc.make_code(prefix + "500102MA5U7RGE1")
        assert uscc.validate(code).code == code


def test_computed_check_characters_match_the_vectors(reference_vectors: dict[str, Any]) -> None:
    for vector in reference_vectors["valid"]:
        assert uscc.compute_check_character(vector["code"][:17]) == vector["code"][17]


def test_input_is_normalised() -> None:
    assert uscc.validate(" 91500102ma5u7rge16 ").code == "91500102MA5U7RGE16"
    assert uscc.validate("91500102MA5U7RGE16").division_code == uscc.FULING_DIVISION_CODE
