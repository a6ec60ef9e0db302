"""Casebook, part 2: the stories of tests/casebook/stories.py told to the bureaus' checks and case machine (the
same stories go through the bureaus' service layer and databases in tests/integration/test_casebook_service.py).
A reviewer at the office checks a story against 涪经信发〔2020〕85号 and the local rules it names."""

from __future__ import annotations

import pytest

from phaseout_coordinator.domain.model import DIMENSIONS
from tests.casebook.book import Story, check
from tests.casebook.stories import STORIES
from tests.casebook.tellers import told_to_the_machine
from tests.unit.test_engine import POLICY, D, entries


@pytest.mark.parametrize("story", STORIES, ids=[s.code for s in STORIES])
def test_story(story: Story) -> None:
    check(story, told_to_the_machine(story, POLICY))


def test_the_casebook_covers_every_local_rule_and_dimension() -> None:
    told = {rule for s in STORIES for rule in s.rules}
    assert {r.key for r in POLICY.coordinator.records} <= told
    assert {f.bureau for s in STORIES for f in s.filed} == set(DIMENSIONS)
    assert len(STORIES) >= 40 and len({s.code for s in STORIES}) == len({s.uscc for s in STORIES}) == len(
        STORIES
    )


@pytest.mark.parametrize(
    ("story", "way_zh"),
    [("X1", "关闭"), ("T3", "拆除设备"), ("X3", "取缔"), ("T2", "封存主体设备"), ("Q3", "生产线停产退出")],
)
def test_each_exit_names_its_way(story: str, way_zh: str) -> None:
    s = next(x for x in STORIES if x.code == story)
    (exit_entry,) = entries(told_to_the_machine(s, POLICY)(D(2022, 6, 1)), "annual_exit")
    assert exit_entry.details["way_zh"] == way_zh
