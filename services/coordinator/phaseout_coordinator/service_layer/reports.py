"""The office's reports: statistics, annex-task progress and supervision, the annual report, and the
enterprise and measure tables for download. Counts are SQL aggregates over the projections."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.exports import Column, Table
from phaseout_coordinator.adapters.orm import (
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureFeedback,
    MeasureRow,
)
from phaseout_coordinator.adapters.orm_reports import AnnexTaskReport, SupervisionAction
from phaseout_coordinator.domain.model import DIMENSIONS, STATUS_ZH, Status
from phaseout_coordinator.service_layer import queries
from phaseout_coordinator.service_layer.publications import (
    EXIT_LIST,
    industry_zh,
    list_rows,
    list_scope,
    list_table,
    list_title,
)
from phaseout_kit.auth import Principal, Role
from phaseout_kit.registry import DIMENSION_ZH, bureau, find_unit, is_bureau, same_unit, unit_name
from phaseout_policy import AnnexTask, PolicyBook, ReportingDeadline

OPEN_CASE_STATES = ("rectifying", "extension_requested")
ON_LIST_TREND = ("yellow", "red")
EXECUTION_ZH = {"pending": "待反馈", "executed": "已执行", "refused": "不予执行"}
REPORT_KIND_ZH = {"plan": "方案制定", "enforcement": "执法监管", "annual_summary": "年度总结"}
SUPERVISION_ZH = {"circulated_notice": "通报", "summons_interview": "约谈"}


# ---- statistics ---------------------------------------------------------------------------------------------


def _in_force(start: Any, end: Any, day: date) -> sa.ColumnElement[bool]:
    return sa.and_(start <= day, sa.or_(end.is_(None), end > day))


def _status_item(status: str) -> dict[str, Any]:
    return {"status": status, "status_zh": STATUS_ZH.get(Status(status), status)}


def _zero_counts() -> dict[str, int]:
    return {s.value: 0 for s in Status}


async def status_counts(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        sa.select(EnterpriseStatus.status, sa.func.count()).group_by(EnterpriseStatus.status)
    )
    counts = _zero_counts() | {status: n for status, n in rows}
    return [{**_status_item(s), "count": n} for s, n in counts.items()]


async def dimension_counts(session: AsyncSession) -> list[dict[str, Any]]:
    """Dimension × status in one statement (a UNION of one GROUP BY per dimension)."""
    parts = []
    for d in DIMENSIONS:
        status = EnterpriseStatus.dimensions[d].as_string()
        label = sa.literal_column(f"'{d}'", sa.String).label("dimension")
        parts.append(sa.select(label, status.label("status"), sa.func.count().label("n")).group_by(status))
    counts: dict[str, dict[str, int]] = {d: _zero_counts() for d in DIMENSIONS}
    for dimension, status, n in await session.execute(sa.union_all(*parts)):
        if status is not None:
            counts[dimension][status] = n
    return [{"dimension": d, "dimension_zh": DIMENSION_ZH[d], "counts": counts[d]} for d in DIMENSIONS]


async def grouped_counts(session: AsyncSession, column: Any) -> dict[str, dict[str, int]]:
    """Enterprises by ``column`` (industry, town) and overall status."""
    rows = await session.execute(
        sa.select(column, EnterpriseStatus.status, sa.func.count())
        .join(EnterpriseStatus, EnterpriseStatus.uscc == EnterpriseRow.uscc, isouter=True)
        .group_by(column, EnterpriseStatus.status)
    )
    groups: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0, **_zero_counts()})
    for value, status, n in rows:
        groups[value]["total"] += n
        if status is not None:
            groups[value][status] = n
    return dict(sorted(groups.items(), key=lambda kv: (-kv[1]["total"], kv[0])))


async def list_counts(session: AsyncSession, policy: PolicyBook, day: date) -> list[dict[str, Any]]:
    rows = await session.execute(
        sa.select(ListEntryRow.list_code, sa.func.count(sa.distinct(ListEntryRow.uscc)))
        .where(_in_force(ListEntryRow.start_on, ListEntryRow.end_on, day))
        .group_by(ListEntryRow.list_code)
    )
    counts = {code: n for code, n in rows}
    return [
        {"list_code": code, "title_zh": list_title(policy, code), "count": counts.get(code, 0)}
        for code in queries.LIST_CODES
    ]


def trend_points(year: int, as_of: date) -> list[tuple[int, date, date]]:
    """(month, first day, day counted) for each month of ``year`` up to ``as_of``."""
    points = []
    for month in range(1, 13):
        first = date(year, month, 1)
        if first > as_of:
            break
        last = date(year, month, calendar.monthrange(year, month)[1])
        points.append((month, first, min(last, as_of)))
    return points


async def monthly_trend(session: AsyncSession, year: int, as_of: date) -> list[dict[str, Any]]:
    """Enterprises on the yellow/red list at each month end and exits per month, in one conditional
    aggregate over ``list_entries``."""
    points = trend_points(year, as_of)
    if not points:
        return []
    e = ListEntryRow
    columns = []
    for month, first, day in points:
        for code in ON_LIST_TREND:
            on_list = sa.and_(e.list_code == code, _in_force(e.start_on, e.end_on, day))
            columns.append(sa.func.count(sa.distinct(sa.case((on_list, e.uscc)))).label(f"{code}_{month}"))
        exited = sa.and_(e.list_code == EXIT_LIST, e.start_on >= first, e.start_on <= day)
        columns.append(sa.func.count(sa.case((exited, e.id))).label(f"exits_{month}"))
        columns.append(sa.func.count(sa.distinct(sa.case((exited, e.uscc)))).label(f"exited_{month}"))
    row = (
        await session.execute(sa.select(*columns).where(e.list_code.in_([*ON_LIST_TREND, EXIT_LIST])))
    ).one()
    values = row._mapping
    return [
        {
            "month": f"{year}-{month:02d}",
            "counted_on": day.isoformat(),
            "yellow": values[f"yellow_{month}"],
            "red": values[f"red_{month}"],
            "exits": values[f"exits_{month}"],
            "exited_enterprises": values[f"exited_{month}"],
        }
        for month, _first, day in points
    ]


async def case_deadline_counts(session: AsyncSession, day: date, within_days: int) -> dict[str, int]:
    deadline = CaseStatusRow.deadline
    due = sa.and_(deadline >= day, deadline <= day + timedelta(days=within_days))
    row = (
        await session.execute(
            sa.select(
                sa.func.count(sa.case((due, 1))),
                sa.func.count(sa.case((deadline < day, 1))),
            ).where(CaseStatusRow.state.in_(OPEN_CASE_STATES), deadline.is_not(None))
        )
    ).one()
    return {"due_within_days": within_days, "due": row[0], "overdue": row[1]}


async def awaiting_feedback(session: AsyncSession, day: date) -> dict[str, Any]:
    no_feedback = ~sa.exists().where(MeasureFeedback.measure_key == MeasureRow.key)
    rows = await session.execute(
        sa.select(MeasureRow.target_unit, sa.func.count(), sa.func.count(sa.case((no_feedback, 1))))
        .where(_in_force(MeasureRow.start_on, MeasureRow.end_on, day))
        .group_by(MeasureRow.target_unit)
        .order_by(MeasureRow.target_unit)
    )
    by_department = [
        {"unit": code, "department_zh": unit_name(code), "in_force": total, "awaiting_feedback": waiting}
        for code, total, waiting in rows
    ]
    return {
        "in_force": sum(d["in_force"] for d in by_department),
        "awaiting_feedback": sum(d["awaiting_feedback"] for d in by_department),
        "by_department": by_department,
    }


async def statistics(
    session: AsyncSession, policy: PolicyBook, *, as_of: date, year: int, within_days: int = 30
) -> dict[str, Any]:
    snapshot = await session.scalar(sa.select(sa.func.max(EnterpriseStatus.as_of)))
    by_industry = await grouped_counts(session, EnterpriseRow.industry)
    return {
        "as_of": as_of.isoformat(),
        "status_as_of": snapshot.isoformat() if snapshot else None,
        "note_zh": "状态分布取各企业最近一次评估结果；名单人数、期限、措施按截至日期计算。",
        "by_status": await status_counts(session),
        "by_dimension": await dimension_counts(session),
        "by_industry": [{"industry": k, "industry_zh": industry_zh(k), **v} for k, v in by_industry.items()],
        "by_town": [{"town": k, **v} for k, v in (await grouped_counts(session, EnterpriseRow.town)).items()],
        "lists": await list_counts(session, policy, as_of),
        "trend": {"year": year, "months": await monthly_trend(session, year, as_of)},
        "cases": await case_deadline_counts(session, as_of, within_days),
        "measures": await awaiting_feedback(session, as_of),
    }


# ---- annex tasks ---------------------------------------------------------------------------------------------


class ReportRejected(ValueError):
    """A report or supervision action that cannot be accepted; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


