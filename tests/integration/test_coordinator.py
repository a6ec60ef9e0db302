"""The coordinator's service layer on both databases: gap repair from a real bureau feed, projection,
rebuild equality, the dossier's explanations, and measure feedback with object-level checks."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phaseout_coordinator.adapters.feeds import BureauFeeds
from phaseout_coordinator.adapters.orm import (
    BureauCursor,
    CaseStatusRow,
    EnterpriseRow,
    EnterpriseStatus,
    ListEntryRow,
    MeasureRow,
    PendingEvaluation,
    StoredEvent,
)
from phaseout_coordinator.app import build_app
from phaseout_coordinator.bootstrap import MIGRATIONS
from phaseout_coordinator.service_layer.catchup import CatchUp
from phaseout_coordinator.service_layer.ingest import ensure_cursors, store_events
from phaseout_coordinator.service_layer.projector import Projector
from phaseout_coordinator.service_layer.rebuild import rebuild
from phaseout_energy.domain import SPEC as ENERGY
from phaseout_kit.clock import DistrictClock
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.events.envelope import EventEnvelope, PoisonMessage
from phaseout_kit.events.inbox import store_batch
from phaseout_kit.settings import CoordinatorSettings
from phaseout_kit.uscc import make_code
from phaseout_policy import load_policy
from tests.apps import auth, bureau_client, running, sign_in
from tests.integration.test_bureau_api import finding

WRITER = auth("demo-energy-writer")
KEYS = CoordinatorSettings(service="coordinator").key_ring()  # the embedded/dev keys of the five bureaus
ENTERPRISES = [make_code(f"91500102MA5U{n:04d}Y") for n in range(3)]
AFFILIATE_ONLY, NOBODY = (
    make_code("91500102MA5U0100Y"),
    make_code("91500102MA5U0200Y"),
)  # no finding of their own


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    factory = make_session_factory(engine)
    async with factory() as session, session.begin():
        await ensure_cursors(session)
    yield factory
    await engine.dispose()


async def bureau_events(client: httpx.AsyncClient) -> list[EventEnvelope]:
    feed = (await client.get("/api/v1/events?after=0", headers=auth("demo-reader"))).json()
    return [EventEnvelope.from_json(e) for e in feed["events"]]


async def post_story(client: httpx.AsyncClient) -> None:
    """Three enterprises: one rectified, one overdue, one exited."""
    ids = []
    for n, uscc in enumerate(ENTERPRISES):
        body = finding(uscc=uscc, enterprise_name=f"重庆市涪陵区测试{n}有限公司", severity="serious")
        ids.append((await client.post("/api/v1/findings", json=body, headers=WRITER)).json()["finding_id"])
    steps: list[tuple[int, str, dict[str, Any]]] = [
        (0, "rectification_ordered", {"occurred_on": "2020-07-10"}),
        (0, "rectification_reported", {"occurred_on": "2020-11-01"}),
        (0, "reinspection_passed", {"occurred_on": "2020-11-20"}),
        (1, "rectification_ordered", {"occurred_on": "2020-07-10"}),
        (2, "rectification_ordered", {"occurred_on": "2020-07-10"}),
        (2, "reinspection_failed", {"occurred_on": "2021-01-15"}),
        (2, "closure_proposed", {"occurred_on": "2021-01-20"}),
        (2, "closure_approved", {"occurred_on": "2021-02-01", "document_no": "涪府函〔2021〕9号"}),
        (
            2,
            "closure_executed",
            {
                "occurred_on": "2021-03-01",
                "way": "closed",
                "line_name": "一期电解系列",
                "capacity": {"value": 12.5, "unit": "万吨/年"},
            },
        ),
    ]
    for n, action, body in steps:
        r = await client.post(f"/api/v1/cases/{ids[n]}/{action}", json=body, headers=WRITER)
        assert r.status_code == 201, r.text


async def test_a_gap_is_repaired_from_the_bureau_feed_exactly_once(
    database_url: str, sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker, tmp_path: Any
) -> None:
    bureau_url = f"sqlite+aiosqlite:///{tmp_path / 'bureau.db'}"
    async with bureau_client(ENERGY, bureau_url, broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
        # The bus delivered only every other event.
        await store_batch(sessions, events[::2], store_events)
        async with sessions() as session:
            cursor = await session.get(BureauCursor, "energy")
            assert cursor is not None and (cursor.contiguous, cursor.highest_seen) == (
                1,
                len(events) - (len(events) + 1) % 2,
            )
        transport = httpx.ASGITransport(app=client._transport.app)  # type: ignore[attr-defined]
        feeds = BureauFeeds({"energy": "http://bureau"}, "demo-coordinator-feed", transport=transport)
        catch_up = CatchUp(sessions, feeds, KEYS)
        repaired = await catch_up.catch_up("energy", after=1)
        again = await catch_up.catch_up("energy", after=0)
        await feeds.close()
    async with sessions() as session:
        cursor = await session.get(BureauCursor, "energy")
        stored = list(await session.scalars(sa.select(StoredEvent.sequence).order_by(StoredEvent.sequence)))
    assert repaired == len(events) // 2 and again == 0
    assert stored == list(range(1, len(events) + 1))
    assert cursor is not None and cursor.contiguous == len(events)


async def test_a_feed_speaks_only_for_its_own_bureau(
    database_url: str, sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker, tmp_path: Any
) -> None:
    """The energy bureau's events read from the address configured as the safety bureau's feed are refused:
    the feed decides who speaks, so none is stored, as the safety bureau's or the energy bureau's."""
    bureau_url = f"sqlite+aiosqlite:///{tmp_path / 'bureau.db'}"
    async with bureau_client(ENERGY, bureau_url, broker.bootstrap) as client:
        await post_story(client)
        transport = httpx.ASGITransport(app=client._transport.app)  # type: ignore[attr-defined]
        feeds = BureauFeeds({"safety": "http://bureau"}, "demo-coordinator-feed", transport=transport)
        stored = await CatchUp(sessions, feeds, KEYS).catch_up("safety", after=0)
        await feeds.close()
    async with sessions() as session:
        kept = int(await session.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) or 0)
    assert stored == 0 and kept == 0


async def test_a_number_held_by_another_event_does_not_stop_the_catch_up(
    database_url: str, sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker, tmp_path: Any
) -> None:
    """The store already holds another event under the bureau's number 2: catching up from the feed stores
    every other event (1 and 3 onwards) instead of giving up the round at the conflict."""
    bureau_url = f"sqlite+aiosqlite:///{tmp_path / 'bureau.db'}"
    async with bureau_client(ENERGY, bureau_url, broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
        holder = replace(events[1], id="another-event-with-number-2")
        await store_batch(sessions, [holder], store_events)
        transport = httpx.ASGITransport(app=client._transport.app)  # type: ignore[attr-defined]
        feeds = BureauFeeds({"energy": "http://bureau"}, "demo-coordinator-feed", transport=transport)
        stored = await CatchUp(sessions, feeds, KEYS).catch_up("energy", after=0)
        await feeds.close()
    async with sessions() as session:
        kept = set(await session.scalars(sa.select(StoredEvent.event_id)))
    assert stored == len(events) - 1
    assert kept == {holder.id} | {e.id for e in events if e.sequence != 2}


async def test_a_batch_with_two_events_claiming_one_number_stores_nothing(
    sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker, tmp_path: Any
) -> None:
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
    impostor = dataclasses.replace(events[2], id=str(uuid.uuid4()))
    with pytest.raises(PoisonMessage, match="sequence conflict: energy #3"):
        await store_batch(sessions, [*events[:3], impostor], store_events)
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) == 0
    # The same events without the impostor are stored in one batch and close the prefix at once.
    assert await store_batch(sessions, events, store_events) == len(events)
    async with sessions() as session:
        cursor = await session.get(BureauCursor, "energy")
    assert cursor is not None and cursor.contiguous == cursor.highest_seen == len(events)


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "status": (EnterpriseStatus, ("uscc", "status", "dimensions", "assessment", "next_change_on")),
        "lists": (
            ListEntryRow,
            ("uscc", "list_code", "dimension", "case_id", "start_on", "end_on", "details"),
        ),
        "measures": (MeasureRow, ("key", "uscc", "measure_code", "start_on", "end_on", "earliest_lift_on")),
        "cases": (CaseStatusRow, ("case_id", "state", "status", "deadline")),
        "registry": (EnterpriseRow, ("uscc", "name", "town", "industry", "finding_count", "lines")),
    }
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with sessions() as session:
        for name, (model, columns) in tables.items():
            rows = (await session.scalars(sa.select(model))).all()
            out[name] = sorted(tuple(repr(getattr(r, c)) for c in columns) for r in rows)
    return out


async def test_projection_explains_and_a_rebuild_gives_exactly_the_same_state(
    sessions: async_sessionmaker[AsyncSession], broker: EmbeddedBroker, tmp_path: Any
) -> None:
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
    await store_batch(sessions, events, store_events)
    projector = Projector(sessions, DistrictClock(date(2021, 9, 30)), load_policy())
    assert await projector.run_pending() == 3
    live = await snapshot(sessions)
    assert await rebuild(sessions, projector, progress=lambda *_: None) == 3
    assert await snapshot(sessions) == live
    statuses = {row[0].strip("'"): row[1].strip("'") for row in live["status"]}
    assert statuses == {ENTERPRISES[0]: "compliant", ENTERPRISES[1]: "red", ENTERPRISES[2]: "exited"}
    assert any(row[1] == "'not_exited_on_time'" and row[0] == repr(ENTERPRISES[1]) for row in live["lists"])
    async with sessions() as session:  # the rebuild left the planner statistics and visibility map current
        if session.bind.dialect.name == "postgresql":
            visible = await session.scalar(
                sa.text("SELECT relallvisible FROM pg_class WHERE relname = 'list_entries'")
            )
            assert visible and visible > 0
        else:
            assert await session.scalar(
                sa.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'list_entries'")
            )


async def test_an_enterprise_the_engine_cannot_evaluate_does_not_hold_up_the_others(
    sessions: async_sessionmaker[AsyncSession],
    broker: EmbeddedBroker,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
    await store_batch(sessions, events, store_events)
    projector = Projector(sessions, DistrictClock(date(2021, 9, 30)), load_policy())
    assess = projector.assess

    def failing(uscc: str, *args: Any) -> Any:
        if uscc == ENTERPRISES[1]:
            raise LookupError("a rule the engine lacks")
        return assess(uscc, *args)

    monkeypatch.setattr(projector, "assess", failing)
    assert await projector.run_pending() == 3
    async with sessions() as session:
        projected = set(await session.scalars(sa.select(EnterpriseStatus.uscc)))
        queued = set(await session.scalars(sa.select(PendingEvaluation.uscc)))
    assert projected == {ENTERPRISES[0], ENTERPRISES[2]} and queued == {ENTERPRISES[1]}
    monkeypatch.setattr(projector, "assess", assess)  # the engine fixed: it is projected from the queue
    assert await projector.run_pending() == 1
    async with sessions() as session:
        assert await session.get(EnterpriseStatus, ENTERPRISES[1]) is not None
        assert not list(await session.scalars(sa.select(PendingEvaluation.uscc)))


@asynccontextmanager
async def projected(
    events: list[EventEnvelope], database_url: str, broker: EmbeddedBroker, tmp_path: Any
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """A coordinator on 2021-09-30 that has stored and projected ``events``, and a client of its API."""
    settings = CoordinatorSettings(
        service="coordinator",
        database_url=database_url,
        kafka_bootstrap=broker.bootstrap,
        bureau_urls={},
        clock_date=date(2021, 9, 30),
        consumer_group=f"test-{tmp_path.name}",
    )
    app = build_app(settings)
    async with running(app) as client:
        await store_batch(app.state.coordinator.runtime.sessions, events, store_events)
        await app.state.coordinator.projector.run_pending()
        yield app, client


async def test_dossier_lists_and_measure_feedback(
    database_url: str, broker: EmbeddedBroker, tmp_path: Any
) -> None:
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as client:
        await post_story(client)
        events = await bureau_events(client)
    async with projected(events, database_url, broker, tmp_path) as (app, client):
        coordinator = app.state.coordinator
        office = auth("demo-office-viewer")
        overdue = (await client.get(f"/api/v1/enterprises/{ENTERPRISES[1]}", headers=office)).json()
        red = (await client.get("/api/v1/lists/red", headers=office)).json()
        exits = (await client.get("/api/v1/lists/annual_exit?year=2021", headers=office)).json()
        affiliates = await client.put(
            f"/api/v1/enterprises/{ENTERPRISES[1]}/affiliates",
            json={"affiliates": [ENTERPRISES[0], AFFILIATE_ONLY]},
            headers=auth("demo-office-admin"),
        )
        await coordinator.projector.run_pending()
        affiliate_only = await client.get(f"/api/v1/enterprises/{AFFILIATE_ONLY}", headers=office)
        nobody = await client.get(f"/api/v1/enterprises/{NOBODY}", headers=office)
        land = (await client.get("/api/v1/measures", headers=auth("demo-department-land"))).json()
        bank_key = next(
            m["key"] for m in overdue["measures"] if m["measure_code"] == "bank_credit_restriction"
        )
        wrong = await client.post(
            f"/api/v1/measures/{bank_key}/feedback",
            json={"outcome": "executed", "executed_on": "2021-09-01"},
            headers=auth("demo-department-land"),
        )
        refused_without_reason = await client.post(
            f"/api/v1/measures/{bank_key}/feedback",
            json={"outcome": "refused", "executed_on": "2021-09-01"},
            headers=auth("demo-department-bank"),
        )
        done = await client.post(
            f"/api/v1/measures/{bank_key}/feedback",
            json={"outcome": "executed", "executed_on": "2021-09-01", "reference": "涪银函〔2021〕3号"},
            headers=auth("demo-department-bank"),
        )
        after = (await client.get(f"/api/v1/enterprises/{ENTERPRISES[1]}", headers=office)).json()
    energy = overdue["status"]["dimensions"]["energy"]
    assert overdue["status"]["overall"] == "red" and energy["status"] == "red"
    assert "2021-01-10" in energy["explanation"]["summary_zh"] and energy["explanation"]["event_ids"]
    assert {e["list_code"] for e in overdue["lists_now"]} >= {"red", "not_exited_on_time"}
    assert {i["uscc"] for i in red["items"]} == {ENTERPRISES[1], ENTERPRISES[2]}
    [exit_row] = exits["items"]
    assert (
        exit_row["uscc"] == ENTERPRISES[2]
        and exit_row["entries"][0]["details"]["capacity"]["unit"] == "万吨/年"
    )
    assert affiliates.status_code == 200
    assert {(m["uscc"], m["via_affiliate_of"]) for m in land["items"]} >= {
        (ENTERPRISES[1], None),
        (ENTERPRISES[0], ENTERPRISES[1]),
    }, "the land measure extends to the affiliate"
    assert wrong.status_code == 403 and refused_without_reason.status_code == 422 and done.status_code == 201
    # An enterprise known only as an affiliate has a dossier: the measures that reach it (it once answered 404).
    assert affiliate_only.status_code == 200 and nobody.status_code == 404
    only = affiliate_only.json()
    assert only["affiliated_to"] == [ENTERPRISES[1]] and only["finding_count"] == 0 and only["name"] is None
    assert {m["measure_code"] for m in only["measures"]} >= {"land_supply_restriction"}
    assert all(m["via_affiliate_of"] == ENTERPRISES[1] for m in only["measures"])
    bank = next(m for m in after["measures"] if m["key"] == bank_key)
    assert bank["execution_status"] == "executed" and bank["feedback"][0]["reference"] == "涪银函〔2021〕3号"


async def test_overdue_cases_read_as_overdue_and_suspensions_without_deadline_are_flagged(
    database_url: str, broker: EmbeddedBroker, tmp_path: Any
) -> None:
    """Cases long past their deadline once showed "限期整改中", and a case under 停产整顿 with no deadline was
    never flagged (issue 12): the overdue list says 逾期未整改 with the days, and a list of suspensions without a
    deadline counts the days against the plan's six months (三、(七))."""
    async with bureau_client(ENERGY, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", broker.bootstrap) as client:
        await post_story(client)
        body = finding(
            uscc=AFFILIATE_ONLY, enterprise_name="重庆市涪陵区停产整顿有限公司", severity="serious"
        )
        suspended = (await client.post("/api/v1/findings", json=body, headers=WRITER)).json()["finding_id"]
        step = {"occurred_on": "2020-09-01"}
        r = await client.post(f"/api/v1/cases/{suspended}/production_suspended", json=step, headers=WRITER)
        assert r.status_code == 201, r.text
        bureau_case = (await client.get(f"/api/v1/cases?uscc={ENTERPRISES[1]}", headers=WRITER)).json()
        events = await bureau_events(client)
    async with projected(events, database_url, broker, tmp_path) as (_app, client):
        office = auth("demo-office-viewer")
        overdue = (await client.get("/api/v1/cases/overdue", headers=office)).json()
        flagged = (await client.get("/api/v1/cases/suspended", headers=office)).json()
        await sign_in(client, "demo-office-viewer")
        page = await client.get("/dashboard/")
    # The bureau's own case list reads the same.
    assert bureau_case["items"][0]["state_zh"].startswith("逾期未整改（已逾期")
    (late,) = overdue["items"]
    assert late["uscc"] == ENTERPRISES[1] and late["state"] == "rectifying"
    assert late["state_zh"] == f"逾期未整改（已逾期{-late['days_to_deadline']}天）"
    (row,) = flagged["items"]
    assert (row["uscc"], row["state_since"], row["days_suspended"]) == (AFFILIATE_ONLY, "2020-09-01", 394)
    assert row["six_months_end"] == "2021-03-01" and row["beyond_six_months"] is True
    assert row["basis"] == {"document": "涪经信发〔2020〕85号", "clause": "三、(七)"}
    assert (
        page.status_code == 200 and "停产整顿未定整改期限的案件" in page.text and "已超过6个月" in page.text
    )
