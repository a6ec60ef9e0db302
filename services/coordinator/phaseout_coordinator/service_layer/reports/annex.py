"""The 16 annex tasks: member units' reports, overdue annual summaries, supervision (通报/约谈)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm_reports import AnnexTaskReport, SupervisionAction
from phaseout_coordinator.service_layer.authorisation import reporting_unit
from phaseout_coordinator.service_layer.reports.labels import REPORT_KIND_ZH, SUPERVISION_ZH
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.refusals import Invalid, NotFound
from phaseout_kit.registry import find_unit, unit_name
from phaseout_policy import AnnexTask, PolicyBook, ReportingDeadline

# ---- annex tasks ---------------------------------------------------------------------------------------------


def annex_task(policy: PolicyBook, number: int, year: int) -> AnnexTask | None:
    return next((t for t in policy.annex_tasks(year) if t.number == number), None)


def plan_note_zh(policy: PolicyBook, year: int) -> str | None:
    """What the office is told when ``year``'s 实施方案 is not in the policy data (no other year's tasks stand in)."""
    if policy.plan_year(year) is not None:
        return None
    loaded = "、".join(str(p.year) for p in policy.plan.plan_years)
    return f"{year}年度实施方案未载入政策数据，不列任务进度、不计总结逾期（已载入：{loaded}年度）"


def plan_view(policy: PolicyBook, year: int) -> dict[str, Any] | None:
    plan = policy.plan_year(year)
    if plan is None:
        return None
    return {
        "year": plan.year,
        "document": plan.document,
        "title_zh": plan.title_zh,
        "issued_on": plan.issued_on.isoformat(),
    }


def _plan_task(policy: PolicyBook, number: int, year: int, field: str) -> AnnexTask:
    if policy.plan_year(year) is None:
        raise Invalid(plan_note_zh(policy, year) or "", f"no plan loaded for {year}", field)
    task = annex_task(policy, number, year)
    if task is None:
        raise NotFound(f"{year}年度实施方案没有第{number}项任务", "no such annex task")
    return task


def reporting_deadline(policy: PolicyBook, due_in_year: str) -> ReportingDeadline:
    return next(d for d in policy.reporting_deadlines() if d.due_in_year == due_in_year)


def due_date(deadline: ReportingDeadline, year: int) -> date:
    """The plan gives 2020's dates; the platform repeats them yearly (month-day of the policy data)."""
    month, day = (int(p) for p in deadline.due_month_day.split("-"))
    return date(year + (1 if deadline.due_in_year == "plan_year_plus_1" else 0), month, day)


def summary_due(policy: PolicyBook, year: int) -> date:
    return due_date(reporting_deadline(policy, "plan_year"), year)


def check_task_department(task: AnnexTask, department: str) -> str:
    """The unit's registry code when the task names it, in any spelling (区应急局 is 区应急管理局); a department
    the registry does not know only where the task admits unnamed ones (相关部门…), kept as named."""
    found = find_unit(department)
    if found is not None and found.code in task.units:
        return found.code
    if not task.open_to_others:
        named = "、".join(unit_name(u) for u in task.units)
        raise Invalid(
            f"{unit_name(department)}不是第{task.number}项任务的牵头或配合单位：{named}",
            "not a lead or cooperating department of this task",
            "department_zh",
        )
    return found.code if found else department


def _not_future(day: date, latest: date, field: str) -> None:
    """``latest``: the latest day not in the future (DistrictClock.latest_today)."""
    if day > latest:
        raise Invalid("日期不能晚于今天", "date cannot be in the future", field)


async def record_report(
    session: AsyncSession,
    policy: PolicyBook,
    principal: Principal,
    number: int,
    report: AnnexTaskReport,
    *,
    requested_unit: str | None,
    latest: date,
) -> dict[str, Any]:
    """A member unit's report on annex task ``number`` (audited, in the caller's transaction): ``report``
    carries what was reported; who reports and for which unit is checked here. Returns the stored view."""
    task = _plan_task(policy, number, int(report.period[:4]), "period")
    _not_future(report.submitted_on, latest, "submitted_on")
    report.task_number = number
    report.department = check_task_department(task, reporting_unit(principal, requested_unit))
    report.recorded_at, report.recorded_by = utcnow(), principal.actor
    session.add(report)
    await session.flush()
    view = report_view(policy, report)
    record_audit(
        session,
        principal,
        action="annex_task.report",
        object_type="annex_task_report",
        object_id=str(report.id),
        before=None,
        after=view,
    )
    return view


async def record_supervision(
    session: AsyncSession,
    policy: PolicyBook,
    principal: Principal,
    action: SupervisionAction,
    *,
    named_unit: str,
    latest: date,
) -> dict[str, Any]:
    """The office's notice or summons of a unit slow on a task (audited, in the caller's transaction)."""
    plan = policy.plan_in_force(action.taken_on)  # the tasks the unit was working on that day
    task = None if plan is None else annex_task(policy, action.task_number, plan.year)
    if task is None:
        raise Invalid(f"{action.taken_on}在用的实施方案没有该项任务", "no such annex task", "task_number")
    _not_future(action.taken_on, latest, "taken_on")
    action.department = check_task_department(task, named_unit)
    action.recorded_at, action.recorded_by = utcnow(), principal.actor
    session.add(action)
    await session.flush()
    view = supervision_view(action)
    record_audit(
        session,
        principal,
        action="supervision.record",
        object_type="supervision_action",
        object_id=str(action.id),
        before=None,
        after=view,
    )
    return view


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


def period_of(year: int) -> sa.ColumnElement[bool]:
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
    for task in policy.annex_tasks(year):
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
            .where(period_of(year))
            .order_by(AnnexTaskReport.submitted_on, AnnexTaskReport.id)
        )
    ).all()
    actions = (
        await session.scalars(
            sa.select(SupervisionAction).order_by(SupervisionAction.taken_on, SupervisionAction.id)
        )
    ).all()
    overdue = await overdue_summaries(session, policy, year=year, today=today)
    return [
        _task_progress(policy, task, year, reports, actions, overdue) for task in policy.annex_tasks(year)
    ]


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
