"""One place that wires a service's adapters: database, broker monitor, outbox relay, tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from phaseout_kit.auth import FEED_ACTOR, Role, TokenCache, add_token, seed_demo_tokens
from phaseout_kit.clock import DistrictClock
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.events.broker import BrokerMonitor
from phaseout_kit.events.outbox import OutboxRelay
from phaseout_kit.events.signing import Signer
from phaseout_kit.settings import ServiceSettings


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    migrations: str
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    monitor: BrokerMonitor = field(init=False)
    relay: OutboxRelay = field(init=False)
    signer: Signer = field(init=False)  # signs every event this service publishes, on the bus and in its feed
    tokens: TokenCache = field(init=False, default_factory=TokenCache)
    clock: DistrictClock = field(init=False)  # the business date, one per process (phaseout_kit.clock)

    def __post_init__(self) -> None:
        s = self.settings
        self.clock = s.clock()
        self.engine = make_engine(s.database_url)
        self.sessions = make_session_factory(self.engine)
        self.monitor = BrokerMonitor(s.kafka_bootstrap)
        self.signer = s.signer()
        self.relay = OutboxRelay(
            self.sessions,
            bootstrap=s.kafka_bootstrap,
            topic=s.topic,
            partitions=s.topic_partitions,
            monitor=self.monitor,
            batch_size=s.relay_batch_size,
            linger_ms=s.linger_ms,
            signer=self.signer,
        )

    async def start(self) -> None:
        await upgrade_to_head(self.engine, self.migrations)
        async with self.unit_of_work() as session:
            if self.settings.seed_demo_tokens:
                await seed_demo_tokens(session, self.settings.token_pepper)
            await add_token(
                session,
                self.settings.feed_token,
                self.settings.token_pepper,
                actor=FEED_ACTOR,
                role=Role.FEED,
            )
        self.monitor.start()
        self.relay.start()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.monitor.stop()
        await self.engine.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A transaction; after it commits, the relay is woken to publish what it appended to the outbox."""
        async with self.sessions() as session, session.begin():
            yield session
        self.relay.wake()

    async def database_ready(self) -> bool:
        try:
            async with self.sessions() as session:
                await asyncio.wait_for(session.execute(sa.text("SELECT 1")), 2.0)
        except Exception:
            return False
        return True
