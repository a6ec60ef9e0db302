"""Reading findings and cases: one with its history, or many filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_bureau.adapters.orm import CaseActionRow, CaseRow, FindingRow
from phaseout_bureau.domain.cases import (
    ACTION_ZH,
    Action,
    CaseState,
    allowed_actions,
    state_label_zh,
)
from phaseout_bureau.domain.findings import BureauSpec
from phaseout_bureau.service.intake import to_recorded
from phaseout_bureau.service.rows import case_dict, domain_case


async def get_finding(
    session: AsyncSession, spec: BureauSpec, finding_id: str, today: date
) -> dict[str, Any] | None:
    row = await session.get(FindingRow, finding_id)
    if row is None:
        return None
    return {
        **to_recorded(spec, row).model_dump(mode="json"),
        "inspector": row.body.get("inspector"),
        "evidence": row.body.get("evidence", []),
        "external_ref": row.body.get("external_ref"),
        "case": await get_case(session, finding_id, today),
    }


def case_summary(row: CaseRow, today: date) -> dict[str, Any]:
    case = domain_case(row)
    return {
        **case_dict(row),
        "state_zh": state_label_zh(case.state, case.deadline, today),
        "overdue": case.overdue(today),
        "allowed_actions": [a.value for a in allowed_actions(case.state)],
    }


async def get_case(session: AsyncSession, case_id: str, today: date) -> dict[str, Any] | None:
    row = await session.get(CaseRow, case_id)
    if row is None:
        return None
    history = (
        await session.scalars(
            sa.select(CaseActionRow).where(CaseActionRow.case_id == case_id).order_by(CaseActionRow.id)
        )
    ).all()
    return {
        **case_summary(row, today),
        "history": [
            {
                "action": h.action,
                "action_zh": ACTION_ZH[Action(h.action)],
                "from_state": h.from_state,
                "to_state": h.to_state,
                "occurred_on": h.occurred_on.isoformat(),
                "recorded_at": h.recorded_at.isoformat(),
                "recorded_by": h.recorded_by,
                "deadline_after": h.deadline_after.isoformat() if h.deadline_after else None,
                "rule": h.rule,
                "details": h.body,
            }
            for h in history
        ],
    }


@dataclass(frozen=True)
class CaseFilter:
    uscc: str | None = None
    state: CaseState | None = None
    finding_type: str | None = None
    found_from: date | None = None
    found_to: date | None = None
    overdue_on: date | None = None


async def list_cases(
    session: AsyncSession, f: CaseFilter, *, offset: int, limit: int, today: date
) -> tuple[int, list[dict[str, Any]]]:
    query = sa.select(CaseRow)
    if f.uscc:
        query = query.where(CaseRow.uscc == f.uscc)
    if f.state:
        query = query.where(CaseRow.state == f.state.value)
    if f.finding_type:
        query = query.where(CaseRow.finding_type == f.finding_type)
    if f.found_from:
        query = query.where(CaseRow.found_on >= f.found_from)
    if f.found_to:
        query = query.where(CaseRow.found_on <= f.found_to)
    if f.overdue_on:
        query = query.where(
            CaseRow.state.in_([CaseState.RECTIFYING.value, CaseState.EXTENSION_REQUESTED.value]),
            CaseRow.deadline < f.overdue_on,
        )
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = (
        await session.scalars(query.order_by(CaseRow.found_on, CaseRow.id).offset(offset).limit(limit))
    ).all()
    return int(total or 0), [case_summary(r, f.overdue_on or today) for r in rows]
