"""Scenario 2 — broker data loss: the memory broker restarts empty mid-stream while findings are posted.

To make the loss certain rather than a matter of timing, the coordinators are paused (SIGSTOP) until the
bureaus have published events they have not consumed; then the broker dies with them and comes back empty.
Each coordinator must see the gaps in each bureau's sequence numbers and read the missing events from the
bureaus' feeds. Afterwards its event store equals the bureaus' feeds, and its projections equal a clean
rebuild. The bureaus' topics on the new broker must have the configured partition count: a client that
kept writing into the vanished broker's topics would have auto-created them with Tansu's default (4).

Both backends in one run: a coordinator on SQLite and one on PostgreSQL consume the same five bureaus.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient

from phaseout_kit.events.outbox import OutboxRecord
from phaseout_kit.registry import BUREAUS, topic_for
from phaseout_platform.launcher import Platform
from tests.chaos.support import (
    Load,
    coordinators,
    database_url,
    diff_summary,
    feed,
    ingest_status,
    projections_settled,
    rebuilt_snapshot,
    received,
    repaired_from_feeds,
    report,
    sessions_for,
    stored_count,
)
from tests.conftest import wait_until
from tests.e2e.platform import running_platform

PARTITIONS = 3  # the platform's default; Tansu auto-creates 4


async def published(platform: Platform) -> int:
    total = 0
    for b in BUREAUS:
        async with sessions_for(database_url(platform, b)) as sessions, sessions() as session:
            total += int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(OutboxRecord)
                    .where(OutboxRecord.published_at.is_not(None))
                )
                or 0
            )
    return total


async def test_a_broker_that_returns_empty_loses_nothing(tmp_path: Path) -> None:
    async with (
        running_platform("sqlite", tmp_path, BUREAUS) as platform,
        httpx.AsyncClient(timeout=20) as client,
        coordinators(platform, BUREAUS) as coords,
        AsyncExitStack() as stack,
    ):
        sessions = {c.backend: await stack.enter_async_context(sessions_for(c.database_url)) for c in coords}
        load = Load(platform, client, BUREAUS)
        stop = asyncio.Event()

        async def keep_posting() -> None:
            while not stop.is_set():
                await load.run_for(0.5)

        posting = asyncio.create_task(keep_posting())
        try:

            async def flowing() -> bool:
                return all([await stored_count(s) >= 50 for s in sessions.values()])

            await wait_until(
                flowing, timeout_s=60, interval_s=0.2, message="events flowing to the coordinators"
            )
            for c in coords:
                os.kill(c.process.pid, signal.SIGSTOP)
            stored_at_pause = max([await stored_count(s) for s in sessions.values()])

            async def unconsumed_on_bus() -> bool:
                return await published(platform) - stored_at_pause >= 50

            await wait_until(
                unconsumed_on_bus, timeout_s=60, interval_s=0.2, message="events on the bus only"
            )
            platform.kill_broker()  # memory broker: every topic, record and committed offset is gone
            platform.start_broker()
            await platform.broker.wait_ready()
            for c in coords:
                os.kill(c.process.pid, signal.SIGCONT)
            after_restart = load.total
            await wait_until(  # the stream goes on against the new, empty broker
                lambda: load.total >= after_restart + 40, timeout_s=60, message="findings after the restart"
            )
        finally:
            stop.set()
            await posting
        heads = {b: len(load.accepted[b]) for b in BUREAUS}
        for c in coords:

            async def caught_up(url: str = c.url) -> bool:
                status = await ingest_status(client, url)
                return all(status[b]["contiguous"] == heads[b] for b in BUREAUS)

            await wait_until(
                caught_up, timeout_s=120, interval_s=0.5, message=f"{c.backend} caught up from the feeds"
            )
            await wait_until(
                lambda s=sessions[c.backend]: projections_settled(s), timeout_s=60, interval_s=0.2
            )
        admin = AIOKafkaAdminClient(bootstrap_servers=platform.bootstrap)
        await admin.start()
        try:
            topics = await admin.describe_topics([topic_for(b) for b in BUREAUS])
        finally:
            await admin.close()
        feeds = {b: await feed(client, platform.url(b)) for b in BUREAUS}
        outcome = {}
        for c in coords:
            c.stop()
            live, rebuilt = await rebuilt_snapshot(c.database_url)
            outcome[c.backend] = (
                await received(sessions[c.backend]),
                live,
                rebuilt,
                repaired_from_feeds(c.log),
            )

    expected = {(b, e.id, e.sequence) for b, events in feeds.items() for e in events}
    assert not load.rejected, load.rejected[:3]
    assert len(expected) == load.total
    assert {t["topic"]: len(t["partitions"]) for t in topics} == {topic_for(b): PARTITIONS for b in BUREAUS}
    problems = []
    for backend, (stored, live, rebuilt, repaired) in outcome.items():
        counts = Counter((b, s) for b, _, s in stored)
        lost = expected - set(stored)
        duplicated = [k for k, n in counts.items() if n > 1]
        report(
            2,
            backend,
            accepted=load.total,
            delivered=len(stored),
            lost=len(lost),
            duplicated=len(duplicated),
            repaired_from_feeds=repaired,
            projections_equal_rebuild=live == rebuilt,
        )
        if lost or duplicated or len(stored) != len(expected):
            problems.append(f"{backend}: lost {len(lost)}, duplicated {len(duplicated)}")
        if repaired < 1:
            problems.append(f"{backend}: nothing was read from the feeds, the loss went unnoticed")
        if live != rebuilt:
            problems.append(f"{backend}: projections differ from a rebuild:\n{diff_summary(live, rebuilt)}")
    assert not problems, "\n".join(problems)
