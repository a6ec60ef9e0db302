"""Transactional outbox: an event row is written in the same transaction as the change it records.

``append_event`` numbers the service's events from one counter row. Updating that row takes its lock
until commit, so sequence numbers are gap-free and in commit order (a rolled-back transaction gives its
number back). Call it last in a transaction to keep the lock short. ``OutboxRelay`` publishes unsent rows
in sequence order and marks them sent; while the broker is away the service keeps accepting and the relay
retries with backoff, re-creating its producer each time (a surviving producer is not trusted).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit import metrics
from phaseout_kit.clock import utcnow
from phaseout_kit.db import Base, JSONType, UTCDateTime
from phaseout_kit.events.broker import BrokerMonitor, ensure_topics, make_producer
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.signing import Signer
from phaseout_kit.tasks import cancel_and_wait

log = logging.getLogger(__name__)
COUNTER_NAME = "outbox"


class OutboxRecord(Base):
    __tablename__ = "outbox"

    sequence: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    source: Mapped[str] = mapped_column(sa.String(64))
    type: Mapped[str] = mapped_column(sa.String(160))
    subject: Mapped[str] = mapped_column(sa.String(32), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def envelope(self) -> EventEnvelope:
        return EventEnvelope(
            id=self.event_id,
            source=self.source,
            type=self.type,
            subject=self.subject,
            sequence=self.sequence,
            data=self.data,
            time=self.time,
        )


class EventCounter(Base):
    __tablename__ = "event_counter"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(sa.BigInteger)


@dataclass(frozen=True)
class NewEvent:
    source: str
    type: str
    subject: str
    data: BaseModel | dict[str, Any]


async def append_events(session: AsyncSession, events: Sequence[NewEvent]) -> list[EventEnvelope]:
    """Number and store events in the outbox: one counter update reserves the whole batch's numbers."""
    if not events:
        return []
    last = (
        await session.execute(
            sa.update(EventCounter)
            .where(EventCounter.name == COUNTER_NAME)
            .values(last_sequence=EventCounter.last_sequence + len(events))
            .returning(EventCounter.last_sequence)
        )
    ).scalar_one()
    envelopes = []
    for sequence, event in enumerate(events, start=last - len(events) + 1):
        payload = event.data.model_dump(mode="json") if isinstance(event.data, BaseModel) else event.data
        envelope = EventEnvelope(
            source=event.source, type=event.type, subject=event.subject, sequence=sequence, data=payload
        )
        session.add(
            OutboxRecord(
                sequence=sequence,
                event_id=envelope.id,
                source=envelope.source,
                type=envelope.type,
                subject=envelope.subject,
                time=envelope.time,
                data=payload,
            )
        )
        envelopes.append(envelope)
    return envelopes


async def append_event(
    session: AsyncSession, *, source: str, type: str, subject: str, data: BaseModel | dict[str, Any]
) -> EventEnvelope:
    (envelope,) = await append_events(session, [NewEvent(source, type, subject, data)])
    return envelope


async def read_feed(session: AsyncSession, *, after: int, limit: int, signer: Signer) -> list[EventEnvelope]:
    """The events after ``after``, signed as on the bus (the same signature: Ed25519 is deterministic)."""
    rows = await session.scalars(
        sa.select(OutboxRecord)
        .where(OutboxRecord.sequence > after)
        .order_by(OutboxRecord.sequence)
        .limit(limit)
    )
    return [signer.sign(r.envelope()) for r in rows]


async def last_sequence(session: AsyncSession) -> int:
    value = await session.scalar(
        sa.select(EventCounter.last_sequence).where(EventCounter.name == COUNTER_NAME)
    )
    return int(value or 0)


async def backlog(session: AsyncSession) -> int:
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(OutboxRecord).where(OutboxRecord.published_at.is_(None))
    )
    return int(count or 0)


