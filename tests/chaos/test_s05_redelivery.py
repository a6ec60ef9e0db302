"""Scenario 5 — redelivery, duplicates and reordering across bureaus give the same result as in order.

Three bureaus record a story (findings, rectification orders, failed re-inspections, a closure, cases that
run out of time). Their events are stored by the coordinator's ingest (``store_batch(store_events)``) in
order, then in shuffled orders with every event duplicated and batches of random size — with the projector
running between batches, as it does live — and once more through the bus by re-publishing the raw Kafka
records, shuffled and duplicated, to a running coordinator. Every run must end with the same event store,
the same cursors and projections identical to the in-order run.
"""

from __future__ import annotations

import random
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.app import build_app
from phaseout_coordinator.bootstrap import MIGRATIONS
from phaseout_coordinator.service_layer.ingest import cursors, ensure_cursors, store_events
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_environment.domain import SPEC as ENVIRONMENT
from phaseout_kit.events.broker import EmbeddedBroker, make_producer
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.events.inbox import store_batch
from phaseout_kit.registry import topic_for
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.uscc import make_code
from phaseout_safety.domain import SPEC as SAFETY
from tests.apps import auth, bureau_client, running
from tests.chaos.support import (
    CLOCK,
    diff_summary,
    finding_body,
    projections_settled,
    projector,
    report,
    sessions_for,
    signed,
    snapshot,
    stored_count,
)
from tests.conftest import backend_database, broker_in, wait_until

COMPANIES = [make_code(f"91500102MA5U{n:04d}W") for n in range(6)]
# Per company: (bureau, steps after the finding). Found 2020-09-01; the coordinator's today is 2021-09-30.
STORY: list[list[tuple[str, list[tuple[str, dict[str, Any]]]]]] = [
    [
        (
            "energy",
            [
                ("rectification_ordered", {"occurred_on": "2020-09-10"}),
                ("rectification_reported", {"occurred_on": "2020-12-01"}),
                ("reinspection_passed", {"occurred_on": "2020-12-20"}),
            ],
        ),
        ("safety", []),
    ],
    [
        ("energy", [("rectification_ordered", {"occurred_on": "2020-09-10"})]),
        ("environment", [("rectification_ordered", {"occurred_on": "2020-09-10", "deadline": "2021-01-10"})]),
    ],
    [
        (
            "energy",
            [
                ("rectification_ordered", {"occurred_on": "2020-09-10"}),
                ("reinspection_failed", {"occurred_on": "2021-01-15"}),
                ("closure_proposed", {"occurred_on": "2021-01-20"}),
                ("closure_approved", {"occurred_on": "2021-02-01", "document_no": "涪府函〔2021〕9号"}),
                ("closure_executed", {"occurred_on": "2021-03-01", "way": "closed"}),
            ],
        )
    ],
    [
        (
            "safety",
            [
                ("rectification_ordered", {"occurred_on": "2020-09-10"}),
                ("reinspection_failed", {"occurred_on": "2021-04-01"}),
            ],
        ),
        ("environment", []),
    ],
    [
        (
            "environment",
            [
                ("rectification_ordered", {"occurred_on": "2020-09-10", "deadline": "2020-12-31"}),
                ("rectification_reported", {"occurred_on": "2020-12-20"}),
                ("reinspection_passed", {"occurred_on": "2021-01-05"}),
            ],
        ),
        ("energy", []),
    ],
    [
        (
            "energy",
            [
                ("production_suspended", {"occurred_on": "2020-09-05"}),
                ("rectification_ordered", {"occurred_on": "2020-09-10"}),
            ],
        ),
        ("safety", []),
        ("environment", []),
    ],
]
SPECS = {"energy": ENERGY, "environment": ENVIRONMENT, "safety": SAFETY}


async def story_events(broker: EmbeddedBroker, tmp_path: Path) -> list[EventEnvelope]:
    events: list[EventEnvelope] = []
    for bureau, spec in SPECS.items():
        url = f"sqlite+aiosqlite:///{tmp_path / bureau}.db"
        async with bureau_client(spec, url, broker.bootstrap) as client:
            writer = auth(f"demo-{bureau}-writer")
            for n in range(len(COMPANIES)):
                for story_bureau, steps in STORY[n]:
                    if story_bureau != bureau:
                        continue
                    body = {**finding_body(bureau, n, COMPANIES), "severity": "serious"}
                    r = await client.post("/api/v1/findings", json=body, headers=writer)
                    assert r.status_code == 201, r.text
                    case_id = r.json()["finding_id"]
                    for action, payload in steps:
                        r = await client.post(
                            f"/api/v1/cases/{case_id}/{action}", json=payload, headers=writer
                        )
                        assert r.status_code == 201, (bureau, action, r.text)
            feed = (await client.get("/api/v1/events?after=0&limit=1000", headers=auth("demo-reader"))).json()
            events.extend(EventEnvelope.from_json(e) for e in feed["events"])
    assert {e.service for e in events} == set(SPECS)
    return events


