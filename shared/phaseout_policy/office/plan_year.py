"""A year's 实施方案 as the office writes it — units by their Chinese names, the tasks of its annex, the
rectification periods it sets — checked row by row and turned into the book's records."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_kit.registry import find_unit
from phaseout_policy.book import PolicyBook
from phaseout_policy.models import AnnexTask, PlanYear, RectificationRule
from phaseout_policy.office.common import (
    BureauDimension,
    Checked,
    DimensionCode,
    error,
    office_version,
    shape_errors,
)


class TaskRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=99, description="任务序号")
    title_zh: str = Field(min_length=1, max_length=60, description="任务名称")
    dimension: DimensionCode | None = Field(default=None, description="所属领域（五项标准之一，或 general）")
    lead_units_zh: list[str] = Field(min_length=1, description="牵头单位（名录中的名称，如 区经济信息委）")
    cooperating_units_zh: list[str] = Field(default_factory=list, description="配合单位")
    document_content_zh: str = Field(default="", max_length=4000, description="文件内容（方案引用的依据）")
    planned_work_zh: str = Field(min_length=1, max_length=4000, description="工作任务")
    contact_zh: str = Field(default="", max_length=200, description="联系科室及电话")


class RectificationRow(BaseModel):
    """A rectification period the year's plan sets for one dimension, for orders notified from ``valid_from``
    on (the bureau computes each order's deadline with the period in force on its date)."""

    model_config = ConfigDict(extra="forbid")

    dimension: BureauDimension = Field(description="领域")
    months: int = Field(ge=1, le=36, description="整改期限（月）")
    valid_from: date | None = Field(default=None, description="适用于此日及以后下达的整改通知；默认印发日期")
    clause: str = Field(min_length=1, max_length=60, description="方案条款，如 二、(一)")
    text_zh: str = Field(min_length=1, max_length=2000, description="条款原文")


class PlanYearDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2017, le=2100, description="方案年度")
    document: str = Field(min_length=1, max_length=120, description="文号，如 涪经信发〔2021〕30号")
    title_zh: str = Field(min_length=1, max_length=200, description="方案名称")
    issued_on: date = Field(description="印发日期")
    tasks: list[TaskRow] = Field(min_length=1, max_length=99, description="附件任务（每行一项，至多99项）")
    rectification: list[RectificationRow] = Field(
        default_factory=list, description="方案改定的整改期限（每行一个领域）"
    )

    def change_key(self) -> str:
        return str(self.year)

    def change_title(self) -> tuple[str, str]:
        return self.document, self.title_zh

    def change_summary(self, policy: PolicyBook) -> dict[str, Any]:
        loaded = policy.plan_year(self.year)
        return {
            "year": self.year,
            "document": self.document,
            "tasks": len(self.tasks),
            "replaces": loaded.document if loaded else None,  # a plan of that year is already loaded
        }


def check_plan_year(
    raw: Any, policy: PolicyBook, baseline: PolicyBook, today: date | None = None
) -> Checked[PlanYearDocument]:
    """Whether ``raw`` is a loadable 实施方案 (row = task, 1-based): every error of the document's shape at
    once; when the shape is right, every error against the rules (dates, numbering, unit names, periods)."""
    try:
        doc = PlanYearDocument.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, shape_errors(exc))
    errors = []
    if not doc.year - 1 <= doc.issued_on.year <= doc.year:
        errors.append(error(None, None, "issued_on", f"印发日期应在{doc.year - 1}年或{doc.year}年"))
    if today is not None and doc.issued_on > today:
        errors.append(error(None, None, "issued_on", f"印发日期晚于今天（{today}）"))
    if baseline.plan_year(doc.year) is not None:
        shipped = baseline.plan_year(doc.year)
        errors.append(
            error(
                None,
                None,
                "year",
                f"{doc.year}年度方案（{shipped.document if shipped else ''}）随产品发布，不在此替换",
            )
        )
    seen: set[int] = set()
    for row, task in enumerate(doc.tasks, start=1):
        if task.number in seen:
            errors.append(error("tasks", row, "number", f"任务序号{task.number}重复"))
        seen.add(task.number)
        for field, names in (
            ("lead_units_zh", task.lead_units_zh),
            ("cooperating_units_zh", task.cooperating_units_zh),
        ):
            unknown = [n for n in names if find_unit(n) is None]
            if unknown:
                errors.append(error("tasks", row, field, f"单位名录中没有：{'、'.join(unknown)}"))
    dimensions: set[str] = set()
    for row, change in enumerate(doc.rectification, start=1):
        if change.dimension in dimensions:
            errors.append(error("rectification", row, "dimension", "同一领域只能有一行"))
        dimensions.add(change.dimension)
        starts = change.valid_from or doc.issued_on
        if starts < doc.issued_on:
            errors.append(error("rectification", row, "valid_from", "适用日期不能早于印发日期"))
        elif _rectification_in_force(policy, change.dimension, starts) is None:
            errors.append(error("rectification", row, "dimension", "该领域此日无现行整改规则可承接"))
    return Checked(doc, errors)


