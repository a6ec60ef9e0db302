"""Before a list is published (a legal act), its entries are checked against the invariants of
domain.invariants, read from the projection as of the list's date: what breaks one is refused, with why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import ListEntryRow, ListPublication
from phaseout_coordinator.domain.invariants import Entry, entry_problems

EXIT_LIST = "annual_exit"


def _entry(row: ListEntryRow) -> Entry:
    explanation: dict[str, Any] = row.explanation or {}
    cited = tuple((b.get("document"), b.get("clause")) for b in explanation.get("basis", []))
    return Entry(
        row.uscc,
        row.list_code,
        row.dimension,
        row.case_id,
        row.start_on,
        row.end_on,
        cited,
        len(explanation.get("event_ids", [])),
        row.details or {},
    )


async def problems(session: AsyncSession, list_code: str, day: date, *, year: int | None) -> list[str]:
    """Why the list ``list_code`` as of ``day`` (the exit list: of ``year``) may not be published."""
    scope = sa.select(ListEntryRow).where(ListEntryRow.list_code == list_code)
    if list_code == EXIT_LIST and year is not None:
        scope = scope.where(
            ListEntryRow.start_on >= date(year, 1, 1), ListEntryRow.start_on <= date(year, 12, 31)
        )
    else:
        scope = scope.where(
            ListEntryRow.start_on <= day, sa.or_(ListEntryRow.end_on.is_(None), ListEntryRow.end_on > day)
        )
    listed: Sequence[ListEntryRow] = (await session.scalars(scope)).all()
    usccs = {r.uscc for r in listed}
    ids = {r.id for r in listed}
    others = (
        (await session.scalars(sa.select(ListEntryRow).where(ListEntryRow.uscc.in_(usccs)))).all()
        if usccs
        else []
    )
    return entry_problems([_entry(r) for r in listed], [_entry(r) for r in others if r.id not in ids], day)


async def publication_problems(session: AsyncSession, publication: ListPublication) -> list[str]:
    year = publication.as_of.year if publication.list_code == EXIT_LIST else None
    return await problems(session, publication.list_code, publication.as_of, year=year)
