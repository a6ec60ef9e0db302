"""Rebuild every projection from the append-only event store (same code as live projection, no events)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.orm import (
    PendingEvaluation,
    StoredEvent,
)
from phaseout_coordinator.service_layer.projector import PROJECTED_BY, Projector


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

    The very code of live projection (``Projector.project``, set-based per batch), without decision events.
    """
    async with sessions() as session, session.begin():
        for table, _ in PROJECTED_BY:
            await session.execute(sa.delete(table))
        await session.execute(sa.delete(PendingEvaluation))
    async with sessions() as session:
        usccs = list(await session.scalars(sa.select(StoredEvent.uscc).distinct().order_by(StoredEvent.uscc)))
    started = time.monotonic()
    progress(0, len(usccs), started)
    for start in range(0, len(usccs), batch):
        async with sessions() as session, session.begin():
            await projector.project(session, usccs[start : start + batch], emit=False)
        progress(min(start + batch, len(usccs)), len(usccs), started)
    await analyze_projections(sessions)
    return len(usccs)


async def analyze_projections(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Bring the planner's view of the tables a rebuild has just rewritten up to date. Until autovacuum gets to
    them, PostgreSQL has no statistics and no visibility map for them, so the office's list queries cannot use
    their index-only scans (measured at 100k enterprises: 红牌 list 179 ms before, 18 ms after)."""
    tables = [table.__tablename__ for table, _ in PROJECTED_BY]
    async with sessions() as session:
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        if connection.dialect.name == "postgresql":  # VACUUM runs outside a transaction
            await connection.execute(sa.text(f"VACUUM (ANALYZE) {', '.join(tables)}"))
        else:
            for table in tables:
                await connection.execute(sa.text(f"ANALYZE {table}"))
