"""Idempotent consumer: each received event id is recorded in the same transaction as the handler's writes,
and Kafka offsets are committed only after that transaction commits. Redelivery is therefore harmless, and a
crash between commit and offset commit only causes a redelivery that the inbox drops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit import metrics
from phaseout_kit.clock import utcnow
from phaseout_kit.db import Base, UTCDateTime
from phaseout_kit.events.broker import BrokerMonitor, ensure_topics, make_consumer, make_producer
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Validator = Callable[[EventEnvelope, str], None]  # the event and the topic it came on
"""Raises PoisonMessage for an event that can never be handled (unknown type, payload off its schema)."""
Handler = Callable[[AsyncSession, Sequence[EventEnvelope]], Awaitable[None]]
"""Stores a batch of new events (ids not seen before, in order) inside the inbox's transaction: one call per
batch, so a handler can write them set-based instead of a few round trips per event."""


class InboxRecord(Base):
    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(64))
    sequence: Mapped[int] = mapped_column(sa.BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(sa.String(160))
    partition: Mapped[int] = mapped_column(sa.Integer)
    offset: Mapped[int] = mapped_column(sa.BigInteger)
    key: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[str] = mapped_column(sa.Text)
    value_preview: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


async def store_batch(
    session_factory: async_sessionmaker[AsyncSession], events: Sequence[EventEnvelope], handler: Handler
) -> int:
    """Handle the events not seen before, in one transaction. Returns how many were new."""
    if not events:
        return 0
    async with session_factory() as session, session.begin():
        ids = [e.id for e in events]
        seen = set(
            await session.scalars(sa.select(InboxRecord.event_id).where(InboxRecord.event_id.in_(ids)))
        )
        new: list[EventEnvelope] = []
        for envelope in events:
            if envelope.id in seen:
                metrics.EVENTS_CONSUMED.labels(envelope.source, "duplicate").inc()
                continue
            seen.add(envelope.id)
            new.append(envelope)
        if not new:
            return 0
        session.add_all(
            InboxRecord(
                event_id=envelope.id, source=envelope.source, sequence=envelope.sequence, received_at=utcnow()
            )
            for envelope in new
        )
        await handler(session, new)
    for envelope in new:
        metrics.EVENTS_CONSUMED.labels(envelope.source, "stored").inc()
    return len(new)


class IdempotentConsumer:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        bootstrap: str,
        topics: Sequence[str],
        group_id: str,
        validate: Validator,
        handler: Handler,
        monitor: BrokerMonitor,
        partitions: int,
        deadletter_topic: str,
        fetch_max_wait_ms: int = 20,
        after_commit: Callable[[Sequence[EventEnvelope]], Awaitable[None]] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._group_id = group_id
        self._validate = validate
        self._handler = handler
        self._monitor = monitor
        self._partitions = partitions
        self._deadletter_topic = deadletter_topic
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._after_commit = after_commit
        self._task: asyncio.Task[None] | None = None
        self._lag: dict[TopicPartition, int] = {}  # messages behind the partition's end, after the last batch
        self.assigned = asyncio.Event()

    def behind(self) -> bool:
        """Whether the last batch of some partition left messages still to read (the bus is catching up)."""
        return self.assigned.is_set() and any(self._lag.values())

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self._group_id}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            consumer: AIOKafkaConsumer | None = None
            producer: AIOKafkaProducer | None = None
            try:
                await asyncio.wait_for(self._monitor.up.wait(), 5.0)
                epoch = self._monitor.epoch
                await ensure_topics(
                    self._bootstrap, [*self._topics, self._deadletter_topic], self._partitions
                )
                consumer = make_consumer(
                    self._bootstrap,
                    self._topics,
                    group_id=self._group_id,
                    fetch_max_wait_ms=self._fetch_max_wait_ms,
                )
                producer = make_producer(self._bootstrap)
                await consumer.start()
                await producer.start()
                backoff = 0.2
                while self._monitor.epoch == epoch:
                    batch = await consumer.getmany(timeout_ms=200)
                    if consumer.assignment():
                        self.assigned.set()
                    if batch:
                        await self._process(consumer, producer, batch)
                        backoff = 0.2
                log.warning("broker changed under the consumer; re-creating it")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer failed, re-creating", extra={"error": repr(exc), "backoff_s": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self.assigned.clear()
                self._lag.clear()
                for client in (consumer, producer):
                    if client is not None:
                        try:
                            await asyncio.wait_for(client.stop(), 2.0)
                        except Exception:
                            log.info("abandoned a Kafka client that could not close cleanly")

    async def _process(
        self,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
    ) -> None:
        events: list[EventEnvelope] = []
        origin: dict[int, ConsumerRecord[bytes, bytes]] = {}
        for records in batch.values():
            for record in records:
                try:
                    envelope = EventEnvelope.from_kafka(record.key, record.value, list(record.headers))
                    self._validate(envelope, record.topic)
                except PoisonMessage as poison:
                    await self._dead_letter(producer, record, str(poison))
                    continue
                events.append(envelope)
                origin[id(envelope)] = record
        try:
            try:
                await store_batch(self._sessions, events, self._handler)
            except PoisonMessage:
                # The handler found an event it can never store (e.g. a sequence number another event holds).
                # Nothing of the batch was committed: store one by one and dead-letter only the poison, instead
                # of failing the same batch forever and blocking everything behind it.
                kept = []
                for envelope in events:
                    try:
                        await store_batch(self._sessions, [envelope], self._handler)
                        kept.append(envelope)
                    except PoisonMessage as poison:
                        await self._dead_letter(producer, origin[id(envelope)], str(poison))
                events = kept
        except Exception:
            # Nothing of the batch was committed: rewind so it is fetched again after the backoff.
            for tp, records in batch.items():
                consumer.seek(tp, records[0].offset)
            raise
        await consumer.commit()
        for tp in batch:
            end = consumer.highwater(tp)
            if end is not None:
                lag = max(0, end - (await consumer.position(tp)))
                self._lag[tp] = lag
                metrics.CONSUMER_LAG.labels(tp.topic).set(lag)
        if self._after_commit is not None:
            await self._after_commit(events)

    async def _dead_letter(
        self, producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], reason: str
    ) -> None:
        headers = [
            *list(record.headers),
            ("x-deadletter-reason", reason.encode()),
            ("x-original-topic", record.topic.encode()),
        ]
        await (await producer.send(self._deadletter_topic, record.value, key=record.key, headers=headers))
        async with self._sessions() as session, session.begin():
            session.add(
                DeadLetter(
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    key=(record.key or b"").decode(errors="replace")[:200],
                    reason=reason,
                    headers=repr([(k, v[:200]) for k, v in record.headers]),
                    value_preview=(record.value or b"")[:2000].decode(errors="replace"),
                    received_at=utcnow(),
                )
            )
        metrics.DEAD_LETTERS.labels(reason.split(":", 1)[0][:40]).inc()
        log.warning("dead-lettered a message", extra={"reason": reason, "topic": record.topic})
