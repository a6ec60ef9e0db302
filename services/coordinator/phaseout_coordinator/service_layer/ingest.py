"""Storing received events (from the bus or a bureau's feed), advancing cursors, updating projections."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import BureauCursor, StoredEvent
from phaseout_coordinator.domain.intake import bureau_of, validate_bureau_event
from phaseout_coordinator.service_layer.projector import queue
from phaseout_kit.db import utcnow
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.settings import BUREAUS

log = logging.getLogger(__name__)


async def ensure_cursors(session: AsyncSession) -> None:
    existing = set(await session.scalars(sa.select(BureauCursor.bureau)))
    for bureau in BUREAUS:
        if bureau not in existing:
            session.add(BureauCursor(bureau=bureau, contiguous=0, highest_seen=0))


async def store_event(session: AsyncSession, envelope: EventEnvelope) -> None:
    """The inbox handler: called once per new event id, inside the inbox's transaction."""
    bureau = bureau_of(envelope)
    validate_bureau_event(envelope)
    holder = await session.scalar(
        sa.select(StoredEvent.event_id).where(
            StoredEvent.bureau == bureau, StoredEvent.sequence == envelope.sequence
        )
    )
    if holder is not None:  # another event id with this number: never storable (the unique key refuses it)
        raise PoisonMessage(
            f"sequence conflict: {bureau} #{envelope.sequence} is already event {holder}, not {envelope.id}"
        )
    session.add(
        StoredEvent(
            event_id=envelope.id,
            bureau=bureau,
            sequence=envelope.sequence,
            type=envelope.type,
            uscc=envelope.subject,
            time=envelope.time,
            data=envelope.data,
            received_at=utcnow(),
        )
    )
    await queue(session, [envelope.subject])
    await _advance_cursor(session, bureau, envelope.sequence)
    log.debug("event stored", extra={"event_id": envelope.id, "uscc": envelope.subject, "bureau": bureau})


async def _advance_cursor(session: AsyncSession, bureau: str, sequence: int) -> None:
    cursor = await session.get(BureauCursor, bureau, with_for_update=True)
    if cursor is None:
        cursor = BureauCursor(bureau=bureau, contiguous=0, highest_seen=0)
        session.add(cursor)
    cursor.highest_seen = max(cursor.highest_seen, sequence)
    if sequence != cursor.contiguous + 1:
        return
    await session.flush()
    stored: Sequence[int] = (
        await session.scalars(
            sa.select(StoredEvent.sequence)
            .where(StoredEvent.bureau == bureau, StoredEvent.sequence > cursor.contiguous)
            .order_by(StoredEvent.sequence)
            .limit(10_000)
        )
    ).all()
    for seq in stored:
        if seq != cursor.contiguous + 1:
            break
        cursor.contiguous = seq


async def cursors(session: AsyncSession) -> dict[str, BureauCursor]:
    return {c.bureau: c for c in await session.scalars(sa.select(BureauCursor))}
