"""Rebuild every projection from the append-only event store (same code as live projection, no events)."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.orm import (
    Affiliation,
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureRow,
    PendingEvaluation,
    PriceInstructionRow,
    StoredEvent,
)
from phaseout_coordinator.domain.facts import StoredFact
from phaseout_coordinator.service_layer.projector import Projector, detail_rows, registry_row, status_row
from phaseout_kit.db import Base

DETAIL_TABLES = (CaseStatusRow, ListEntryRow, MeasureRow, PriceInstructionRow)
PROJECTIONS = (*DETAIL_TABLES, EnterpriseStatus, EnterpriseRow)


def text_progress(done: int, total: int, started: float) -> None:
    width = 40
    filled = width * done // max(total, 1)
    rate = done / max(time.monotonic() - started, 1e-9)
    sys.stderr.write(
        f"\r重建投影 rebuilding [{'█' * filled}{'·' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)"
    )
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def rebuild(
    sessions: async_sessionmaker[AsyncSession],
    projector: Projector,
    *,
    batch: int = 500,
    progress: Callable[[int, int, float], None] = text_progress,
) -> int:
    """Drop the projections and project every enterprise again. Returns the number of enterprises.

    Same assessment as live projection (``Projector.assess``), but set-based: one query reads the events of a
    whole batch of enterprises, one their affiliates, and each projection table gets one bulk INSERT per batch
    (the tables were emptied first, so there is nothing to look up or delete per enterprise).
    """
    async with sessions() as session, session.begin():
        for table in PROJECTIONS:
            await session.execute(sa.delete(table))
        await session.execute(sa.delete(PendingEvaluation))
    async with sessions() as session:
        usccs = list(await session.scalars(sa.select(StoredEvent.uscc).distinct().order_by(StoredEvent.uscc)))
    started = time.monotonic()
    today = projector.today()
    progress(0, len(usccs), started)
    for start in range(0, len(usccs), batch):
        async with sessions() as session, session.begin():
            await _rebuild_batch(session, projector, usccs[start : start + batch], today)
        progress(min(start + batch, len(usccs)), len(usccs), started)
    return len(usccs)


async def _rebuild_batch(session: AsyncSession, projector: Projector, usccs: list[str], today: date) -> None:
    events: dict[str, list[StoredFact]] = defaultdict(list)
    result = await session.execute(
        sa.select(
            StoredEvent.uscc,
            StoredEvent.event_id,
            StoredEvent.bureau,
            StoredEvent.sequence,
            StoredEvent.type,
            StoredEvent.data,
        ).where(StoredEvent.uscc.in_(usccs))
    )
    for uscc, *fact in result:
        events[uscc].append(StoredFact(*fact))
    affiliates: dict[str, list[str]] = defaultdict(list)
    for owner, affiliate in await session.execute(
        sa.select(Affiliation.uscc, Affiliation.affiliate_uscc).where(Affiliation.uscc.in_(usccs))
    ):
        affiliates[owner].append(affiliate)
    rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)
    for uscc in usccs:
        assessed = projector.assess(uscc, events[uscc], affiliates[uscc], today)
        if assessed is None:
            continue
        registration, assessment = assessed
        rows[EnterpriseRow].append(registry_row(uscc, registration))
        rows[EnterpriseStatus].append(status_row(assessment, today))
        for table, table_rows in detail_rows(assessment).items():
            rows[table].extend(table_rows)
    for model in (EnterpriseRow, EnterpriseStatus, *DETAIL_TABLES):
        if rows[model]:
            await session.execute(sa.insert(model), rows[model])
