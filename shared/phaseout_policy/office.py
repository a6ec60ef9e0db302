"""Policy data the office maintains (pure): a year's 实施方案 as the office writes it (units by their Chinese
names) and its editions of the coordinator's operating rules, checked row by row with errors in Chinese,
turned into policy records and laid over the shipped book — the same way in the coordinator, which keeps
the office's changes, and in every bureau, which reads them from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phaseout_kit.registry import BUREAUS, find_unit
from phaseout_policy.book import PolicyBook
from phaseout_policy.models import AnnexTask, PlanYear, RectificationRule

BureauDimension = Literal["energy", "environment", "quality", "safety", "technology"]
DimensionCode = Literal["energy", "environment", "quality", "safety", "technology", "general"]

# pydantic's error types in the office's words
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


class LocalRuleEdition(BaseModel):
    """The office's confirmation or change of one of the coordinator's operating rules that set a period (a
    successor of the rule with that key, in force from ``valid_from``)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=60, description="规则键，如 exit_deadline")
    months: int = Field(ge=1, le=36, description="期限（月）")
    valid_from: date = Field(description="施行日期（适用于此日及以后开始计算的期限）")
    document: str = Field(min_length=1, max_length=120, description="确认或改定的文件文号")
    clause: str | None = Field(default=None, max_length=60, description="条款")
    text_zh: str = Field(min_length=1, max_length=2000, description="规则原文")


Document = PlanYearDocument | LocalRuleEdition
KINDS: dict[str, type[PlanYearDocument] | type[LocalRuleEdition]] = {
    "plan_year": PlanYearDocument,
    "local_rule": LocalRuleEdition,
}
KIND_ZH = {"plan_year": "年度实施方案", "local_rule": "平台运行规则"}


def _error(section: str | None, row: int | None, field: str, message_zh: str) -> dict[str, Any]:
    where = (f"整改期限第{row}行" if section == "rectification" else f"第{row}行") if row else "文件"
    return {
        "section": section,
        "row": row,
        "field": field,
        "problem_zh": message_zh,
        "message_zh": f"{where} {field}：{message_zh}",
    }


def _shape_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for e in exc.errors():
        loc = list(e["loc"])
        in_rows = len(loc) > 1 and loc[0] in ("tasks", "rectification") and isinstance(loc[1], int)
        section = str(loc[0]) if in_rows else None
        row = int(loc[1]) + 1 if in_rows else None
        field = ".".join(str(p) for p in (loc[2:] if in_rows else loc)) or "tasks"
        errors.append(_error(section, row, field, ERROR_ZH.get(e["type"], e["msg"])))
    return errors


@dataclass(frozen=True)
class Checked:
    """A 实施方案 checked: the document when every rule holds, else every error at once."""

    document: Document | None
    errors: list[dict[str, Any]]

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.errors


def check_plan_year(raw: Any, policy: PolicyBook, baseline: PolicyBook, today: date | None = None) -> Checked:
    """Whether ``raw`` is a loadable 实施方案 (row = task, 1-based): every error of the document's shape at
    once; when the shape is right, every error against the rules (dates, numbering, unit names, periods)."""
    try:
        doc = PlanYearDocument.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, _shape_errors(exc))
    errors = []
    if not doc.year - 1 <= doc.issued_on.year <= doc.year:
        errors.append(_error(None, None, "issued_on", f"印发日期应在{doc.year - 1}年或{doc.year}年"))
    if today is not None and doc.issued_on > today:
        errors.append(_error(None, None, "issued_on", f"印发日期晚于今天（{today}）"))
    if baseline.plan_year(doc.year) is not None:
        shipped = baseline.plan_year(doc.year)
        errors.append(
            _error(
                None,
                None,
                "year",
                f"{doc.year}年度方案（{shipped.document if shipped else ''}）随产品发布，不在此替换",
            )
        )
    seen: set[int] = set()
    for row, task in enumerate(doc.tasks, start=1):
        if task.number in seen:
            errors.append(_error("tasks", row, "number", f"任务序号{task.number}重复"))
        seen.add(task.number)
        for field, names in (
            ("lead_units_zh", task.lead_units_zh),
            ("cooperating_units_zh", task.cooperating_units_zh),
        ):
            unknown = [n for n in names if find_unit(n) is None]
            if unknown:
                errors.append(_error("tasks", row, field, f"单位名录中没有：{'、'.join(unknown)}"))
    dimensions: set[str] = set()
    for row, change in enumerate(doc.rectification, start=1):
        if change.dimension in dimensions:
            errors.append(_error("rectification", row, "dimension", "同一领域只能有一行"))
        dimensions.add(change.dimension)
        starts = change.valid_from or doc.issued_on
        if starts < doc.issued_on:
            errors.append(_error("rectification", row, "valid_from", "适用日期不能早于印发日期"))
        elif _rectification_in_force(policy, change.dimension, starts) is None:
            errors.append(_error("rectification", row, "dimension", "该领域此日无现行整改规则可承接"))
    return Checked(doc, errors)


