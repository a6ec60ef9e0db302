"""Scenario 7 — the database becomes unreachable (PostgreSQL behind a TCP proxy the test cuts, dropping
every open connection mid-request, and restores).

While it is away, every API call answers 503 with ``Retry-After`` — never a 500 — and ``/readyz`` says so;
nothing is half-written (each finding has its case, its outbox event and its audit entry, or none of them);
the service recovers by itself when the database is back, the requests that got 503 succeed when retried
with their idempotency keys (once), and the coordinator, cut off as well, receives every event.
PostgreSQL only: an embedded SQLite file cannot become unreachable.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa

from phaseout_bureau.adapters.orm import CaseRow, FindingRow
from phaseout_bureau.app import build_app as build_bureau
from phaseout_coordinator.app import build_app as build_coordinator
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_kit.audit import AuditEntry
from phaseout_kit.events.outbox import OutboxRecord
from phaseout_kit.settings import CoordinatorSettings, ServiceSettings
from tests.apps import auth
from tests.chaos.support import CLOCK, TcpProxy, finding_body, report, sessions_for
from tests.conftest import POSTGRES_URL, broker_in, create_pg_database, drop_pg_database, wait_until

WRITER = auth("demo-energy-writer")


def via(proxy: TcpProxy, url: str) -> str:
    return url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")


async def test_database_outage_gives_503_never_500_nor_half_writes_and_heals(tmp_path: Path) -> None:
    assert "@127.0.0.1:5432/" in POSTGRES_URL, "the proxy fronts the test server at 127.0.0.1:5432"
    bureau_db, coordinator_db = (
        await create_pg_database("phaseout_chaos7"),
        await create_pg_database("phaseout_chaos7"),
    )
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    broker = await broker_in(tmp_path)
    statuses: Counter[int] = Counter()
    missing_retry_after = 0
    outcome: dict[str, int] = {}  # idempotency key -> last status
    try:
        bureau = build_bureau(
            ENERGY,
            ServiceSettings(
                service="energy", database_url=via(proxy, bureau_db), kafka_bootstrap=broker.bootstrap
            ),
        )
        coordinator = build_coordinator(
            CoordinatorSettings(
                service="coordinator",
                database_url=via(proxy, coordinator_db),
                kafka_bootstrap=broker.bootstrap,
                bureau_urls={},
                clock_date=CLOCK,
            )
        )
        async with (
            bureau.router.lifespan_context(bureau),
            coordinator.router.lifespan_context(coordinator),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(bureau, raise_app_exceptions=False), base_url="http://b"
            ) as b,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(coordinator, raise_app_exceptions=False), base_url="http://c"
            ) as c,
        ):

            async def post(n: int, key: str) -> httpx.Response:
                nonlocal missing_retry_after
                r = await b.post(
                    "/api/v1/findings",
                    json=finding_body("energy", n),
                    headers={**WRITER, "Idempotency-Key": key},
                )
                statuses[r.status_code] += 1
                outcome[key] = r.status_code
                if r.status_code == 503 and not r.headers.get("retry-after", "").isdigit():
                    missing_retry_after += 1
                return r

            for n in range(10):
                assert (await post(n, f"before-{n}")).status_code == 201

            stop = asyncio.Event()

            async def writer(worker: int) -> None:
                n = 0
                while not stop.is_set():
                    await post(n, f"during-{worker}-{n}-{uuid.uuid4().hex[:6]}")
                    await asyncio.sleep(0.05)
                    n += 1

            writers = [asyncio.create_task(writer(w)) for w in range(4)]
            accepted = statuses[201]
            await wait_until(lambda: statuses[201] >= accepted + 4, timeout_s=30, message="writers running")
            await proxy.cut()  # every open connection dies mid-request, new ones are refused
            cut_at = time.monotonic()
            refused = sum(n for code, n in statuses.items() if code != 201)
            await wait_until(  # the writers have met the outage (each of the four at least twice)
                lambda: sum(n for code, n in statuses.items() if code != 201) >= refused + 8,
                timeout_s=30,
                message="writers meeting the outage",
            )
            reads = [
                await b.get("/api/v1/cases", headers=auth("demo-reader")),
                await b.get("/api/v1/events?after=0", headers=auth("demo-reader")),
                await c.get("/api/v1/enterprises", headers=auth("demo-office-viewer")),
                await c.put(
                    "/api/v1/clock", json={"today": CLOCK.isoformat()}, headers=auth("demo-office-admin")
                ),
            ]
            ready = (await b.get("/readyz")).status_code, (await c.get("/readyz")).status_code
            live = (await b.get("/livez")).status_code, (await c.get("/livez")).status_code
            stop.set()
            await asyncio.gather(*writers)
            await proxy.start()
            outage_s = time.monotonic() - cut_at

            async def healed() -> bool:
                r = await b.get("/api/v1/cases?limit=1", headers=auth("demo-reader"))
                return r.status_code == 200 and (await c.get("/readyz")).status_code == 200

            restored_at = time.monotonic()
            await wait_until(
                healed, timeout_s=60, interval_s=0.2, message="the services healed by themselves"
            )
            recovered_s = time.monotonic() - restored_at
            unavailable = [k for k, s in outcome.items() if s == 503]
            retried = Counter()
            for key in unavailable:
                n = int(key.split("-")[2])
                retried[(await post(n, key)).status_code] += 1
            head = (await b.get("/api/v1/events?after=0&limit=1", headers=auth("demo-reader"))).json()[
                "last_sequence"
            ]

            async def coordinator_has_all() -> bool:
                r = await c.get("/api/v1/ingest/status", headers=auth("demo-reader"))
                return r.status_code == 200 and r.json()["energy"]["contiguous"] == head

            await wait_until(
                coordinator_has_all, timeout_s=60, interval_s=0.2, message="the coordinator caught up"
            )

        async with sessions_for(bureau_db) as sessions, sessions() as session:
            findings = set(await session.scalars(sa.select(FindingRow.id)))
            keys = list(await session.scalars(sa.select(FindingRow.idempotency_key)))
            cases = set(await session.scalars(sa.select(CaseRow.id)))
            events = [r.data["finding_id"] for r in await session.scalars(sa.select(OutboxRecord))]
            audited = set(
                await session.scalars(
                    sa.select(AuditEntry.object_id).where(AuditEntry.action == "finding.record")
                )
            )
    finally:
        await proxy.cut()
        broker.kill()
        await drop_pg_database(bureau_db)
        await drop_pg_database(coordinator_db)

    half_written = len(findings ^ cases) + len(findings ^ set(events)) + len(findings ^ audited)
    report(
        7,
        "postgresql",
        accepted=len(findings),
        delivered=head,
        lost=len(set(outcome) - set(keys)),
        duplicated=len(keys) - len(set(keys)) + len(events) - len(set(events)),
        answered=sum(statuses.values()),
        answered_503=statuses[503],
        answered_500=sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        half_written=half_written,
        outage_s=round(outage_s, 1),
        recovered_in_s=round(recovered_s, 1),
    )
    assert statuses[503] > 0, "the outage was noticed"
    assert set(statuses) <= {200, 201, 503}, statuses
    assert missing_retry_after == 0
    assert [r.status_code for r in reads] == [503] * len(reads) and all(
        r.headers["retry-after"] for r in reads
    )
    assert ready == (503, 503) and live == (200, 200)
    assert half_written == 0
    assert set(retried) <= {200, 201}, retried
    assert sorted(keys) == sorted(outcome), "every request succeeded exactly once, after retries"
    assert head == len(findings)
