"""Issue 4's end-to-end path through the real broker: findings move an enterprise onto the yellow list and,
as the clock passes the deadline, onto the red list; a decision event appears on the decisions topic and the
dossier explains why."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from phaseout_kit.events.broker import make_consumer
from phaseout_kit.events.envelope import EventEnvelope
from phaseout_kit.registry import DECISIONS_TOPIC
from tests.apps import auth
from tests.conftest import BACKENDS, wait_until
from tests.e2e.platform import running_platform
from tests.integration.test_bureau_api import finding

USCC = finding()["uscc"]
OFFICE = auth("demo-office-admin")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_overdue_rectification_turns_yellow_into_red_with_an_explanation(
    backend: str, tmp_path: Path
) -> None:
    env = {"coordinator": {"PHASEOUT_CLOCK_DATE": "2020-08-01", "PHASEOUT_SCHEDULER_INTERVAL_S": "0.5"}}
    async with running_platform(backend, tmp_path, ("coordinator", "energy"), env=env) as platform:
        energy, coordinator = platform.url("energy"), platform.url("coordinator")
        async with httpx.AsyncClient(timeout=10) as client:
            writer = auth("demo-energy-writer")
            case_id = (await client.post(f"{energy}/api/v1/findings", json=finding(), headers=writer)).json()[
                "finding_id"
            ]
            ordered = await client.post(
                f"{energy}/api/v1/cases/{case_id}/rectification_ordered",
                json={"occurred_on": "2020-07-10"},
                headers=writer,
            )
            assert ordered.status_code == 201 and ordered.json()["deadline"] == "2021-01-10"

            async def status_is(expected: str) -> dict[str, Any] | None:
                r = await client.get(f"{coordinator}/api/v1/enterprises/{USCC}", headers=OFFICE)
                body = r.json() if r.status_code == 200 else {}
                return body if body.get("status", {}).get("overall") == expected else None

            yellow = await wait_until(
                lambda: status_is("yellow"), timeout_s=30, interval_s=0.2, message="yellow card"
            )
            yellow_list = (await client.get(f"{coordinator}/api/v1/lists/yellow", headers=OFFICE)).json()
            assert [i["uscc"] for i in yellow_list["items"]] == [USCC]

            moved = await client.put(
                f"{coordinator}/api/v1/clock", json={"today": "2021-01-11"}, headers=OFFICE
            )
            assert moved.status_code == 200
            red = await wait_until(lambda: status_is("red"), timeout_s=30, interval_s=0.2, message="red card")
            red_list = (await client.get(f"{coordinator}/api/v1/lists/red", headers=OFFICE)).json()
            red_before = (
                await client.get(f"{coordinator}/api/v1/lists/red?as_of=2021-01-10", headers=OFFICE)
            ).json()
            decisions = await decision_events(platform.bootstrap, USCC)
    assert yellow["status"]["dimensions"]["energy"]["status"] == "yellow"
    explanation = red["status"]["dimensions"]["energy"]["explanation"]
    assert "2021-01-10" in explanation["summary_zh"]
    assert any(b["clause"] == "二、(一)" for b in explanation["basis"])
    assert explanation["event_ids"], "the decision names the events it rests on"
    assert [i["uscc"] for i in red_list["items"]] == [USCC] and red_before["total"] == 0
    assert "list_entered" in {e.type.rsplit(".", 1)[-1] for e in decisions}
    assert any(e.data.get("code") == "red" for e in decisions)


async def decision_events(bootstrap: str, uscc: str) -> list[EventEnvelope]:
    consumer = make_consumer(bootstrap, [DECISIONS_TOPIC], group_id=f"test-{uuid.uuid4()}")
    await consumer.start()
    found: list[EventEnvelope] = []
    try:

        async def red_decision() -> bool:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found.extend(
                    e
                    for e in (EventEnvelope.from_kafka(r.key, r.value, list(r.headers)) for r in records)
                    if e.subject == uscc
                )
            return any(e.data.get("code") == "red" for e in found)

        await wait_until(red_decision, timeout_s=30, message="a red-list decision event")
    finally:
        await consumer.stop()
    return found