async def _all_acknowledged(futures: list[asyncio.Future[Any]]) -> None:
    for future in futures:
        await future


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        bootstrap: str,
        topic: str,
        partitions: int,
        monitor: BrokerMonitor,
        batch_size: int = 500,
        linger_ms: int = 5,
        idle_poll_s: float = 5.0,  # every commit wakes the relay; the poll is only a safety net
        signer: Signer | None = None,  # None: events go out unsigned (only tests of the relay itself)
    ) -> None:
        self._signer = signer
        self._sessions = session_factory
        self._bootstrap = bootstrap
        self._topic = topic
        self._partitions = partitions
        self._monitor = monitor
        self._batch_size = batch_size
        self._linger_ms = linger_ms
        self._idle_poll_s = idle_poll_s
        self._wakeup = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._producer_epoch = -1
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that appended events, so they go out without waiting for the poll."""
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._topic}")

    async def stop(self, drain_timeout_s: float = 5.0) -> None:
        """Stop relaying; a graceful stop first publishes what is still pending (bounded in time).

        The loop is asked to finish rather than cancelled mid-batch (which would publish the batch again at the
        next start). What cannot be published in time stays in the outbox and goes out after the next start.
        """
        self._stopping = True
        self._wakeup.set()
        if self._task is not None and self._monitor.up.is_set():
            try:
                async with asyncio.timeout(drain_timeout_s):
                    await asyncio.shield(self._task)
            except (TimeoutError, asyncio.CancelledError):
                log.info("outbox not drained at stop; the rest is published after restart")
            except Exception as exc:
                log.info("outbox relay ended with an error at stop", extra={"error": repr(exc)})
        await cancel_and_wait(self._task)
        await self._drop_producer()

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                sent = await self.publish_pending()
                backoff = 0.1
                if sent < self._batch_size:
                    if self._stopping:
                        return  # drained
                    try:
                        async with asyncio.timeout(self._idle_poll_s):  # not wait_for: see phaseout_kit.tasks
                            await self._wakeup.wait()
                    except TimeoutError:
                        pass
                    self._wakeup.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                metrics.RELAY_ERRORS.labels(self._topic).inc()
                log.warning("outbox relay failed, retrying", extra={"error": repr(exc), "backoff_s": backoff})
                await self._drop_producer()
                if self._stopping:
                    return
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if (
            self._producer is not None
            and self._producer_epoch == self._monitor.epoch
            and self._monitor.up.is_set()
        ):
            return self._producer
        await self._drop_producer()
        await asyncio.wait_for(self._monitor.up.wait(), 5.0)
        epoch = self._monitor.epoch
        # Topics first: producing to a missing topic would auto-create it with the broker's defaults.
        await ensure_topics(self._bootstrap, [self._topic], self._partitions)
        producer = make_producer(self._bootstrap, linger_ms=self._linger_ms)
        await producer.start()
        self._producer, self._producer_epoch = producer, epoch
        return producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 2.0)
            except Exception:  # a producer cut off from its broker may never flush; abandon it
                log.info("abandoned a producer that could not flush")

    async def publish_pending(self) -> int:
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    sa.select(OutboxRecord)
                    .where(OutboxRecord.published_at.is_(None))
                    .order_by(OutboxRecord.sequence)
                    .limit(self._batch_size)
                )
            )
        if not rows:
            return 0
        producer = await self._ensure_producer()
        futures = []
        for row in rows:
            envelope = row.envelope()
            if self._signer is not None:
                envelope = self._signer.sign(envelope)
            key, value, headers = envelope.to_kafka()
            futures.append(await producer.send(self._topic, value, key=key, headers=headers))
        await asyncio.wait_for(_all_acknowledged(futures), 15.0)
        sequences = [r.sequence for r in rows]
        async with self._sessions() as session, session.begin():
            await session.execute(
                sa.update(OutboxRecord)
                .where(OutboxRecord.sequence.in_(sequences))
                .values(published_at=utcnow())
            )
        metrics.EVENTS_PUBLISHED.labels(self._topic).inc(len(rows))
        return len(rows)
