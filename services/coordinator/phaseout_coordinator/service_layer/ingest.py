"""Storing received events (from the bus or a bureau's feed), advancing cursors, updating projections."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import BureauCursor, StoredEvent
from phaseout_coordinator.domain.intake import bureau_of, validate_payload
from phaseout_coordinator.service_layer.projector import queue
from phaseout_kit.clock import utcnow
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.registry import BUREAUS

log = logging.getLogger(__name__)


async def ensure_cursors(session: AsyncSession) -> None:
    existing = set(await session.scalars(sa.select(BureauCursor.bureau)))
    for bureau in BUREAUS:
        if bureau not in existing:
            session.add(BureauCursor(bureau=bureau, contiguous=0, highest_seen=0))


async def store_events(session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> None:
    """The inbox handler: the batch's new events, inside the inbox's transaction.

    Set-based, because this is the coordinator's hot path: one query for sequence conflicts, one insert, one
    queue upsert and one cursor update per bureau, however many events the consumer batch holds.
    """
    by_bureau: dict[str, dict[int, EventEnvelope]] = defaultdict(dict)
    for envelope in envelopes:
        bureau = bureau_of(envelope)
        validate_payload(envelope)  # its channel was checked where it came in
        other = by_bureau[bureau].setdefault(envelope.sequence, envelope)
        if other is not envelope:
            raise _sequence_conflict(bureau, envelope, other.id)
    for bureau, numbered in by_bureau.items():
        holders = await session.execute(
            sa.select(StoredEvent.sequence, StoredEvent.event_id).where(
                StoredEvent.bureau == bureau, StoredEvent.sequence.in_(list(numbered))
            )
        )
        for sequence, holder in holders:  # another event id with this number: never storable
            raise _sequence_conflict(bureau, numbered[sequence], holder)
    received_at = utcnow()
    session.add_all(
        StoredEvent(
            event_id=envelope.id,
            bureau=bureau_of(envelope),
            sequence=envelope.sequence,
            type=envelope.type,
            uscc=envelope.subject,
            time=envelope.time,
            data=envelope.data,
            received_at=received_at,
        )
        for envelope in envelopes
    )
    await queue(session, {envelope.subject for envelope in envelopes})
    for bureau in sorted(by_bureau):  # sorted: concurrent transactions lock cursor rows in the same order
        await _advance_cursor(session, bureau, by_bureau[bureau].keys())
    log.debug("events stored", extra={"events": len(envelopes)})


def _sequence_conflict(bureau: str, envelope: EventEnvelope, holder: str) -> PoisonMessage:
    return PoisonMessage(
        f"sequence conflict: {bureau} #{envelope.sequence} is already event {holder}, not {envelope.id}"
    )


async def _advance_cursor(session: AsyncSession, bureau: str, sequences: Iterable[int]) -> None:
    cursor = await session.get(BureauCursor, bureau, with_for_update=True)
    if cursor is None:
        cursor = BureauCursor(bureau=bureau, contiguous=0, highest_seen=0)
        session.add(cursor)
    numbers = set(sequences)
    cursor.highest_seen = max(cursor.highest_seen, *numbers)
    if cursor.contiguous + 1 not in numbers:
        return  # the prefix cannot grow: the next number is still missing
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