def annex_task(policy: PolicyBook, number: int) -> AnnexTask | None:
    return next((t for t in policy.annex_tasks() if t.number == number), None)


def _deadline(policy: PolicyBook, due_in_year: str) -> ReportingDeadline:
    return next(d for d in policy.reporting_deadlines() if d.due_in_year == due_in_year)


def due_date(deadline: ReportingDeadline, year: int) -> date:
    """The plan gives 2020's dates; the platform repeats them yearly (month-day of the policy data)."""
    month, day = (int(p) for p in deadline.due_month_day.split("-"))
    return date(year + (1 if deadline.due_in_year == "plan_year_plus_1" else 0), month, day)


def summary_due(policy: PolicyBook, year: int) -> date:
    return due_date(_deadline(policy, "plan_year"), year)


def reporting_department(principal: Principal, requested: str | None, task: AnnexTask) -> str:
    """Who reports: a department or bureau user for its own unit; the office for a department it names.
    Returns what is stored (see check_task_department)."""
    if principal.role is Role.DEPARTMENT:
        allowed: tuple[str, ...] | None = (principal.department,) if principal.department else ()
    elif principal.role is Role.BUREAU:
        allowed = bureau(principal.bureau).units if principal.bureau and is_bureau(principal.bureau) else ()
    else:
        allowed = None
    department = requested or (allowed[0] if allowed else None)
    if department is None:
        raise ReportRejected(422, "请填写报送部门 (department_zh is required)", "department_zh")
    if allowed is not None and not any(same_unit(department, a) for a in allowed):
        own = "、".join(unit_name(a) for a in allowed)
        raise ReportRejected(403, f"只能报送本单位的情况：{own} (report for your own unit)")
    return check_task_department(task, department)


