"""What every kind of office change shares: errors in the office's words (row and field), the result of a
check, and the version a change makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

BureauDimension = Literal["energy", "environment", "quality", "safety", "technology"]
DimensionCode = Literal["energy", "environment", "quality", "safety", "technology", "general"]

ERROR_ZH = {
    "missing": "缺少必填项",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "string_type": "须为文字",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "literal_error": "取值无效",
    "list_type": "须为列表",
    "too_short": "至少一项",
    "extra_forbidden": "不认识的字段",
    "model_type": "须为对象",
    "dict_type": "须为对象",
}


def error(section: str | None, row: int | None, field: str, message_zh: str) -> dict[str, Any]:
    where = (f"整改期限第{row}行" if section == "rectification" else f"第{row}行") if row else "文件"
    return {
        "section": section,
        "row": row,
        "field": field,
        "problem_zh": message_zh,
        "message_zh": f"{where} {field}：{message_zh}",
    }


def shape_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for e in exc.errors():
        loc = list(e["loc"])
        in_rows = len(loc) > 1 and isinstance(loc[1], int)  # an item of a list of rows (tasks, limits…)
        section = str(loc[0]) if in_rows else None
        row = int(loc[1]) + 1 if in_rows else None
        field = ".".join(str(p) for p in (loc[2:] if in_rows else loc)) or str(loc[0] if loc else "")
        errors.append(error(section, row, field, ERROR_ZH.get(e["type"], e["msg"])))
    return errors


D = TypeVar("D", bound=BaseModel, covariant=True)


@dataclass(frozen=True)
class Checked(Generic[D]):
    """A document checked: the document when its shape is right, and every error at once."""

    document: D | None
    errors: list[dict[str, Any]]

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.errors


def office_version(baseline: str, change_id: int) -> str:
    """The policy version after the office's change ``change_id``: the shipped version it builds on, and it."""
    return f"{baseline}+office.{change_id}"
