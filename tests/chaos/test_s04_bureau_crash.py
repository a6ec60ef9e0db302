"""Scenario 4 — a bureau crashes between its database commit and the publish.

The broker is stopped, so the bureau commits findings (state + outbox rows) it cannot publish; then the
bureau is killed with SIGKILL. When broker and bureau are back, the relay publishes each committed event
exactly once: the topic, read from the beginning and counted by event id, holds each once, and the
coordinator stores each once. One bureau keeps its outbox in SQLite, another in PostgreSQL, in one run.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa

from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.outbox import OutboxRecord
from phaseout_kit.registry import topic_for
from phaseout_platform.launcher import Platform
from tests.chaos.support import (
    Load,
    coordinator_env,
    database_url,
    feed,
    ingest_status,
    received,
    report,
    sessions_for,
    topic_records,
)
from tests.conftest import create_pg_database, drop_pg_database, wait_until
from tests.e2e.platform import running_platform

# One run, both backends: the energy bureau keeps its outbox in SQLite, the environment bureau in PostgreSQL.
BACKEND_OF = {"energy": "sqlite", "environment": "postgresql"}
UNPUBLISHED = 60


async def unpublished(platform: Platform, bureau: str) -> int:
    async with sessions_for(database_url(platform, bureau)) as sessions, sessions() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(OutboxRecord).where(OutboxRecord.published_at.is_(None))
        )
        return int(count or 0)


async def test_events_committed_before_a_crash_are_published_once(tmp_path: Path) -> None:
    pg_url = await create_pg_database("phaseout_chaos4")
    env = {"coordinator": coordinator_env(), "environment": {"PHASEOUT_DATABASE_URL": pg_url}}
    bureaus = list(BACKEND_OF)
    try:
        async with (
            running_platform("sqlite", tmp_path, ("coordinator", *bureaus), env=env) as platform,
            httpx.AsyncClient(timeout=20) as client,
        ):
            load = Load(platform, client, bureaus)
            await load.run_count(5, concurrency=1)

            async def delivered(counts: dict[str, int]) -> bool:
                status = await ingest_status(client, platform.url("coordinator"))
                return all(status[b]["contiguous"] == n for b, n in counts.items())

            await wait_until(lambda: delivered(dict.fromkeys(bureaus, 5)), timeout_s=60, interval_s=0.2)
            platform.kill_broker()
            await load.run_count(UNPUBLISHED, concurrency=3)
            committed_unpublished = {b: await unpublished(platform, b) for b in bureaus}
            for b in bureaus:  # the crash: committed, never published
                platform.kill_service(b)
            platform.start_broker()
            await platform.broker.wait_ready()
            for b in bureaus:
                platform.start_service(b)
            await platform.wait_ready(tuple(bureaus), timeout_s=60)
            totals = {b: len(load.accepted[b]) for b in bureaus}
            await wait_until(lambda: delivered(totals), timeout_s=90, interval_s=0.2, message="all delivered")

            async def relays_done() -> bool:
                return all([await unpublished(platform, b) == 0 for b in bureaus])

            await wait_until(relays_done, timeout_s=60, interval_s=0.2, message="the outboxes published")
            records = {b: await topic_records(platform.bootstrap, topic_for(b)) for b in bureaus}
            events = {b: await feed(client, platform.url(b)) for b in bureaus}
            async with sessions_for(database_url(platform, "coordinator")) as sessions:
                stored = await received(sessions)
    finally:
        await drop_pg_database(pg_url)

    problems = []
    for b, backend in BACKEND_OF.items():
        on_topic = Counter(EventEnvelope.from_kafka(r.key, r.value, list(r.headers)).id for r in records[b])
        after_crash = {e.id for e in events[b] if e.sequence > 5}
        duplicated = [i for i, n in on_topic.items() if n > 1]
        lost = after_crash - set(on_topic)
        mine = sorted((i, s) for bureau, i, s in stored if bureau == b)
        report(
            4,
            backend,
            accepted=totals[b],
            committed_unpublished_at_crash=committed_unpublished[b],
            published_after_restart=sum(on_topic.values()),
            delivered=len(mine),
            lost=len(lost),
            duplicated=len(duplicated),
        )
        if not committed_unpublished[b] == UNPUBLISHED == len(after_crash):
            problems.append(
                f"{b}: {committed_unpublished[b]} unpublished at the crash, {len(after_crash)} after"
            )
        if set(on_topic) != after_crash or duplicated or lost:
            problems.append(
                f"{b}: on the topic {len(on_topic)} ids, {len(duplicated)} twice, {len(lost)} missing"
            )
        if mine != sorted((e.id, e.sequence) for e in events[b]) or len(mine) != totals[b]:
            problems.append(f"{b}: the coordinator stored {len(mine)} of {totals[b]}")
    assert not load.rejected, load.rejected[:3]
    assert not problems, "\n".join(problems)