def _rectification_in_force(
    policy: PolicyBook, dimension: BureauDimension, on: date
) -> RectificationRule | None:
    found = policy.rectification_deadline(dimension, on)
    return found.rule if found else None


def plan_year_book(
    policy: PolicyBook, doc: PlanYearDocument, change_id: int, baseline_version: str
) -> PolicyBook:
    """``policy`` with the checked 实施方案 ``doc`` (the office's change ``change_id``) in force."""
    source = f"区领导小组办公室依{doc.document}原件载入并审批（政策数据变更第{change_id}号）"
    provenance: dict[str, Any] = {
        "document": doc.document,
        "source": source,
        "confidence": "high",
        "confidence_note": "由办公室依原件录入，经办公室管理员预览后审批",
        "valid_to": None,
    }
    plan = PlanYear(
        id=f"plan_year_{doc.year}",
        clause=None,
        valid_from=doc.issued_on,
        year=doc.year,
        title_zh=doc.title_zh,
        issued_on=doc.issued_on,
        **provenance,
    )
    tasks = [
        AnnexTask(
            id=f"annex_{doc.year}_{t.number}",
            clause=f"附件 第{t.number}项",
            valid_from=doc.issued_on,
            text_zh=t.planned_work_zh,
            plan_year=doc.year,
            number=t.number,
            title_zh=t.title_zh,
            dimension=None if t.dimension in (None, "general") else t.dimension,
            lead_units=[_unit_code(n) for n in t.lead_units_zh],
            lead_others_zh=None,
            cooperating_units=[_unit_code(n) for n in t.cooperating_units_zh],
            cooperating_others_zh=None,
            document_content_zh=t.document_content_zh,
            planned_work_zh=t.planned_work_zh,
            contact_zh=t.contact_zh,
            **provenance,
        )
        for t in doc.tasks
    ]
    rules = []
    for change in doc.rectification:
        starts = change.valid_from or doc.issued_on
        inherited = _rectification_in_force(policy, change.dimension, starts)
        if inherited is None:  # check_plan_year refuses such a document
            raise ValueError(f"no rectification rule of {change.dimension} in force on {starts}")
        rules.append(
            inherited.model_copy(
                update={
                    "id": f"rect_{change.dimension}_plan_{doc.year}",
                    "mode": "months",
                    "months": change.months,
                    "clause": change.clause,
                    "text_zh": change.text_zh,
                    "also_cited": [],
                    "valid_from": starts,
                    "validity_note": None,
                    "note": f"后果与牵头单位承接 {inherited.id}",
                    "set_by_plan_year": doc.year,
                    **{k: v for k, v in provenance.items() if k != "valid_to"},
                }
            )
        )
    return policy.with_plan_year(plan, tasks, rules, office_version(baseline_version, change_id))


def _unit_code(name: str) -> str:
    unit = find_unit(name)
    if unit is None:  # check_plan_year refuses such a document
        raise ValueError(f"unknown unit {name!r}")
    return unit.code
