"""One district clock in the embedded profile: moving the coordinator's date (PUT /api/v1/clock) moves every
service's, so a bureau calls a case overdue on the very day the coordinator puts its enterprise on the red list."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from phaseout_platform.launcher import shared_clock
from tests.apps import auth
from tests.conftest import BACKENDS, wait_until
from tests.e2e.platform import running_platform
from tests.integration.test_bureau_api import finding

USCC = finding()["uscc"]
OFFICE = auth("demo-office-admin")
READER = auth("demo-reader")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_moving_the_embedded_clock_moves_a_bureaus_overdue_cases_and_the_coordinators_lists(
    backend: str, tmp_path: Path
) -> None:
    env = shared_clock(tmp_path, date(2020, 8, 1))
    env["coordinator"]["PHASEOUT_SCHEDULER_INTERVAL_S"] = "0.5"
    async with running_platform(backend, tmp_path, ("coordinator", "energy"), env=env) as platform:
        energy, coordinator = platform.url("energy"), platform.url("coordinator")
        async with httpx.AsyncClient(timeout=10) as client:
            writer = auth("demo-energy-writer")
            created = await client.post(f"{energy}/api/v1/findings", json=finding(), headers=writer)
            case_id = created.json()["finding_id"]
            ordered = await client.post(
                f"{energy}/api/v1/cases/{case_id}/rectification_ordered",
                json={"occurred_on": "2020-07-10"},
                headers=writer,
            )
            assert ordered.status_code == 201 and ordered.json()["deadline"] == "2021-01-10"

            async def both() -> tuple[dict[str, Any], dict[str, Any], set[str], set[str]]:
                bureau_clock = (await client.get(f"{energy}/api/v1/cases/{case_id}", headers=READER)).json()
                overdue = (await client.get(f"{energy}/api/v1/cases?overdue=true", headers=READER)).json()
                red = (await client.get(f"{coordinator}/api/v1/lists/red", headers=OFFICE)).json()
                return (
                    bureau_clock,
                    (await client.get(f"{coordinator}/api/v1/clock", headers=OFFICE)).json(),
                    {c["id"] for c in overdue["items"]},
                    {i["uscc"] for i in red["items"]},
                )

            async def on_the_yellow_list() -> bool:
                yellow = (await client.get(f"{coordinator}/api/v1/lists/yellow", headers=OFFICE)).json()
                return USCC in {i["uscc"] for i in yellow["items"]}

            await wait_until(on_the_yellow_list, timeout_s=30, interval_s=0.2, message="yellow card")
            case_before, clock_before, overdue_before, red_before = await both()

            moved = await client.put(
                f"{coordinator}/api/v1/clock", json={"today": "2021-01-11"}, headers=OFFICE
            )
            assert moved.status_code == 200, moved.text

            async def red_and_overdue() -> tuple[Any, ...] | None:
                state = await both()
                return state if state[3] == {USCC} and state[2] == {case_id} else None

            case_after, clock_after, overdue_after, red_after = await wait_until(
                red_and_overdue,
                timeout_s=30,
                interval_s=0.2,
                message="overdue at the bureau, red at the office",
            )
    assert clock_before == {"today": "2020-08-01", "fixed": True} and clock_after["today"] == "2021-01-11"
    assert case_before["overdue"] is False and overdue_before == set() and red_before == set()
    assert case_after["overdue"] is True and overdue_after == {case_id} and red_after == {USCC}
