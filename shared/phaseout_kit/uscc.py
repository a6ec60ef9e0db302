"""统一社会信用代码 (USCC, GB 32100-2015) validation.

python-stdnum's ``stdnum.cn.uscc`` does the checksum; what it lacks is handled here:
- letter registration-authority codes in position 1 (A 军队, N 农业, Y 其他) that stdnum rejects as a format error;
- legitimately issued but non-conforming early pilot codes (e.g. Fujian 2015): a checksum failure on an
  otherwise well-formed code is accepted with a warning, never rejected, because the registry issued it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Positions 1-2 may be letters (authority A/N/Y); 3-8 are the GB/T 2260 division code.
_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
FULING_DIVISION_CODE = "500102"
# Fujian issued codes in its 2015 pilot before GB 32100 fixed the check rule; some fail the checksum but are
# legitimate (reference: uscc_vectors.json "legit_but_nonconforming", aarioai/id-rule, confidence medium).
EARLY_PILOT_DIVISION_PREFIXES = ("35",)


class USCCError(ValueError):
    """The code cannot be a USCC (wrong length or characters)."""


@dataclass(frozen=True)
class USCCCheck:
    code: str
    warnings: list[str] = field(default_factory=list)

    @property
    def division_code(self) -> str:
        return self.code[2:8]


def compute_check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_code_ok(code: str) -> bool:
    """GB 11714 check on positions 9-17 (letters A=10..Z=35 over the full alphabet)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    body, check = code[8:16], code[16]

    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    total = sum(value(ch) * w for ch, w in zip(body, weights, strict=True))
    rem = 11 - total % 11
    expected = "X" if rem == 10 else "0" if rem == 11 else str(rem)
    return check == expected


def validate(raw: str) -> USCCCheck:
    """Return the normalised code with warnings, or raise USCCError with the reason (in Chinese and English)."""
    code = stdnum_uscc.compact(raw) if raw else ""
    if len(code) != 18:
        raise USCCError(f"统一社会信用代码应为18位 (must be 18 characters, got {len(code)})")
    if not _FORMAT.match(code):
        raise USCCError(
            "统一社会信用代码含非法字符 (only digits and the letters of GB 32100 are allowed; "
            "I, O, S, V, Z are never used; positions 3-8 are digits)"
        )
    if _checksum_ok(code):
        warnings = [] if _org_code_ok(code) else [_ORG_CODE_WARNING]
        return USCCCheck(code=code, warnings=warnings)
    expected = compute_check_character(code[:17])
    if code[2:4].startswith(EARLY_PILOT_DIVISION_PREFIXES) and _org_code_ok(code):
        return USCCCheck(
            code=code,
            warnings=[
                f"校验码不符（应为 {expected}），属早期试点赋码，已接受，请人工核对 "
                "(check character fails but the code matches an early pilot issue; accepted, review manually)"
            ],
        )
    raise USCCError(
        f"统一社会信用代码校验码错误，应为 {expected} (check character is wrong, expected {expected})"
    )


_ORG_CODE_WARNING = (
    "主体标识码（组织机构代码）校验位不符，请人工核对 (GB 11714 check on positions 9-17 fails)"
)


def _checksum_ok(code: str) -> bool:
    if code[0].isdigit() and code[1].isdigit():
        try:
            stdnum_uscc.validate(code)
        except StdnumValidationError:
            return False
        return True
    # stdnum rejects letter authorities (A, N, Y) as a format error; the check rule is the same for them.
    return compute_check_character(code[:17]) == code[17]


def make_code(prefix17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return prefix17 + compute_check_character(prefix17)
