"""Reads for the office: dossier, search, lists as of a date, cases due and overdue, measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_bureau.domain.cases import DEADLINE_STATES, CaseState, state_label_zh
from phaseout_coordinator.adapters.orm import (
    Affiliation,
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureRow,
    PriceInstructionRow,
    StoredEvent,
)
from phaseout_coordinator.domain.model import STATUS_ZH, Status
from phaseout_coordinator.service_layer.measure_queries import measures_with_feedback
from phaseout_policy import PolicyBook

LIST_CODES = (
    "yellow",
    "red",
    "annual_exit",
    "over_standard",
    "seriously_over_standard",
    "not_exited_on_time",
)


def list_titles(policy: PolicyBook) -> dict[str, str]:
    return {code: (d.title_zh if (d := policy.list_definition(code)) else code) for code in LIST_CODES}


def _identity(e: EnterpriseRow) -> dict[str, Any]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "town": e.town,
        "industrial_park": e.industrial_park,
        "industry": e.industry,
        "first_found_on": e.first_found_on.isoformat(),
        "finding_count": e.finding_count,
        "lines": e.lines,
    }


def _affiliate_only(uscc: str) -> dict[str, Any]:
    """An enterprise no bureau has a finding on, known as another's declared affiliate: measures reach it
    (方案三、(六)), so its dossier shows them; what only findings tell (name, town, lines) is unknown."""
    return {
        "uscc": uscc,
        "name": None,
        "town": None,
        "industrial_park": None,
        "industry": None,
        "first_found_on": None,
        "finding_count": 0,
        "lines": [],
    }


def _status(row: EnterpriseStatus | None) -> dict[str, Any]:
    if row is None:
        return {"overall": None, "overall_zh": "评估中", "dimensions": {}}
    a = row.assessment
    return {
        "overall": row.status,
        "overall_zh": STATUS_ZH[Status(row.status)],
        "as_of": row.as_of.isoformat(),
        "dimensions": {
            d: {
                "status": s,
                "status_zh": STATUS_ZH[Status(s)],
                "explanation": a["dimension_explanations"].get(d),
            }
            for d, s in a["dimensions"].items()
        },
    }


async def dossier(session: AsyncSession, policy: PolicyBook, uscc: str) -> dict[str, Any] | None:
    enterprise = await session.get(EnterpriseRow, uscc)
    measures = (
        await session.scalars(
            sa.select(MeasureRow).where(MeasureRow.uscc == uscc).order_by(MeasureRow.start_on)
        )
    ).all()
    affiliated_to = list(
        await session.scalars(sa.select(Affiliation.uscc).where(Affiliation.affiliate_uscc == uscc))
    )
    if enterprise is None and not measures and not affiliated_to:
        return None
    status = await session.get(EnterpriseStatus, uscc)
    events = (await session.scalars(sa.select(StoredEvent).where(StoredEvent.uscc == uscc))).all()
    timeline = sorted(
        events,
        key=lambda e: (e.data.get("occurred_on") or e.data.get("found_on") or "", e.bureau, e.sequence),
    )
    affiliates = list(
        await session.scalars(sa.select(Affiliation.affiliate_uscc).where(Affiliation.uscc == uscc))
    )
    prices = (
        await session.scalars(sa.select(PriceInstructionRow).where(PriceInstructionRow.uscc == uscc))
    ).all()
    assessment = status.assessment if status else {}
    today = status.as_of if status else None
    return {
        **(_identity(enterprise) if enterprise else _affiliate_only(uscc)),
        "affiliates": affiliates,
        "affiliated_to": affiliated_to,
        "status": _status(status),
        "lists_now": [
            {**e, "title_zh": list_titles(policy).get(e["list_code"], e["list_code"])}
            for e in assessment.get("lists", [])
            if today and _contains(e["interval"], today)
        ],
        "cases": assessment.get("cases", []),
        "list_history": assessment.get("lists", []),
        "measures": await measures_with_feedback(session, measures),
        "prices": [_price(p) for p in prices],
        "timeline": [
            {
                "event_id": e.event_id,
                "bureau": e.bureau,
                "sequence": e.sequence,
                "type": e.type,
                "on": e.data.get("occurred_on") or e.data.get("found_on"),
                "time": e.time.isoformat(),
                "data": e.data,
            }
            for e in timeline
        ],
    }


def _contains(interval: dict[str, Any], day: date) -> bool:
    start, end = date.fromisoformat(interval["start"]), interval.get("end")
    return start <= day and (end is None or day < date.fromisoformat(end))


def _price(p: PriceInstructionRow) -> dict[str, Any]:
    return {
        "key": p.key,
        "kind": p.kind,
        "category": p.category,
        "surcharge_yuan_per_kwh": p.surcharge_yuan_per_kwh,
        "confidence": p.confidence,
        "case_id": p.case_id,
        "from": p.start_on.isoformat(),
        "until": p.end_on.isoformat() if p.end_on else None,
        "explanation": p.explanation,
    }


@dataclass(frozen=True)
class EnterpriseFilter:
    status: str | None = None
    dimension: str | None = None
    town: str | None = None
    industrial_park: str | None = None
    industry: str | None = None
    text: str | None = None


async def search(
    session: AsyncSession, f: EnterpriseFilter, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    query = sa.select(EnterpriseRow, EnterpriseStatus).join(
        EnterpriseStatus, EnterpriseStatus.uscc == EnterpriseRow.uscc, isouter=True
    )
    if f.status and f.dimension:
        query = query.where(EnterpriseStatus.dimensions[f.dimension].as_string() == f.status)
    elif f.status:
        query = query.where(EnterpriseStatus.status == f.status)
    elif f.dimension:
        query = query.where(EnterpriseStatus.dimensions[f.dimension].as_string() != Status.COMPLIANT.value)
    for column, value in (
        (EnterpriseRow.town, f.town),
        (EnterpriseRow.industrial_park, f.industrial_park),
        (EnterpriseRow.industry, f.industry),
    ):
        if value:
            query = query.where(column == value)
    if f.text:
        pattern = f"%{f.text.replace('%', '').replace('_', '')}%"
        query = query.where(sa.or_(EnterpriseRow.name.like(pattern), EnterpriseRow.uscc.like(pattern)))
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = (await session.execute(query.order_by(EnterpriseRow.uscc).offset(offset).limit(limit))).all()
    return int(total or 0), [
        {
            **_identity(e),
            "status": s.status if s else None,
            "status_zh": STATUS_ZH[Status(s.status)] if s else "评估中",
            "dimensions": s.dimensions if s else {},
        }
        for e, s in rows
    ]


async def list_as_of(
    session: AsyncSession,
    list_code: str,
    *,
    as_of: date | None,
    year: int | None,
    offset: int,
    limit: int,
    dimension: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """One row per enterprise on the list (its entries inside), ordered by USCC for stable pages; with
    ``dimension``, only that dimension's entries (and the enterprises that have one)."""
    conditions = [ListEntryRow.list_code == list_code]
    if dimension is not None:
        conditions.append(ListEntryRow.dimension == dimension)
    if year is not None:
        conditions += [ListEntryRow.start_on >= date(year, 1, 1), ListEntryRow.start_on <= date(year, 12, 31)]
    if as_of is not None:
        conditions += [
            ListEntryRow.start_on <= as_of,
            sa.or_(ListEntryRow.end_on.is_(None), ListEntryRow.end_on > as_of),
        ]
    members = sa.select(ListEntryRow.uscc).where(*conditions).distinct()
    total = await session.scalar(sa.select(sa.func.count()).select_from(members.subquery()))
    page = list(await session.scalars(members.order_by(ListEntryRow.uscc).offset(offset).limit(limit)))
    if not page:
        return int(total or 0), []
    enterprises = {
        e.uscc: e for e in await session.scalars(sa.select(EnterpriseRow).where(EnterpriseRow.uscc.in_(page)))
    }
    entries = (
        await session.scalars(
            sa.select(ListEntryRow)
            .where(*conditions, ListEntryRow.uscc.in_(page))
            .order_by(ListEntryRow.start_on)
        )
    ).all()
    by_uscc: dict[str, list[dict[str, Any]]] = {u: [] for u in page}
    for e in entries:
        by_uscc[e.uscc].append(
            {
                "dimension": e.dimension,
                "case_id": e.case_id,
                "since": e.start_on.isoformat(),
                "until": e.end_on.isoformat() if e.end_on else None,
                "reason_zh": e.explanation.get("summary_zh"),
                "explanation": e.explanation,
                "details": e.details,
            }
        )
    return int(total or 0), [
        {**_identity(enterprises[u]), "entries": by_uscc[u]} for u in page if u in enterprises
    ]


