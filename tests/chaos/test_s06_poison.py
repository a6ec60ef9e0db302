"""Scenario 6 — poison messages on a bureau's topic: a malformed envelope, an unknown type, a payload failing
its schema, a wrong key (key ≠ subject), an event claiming a sequence number another event already has, a
finding whose check result breaks its contract (a renamed field the rules read), and forgeries: an event on the
energy topic claiming the safety bureau, an unsigned event, one signed with another bureau's key, one whose
data was changed after signing, and a real signed event replayed under another id.
Each goes to ``phaseout.deadletter`` with its reason, consumption continues (the valid events after them
are stored), and ``GET /api/v1/dead-letters`` lists them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.orm import StoredEvent
from phaseout_coordinator.app import build_app
from phaseout_kit.events.broker import EmbeddedBroker, make_producer
from phaseout_kit.events.envelope import EventEnvelope, event_type, source_uri
from phaseout_kit.events.inbox import DeadLetter
from phaseout_kit.events.signing import Signer, dev_private_key
from phaseout_kit.registry import DEADLETTER_TOPIC, topic_for
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.uscc import make_code
from tests.apps import auth, running
from tests.chaos.support import CLOCK, report, signed, stored_count, topic_records
from tests.conftest import broker_in, wait_until

USCC = make_code("91500102MA5U0001P")
OTHER = make_code("91500102MA5U0002P")
TOPIC = topic_for("energy")
RESULT = {  # the energy bureau's check result (phaseout_bureau.results.EnergyLimitResult)
    "product_key": "cement_clinker",
    "measured_value": 130,
    "limit": 117,
    "over_limit": True,
    "ratio_over_limit": 0.11,
    "category": "over_limit_within_1x",
}


def unsigned(envelope: EventEnvelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    return envelope.to_kafka()


def finding(sequence: int, **overrides: Any) -> EventEnvelope:
    data = {
        "finding_id": str(uuid.uuid4()),
        "bureau": "energy",
        "uscc": USCC,
        "enterprise_name": "重庆市涪陵区毒丸测试有限公司",
        "town": "李渡街道",
        "industrial_park": None,
        "industry": "cement",
        "finding_type": "energy_limit_exceeded",
        "production_line": None,
        "found_on": "2020-09-01",
        "legal_basis": "涪经信发〔2020〕85号",
        "severity": "general",
        "details": {},
        "derived": RESULT,
        "recorded_at": datetime(2020, 9, 1, tzinfo=UTC).isoformat(),
        "recorded_by": "demo:energy",
    }
    fields: dict[str, Any] = {
        "source": source_uri("energy"),
        "type": event_type("energy", "finding", "recorded"),
        "subject": USCC,
        "sequence": sequence,
        "data": data,
    }
    fields.update(overrides)
    return EventEnvelope(**fields)


def record(envelope: EventEnvelope, key: bytes | None = None) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """The record the energy bureau's relay would send: signed with its key (unless already signed)."""
    k, value, headers = (envelope if envelope.signature else signed(envelope)).to_kafka()
    return (key if key is not None else k), value, headers


Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


@asynccontextmanager
async def coordinator_receiving(
    database_url: str, broker: EmbeddedBroker, records: Sequence[Record]
) -> AsyncIterator[tuple[httpx.AsyncClient, async_sessionmaker[AsyncSession]]]:
    """A running coordinator, and ``records`` put on the energy topic's one partition in this order."""
    settings = CoordinatorSettings(
        service="coordinator",
        database_url=database_url,
        kafka_bootstrap=broker.bootstrap,
        bureau_urls={},
        clock_date=CLOCK,
    )
    app = build_app(settings)
    async with running(app) as client:
        producer = make_producer(broker.bootstrap)
        await producer.start()
        try:
            for key, value, headers in records:
                await producer.send_and_wait(TOPIC, value, key=key, headers=headers, partition=0)
        finally:
            await producer.stop()
        yield client, app.state.coordinator.runtime.sessions