def _rectification_in_force(
    policy: PolicyBook, dimension: BureauDimension, on: date
) -> RectificationRule | None:
    found = policy.rectification_deadline(dimension, on)
    return found.rule if found else None


def check_local_rule(raw: Any, policy: PolicyBook) -> Checked:
    """Whether ``raw`` is a loadable edition of an operating rule: a rule of that key that sets a period."""
    try:
        doc = LocalRuleEdition.model_validate(raw)
    except ValidationError as exc:
        return Checked(None, _shape_errors(exc))
    keys = {r.key for r in policy.coordinator.records if r.months is not None}
    if doc.key not in keys:
        known = "、".join(sorted(keys))
        return Checked(
            doc, [_error(None, None, "key", f"没有以月计期限的运行规则 {doc.key}（可改定：{known}）")]
        )
    return Checked(doc, [])


def check_change(kind: str, raw: Any, policy: PolicyBook, baseline: PolicyBook, today: date) -> Checked:
    if kind == "plan_year":
        return check_plan_year(raw, policy, baseline, today)
    return check_local_rule(raw, policy)


def office_version(baseline: str, change_id: int) -> str:
    """The policy version after the office's change ``change_id``: the shipped version it builds on, and it."""
    return f"{baseline}+office.{change_id}"


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


def local_rule_book(
    policy: PolicyBook, doc: LocalRuleEdition, change_id: int, baseline_version: str
) -> PolicyBook:
    """``policy`` with the office's edition ``doc`` of an operating rule in force from its date."""
    current = policy.coordinator_rule(doc.key, doc.valid_from)
    edition = current.model_copy(
        update={
            "id": f"{doc.key}_office_{change_id}",
            "months": doc.months,
            "document": doc.document,
            "clause": doc.clause,
            "text_zh": doc.text_zh,
            "source": f"区领导小组办公室确认或改定（政策数据变更第{change_id}号）",
            "confidence": "high",
            "confidence_note": "办公室以文件确认，经预览后审批",
            "valid_from": doc.valid_from,
            "valid_to": None,
            "validity_note": None,
            "note": f"承接 {current.id}",
        }
    )
    return policy.with_coordinator_rules(edition).with_version(office_version(baseline_version, change_id))


def changed_book(
    policy: PolicyBook, kind: str, raw: dict[str, Any], change_id: int, baseline_version: str
) -> PolicyBook:
    """``policy`` with the office's change ``change_id`` (checked when it was submitted) in force."""
    if kind == "plan_year":
        return plan_year_book(policy, PlanYearDocument.model_validate(raw), change_id, baseline_version)
    return local_rule_book(policy, LocalRuleEdition.model_validate(raw), change_id, baseline_version)


def apply_changes(baseline: PolicyBook, approved: Iterable[tuple[int, str, dict[str, Any]]]) -> PolicyBook:
    """The shipped book with the office's approved changes laid over it, in the order they were approved."""
    book = baseline
    for change_id, kind, raw in approved:
        book = changed_book(book, kind, raw, change_id, baseline.version)
    return book


def bureaus_judged_anew(kind: str, document: dict[str, Any]) -> list[str]:
    """Whose enterprises a change can move in the coordinator: an operating rule any enterprise; a plan those
    with a case in a dimension whose period it sets (an order recorded without a deadline — 立即整改 — takes
    the period in force on its date from the engine; orders with a deadline keep it); its tasks move none."""
    if kind != "plan_year":
        return list(BUREAUS)
    return sorted({row["dimension"] for row in document.get("rectification", [])} & set(BUREAUS))


class LayeredBook:
    """The shipped book (the baseline) with the office's approved changes laid over it, in approval order; its
    owner (the coordinator's store, a bureau's sync) hands it the approved changes whenever they may differ."""

    def __init__(self, baseline: PolicyBook) -> None:
        self.baseline = baseline
        self.current = baseline
        self._applied: tuple[int, ...] = ()

    def lay(self, approved: Sequence[tuple[int, str, dict[str, Any]]]) -> PolicyBook:
        """The book with exactly ``approved`` (change id, kind, document) over the baseline."""
        ids = tuple(change_id for change_id, _, _ in approved)
        if ids != self._applied:
            self.current = apply_changes(self.baseline, approved)
            self._applied = ids
        return self.current
