"""Scenario 3 — coordinator crash: ``kill -9`` the coordinator five times while the bureaus take a load of
1,800 events (findings and rectification orders), restarting it each time; every kill lands while it is
storing events. Afterwards its event store equals the bureaus' feeds — none lost, none stored twice, one
inbox row per event — and its projections equal a clean rebuild (no event applied twice or skipped).

Both backends in one run: a coordinator on SQLite and one on PostgreSQL (own databases, ports and consumer
groups) consume the same bureaus under the same load and are killed together.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import sqlalchemy as sa

from phaseout_kit.events.inbox import InboxRecord
from tests.chaos.support import (
    MANY_ENTERPRISES,
    Load,
    coordinators,
    diff_summary,
    feed,
    ingest_status,
    projections_settled,
    rebuilt_snapshot,
    received,
    report,
    sessions_for,
    stored_count,
)
from tests.conftest import wait_until
from tests.e2e.platform import running_platform

KILLS = 5
BUREAUS_UNDER_LOAD = ("energy", "environment", "safety")  # three are enough, and start faster than five
FINDINGS_PER_BUREAU = 450  # and a rectification order for every third: 1,800 events in all
EVENTS = len(BUREAUS_UNDER_LOAD) * (FINDINGS_PER_BUREAU + (FINDINGS_PER_BUREAU + 2) // 3)
# The load lasts ≥ 55 s even on a fast machine, so that five kill-and-restart cycles (≈ 8 s each) fit in it;
# the kills are due at 1/7 … 5/7 of the events, and a slower machine holds the load back (``hold_beyond``).
FINDINGS_PER_S = 24.0


async def test_kill_9_of_the_coordinator_loses_and_doubles_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    async with (
        running_platform("sqlite", tmp_path, BUREAUS_UNDER_LOAD) as platform,
        httpx.AsyncClient(timeout=30) as client,
        coordinators(platform, BUREAUS_UNDER_LOAD) as coords,
        AsyncExitStack() as stack,
    ):
        sessions = {c.backend: await stack.enter_async_context(sessions_for(c.database_url)) for c in coords}
        load = Load(platform, client, BUREAUS_UNDER_LOAD, MANY_ENTERPRISES)
        kills: dict[str, list[int]] = {c.backend: [] for c in coords}  # events stored when each kill struck
        posted_at_kills: list[int] = []
        # The load runs at most two shares ahead of the kills: on a slow machine five restarts took longer than
        # the whole load, and the last kill struck after it (a flake, not a finding).
        posting = asyncio.create_task(
            load.run_count(
                FINDINGS_PER_BUREAU,
                concurrency=3,
                action_every=3,
                findings_per_s=FINDINGS_PER_S,
                hold_beyond=lambda: EVENTS * (len(posted_at_kills) + 2) // (KILLS + 2),
            )
        )
        rng = random.Random(3)
        for k in range(1, KILLS + 1):
            before = {b: await stored_count(s) for b, s in sessions.items()}

            async def due(before: dict[str, int] = before, share: int = EVENTS * k // (KILLS + 2)) -> bool:
                # spread over the load, and only while both are storing events
                if load.total < share:
                    return False
                return all([await stored_count(s) > before[b] for b, s in sessions.items()])

            await wait_until(due, timeout_s=120, interval_s=0.1, message="the coordinators storing events")
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            posted_at_kills.append(load.total)
            for c in coords:
                c.kill()
                kills[c.backend].append(await stored_count(sessions[c.backend]))
                c.start()
            for c in coords:
                await c.wait_ready()
        await posting
        load_s = time.monotonic() - started
        heads = {b: len(load.accepted[b]) for b in BUREAUS_UNDER_LOAD}
        for c in coords:

            async def caught_up(url: str = c.url) -> bool:
                status = await ingest_status(client, url)
                return all(status[b]["contiguous"] == heads[b] for b in BUREAUS_UNDER_LOAD)

            await wait_until(caught_up, timeout_s=150, interval_s=0.5, message=f"every event at {c.backend}")
            await wait_until(
                lambda s=sessions[c.backend]: projections_settled(s), timeout_s=120, interval_s=0.2
            )
        feeds = {b: await feed(client, platform.url(b)) for b in BUREAUS_UNDER_LOAD}
        outcome = {}
        for c in coords:
            c.stop()
            stored = await received(sessions[c.backend])
            async with sessions[c.backend]() as session:
                inbox = int(await session.scalar(sa.select(sa.func.count()).select_from(InboxRecord)) or 0)
            live, rebuilt = await rebuilt_snapshot(c.database_url)
            outcome[c.backend] = (stored, inbox, live, rebuilt)

    expected = {(b, e.id, e.sequence) for b, events in feeds.items() for e in events}
    assert not load.rejected, load.rejected[:3]
    problems = []
    if not load.total == EVENTS == len(expected) >= 1800:
        problems.append(f"{load.total} events accepted, {len(expected)} in the feeds, {EVENTS} expected")
    if len(posted_at_kills) != KILLS or posted_at_kills[-1] >= EVENTS:
        problems.append(f"not every kill struck during the load: {posted_at_kills}")
    for backend, (stored, inbox, live, rebuilt) in outcome.items():
        by_sequence = Counter((b, s) for b, _, s in stored)
        by_id = Counter(i for _, i, _ in stored)
        lost = expected - set(stored)
        duplicated = [k for k, n in by_sequence.items() if n > 1] + [k for k, n in by_id.items() if n > 1]
        report(
            3,
            backend,
            accepted=load.total,
            delivered=len(stored),
            lost=len(lost),
            duplicated=len(duplicated),
            kills=len(kills[backend]),
            stored_at_kills="/".join(map(str, kills[backend])),
            posted_at_kills="/".join(map(str, posted_at_kills)),
            projections_equal_rebuild=live == rebuilt,
            load_s=round(load_s),
            total_s=round(time.monotonic() - started),
        )
        if lost or duplicated or len(stored) != len(expected) or inbox != len(expected):
            problems.append(f"{backend}: lost {len(lost)}, duplicated {len(duplicated)}, inbox {inbox}")
        if live != rebuilt:
            problems.append(f"{backend}: projections differ from a rebuild:\n{diff_summary(live, rebuilt)}")
    assert not problems, "\n".join(problems)
