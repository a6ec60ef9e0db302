"""The case life cycle over REST on both databases, with an event on the topic for every change."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from phaseout_energy.domain import SPEC as ENERGY
from phaseout_kit.events.broker import EmbeddedBroker, make_consumer
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_technology.domain import SPEC as TECHNOLOGY
from tests.apps import auth, bureau_client
from tests.conftest import wait_until
from tests.integration.test_bureau_api import finding

ENERGY_WRITER = auth("demo-energy-writer")


async def act(
    client: httpx.AsyncClient, case_id: str, action: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/v1/cases/{case_id}/{action}", json=body, headers=headers or ENERGY_WRITER)


async def topic_events(bootstrap: str, topic: str, case_id: str, expected: int) -> list[EventEnvelope]:
    consumer = make_consumer(bootstrap, [topic], group_id=f"test-{uuid.uuid4()}")
    await consumer.start()
    mine: dict[str, EventEnvelope] = {}  # by id: delivery is at least once
    try:

        async def more() -> bool:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for r in records:
                    e = EventEnvelope.from_kafka(r.key, r.value, list(r.headers))
                    if e.data.get("case_id", e.data.get("finding_id")) == case_id:
                        mine[e.id] = e
            return len(mine) >= expected

        await wait_until(more, timeout_s=30, message=f"{expected} events of case {case_id}")
    finally:
        await consumer.stop()
    return sorted(mine.values(), key=lambda e: e.sequence)


async def test_energy_case_from_finding_to_closure_with_an_event_for_every_step(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(ENERGY, database_url, broker.bootstrap) as client:
        case_id = (await client.post("/api/v1/findings", json=finding(), headers=ENERGY_WRITER)).json()[
            "finding_id"
        ]
        steps = [
            ("rectification_ordered", {"occurred_on": "2020-07-10", "document_no": "涪经信节监〔2020〕12号"}),
            ("extension_requested", {"occurred_on": "2020-12-20", "months": 3}),
            ("extension_granted", {"occurred_on": "2020-12-28"}),
            ("rectification_reported", {"occurred_on": "2021-03-15"}),
            ("reinspection_passed", {"occurred_on": "2021-03-30"}),
            ("case_closed", {"occurred_on": "2021-04-02"}),
        ]
        states = []
        for action, payload in steps:
            r = await act(client, case_id, action, **payload)
            assert r.status_code == 201, (action, r.text)
            states.append(r.json()["to_state"])
        case = (await client.get(f"/api/v1/cases/{case_id}", headers=auth("demo-reader"))).json()
        finding_read = (await client.get(f"/api/v1/findings/{case_id}", headers=auth("demo-reader"))).json()
        # Read while the bureau runs: its relay publishes until the outbox is empty. After shutdown it drains for
        # a few seconds only (the rest stays in the outbox for the next start), too short on a loaded machine.
        events = await topic_events(broker.bootstrap, "phaseout.energy.events", case_id, 1 + len(steps))
    assert states == ["rectifying", "extension_requested", "rectifying", "reported", "compliant", "closed"]
    assert case["deadline"] == "2021-04-10" and case["extension_count"] == 1
    assert [h["action"] for h in case["history"]] == [a for a, _ in steps]
    assert case["history"][0]["rule"]["document"] and case["history"][0]["recorded_by"] == "demo:energy"
    assert finding_read["case"]["state"] == "closed"
    assert [e.type.rsplit(".", 2)[-2:] for e in events] == [["finding", "recorded"]] + [
        ["case", a] for a, _ in steps
    ]
    assert all(e.subject == finding()["uscc"] for e in events)


async def test_illegal_transition_names_the_state_and_allowed_actions(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(ENERGY, database_url, broker.bootstrap) as client:
        case_id = (await client.post("/api/v1/findings", json=finding(), headers=ENERGY_WRITER)).json()[
            "finding_id"
        ]
        illegal = await act(client, case_id, "reinspection_passed", occurred_on="2020-08-01")
        missing = await act(client, "no-such-case", "rectification_ordered", occurred_on="2020-08-01")
        future = await act(client, case_id, "rectification_ordered", occurred_on="2099-01-01")
        no_field = await act(client, case_id, "extension_requested")
        other_bureau = await act(
            client, case_id, "rectification_ordered", auth("demo-safety-writer"), occurred_on="2020-08-01"
        )
    assert illegal.status_code == 409
    detail = illegal.json()["detail"]
    assert detail["current_state"] == "found" and "rectification_ordered" in detail["allowed_actions"]
    assert "已认定" in detail["detail"]
    assert missing.status_code == 404
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "occurred_on"]
    assert no_field.status_code == 422 and {tuple(e["loc"]) for e in no_field.json()["detail"]} >= {
        ("body", "occurred_on"),
        ("body", "months"),
    }
    assert other_bureau.status_code == 403


async def test_second_extension_and_over_three_months_are_rejected(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(ENERGY, database_url, broker.bootstrap) as client:
        case_id = (await client.post("/api/v1/findings", json=finding(), headers=ENERGY_WRITER)).json()[
            "finding_id"
        ]
        await act(client, case_id, "rectification_ordered", occurred_on="2020-07-10")
        too_long = await act(client, case_id, "extension_requested", occurred_on="2020-12-01", months=4)
        await act(client, case_id, "extension_requested", occurred_on="2020-12-01", months=1)
        await act(client, case_id, "extension_refused", occurred_on="2020-12-05")
        second = await act(client, case_id, "extension_requested", occurred_on="2020-12-06", months=1)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "months"]
    assert too_long.json()["detail"][0]["rule"]["clause"]
    assert second.status_code == 422 and "仅限1次" in second.json()["detail"][0]["msg"]


async def test_action_idempotency_and_filters(database_url: str, broker: EmbeddedBroker) -> None:
    async with bureau_client(ENERGY, database_url, broker.bootstrap) as client:
        ids = [
            (
                await client.post(
                    "/api/v1/findings", json=finding(found_on=f"2020-0{m}-01"), headers=ENERGY_WRITER
                )
            ).json()["finding_id"]
            for m in (5, 6, 7)
        ]
        key = {**ENERGY_WRITER, "Idempotency-Key": "ORDER-1"}
        first = await act(client, ids[0], "rectification_ordered", key, occurred_on="2020-06-20")
        again = await act(client, ids[0], "rectification_ordered", key, occurred_on="2020-06-20")
        clash = await act(client, ids[0], "rectification_ordered", key, occurred_on="2020-06-21")
        await act(client, ids[1], "rectification_ordered", occurred_on="2020-07-01")
        reader = auth("demo-office-viewer")
        overdue = (await client.get("/api/v1/cases?overdue=true&as_of=2021-01-01", headers=reader)).json()
        found_range = (
            await client.get("/api/v1/cases?found_from=2020-06-01&found_to=2020-07-31", headers=reader)
        ).json()
        page = (await client.get("/api/v1/cases?limit=2&offset=1", headers=reader)).json()
        bad = await client.get("/api/v1/cases?uscc=123", headers=reader)
    assert first.status_code == 201 and again.status_code == 200 and clash.status_code == 409
    assert [c["id"] for c in overdue["items"]] == [ids[0]] and overdue["items"][0]["overdue"] is True
    assert [c["id"] for c in found_range["items"]] == ids[1:]
    assert page["total"] == 3 and [c["id"] for c in page["items"]] == ids[1:]
    assert bad.status_code == 422


async def test_exit_execution_with_steps_on_the_technology_bureau(
    database_url: str, broker: EmbeddedBroker
) -> None:
    writer = auth("demo-technology-writer")
    body = finding(
        finding_type="eliminated_equipment",
        details={
            "catalogue": "2019",
            "item_code": "cbmf2019_cement_01",
            "equipment": "2号立窑",
            "description": "使用淘汰类立窑",
        },
    )
    async with bureau_client(TECHNOLOGY, database_url, broker.bootstrap) as client:
        case_id = (await client.post("/api/v1/findings", json=body, headers=writer)).json()["finding_id"]
        script = [
            ("closure_proposed", {"occurred_on": "2020-08-01"}),
            ("closure_approved", {"occurred_on": "2020-08-20", "document_no": "涪府函〔2020〕88号"}),
            ("water_cut", {"occurred_on": "2020-09-01"}),
            ("power_cut", {"occurred_on": "2020-09-01"}),
            (
                "closure_executed",
                {
                    "occurred_on": "2020-09-03",
                    "way": "line_shut",
                    "line_name": "2号立窑",
                    "capacity": {"value": 20, "unit": "万吨/年"},
                },
            ),
            ("equipment_sealed", {"occurred_on": "2020-09-04", "capacity": {"value": 20, "unit": "万吨/年"}}),
            ("equipment_dismantled", {"occurred_on": "2020-10-01"}),
            ("exit_announced", {"occurred_on": "2020-10-10"}),
        ]
        codes = [(await act(client, case_id, a, writer, **p)).status_code for a, p in script]
        again = await act(client, case_id, "water_cut", writer, occurred_on="2020-10-11")
        case = (await client.get(f"/api/v1/cases/{case_id}", headers=auth("demo-reader"))).json()
    assert codes == [201] * len(script)
    assert again.status_code == 422
    assert case["state"] == "exited" and set(case["exit_steps_done"]) >= {"water_cut", "equipment_dismantled"}