def fresh_coordinator_db(backend: str, tmp_path: Path, name: str) -> AbstractAsyncContextManager[str]:
    return backend_database(backend, tmp_path, name, "phaseout_chaos5")


async def ingest(
    sessions: async_sessionmaker[AsyncSession], batches: list[list[EventEnvelope]], *, project_between: bool
) -> None:
    async with sessions() as session, session.begin():
        await ensure_cursors(session)
    p = projector(sessions)
    for batch in batches:
        await store_batch(sessions, batch, store_events)
        if project_between:
            await p.run_pending()
    while await p.run_pending():
        pass


async def state(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session:
        cursor_state = {b: (c.contiguous, c.highest_seen) for b, c in (await cursors(session)).items()}
    return {"cursors": cursor_state, "stored": await stored_count(sessions), **await snapshot(sessions)}


def shuffled_with_duplicates(events: list[EventEnvelope], rng: random.Random) -> list[EventEnvelope]:
    doubled = events + rng.sample(events, len(events)) + rng.sample(events, len(events) // 3)
    rng.shuffle(doubled)
    return doubled


def random_batches(events: list[EventEnvelope], rng: random.Random) -> list[list[EventEnvelope]]:
    batches, i = [], 0
    while i < len(events):
        size = rng.randint(1, 12)
        batches.append(events[i : i + size])
        i += size
    return batches


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_any_order_with_duplicates_gives_the_in_order_result(
    backend: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    events = await story_events(broker, tmp_path)
    in_order = sorted(events, key=lambda e: (e.service, e.sequence))
    rng = random.Random(5)
    runs: dict[str, list[list[EventEnvelope]]] = {
        "in_order": [in_order],
        "shuffled_duplicated_a": random_batches(shuffled_with_duplicates(events, rng), rng),
        "shuffled_duplicated_b": random_batches(shuffled_with_duplicates(events, rng), rng),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, batches in runs.items():
        async with (
            fresh_coordinator_db(backend, tmp_path, name) as url,
            sessions_for(url, MIGRATIONS) as sessions,
        ):
            await ingest(sessions, batches, project_between=name != "in_order")
            results[name] = await state(sessions)

    # Through the bus: the raw records, shuffled and duplicated, to a running coordinator.
    bus_broker = await broker_in(tmp_path)
    try:
        async with fresh_coordinator_db(backend, tmp_path, "bus") as url:
            settings = CoordinatorSettings(
                service="coordinator",
                database_url=url,
                kafka_bootstrap=bus_broker.bootstrap,
                bureau_urls={},
                clock_date=CLOCK,
            )
            app = build_app(settings)
            async with running(app):
                coordinator = app.state.coordinator
                producer = make_producer(bus_broker.bootstrap)
                await producer.start()
                try:
                    sent = shuffled_with_duplicates(events, rng)
                    for envelope in sent:
                        key, value, headers = signed(envelope).to_kafka()
                        await producer.send(topic_for(envelope.service), value, key=key, headers=headers)
                    await producer.flush()
                finally:
                    await producer.stop()
                sessions = coordinator.runtime.sessions

                async def all_stored() -> bool:
                    return await stored_count(sessions) == len(events)

                await wait_until(all_stored, timeout_s=60, interval_s=0.1, message="every record consumed")
                await wait_until(lambda: projections_settled(sessions), timeout_s=60, interval_s=0.1)
                results["bus_shuffled_duplicated"] = await state(sessions)
    finally:
        bus_broker.kill()

    baseline = results["in_order"]
    differing = [name for name, result in results.items() if result != baseline]
    delivered = {name: r["stored"] for name, r in results.items()}
    report(
        5,
        backend,
        accepted=len(events),
        delivered=min(delivered.values()),
        lost=len(events) - min(delivered.values()),
        duplicated=max(delivered.values()) - len(events),
        runs=len(results),
        messages_fed=sum(len(b) for batches in runs.values() for b in batches) + len(sent),
        runs_differing_from_in_order=len(differing),
    )
    assert baseline["cursors"] == {
        b: (n, n) for b, n in ((b, sum(e.service == b for e in events)) for b in baseline["cursors"])
    }
    for name in differing:
        raise AssertionError(
            f"{name} differs from in order:\n"
            + diff_summary(
                {k: v for k, v in baseline.items() if isinstance(v, list)},
                {k: v for k, v in results[name].items() if isinstance(v, list)},
            )
            + f"\ncursors {results[name]['cursors']} vs {baseline['cursors']}"
        )
    statuses = {row for row in baseline["enterprise_status"]}
    assert len(statuses) == len(COMPANIES)
    assert any('"red"' in row for row in statuses) and any('"exited"' in row for row in statuses)
