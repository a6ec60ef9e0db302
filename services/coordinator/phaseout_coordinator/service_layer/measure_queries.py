"""Reads of the joint-punishment measures and their departments' feedback (filtered and paged in SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from phaseout_coordinator.adapters.orm import MeasureFeedback, MeasureRow
from phaseout_kit.registry import unit_name


async def measures_with_feedback(session: AsyncSession, rows: Sequence[MeasureRow]) -> list[dict[str, Any]]:
    """The measures with their departments' feedback, read in one query for all of them."""
    by_key: dict[str, list[MeasureFeedback]] = {m.key: [] for m in rows}
    if rows:
        for f in await session.scalars(
            sa.select(MeasureFeedback)
            .where(MeasureFeedback.measure_key.in_(list(by_key)))
            .order_by(MeasureFeedback.id)
        ):
            by_key[f.measure_key].append(f)
    return [_measure(m, by_key[m.key]) for m in rows]


def measure_fields(m: MeasureRow) -> dict[str, Any]:
    """What every view of a measure shows of it (the API, the dossier, the downloads)."""
    return {
        "key": m.key,
        "measure_code": m.measure_code,
        "title_zh": m.title_zh,
        "target_unit": m.target_unit,
        "target_department_zh": unit_name(m.target_unit),
        "uscc": m.uscc,
        "via_affiliate_of": m.via_affiliate_of,
        "imposed_on": m.start_on.isoformat(),
        "lifted_on": m.end_on.isoformat() if m.end_on else None,
        "earliest_lift_on": m.earliest_lift_on.isoformat() if m.earliest_lift_on else None,
    }


def _measure(m: MeasureRow, feedback: Sequence[MeasureFeedback]) -> dict[str, Any]:
    return {
        **measure_fields(m),
        "explanation": m.explanation,
        "feedback": [
            {
                "outcome": f.outcome,
                "reason": f.reason,
                "reference": f.reference,
                "executed_on": f.executed_on.isoformat(),
                "reported_at": f.reported_at.isoformat(),
                "reported_by": f.reported_by,
            }
            for f in feedback
        ],
        "execution_status": feedback[-1].outcome if feedback else "pending",
    }


async def measures(
    session: AsyncSession,
    *,
    unit: str | None,
    execution: str | None,
    today: date,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    """A page of the measures in force by ``today``, filtered and paged in SQL (the status is the latest
    feedback's outcome, or pending)."""
    last = (
        sa.select(MeasureFeedback.measure_key, sa.func.max(MeasureFeedback.id).label("last_id"))
        .group_by(MeasureFeedback.measure_key)
        .subquery()
    )
    latest = aliased(MeasureFeedback)
    status = sa.func.coalesce(latest.outcome, "pending")
    conditions = [MeasureRow.start_on <= today]
    if unit is not None:  # "" (an account that names no unit) matches no measure
        conditions.append(MeasureRow.target_unit == unit)
    if execution:
        conditions.append(status == execution)
    base = (
        sa.select(MeasureRow)
        .outerjoin(last, last.c.measure_key == MeasureRow.key)
        .outerjoin(latest, latest.id == last.c.last_id)
        .where(*conditions)
    )
    total = await session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    rows = (
        await session.scalars(base.order_by(MeasureRow.start_on, MeasureRow.key).offset(offset).limit(limit))
    ).all()
    return int(total or 0), await measures_with_feedback(session, rows)
