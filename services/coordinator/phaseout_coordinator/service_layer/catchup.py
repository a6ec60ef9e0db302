"""Gap repair: a bureau's sequence numbers must arrive without holes; what the bus lost is read from the
bureau's own event feed. Events of one bureau travel in several partitions, so a short-lived hole is normal:
only a hole older than ``grace_s``, while the bus consumer is not behind, triggers a catch-up; a periodic sweep also finds events lost at the tail, and
runs every ``grace_s`` while the bus consumer has no partitions assigned.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.feeds import BureauFeeds
from phaseout_coordinator.domain.intake import validate_bureau_event
from phaseout_coordinator.service_layer.ingest import cursors, store_events
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.events.inbox import store_batch
from phaseout_kit.events.signing import KeyRing
from phaseout_kit.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class CatchUp:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        feeds: BureauFeeds,
        keys: KeyRing,
        *,
        grace_s: float = 2.0,
        sweep_s: float = 10.0,
        on_stored: Callable[[], None] = lambda: None,
        bus_live: Callable[[], bool] = lambda: True,
        bus_behind: Callable[[], bool] = lambda: False,
    ) -> None:
        self._bus_behind = bus_behind
        self._on_stored = on_stored
        self._bus_live = bus_live
        self._sessions = sessions
        self._feeds = feeds
        self._keys = keys
        self._grace_s = grace_s
        self._sweep_s = sweep_s
        self._gap_since: dict[str, tuple[int, float]] = {}  # bureau -> (contiguous, since)
        self._task: asyncio.Task[None] | None = None
        self.caught_up_events = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="catch-up")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self._feeds.close()

    async def _run(self) -> None:
        last_sweep = 0.0
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            # While the bus delivers nothing to us (consumer not assigned: broker away, or a rebalance after a
            # crash, which Tansu resolves only after the dead member's session times out), the feeds are the
            # only way in: sweep them as often as a stale gap would be repaired.
            sweep = now - last_sweep >= (self._sweep_s if self._bus_live() else self._grace_s)
            try:
                async with self._sessions() as session:
                    state = await cursors(session)
                for bureau, cursor in state.items():
                    if not self._feeds.knows(bureau):
                        continue
                    # A hole is stale when the contiguous prefix has not moved for ``grace_s``. Under steady
                    # load some hole nearly always exists (partitions arrive unevenly), so timing "a gap
                    # exists" instead would read the feeds every half second, doubling the ingest work.
                    if cursor.highest_seen > cursor.contiguous:
                        since = self._gap_since.get(bureau)
                        if since is None or since[0] != cursor.contiguous:
                            self._gap_since[bureau] = (cursor.contiguous, now)
                    else:
                        self._gap_since.pop(bureau, None)
                    # While the bus still has messages to deliver, the hole is most likely in them: reading the
                    # feeds as well would double the work exactly when the coordinator is behind (an overload
                    # feeding itself). The sweep still runs, so a hole the bus never fills is repaired anyway.
                    stale_gap = (
                        now - self._gap_since.get(bureau, (0, now))[1] >= self._grace_s
                        and not self._bus_behind()
                    )
                    if sweep or stale_gap:
                        await self.catch_up(bureau, cursor.contiguous)
                if sweep:
                    last_sweep = now
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("catch-up failed; will retry", extra={"error": repr(exc)})

    async def _store(self, bureau: str, events: list[EventEnvelope]) -> int:
        try:
            return await store_batch(self._sessions, events, store_events)
        except PoisonMessage:
            # An event the store can never take (its number held by another event): the others are stored one
            # by one, so it holds up neither this bureau's later events nor the other bureaus' rounds.
            stored = 0
            for envelope in events:
                try:
                    stored += await store_batch(self._sessions, [envelope], store_events)
                except PoisonMessage as poison:
                    log.error(
                        "bureau feed event not stored",
                        extra={"bureau": bureau, "event_id": envelope.id, "reason": str(poison)},
                    )
            return stored

    async def catch_up(self, bureau: str, after: int) -> int:
        """Store every event of ``bureau`` after ``after`` from its feed; returns how many were new."""
        new = 0
        while True:
            events, _head = await self._feeds.read(bureau, after=after)
            if not events:
                return new
            valid = []
            for envelope in events:
                try:
                    validate_bureau_event(envelope, bureau, self._keys)  # a feed speaks for its bureau only
                    valid.append(envelope)
                except PoisonMessage as poison:
                    log.error(
                        "bureau feed holds an invalid event",
                        extra={"event_id": envelope.id, "reason": str(poison)},
                    )
            stored = await self._store(bureau, valid)
            if stored:
                log.info("caught up from feed", extra={"bureau": bureau, "events": stored, "after": after})
            new += stored
            if stored:
                self._on_stored()
            self.caught_up_events += stored
            after = events[-1].sequence