async def test_poison_is_dead_lettered_with_its_reason_and_consumption_goes_on(
    database_url: str, tmp_path: Path
) -> None:
    first, second = finding(1), finding(2)
    poison: dict[str, tuple[bytes | None, bytes, list[tuple[str, bytes]]]] = {
        "malformed envelope": (USCC.encode(), b"{not json", [("content-type", b"application/json")]),
        "unknown type": record(finding(7, type=event_type("energy", "finding", "exploded"))),
        "payload failing its schema": record(finding(8, data={"finding_id": 42, "uscc": USCC})),
        "wrong key": record(finding(9), key=OTHER.encode()),
        "sequence conflict": record(finding(1)),  # a different event claiming sequence 1
        "result failing its contract": record(
            finding(10, data={**finding(10).data, "derived": {"ratio": 0.11}})
        ),
        "source mismatch": record(finding(11, source=source_uri("safety"))),
        "signature missing": unsigned(finding(12)),
        "signature by an unknown key": record(Signer(dev_private_key("safety")).sign(finding(13))),
        "signature invalid": record(
            replace(
                signed(finding(14)), data={**finding(14).data, "severity": "grave"}
            )  # changed after signing
        ),
        "signature invalid (replayed)": record(replace(signed(finding(15)), id=str(uuid.uuid4()))),
    }
    broker = await broker_in(tmp_path)
    # One partition, so the valid events come before and after the poison, in this order.
    records = [record(first), *poison.values(), record(second)]
    try:
        async with coordinator_receiving(database_url, broker, records) as (client, sessions):

            async def both_valid_stored() -> bool:
                return await stored_count(sessions) == 2

            await wait_until(
                both_valid_stored, timeout_s=60, interval_s=0.1, message="the valid events stored"
            )

            async def all_dead_lettered() -> bool:
                async with sessions() as session:
                    return int(
                        await session.scalar(sa.select(sa.func.count()).select_from(DeadLetter)) or 0
                    ) >= len(poison)

            await wait_until(all_dead_lettered, timeout_s=30, interval_s=0.1)
            listed = (await client.get("/api/v1/dead-letters", headers=auth("demo-office-viewer"))).json()
            unauthenticated = await client.get("/api/v1/dead-letters")
            async with sessions() as session:
                stored_ids = set(await session.scalars(sa.select(StoredEvent.event_id)))
        on_topic = await topic_records(broker.bootstrap, DEADLETTER_TOPIC)
    finally:
        broker.kill()

    topic_reasons = [dict(r.headers)["x-deadletter-reason"].decode() for r in on_topic]
    report(
        6,
        "sqlite" if database_url.startswith("sqlite") else "postgresql",
        accepted=2,
        delivered=len(stored_ids),
        lost=2 - len(stored_ids & {first.id, second.id}),
        duplicated=0,
        poison_sent=len(poison),
        dead_lettered=len(on_topic),
        listed_in_api=len(listed),
    )
    assert stored_ids == {first.id, second.id}, "only the valid events are stored, and both are"
    assert unauthenticated.status_code == 401
    assert len(on_topic) == len(listed) == len(poison), (topic_reasons, listed)
    expected = Counter(kind.split(" (")[0] for kind in poison)  # "(replayed)" names a second case of a reason
    for reason, count in expected.items():
        assert sum(r.startswith(reason) for r in topic_reasons) == count, (reason, topic_reasons)
        assert sum(item["reason"].startswith(reason) for item in listed) == count, (reason, listed)
    assert all(dict(r.headers)["x-original-topic"] == TOPIC.encode() for r in on_topic)
    assert {item["topic"] for item in listed} == {TOPIC}


async def test_a_forged_event_that_takes_a_number_first_loses_no_real_finding(
    database_url: str, tmp_path: Path
) -> None:
    """Someone with access to the broker puts events numbered 1 and 2 on the energy topic before the bureau's
    own events 1 and 2 arrive — unsigned, and signed with the safety bureau's key. Neither takes the number:
    both are dead-lettered, the bureau's real events are stored under their numbers, and the cursor is whole."""
    real = [finding(1), finding(2)]
    forged = [unsigned(finding(1)), record(Signer(dev_private_key("safety")).sign(finding(2)))]
    broker = await broker_in(tmp_path)
    try:
        records = [*forged, *(record(e) for e in real)]
        async with coordinator_receiving(database_url, broker, records) as (client, sessions):

            async def real_stored() -> bool:
                return await stored_count(sessions) == 2

            await wait_until(real_stored, timeout_s=60, interval_s=0.1, message="the real events stored")
            status = (await client.get("/api/v1/ingest/status", headers=auth("demo-office-viewer"))).json()
            async with sessions() as session:
                stored = set(await session.scalars(sa.select(StoredEvent.event_id)))
                dead = list(await session.scalars(sa.select(DeadLetter.reason)))
    finally:
        broker.kill()
    assert stored == {e.id for e in real}
    assert sorted(r.split(":", 1)[0] for r in dead) == ["signature by an unknown key", "signature missing"]
    assert status["energy"]["contiguous"] == 2
