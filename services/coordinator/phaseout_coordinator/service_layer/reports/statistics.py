"""The office's statistics: status, dimension, industry, town, lists, monthly trend, deadlines, feedback."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import (
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureFeedback,
    MeasureRow,
)
from phaseout_coordinator.domain.model import DIMENSIONS, STATUS_ZH, Status
from phaseout_coordinator.service_layer import queries
from phaseout_coordinator.service_layer.publications import (
    EXIT_LIST,
    industry_zh,
    list_title,
)
from phaseout_coordinator.service_layer.reports.labels import ON_LIST_TREND
from phaseout_kit.registry import DIMENSION_ZH, unit_name
from phaseout_policy import PolicyBook

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


async def red_list_by_status(session: AsyncSession, day: date) -> dict[str, int]:
    """The enterprises on the red list on ``day`` by their overall status: red ones, and closed ones (exited)
    that the plan keeps on the red list (四、(三) "已依法关闭的企业"), so the overview can say why the red list
    counts more enterprises than the red status does (the others: closed this year, or a line closed)."""
    rows = await session.execute(
        sa.select(EnterpriseStatus.status, sa.func.count(sa.distinct(ListEntryRow.uscc)))
        .join(EnterpriseStatus, EnterpriseStatus.uscc == ListEntryRow.uscc)
        .where(ListEntryRow.list_code == "red", _in_force(ListEntryRow.start_on, ListEntryRow.end_on, day))
        .group_by(EnterpriseStatus.status)
    )
    return {status: n for status, n in rows}


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
            ).where(CaseStatusRow.state.in_(queries.RUNNING_DEADLINE_STATES), deadline.is_not(None))
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
        "red_list_by_status": await red_list_by_status(session, as_of),
        "trend": {"year": year, "months": await monthly_trend(session, year, as_of)},
        "cases": await case_deadline_counts(session, as_of, within_days),
        "measures": await awaiting_feedback(session, as_of),
    }
