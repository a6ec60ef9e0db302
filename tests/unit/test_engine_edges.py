"""Edges of the engine that mutation testing showed no test pinned (a mutant of each survived until this file):
how a stretch's explanation reads, since when a case is in its state, and which cases a closure ends."""

from __future__ import annotations

from dataclasses import replace

from pydantic import TypeAdapter

from phaseout_coordinator.domain.engine import decision_diff
from phaseout_coordinator.domain.model import Assessment, Status
from tests.casebook.stories import STORIES
from tests.casebook.tellers import told_to_the_machine
from tests.unit.test_engine import POLICY, A, D, Facts, entries
from tests.unit.test_engine_regressions import closed_energy_case


def test_a_stretch_reads_how_it_began_and_where_it_stands_with_its_label_once() -> None:
    """S1: ordered to rectify by 2021-03-01, rectification reported: one 黄牌 stretch whose explanation names
    both, under one label."""
    a = told_to_the_machine(next(s for s in STORIES if s.code == "S1"), POLICY)(D(2020, 11, 20))
    (stretch,) = a.cases[0].timeline
    summary = stretch.explanation.summary_zh
    assert summary.count("认定）：") == 1
    assert summary.startswith("安全（2020-09-01认定）：限期整改中，整改期限2021-03-01")
    assert summary.endswith("；整改完成待复查")


def test_since_when_a_case_is_in_its_state() -> None:
    """E5: 复查不合格 on 2020-10-20; E2: back to 限期整改 when the extension was granted (2020-12-28)."""
    for code, day, since in (("E5", D(2020, 11, 1), D(2020, 10, 20)), ("E2", D(2021, 2, 1), D(2020, 12, 28))):
        a = told_to_the_machine(next(s for s in STORIES if s.code == code), POLICY)(day)
        assert a.cases[0].state_since == since, code


def test_a_case_found_on_the_day_the_enterprise_closed_ends_with_it() -> None:
    facts = Facts()
    closed_energy_case(facts)  # 关闭 on 2021-01-19
    facts.case(
        "quality", D(2021, 1, 19), (A.RECTIFICATION_ORDERED, D(2021, 1, 19)), finding_type="spot_check_failed"
    )
    a = facts.at(D(2021, 1, 19))
    assert a.dimensions["quality"] is Status.EXITED
    assert not [e for e in a.lists_on(D(2021, 1, 19)) if e.list_code == "yellow"]


def test_a_red_case_ended_by_the_closure_keeps_its_red_stretch() -> None:
    """A safety case red from 2021-03-02 ends with the enterprise's closure on 2021-06-01: red until then."""
    facts = Facts()
    safety = facts.case(
        "safety", D(2020, 9, 1), (A.RECTIFICATION_ORDERED, D(2020, 9, 1)), finding_type="major_hazard"
    )
    facts.case(
        "energy",
        D(2020, 7, 1),
        (A.CLOSURE_PROPOSED, D(2021, 4, 1)),
        (A.CLOSURE_APPROVED, D(2021, 5, 1)),
        (A.CLOSURE_EXECUTED, D(2021, 6, 1), {"way": "closed"}),
    )
    a = facts.at(D(2021, 7, 1))
    reds = [(e.interval.start, e.interval.end) for e in entries(a, "red") if e.case_id == safety]
    assert reds == [(D(2021, 3, 2), D(2021, 6, 1))]
    (case,) = [c for c in a.cases if c.case_id == safety]
    assert [(s.status, s.interval.start) for s in case.timeline] == [
        (Status.YELLOW, D(2020, 9, 1)),
        (Status.RED, D(2021, 3, 2)),
        (Status.EXITED, D(2021, 6, 1)),
    ]


def test_a_later_delay_of_the_same_severity_keeps_the_measures_for_its_own_minimum_period() -> None:
    """Two serious delays, from 2021-07-12 and 2021-09-12: the second's credit information is published for its
    own six months, so the measures last until 2022-03-12 even if both cases exit by 2021-10-01."""
    facts = Facts()
    for found, ordered in ((D(2020, 7, 1), D(2020, 7, 10)), (D(2020, 9, 1), D(2020, 9, 10))):
        facts.case(
            "energy",
            found,
            (A.RECTIFICATION_ORDERED, ordered),
            (A.CLOSURE_PROPOSED, D(2021, 9, 13)),
            (A.CLOSURE_APPROVED, D(2021, 9, 20)),
            (A.CLOSURE_EXECUTED, D(2021, 10, 1), {"way": "line_shut", "line_name": f"{found}线"}),
        )
    a = facts.at(D(2022, 6, 1))
    own = [m for m in a.measures if not m.via_affiliate_of]
    assert {(m.interval.start, m.interval.end, m.earliest_lift_on) for m in own} == {
        (D(2021, 7, 12), D(2022, 3, 12), D(2022, 3, 12))
    }