def check_task_department(task: AnnexTask, department: str) -> str:
    """The unit's registry code when the task names it, in any spelling (区应急局 is 区应急管理局); a department
    the registry does not know only where the task admits unnamed ones (相关部门…), kept as named."""
    found = find_unit(department)
    if found is not None and found.code in task.units:
        return found.code
    if not task.open_to_others:
        named = "、".join(unit_name(u) for u in task.units)
        raise ReportRejected(
            422,
            f"{unit_name(department)}不是第{task.number}项任务的牵头或配合单位：{named} "
            "(not a lead or cooperating department of this task)",
            "department_zh",
        )
    return found.code if found else department


def report_view(policy: PolicyBook, r: AnnexTaskReport) -> dict[str, Any]:
    return {
        "id": r.id,
        "task_number": r.task_number,
        "department": r.department,
        "department_zh": unit_name(r.department),
        "period": r.period,
        "kind": r.kind,
        "kind_zh": REPORT_KIND_ZH.get(r.kind, r.kind),
        "submitted_on": r.submitted_on.isoformat(),
        "on_time": r.kind != "annual_summary" or r.submitted_on <= summary_due(policy, int(r.period[:4])),
        "summary_zh": r.summary_zh,
        "recorded_by": r.recorded_by,
    }


def supervision_view(s: SupervisionAction) -> dict[str, Any]:
    return {
        "id": s.id,
        "task_number": s.task_number,
        "department": s.department,
        "department_zh": unit_name(s.department),
        "kind": s.kind,
        "kind_zh": SUPERVISION_ZH.get(s.kind, s.kind),
        "taken_on": s.taken_on.isoformat(),
        "reason_zh": s.reason_zh,
        "document_no": s.document_no,
        "recorded_by": s.recorded_by,
    }


def _period_of(year: int) -> sa.ColumnElement[bool]:
    return sa.or_(AnnexTaskReport.period == str(year), AnnexTaskReport.period.like(f"{year}-%"))


async def _summaries_on(session: AsyncSession, year: int) -> dict[tuple[int, str], date]:
    """The first annual summary of each (task, department) for ``year``."""
    rows = await session.execute(
        sa.select(
            AnnexTaskReport.task_number,
            AnnexTaskReport.department,
            sa.func.min(AnnexTaskReport.submitted_on),
        )
        .where(AnnexTaskReport.kind == "annual_summary", AnnexTaskReport.period == str(year))
        .group_by(AnnexTaskReport.task_number, AnnexTaskReport.department)
    )
    return {(task, dept): first for task, dept, first in rows}


