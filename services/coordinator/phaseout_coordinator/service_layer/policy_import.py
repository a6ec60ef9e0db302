"""Checking a year's 实施方案 the office wants to load (the first step of importing policy data): the document as
the office writes it — units by their Chinese names — validated row by row, each error in Chinese with its row
and field (pure: nothing is stored; the preview and approval come next)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.registry import find_unit
from phaseout_policy import PolicyBook

DimensionCode = Literal["energy", "environment", "quality", "safety", "technology", "general"]

# pydantic's error types in the office's words
ERROR_ZH = {
    "missing": "缺少必填项",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "literal_error": "取值无效",
    "list_type": "须为列表",
    "too_short": "至少一项",
    "extra_forbidden": "不认识的字段",
}


class TaskRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=99, description="任务序号")
    title_zh: str = Field(min_length=1, max_length=60, description="任务名称")
    dimension: DimensionCode | None = Field(default=None, description="所属领域（五项标准之一，或 general）")
    lead_units_zh: list[str] = Field(min_length=1, description="牵头单位（名录中的名称，如 区经济信息委）")
    cooperating_units_zh: list[str] = Field(default_factory=list, description="配合单位")
    planned_work_zh: str = Field(min_length=1, max_length=4000, description="工作任务")
    contact_zh: str = Field(default="", max_length=200, description="联系科室及电话")


class PlanYearDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2017, le=2100, description="方案年度")
    document: str = Field(min_length=1, max_length=120, description="文号，如 涪经信发〔2021〕30号")
    title_zh: str = Field(min_length=1, max_length=200, description="方案名称")
    issued_on: date = Field(description="印发日期")
    tasks: list[TaskRow] = Field(min_length=1, description="附件任务（每行一项）")


def _error(row: int | None, field: str, message_zh: str) -> dict[str, Any]:
    where = f"第{row}行" if row else "方案"
    return {"row": row, "field": field, "message_zh": f"{where} {field}：{message_zh}"}


def check_plan_year(
    session: AsyncSession, principal: Principal, raw: Any, policy: PolicyBook
) -> dict[str, Any]:
    """The office administrator's check of a 实施方案 to load, audited (in the caller's transaction)."""
    result = plan_year_problems(raw, policy)
    year = raw.get("year") if isinstance(raw, dict) else None
    record_audit(
        session,
        principal,
        action="policy.plan_year.check",
        object_type="plan_year",
        object_id=str(year),
        before=None,
        after={"valid": result["valid"], "errors": len(result["errors"]), "summary": result.get("summary")},
    )
    return result


def plan_year_problems(raw: Any, policy: PolicyBook) -> dict[str, Any]:
    """Whether ``raw`` is a loadable 实施方案, and why not (row = task, 1-based): every error of the document's
    shape at once; when the shape is right, every error against the rules (dates, numbering, unit names)."""
    try:
        doc = PlanYearDocument.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            loc = list(e["loc"])
            row = loc[1] + 1 if len(loc) > 1 and loc[0] == "tasks" and isinstance(loc[1], int) else None
            field = ".".join(str(p) for p in (loc[2:] if row else loc)) or "tasks"
            errors.append(_error(row, field, ERROR_ZH.get(e["type"], e["msg"])))
        return {"valid": False, "errors": errors}
    errors = []
    if not doc.year - 1 <= doc.issued_on.year <= doc.year:
        errors.append(_error(None, "issued_on", f"印发日期应在{doc.year - 1}年或{doc.year}年"))
    seen: set[int] = set()
    for row, task in enumerate(doc.tasks, start=1):
        if task.number in seen:
            errors.append(_error(row, "number", f"任务序号{task.number}重复"))
        seen.add(task.number)
        for field, names in (
            ("lead_units_zh", task.lead_units_zh),
            ("cooperating_units_zh", task.cooperating_units_zh),
        ):
            unknown = [n for n in names if find_unit(n) is None]
            if unknown:
                errors.append(_error(row, field, f"单位名录中没有：{'、'.join(unknown)}"))
    loaded = policy.plan_year(doc.year)
    return {
        "valid": not errors,
        "errors": errors,
        "summary": {
            "year": doc.year,
            "document": doc.document,
            "tasks": len(doc.tasks),
            "replaces": loaded.document if loaded else None,  # a plan of that year is already loaded
        },
    }