RUNNING_DEADLINE_STATES = sorted(s.value for s in DEADLINE_STATES)  # the states in which a deadline runs


async def cases_by_deadline(
    session: AsyncSession,
    *,
    today: date,
    within_days: int | None,
    overdue: bool,
    bureau: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    query = sa.select(CaseStatusRow, EnterpriseRow.name).join(
        EnterpriseRow, EnterpriseRow.uscc == CaseStatusRow.uscc
    )
    query = query.where(CaseStatusRow.state.in_(RUNNING_DEADLINE_STATES), CaseStatusRow.deadline.is_not(None))
    if overdue:
        query = query.where(CaseStatusRow.deadline < today)
    if within_days is not None:
        query = query.where(
            CaseStatusRow.deadline >= today, CaseStatusRow.deadline <= today + timedelta(days=within_days)
        )
    if bureau:
        query = query.where(CaseStatusRow.bureau == bureau)
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = (
        await session.execute(
            query.order_by(CaseStatusRow.deadline, CaseStatusRow.case_id).offset(offset).limit(limit)
        )
    ).all()
    return int(total or 0), [_case_row(c, name, today) for c, name in rows]


def _case_row(c: CaseStatusRow, name: str, today: date) -> dict[str, Any]:
    return {
        "case_id": c.case_id,
        "uscc": c.uscc,
        "name": name,
        "bureau": c.bureau,
        "finding_type": c.finding_type,
        "state": c.state,
        "state_zh": state_label_zh(CaseState(c.state), c.deadline, today),
        "state_since": c.state_since.isoformat() if c.state_since else None,
        "deadline": c.deadline.isoformat() if c.deadline else None,
        "days_to_deadline": (c.deadline - today).days if c.deadline else None,
    }


async def suspended_without_deadline(
    session: AsyncSession, policy: PolicyBook, *, today: date, bureau: str | None, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Cases under 停产整顿 with no rectification deadline, longest first: the plan gives such a case six months
    (三、(七)), after which it is to be closed; each row says how long it has been suspended and whether the
    six months have passed (None where the start is not yet projected)."""
    query = (
        sa.select(CaseStatusRow, EnterpriseRow.name)
        .join(EnterpriseRow, EnterpriseRow.uscc == CaseStatusRow.uscc)
        .where(CaseStatusRow.state == CaseState.SUSPENDED.value, CaseStatusRow.deadline.is_(None))
    )
    if bureau:
        query = query.where(CaseStatusRow.bureau == bureau)
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    order = (CaseStatusRow.state_since.is_(None), CaseStatusRow.state_since, CaseStatusRow.case_id)
    rows = (await session.execute(query.order_by(*order).offset(offset).limit(limit))).all()
    items = []
    for c, name in rows:
        horizon = policy.rectification_deadline("general", c.state_since) if c.state_since else None
        items.append(
            {
                **_case_row(c, name, today),
                "days_suspended": (today - c.state_since).days if c.state_since else None,
                "six_months_end": horizon.deadline.isoformat() if horizon else None,
                "beyond_six_months": horizon.deadline < today if horizon else None,
                "basis": {"document": horizon.rule.document, "clause": horizon.rule.clause}
                if horizon
                else None,
            }
        )
    return int(total or 0), items