async def overdue_summaries(
    session: AsyncSession, policy: PolicyBook, *, year: int, today: date
) -> list[dict[str, Any]]:
    """Lead departments without an annual summary for ``year`` by its deadline (none before it passes)."""
    due = summary_due(policy, year)
    if today <= due:
        return []
    submitted = await _summaries_on(session, year)
    overdue = []
    for task in policy.annex_tasks():
        for code in task.lead_units:
            first = submitted.get((task.number, code))
            if first is not None and first <= due:
                continue
            overdue.append(
                {
                    "task_number": task.number,
                    "task_title_zh": task.title_zh,
                    "department": code,
                    "department_zh": unit_name(code),
                    "due": due.isoformat(),
                    "submitted_on": first.isoformat() if first else None,
                    "days_overdue": ((first or today) - due).days,
                }
            )
    return overdue


async def annex_progress(
    session: AsyncSession, policy: PolicyBook, *, year: int, today: date
) -> list[dict[str, Any]]:
    reports = (
        await session.scalars(
            sa.select(AnnexTaskReport)
            .where(_period_of(year))
            .order_by(AnnexTaskReport.submitted_on, AnnexTaskReport.id)
        )
    ).all()
    actions = (
        await session.scalars(
            sa.select(SupervisionAction).order_by(SupervisionAction.taken_on, SupervisionAction.id)
        )
    ).all()
    overdue = await overdue_summaries(session, policy, year=year, today=today)
    return [_task_progress(policy, task, year, reports, actions, overdue) for task in policy.annex_tasks()]


def _task_progress(
    policy: PolicyBook,
    task: AnnexTask,
    year: int,
    reports: Sequence[AnnexTaskReport],
    actions: Sequence[SupervisionAction],
    overdue: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "number": task.number,
        "title_zh": task.title_zh,
        "dimension": task.dimension,
        "lead_units": task.lead_units,
        "lead_departments_zh": task.lead_departments_zh,
        "cooperating_units": task.cooperating_units,
        "cooperating_departments_zh": task.cooperating_departments_zh,
        "planned_work_zh": task.planned_work_zh,
        "contact_zh": task.contact_zh,
        "basis": {"document": task.document, "clause": task.clause},
        "annual_summary": {
            "year": year,
            "due": summary_due(policy, year).isoformat(),
            "overdue_departments_zh": [
                o["department_zh"] for o in overdue if o["task_number"] == task.number
            ],
        },
        "reports": [report_view(policy, r) for r in reports if r.task_number == task.number],
        "supervision_actions": [supervision_view(s) for s in actions if s.task_number == task.number],
    }


# ---- measures as rows (download, annual report) -------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFilter:
    unit: str | None = (
        None  # registry code of the executing unit; "" matches none (see measures.unit_in_scope)
    )
    execution: str | None = None  # pending | executed | refused
    imposed_from: date | None = None
    imposed_to: date | None = None


async def measure_rows(session: AsyncSession, f: MeasureFilter) -> list[dict[str, Any]]:
    """Measures with their enterprise and latest feedback, in two statements (no query per measure)."""
    query = sa.select(MeasureRow, EnterpriseRow.name).join(
        EnterpriseRow, EnterpriseRow.uscc == MeasureRow.uscc, isouter=True
    )
    if f.unit is not None:
        query = query.where(MeasureRow.target_unit == f.unit)
    if f.imposed_from is not None:
        query = query.where(MeasureRow.start_on >= f.imposed_from)
    if f.imposed_to is not None:
        query = query.where(MeasureRow.start_on <= f.imposed_to)
    order = (MeasureRow.target_unit, MeasureRow.start_on, MeasureRow.key)
    measures = (await session.execute(query.order_by(*order))).all()
    latest = await _latest_feedback(session, [m.key for m, _name in measures])
    rows = [_measure_row(m, name, latest.get(m.key)) for m, name in measures]
    return [r for r in rows if f.execution is None or r["execution_status"] == f.execution]


async def _latest_feedback(session: AsyncSession, keys: Iterable[str]) -> dict[str, MeasureFeedback]:
    keys = list(keys)
    latest: dict[str, MeasureFeedback] = {}
    for start in range(0, len(keys), 500):
        rows = await session.scalars(
            sa.select(MeasureFeedback)
            .where(MeasureFeedback.measure_key.in_(keys[start : start + 500]))
            .order_by(MeasureFeedback.id)
        )
        latest |= {r.measure_key: r for r in rows}
    return latest


