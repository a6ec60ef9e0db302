"""Casebook, part 3: every story of tests/casebook/stories.py told through the bureaus' own service layer — each
finding through intake and its checks, each step through the case actions, one transaction each, in each
bureau's own database on SQLite and PostgreSQL — then judged from the events the bureaus' outboxes hold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from phaseout_coordinator.domain.engine import decision_diff, evaluate
from phaseout_kit.registry import BUREAUS
from tests.casebook.book import Story, check
from tests.casebook.stories import STORIES
from tests.casebook.tellers import (
    Bureaus,
    bureau_databases,
    published,
    record,
    record_step,
    told_to_the_machine,
    told_to_the_service,
)
from tests.conftest import BACKENDS, backend_database
from tests.unit.test_engine import POLICY, A, D


@pytest.fixture(scope="module", params=BACKENDS)
async def bureaus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Bureaus]:
    """The five bureaus' databases on one backend, shared by the stories (each has its own enterprise)."""
    tmp: Path = tmp_path_factory.mktemp("casebook")
    async with AsyncExitStack() as stack:
        urls = {b: await stack.enter_async_context(backend_database(request.param, tmp, b)) for b in BUREAUS}
        yield await stack.enter_async_context(bureau_databases(urls))


@pytest.mark.parametrize("story", STORIES, ids=[s.code for s in STORIES])
async def test_story(story: Story, bureaus: Bureaus) -> None:
    check(story, await told_to_the_service(story, bureaus, POLICY))


async def test_the_service_and_the_machine_tell_the_same_story(bureaus: Bureaus) -> None:
    """What the bureau stores and publishes (its rule, its deadline, the step details) is what the case machine
    decided: the engine's decisions from the outbox equal those from the machine, on every day a story names."""
    story = next(s for s in STORIES if s.code == "P1")
    story = Story("SAME", story.rules, story.text, story.filed, story.days, story.affiliates)
    service, machine = await told_to_the_service(story, bureaus, POLICY), told_to_the_machine(story, POLICY)
    for d in story.days:
        a, b = service(d.day), machine(d.day)
        assert (a.dimensions, [e.list_code for e in a.lists], len(a.measures)) == (
            b.dimensions,
            [e.list_code for e in b.lists],
            len(b.measures),
        )


async def test_a_decision_is_withdrawn_by_a_step_recorded_later(bureaus: Bureaus) -> None:
    """W1: on 2021-02-01 the energy bureau records that the enterprise reported its rectification on 2020-12-20,
    before the deadline: the red card it held from 2021-01-11 is withdrawn (it was never due), and the
    enterprise is yellow, awaiting re-inspection."""
    e1 = next(s for s in STORIES if s.code == "E1")
    story = Story("W1", e1.rules, e1.text, e1.filed, e1.days)
    (case_id,) = await record(story, bureaus, POLICY)
    day = D(2021, 2, 1)
    was = evaluate(await published(story, bureaus), day, POLICY)
    await record_step(bureaus, "energy", case_id, (A.RECTIFICATION_REPORTED, D(2020, 12, 20)), POLICY)
    now = evaluate(await published(story, bureaus), day, POLICY)
    assert [e.list_code for e in was.lists_on(day)] == ["red"]
    assert [e.list_code for e in now.lists_on(day)] == ["yellow"]
    (withdrawn,) = [c for c in decision_diff(was, now) if c.details.get("withdrawn")]
    assert withdrawn.code == "red" and "据补录的事件撤销" in withdrawn.explanation.summary_zh
