"""Scenario 1 — broker outage: the broker is gone for 30 s while all five bureaus keep accepting findings
under load; after it returns (empty, as a memory broker does) every accepted finding reaches the
coordinator exactly once.

Runs on PostgreSQL only. What an outage exercises is backend-neutral: the relay retrying with backoff and
re-created producers, the broker monitor, the consumer re-created against an empty broker. The
backend-specific part — committed, unpublished outbox rows surviving until the broker is back — runs on
both backends in scenario 4 (broker stopped, bureau killed), and a broker that comes back empty runs on
both backends in scenario 2. A second 30 s outage on SQLite would add 45 s for no new code path.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx

from phaseout_kit.registry import BUREAUS
from tests.apps import auth
from tests.chaos.support import (
    ENTERPRISES,
    Load,
    database_url,
    feed,
    ingest_status,
    received,
    report,
    sessions_for,
)
from tests.conftest import wait_until
from tests.e2e.platform import running_platform

OUTAGE_S = 30.0
BACKEND = "postgresql"


async def test_every_finding_accepted_during_an_outage_arrives_exactly_once(tmp_path: Path) -> None:
    async with running_platform(BACKEND, tmp_path) as platform, httpx.AsyncClient(timeout=20) as client:
        load = Load(platform, client, BUREAUS)
        await load.run_for(2.0)
        before_outage = load.total
        platform.kill_broker()
        await load.run_for(OUTAGE_S)
        during_outage = load.total - before_outage
        platform.start_broker()
        await platform.broker.wait_ready()
        await load.run_for(2.0)

        async def all_arrived() -> bool:
            status = await ingest_status(client, platform.url("coordinator"))
            return all(status[b]["contiguous"] == len(load.accepted[b]) for b in BUREAUS)

        await wait_until(
            all_arrived, timeout_s=120, interval_s=0.5, message="every accepted finding at the coordinator"
        )
        seen: Counter[str] = Counter()
        for uscc in ENTERPRISES:
            r = await client.get(
                f"{platform.url('coordinator')}/api/v1/enterprises/{uscc}", headers=auth("demo-reader")
            )
            if r.status_code == 200:
                seen.update(e["data"]["finding_id"] for e in r.json()["timeline"])
        feeds = {b: await feed(client, platform.url(b)) for b in BUREAUS}
        async with sessions_for(database_url(platform, "coordinator")) as sessions:
            stored = await received(sessions)
    expected = {fid for ids in load.accepted.values() for fid in ids}
    lost = expected - set(seen)
    duplicated = [fid for fid, count in seen.items() if count > 1]
    report(
        1,
        BACKEND,
        accepted=load.total,
        delivered=len(seen),
        lost=len(lost),
        duplicated=len(duplicated),
        accepted_while_broker_down=during_outage,
        rejected=len(load.rejected),
        outage_s=int(OUTAGE_S),
    )
    assert not load.rejected, f"the bureaus keep accepting while the broker is away: {load.rejected[:3]}"
    assert load.total > 500
    assert not lost and not duplicated
    assert set(seen) == expected
    assert sorted((b, e.id) for b, events in feeds.items() for e in events) == sorted(
        (b, i) for b, i, _ in stored
    )
