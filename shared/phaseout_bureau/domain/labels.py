"""Enumerations whose members carry their Chinese label: code and label are declared once, side by side."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """``MEMBER = "code", "中文名称"``: the value is the code (API, events, database), ``.zh`` the label."""

    zh: str

    def __new__(cls, value: str, zh: str = "") -> Self:  # the default only types lookups: Action("water_cut")
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        return member

    @classmethod
    def labels(cls) -> dict[Self, str]:
        return {member: member.zh for member in cls}
