"""The outbox numbers events without gaps in commit order; the inbox makes redelivery harmless."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.app import MIGRATIONS
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.inbox import InboxRecord, store_batch
from phaseout_kit.events.outbox import (
    NewEvent,
    OutboxRecord,
    append_event,
    append_events,
    last_sequence,
    read_feed,
)
from phaseout_kit.events.signing import Signer, dev_private_key

USCC = "91500102MA5U7RGE16"
SIGNER = Signer(dev_private_key("energy"))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    yield make_session_factory(engine)
    await engine.dispose()


async def append_one(sessions: async_sessionmaker[AsyncSession], n: int, *, fail: bool = False) -> None:
    async with sessions() as session, session.begin():
        await append_event(session, source="/phaseout/energy", type="t", subject=USCC, data={"n": n})
        if fail:
            raise RuntimeError("roll back")


async def test_concurrent_appends_are_gap_free_and_rollbacks_return_their_number(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def attempt(n: int) -> None:
        try:
            await append_one(sessions, n, fail=n % 4 == 0)
        except RuntimeError:
            pass

    await asyncio.gather(*(attempt(n) for n in range(1, 41)))
    async with sessions() as session:
        sequences = list(
            await session.scalars(sa.select(OutboxRecord.sequence).order_by(OutboxRecord.sequence))
        )
        assert sequences == list(range(1, 31))
        assert await last_sequence(session) == 30
        feed = await read_feed(session, after=25, limit=3, signer=SIGNER)
    assert [e.sequence for e in feed] == [26, 27, 28]
    assert all(e.subject == USCC and e.source == "/phaseout/energy" for e in feed)


async def test_a_batch_of_events_takes_consecutive_numbers_in_its_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await append_one(sessions, 0)
    async with sessions() as session, session.begin():
        batch = [NewEvent("/phaseout/coordinator", "t", USCC, {"n": n}) for n in range(1, 4)]
        envelopes = await append_events(session, batch)
        assert await append_events(session, []) == []
    assert [(e.sequence, e.data["n"]) for e in envelopes] == [(2, 1), (3, 2), (4, 3)]
    async with sessions() as session:
        assert await last_sequence(session) == 4
        assert [e.data["n"] for e in await read_feed(session, after=1, limit=10, signer=SIGNER)] == [1, 2, 3]


async def test_inbox_drops_duplicates_and_keeps_nothing_of_a_failed_batch(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    handled: list[int] = []

    async def handler(_session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> None:
        if any(envelope.data.get("explode") for envelope in envelopes):
            raise RuntimeError("handler failed")
        handled.extend(envelope.sequence for envelope in envelopes)

    first, second = (
        EventEnvelope(source="/phaseout/energy", type="t", subject=USCC, sequence=i, data={}) for i in (1, 2)
    )
    assert await store_batch(sessions, [first, second, first], handler) == 2
    assert await store_batch(sessions, [second, first], handler) == 0
    assert handled == [1, 2]

    bad = EventEnvelope(source="/phaseout/energy", type="t", subject=USCC, sequence=3, data={"explode": True})
    third = EventEnvelope(source="/phaseout/energy", type="t", subject=USCC, sequence=4, data={})
    with pytest.raises(RuntimeError):
        await store_batch(sessions, [third, bad], handler)
    async with sessions() as session:
        stored = set(await session.scalars(sa.select(InboxRecord.sequence)))
    assert stored == {1, 2}, "a failed batch must leave no inbox record behind"
