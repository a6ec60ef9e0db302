"""Outbox → real broker: binary CloudEvents in sequence order; the relay survives a broker outage."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_bureau.app import MIGRATIONS
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.events.broker import BrokerMonitor, EmbeddedBroker, make_consumer
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.outbox import OutboxRecord, OutboxRelay, append_event
from tests.conftest import broker_in, wait_until

USCCS = ["91500102MA5U7RGE16", "91110000600037341L", "121200004013590816"]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    yield make_session_factory(engine)
    await engine.dispose()


async def append_many(sessions: async_sessionmaker[AsyncSession], count: int, start: int = 0) -> None:
    async with sessions() as session, session.begin():
        for n in range(start, start + count):
            await append_event(
                session, source="/phaseout/energy", type="t.x", subject=USCCS[n % 3], data={"n": n}
            )


async def unpublished(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxRecord)
                .where(OutboxRecord.published_at.is_(None))
            )
            or 0
        )


async def consume_all(bootstrap: str, topic: str, expected: int) -> list[EventEnvelope]:
    consumer = make_consumer(bootstrap, [topic], group_id=f"test-{uuid.uuid4()}")
    await consumer.start()
    received: list[EventEnvelope] = []
    try:

        async def more() -> bool:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                received.extend(EventEnvelope.from_kafka(r.key, r.value, list(r.headers)) for r in records)
            return len(received) >= expected

        await wait_until(more, timeout_s=30, message=f"{expected} events on {topic}")
    finally:
        await consumer.stop()
    return received


async def test_relay_publishes_in_order_per_enterprise(
    sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker
) -> None:
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    monitor = BrokerMonitor(broker.bootstrap)
    monitor.start()
    relay = OutboxRelay(sessions, bootstrap=broker.bootstrap, topic=topic, partitions=3, monitor=monitor)
    relay.start()
    try:
        await append_many(sessions, 30)
        relay.wake()
        received = await consume_all(broker.bootstrap, topic, 30)
        assert await wait_until(lambda: _zero(sessions), timeout_s=10)
    finally:
        await relay.stop()
        await monitor.stop()
    assert sorted(e.sequence for e in received) == list(range(1, 31))
    for uscc in USCCS:
        mine = [e.sequence for e in received if e.subject == uscc]
        assert mine == sorted(mine), "one enterprise's events keep their order"


async def _zero(sessions: async_sessionmaker[AsyncSession]) -> bool:
    return await unpublished(sessions) == 0


async def test_relay_keeps_events_while_the_broker_is_down_and_sends_them_after(
    sessions: async_sessionmaker[AsyncSession], tmp_path_factory: pytest.TempPathFactory
) -> None:
    own = await broker_in(tmp_path_factory.mktemp("own-broker"))
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    monitor = BrokerMonitor(own.bootstrap)
    monitor.start()
    relay = OutboxRelay(sessions, bootstrap=own.bootstrap, topic=topic, partitions=2, monitor=monitor)
    relay.start()
    try:
        await append_many(sessions, 5)
        relay.wake()
        assert await wait_until(lambda: _zero(sessions), timeout_s=15)
        own.kill()
        await wait_until(lambda: not monitor.up.is_set(), timeout_s=5, message="monitor notices the outage")
        await append_many(sessions, 7, start=5)
        relay.wake()
        assert await unpublished(sessions) == 7, "nothing is marked sent while the broker is away"
        await own.started()  # a memory broker comes back empty
        assert await wait_until(lambda: _zero(sessions), timeout_s=30)
        received = await consume_all(own.bootstrap, topic, 7)
    finally:
        await relay.stop()
        await monitor.stop()
        own.kill()
    assert sorted(e.sequence for e in received) == list(range(6, 13))