def test_a_delay_joins_the_stretch_still_running_not_an_earlier_one() -> None:
    """A first delay (2021-07-12, exit 2021-08-01: measures until 2021-10-12) and two later ones (from 2022-03-01
    and 2022-04-02) that overlap: two stretches of measures, not three."""
    facts = Facts()
    facts.case(
        "energy",
        D(2020, 7, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 7, 10)),
        (A.CLOSURE_PROPOSED, D(2021, 7, 15)),
        (A.CLOSURE_APPROVED, D(2021, 7, 20)),
        (A.CLOSURE_EXECUTED, D(2021, 8, 1), {"way": "line_shut", "line_name": "1号线"}),
        severity="general",
    )
    for found, ordered in ((D(2021, 2, 20), D(2021, 2, 27)), (D(2021, 3, 20), D(2021, 3, 30))):
        facts.case("energy", found, (A.RECTIFICATION_ORDERED, ordered), severity="general")
    a = facts.at(D(2022, 6, 1))
    land = sorted(
        (m.interval.start, m.interval.end)
        for m in a.measures
        if m.measure_code == "land_supply_restriction" and not m.via_affiliate_of
    )
    assert land == [(D(2021, 7, 12), D(2021, 10, 12)), (D(2022, 3, 1), None)]


def test_only_a_granted_extension_is_called_one() -> None:
    e1 = next(s for s in STORIES if s.code == "E1")
    e2 = next(s for s in STORIES if s.code == "E2")
    overdue = told_to_the_machine(e1, POLICY)(D(2021, 2, 1)).dimension_explanations["energy"]
    extended = told_to_the_machine(e2, POLICY)(D(2021, 5, 1)).dimension_explanations["energy"]
    assert "延期" not in overdue.summary_zh and "（含批准的延期）" in extended.summary_zh


def test_an_order_published_without_its_deadline_gets_the_policys() -> None:
    """A rectification order whose event carries no deadline (a bureau release that did not send it): the
    engine applies the plan's six months from the notice (2020-07-10 → 2021-01-10, red from 2021-01-11)."""
    facts = Facts()
    facts.case("energy", D(2020, 7, 1), (A.RECTIFICATION_ORDERED, D(2020, 7, 10)))
    facts.steps[-1] = replace(facts.steps[-1], deadline=None)
    assert facts.at(D(2021, 1, 10)).dimensions["energy"] is Status.YELLOW
    assert facts.at(D(2021, 1, 11)).dimensions["energy"] is Status.RED


def test_an_emitter_listing_names_its_reasons() -> None:
    """V4: 颗粒物 99 mg/m³ against 30: the 超标排放严重 entry says why."""
    v4 = next(s for s in STORIES if s.code == "V4")
    a = told_to_the_machine(v4, POLICY)(D(2020, 8, 1))
    (entry,) = [e for e in a.lists if e.list_code == "seriously_over_standard"]
    assert entry.explanation.summary_zh.endswith("超标排放严重（超过排放限值 2.3 倍（≥1 倍））")


def test_why_a_listing_ended_is_found_in_an_assessment_reloaded_from_storage() -> None:
    """The projector compares with assessments read back from JSON: the yellow card's end (2021-01-11) is
    explained by the case's red stretch from that day, whatever objects hold the dates and ids."""
    e1 = next(s for s in STORIES if s.code == "E1")
    assess = told_to_the_machine(e1, POLICY)
    adapter = TypeAdapter(Assessment)
    after = adapter.validate_python(adapter.dump_python(assess(D(2021, 1, 11)), mode="json"))
    (left,) = [c for c in decision_diff(assess(D(2021, 1, 10)), after) if c.kind == "list_left"]
    assert "逾期未整改" in left.explanation.summary_zh


def test_capacity_managed_as_eliminated_is_explained_as_such_and_marked() -> None:
    t5 = next(s for s in STORIES if s.code == "T5")
    (red,) = [e for e in told_to_the_machine(t5, POLICY)(D(2026, 3, 2)).lists if e.list_code == "red"]
    assert "参照淘汰类管理" in red.explanation.summary_zh and "未经参考数据核对" in red.explanation.summary_zh
