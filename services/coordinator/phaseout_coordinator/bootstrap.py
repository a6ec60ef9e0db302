"""The coordinator's composition root: settings, runtime (database, clock), the policy book, consumer, catch-up,
projector and scheduler, wired once per process; the API and the dashboard reach it through app.state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from importlib.resources import files
from typing import Any

from phaseout_coordinator.adapters.feeds import BureauFeeds
from phaseout_coordinator.domain.intake import check_bureau_event
from phaseout_coordinator.service_layer.catchup import CatchUp
from phaseout_coordinator.service_layer.ingest import ensure_cursors, store_events
from phaseout_coordinator.service_layer.policy_import import approve_change
from phaseout_coordinator.service_layer.policy_store import PolicyStore
from phaseout_coordinator.service_layer.projector import Projector
from phaseout_kit.auth import Principal
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.inbox import IdempotentConsumer
from phaseout_kit.registry import BUREAUS, DEADLETTER_TOPIC, topic_for
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.tasks import cancel_and_wait
from phaseout_policy import PolicyBook, load_policy

MIGRATIONS = str(files("phaseout_coordinator") / "adapters" / "migrations")
log = logging.getLogger(__name__)


class Coordinator:
    """Everything the coordinator runs besides HTTP; one instance per process."""

    def __init__(self, settings: CoordinatorSettings) -> None:
        self.settings = settings
        self.runtime = ServiceRuntime(settings=settings, migrations=MIGRATIONS)
        self.clock = self.runtime.clock
        self.policy_store = PolicyStore(load_policy())  # the shipped book with the office's approved changes
        self.projector = Projector(
            self.runtime.sessions, self.clock, self.policy_store, on_commit=self.runtime.relay.wake
        )
        keys = settings.key_ring()
        self.consumer = IdempotentConsumer(
            self.runtime.sessions,
            bootstrap=settings.kafka_bootstrap,
            topics=[topic_for(b) for b in BUREAUS],
            group_id=settings.consumer_group,
            validate=partial(check_bureau_event, keys=keys),
            handler=store_events,
            monitor=self.runtime.monitor,
            partitions=settings.topic_partitions,
            deadletter_topic=DEADLETTER_TOPIC,
            fetch_max_wait_ms=settings.fetch_max_wait_ms,
            after_commit=self._stored,
        )
        self.catch_up = CatchUp(
            self.runtime.sessions,
            BureauFeeds(settings.bureau_urls, settings.feed_token),
            keys,
            on_stored=self.projector.wake,
            bus_live=self.consumer.assigned.is_set,
            bus_behind=self.consumer.behind,
        )
        self._scheduler: asyncio.Task[None] | None = None

    @property
    def policy(self) -> PolicyBook:
        """The policy book in force (what the API, the dashboard and the projector judge by)."""
        return self.policy_store.current

    async def approve_policy_change(self, principal: Principal, change_id: int) -> dict[str, Any]:
        """Approve the office's policy change ``change_id``: one approval at a time, the new book in force in
        this process at once, and the projector woken to judge the enterprises it queued."""
        async with self.policy_store.approving:
            async with self.runtime.unit_of_work() as session:
                approved = await approve_change(
                    session, principal, change_id, self.policy_store, self.clock.today()
                )
            async with self.runtime.sessions() as session:
                await self.policy_store.refresh(session)
        self.projector.wake()
        return approved

    async def _stored(self, _events: Sequence[EventEnvelope]) -> None:
        self.projector.wake()

    async def start(self, runtime: ServiceRuntime) -> None:
        async with runtime.unit_of_work() as session:
            await ensure_cursors(session)
            await self.policy_store.refresh(session)
        self.consumer.start()
        self.catch_up.start()
        self.projector.start()
        self._scheduler = asyncio.create_task(self._schedule(), name="scheduler")

    async def stop(self, _runtime: ServiceRuntime) -> None:
        await cancel_and_wait(self._scheduler)
        await self.consumer.stop()
        await self.catch_up.stop()
        await self.projector.stop()

    async def _schedule(self) -> None:
        """Re-evaluate enterprises whose deadlines (or minimum publication periods) pass with the clock."""
        while True:
            try:
                await self.projector.queue_due()
            except Exception as exc:
                log.warning("scheduler step failed", extra={"error": repr(exc)})
            await asyncio.sleep(self.settings.scheduler_interval_s)