def _measure_row(m: MeasureRow, name: str | None, feedback: MeasureFeedback | None) -> dict[str, Any]:
    status = feedback.outcome if feedback else "pending"
    return {
        "key": m.key,
        "measure_code": m.measure_code,
        "title_zh": m.title_zh,
        "target_unit": m.target_unit,
        "target_department_zh": unit_name(m.target_unit),
        "uscc": m.uscc,
        "name": name,
        "via_affiliate_of": m.via_affiliate_of,
        "imposed_on": m.start_on.isoformat(),
        "lifted_on": m.end_on.isoformat() if m.end_on else None,
        "earliest_lift_on": m.earliest_lift_on.isoformat() if m.earliest_lift_on else None,
        "execution_status": status,
        "execution_status_zh": EXECUTION_ZH.get(status, status),
        "executed_on": feedback.executed_on.isoformat() if feedback else None,
        "reference": feedback.reference if feedback else None,
        "refusal_reason": feedback.reason if feedback else None,
    }


MEASURE_COLUMNS = (
    Column("target_department_zh", "执行部门", width=24),
    Column("title_zh", "措施", width=30),
    Column("uscc", "统一社会信用代码", width=22),
    Column("name", "企业名称", width=32),
    Column("via_affiliate_of", "因关联企业（代码）", width=22),
    Column("imposed_on", "实施日期", "date", 12),
    Column("lifted_on", "解除日期", "date", 12),
    Column("earliest_lift_on", "最早可解除日期", "date", 14),
    Column("execution_status_zh", "执行情况", width=10),
    Column("executed_on", "执行（答复）日期", "date", 14),
    Column("reference", "文号或凭证", width=20),
    Column("refusal_reason", "不予执行理由", width=30),
)


def measure_table(subtitle_zh: str) -> Table:
    return Table("联合惩戒措施及执行情况", subtitle_zh, MEASURE_COLUMNS, "惩戒措施")


# ---- enterprises as rows (download) -------------------------------------------------------------------------


ENTERPRISE_COLUMNS = (
    Column("uscc", "统一社会信用代码", width=22),
    Column("name", "企业名称", width=36),
    Column("town", "乡镇（街道）", width=14),
    Column("industrial_park", "工业园区", width=18),
    Column("industry_zh", "行业", width=12),
    Column("status_zh", "总体状态", width=10),
    *(Column(f"dimension_{d}", f"{DIMENSION_ZH[d]}状态", width=10) for d in DIMENSIONS),
    Column("first_found_on", "首次认定日期", "date", 14),
    Column("finding_count", "认定次数", "integer", 10),
)


def enterprise_table(subtitle_zh: str) -> Table:
    return Table("企业检索结果", subtitle_zh, ENTERPRISE_COLUMNS, "企业")


def _enterprise_row(item: dict[str, Any]) -> dict[str, Any]:
    dimensions = item.get("dimensions") or {}
    return {
        **item,
        "industry_zh": industry_zh(item["industry"]),
        **{
            f"dimension_{d}": STATUS_ZH[Status(dimensions[d])] if d in dimensions else None
            for d in DIMENSIONS
        },
    }


async def enterprise_rows(
    sessions: async_sessionmaker[AsyncSession], f: queries.EnterpriseFilter, page: int = 500
) -> AsyncIterator[dict[str, Any]]:
    offset = 0
    while True:
        async with sessions() as session:
            _total, items = await queries.search(session, f, offset=offset, limit=page)
        for item in items:
            yield _enterprise_row(item)
        if len(items) < page:
            return
        offset += page


# ---- the annual report --------------------------------------------------------------------------------------


def _capacity_totals(exits: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, float] = defaultdict(float)
    for row in exits:
        if row.get("capacity") not in (None, "") and row.get("capacity_unit"):
            totals[row["capacity_unit"]] += float(row["capacity"])
    return [{"unit": unit, "total": round(total, 3)} for unit, total in sorted(totals.items())]


def _by_department(measures: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in measures:
        groups[m["target_department_zh"]].append(m)
    return [
        {
            "department_zh": dept,
            "total": len(items),
            **{status: sum(m["execution_status"] == status for m in items) for status in EXECUTION_ZH},
            "measures": items,
        }
        for dept, items in sorted(groups.items())
    ]


async def annual_report(
    sessions: async_sessionmaker[AsyncSession], policy: PolicyBook, *, year: int, today: date
) -> dict[str, Any]:
    year_end = date(year, 12, 31)
    exits = [r async for r in list_rows(sessions, list_scope(EXIT_LIST, None, year, today), internal=False)]
    on_lists = {
        code: [r async for r in list_rows(sessions, list_scope(code, year_end, None, today), internal=False)]
        for code in ("yellow", "red")
    }
    async with sessions() as session:
        measures = await measure_rows(
            session, MeasureFilter(imposed_from=date(year, 1, 1), imposed_to=year_end)
        )
        reports = (
            await session.scalars(
                sa.select(AnnexTaskReport)
                .where(_period_of(year))
                .order_by(
                    AnnexTaskReport.department, AnnexTaskReport.task_number, AnnexTaskReport.submitted_on
                )
            )
        ).all()
        overdue = await overdue_summaries(session, policy, year=year, today=today)
    city = _deadline(policy, "plan_year_plus_1")
    return {
        "year": year,
        "title_zh": f"涪陵区{year}年度落后产能退出工作情况",
        "reporter_zh": city.reporter_zh,
        "recipient_zh": city.recipient_zh,
        "due": due_date(city, year).isoformat(),
        "basis": {"document": city.document, "clause": city.clause, "text_zh": city.text_zh},
        "generated_on": today.isoformat(),
        "summary": {
            "exits": len(exits),
            "exited_enterprises": len({r["uscc"] for r in exits}),
            "exited_capacity": _capacity_totals(exits),
            "yellow": len({r["uscc"] for r in on_lists["yellow"]}),
            "red": len({r["uscc"] for r in on_lists["red"]}),
            "measures": len(measures),
        },
        "exits": exits,
        "yellow_list": on_lists["yellow"],
        "red_list": on_lists["red"],
        "lists_as_of": year_end.isoformat(),
        "measures_by_department": _by_department(measures),
        "member_unit_reports": [report_view(policy, r) for r in reports],
        "summaries_overdue": overdue,
    }


REPORT_COLUMNS = (
    Column("department_zh", "报送单位", width=20),
    Column("task_number", "任务序号", "integer", 10),
    Column("task_title_zh", "任务", width=16),
    Column("kind_zh", "类别", width=10),
    Column("period", "期间", width=10),
    Column("submitted_on", "报送日期", "date", 12),
    Column("summary_zh", "内容摘要", width=60),
)


def _overview_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    s = report["summary"]
    capacity = "；".join(f"{c['total']:g} {c['unit']}" for c in s["exited_capacity"]) or "无"
    pairs = [
        ("报送单位", report["reporter_zh"]),
        ("报送对象", report["recipient_zh"]),
        ("报送期限", report["due"]),
        ("依据", f"{report['basis']['document']} {report['basis']['clause']}"),
        ("年度退出（条）", s["exits"]),
        ("退出企业（家）", s["exited_enterprises"]),
        ("退出产能", capacity),
        (f"黄牌名单（截至{report['lists_as_of']}，家）", s["yellow"]),
        (f"红牌名单（截至{report['lists_as_of']}，家）", s["red"]),
        ("年内实施惩戒措施（项）", s["measures"]),
        ("年度总结逾期（项）", len(report["summaries_overdue"])),
    ]
    return [{"item": k, "value": v} for k, v in pairs]


def annual_report_sheets(
    policy: PolicyBook, report: dict[str, Any]
) -> list[tuple[Table, list[dict[str, Any]]]]:
    year, today = report["year"], date.fromisoformat(report["generated_on"])
    titles = {t.number: t.title_zh for t in policy.annex_tasks()}
    overview = Table(
        report["title_zh"],
        f"生成日期 {report['generated_on']}",
        (Column("item", "项目", width=30), Column("value", "内容", width=60)),
        "概况",
    )
    reports = [{**r, "task_title_zh": titles.get(r["task_number"])} for r in report["member_unit_reports"]]
    measures = [m for d in report["measures_by_department"] for m in d["measures"]]
    return [
        (overview, _overview_rows(report)),
        (
            list_table(policy, list_scope(EXIT_LIST, None, year, today), internal=False, sheet_zh="年度退出"),
            report["exits"],
        ),
        (
            list_table(policy, list_scope("yellow", date(year, 12, 31), None, today), internal=False),
            report["yellow_list"],
        ),
        (
            list_table(policy, list_scope("red", date(year, 12, 31), None, today), internal=False),
            report["red_list"],
        ),
        (measure_table(f"{year}年度实施"), measures),
        (Table("成员单位报送情况", f"{year}年度", REPORT_COLUMNS, "成员单位报送"), reports),
    ]
