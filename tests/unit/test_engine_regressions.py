"""Wrong decisions found by trying the platform as a user (issue 12), each pinned by the story that showed it.

Each test failed before its fix; the cause is named in the test's docstring."""

from __future__ import annotations

from datetime import date

import pytest

from phaseout_bureau.domain.cases import ActionRejected, Case, CaseState, RectificationOrder, decide
from phaseout_coordinator.domain.engine import decision_diff
from phaseout_coordinator.domain.model import Status
from tests.unit.test_engine import POLICY, A, D, Facts, entries


def closed_energy_case(facts: Facts) -> str:
    """An energy case that fails its re-inspection and is closed down (关闭) on 2021-01-19, then 结案."""
    return facts.case(
        "energy",
        D(2020, 6, 18),
        (A.RECTIFICATION_ORDERED, D(2020, 6, 22)),
        (A.RECTIFICATION_REPORTED, D(2020, 11, 10)),
        (A.REINSPECTION_FAILED, D(2020, 11, 28)),
        (A.CLOSURE_PROPOSED, D(2020, 12, 5)),
        (A.CLOSURE_APPROVED, D(2020, 12, 20)),
        (A.CLOSURE_EXECUTED, D(2021, 1, 19), {"way": "closed"}),
        (A.EQUIPMENT_SEALED, D(2021, 1, 20)),
        (A.CASE_CLOSED, D(2021, 3, 10)),
    )


def test_a_closed_enterprise_leaves_the_yellow_list_of_its_other_cases() -> None:
    """Cause: each case was judged alone, so an environment case awaiting re-inspection stayed 黄牌 after the
    enterprise itself was closed (关闭)."""
    facts = Facts()
    closed_energy_case(facts)
    other = facts.case(
        "environment",
        D(2020, 7, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 7, 5), {"deadline": D(2021, 1, 5)}),
        (A.RECTIFICATION_REPORTED, D(2020, 12, 1)),
        finding_type="seriously_over_standard",
    )
    before, after = facts.at(D(2021, 1, 18)), facts.at(D(2021, 9, 30))
    assert before.dimensions["environment"] is Status.YELLOW
    (yellow,) = [e for e in entries(after, "yellow") if e.case_id == other]
    assert yellow.interval.end == D(2021, 1, 19)
    assert not [e for e in after.lists_on(D(2021, 9, 30)) if e.list_code == "yellow"]
    assert after.status is Status.EXITED and after.dimensions["environment"] is Status.EXITED
    why = after.dimension_explanations["environment"]
    assert "2021-01-19" in why.summary_zh and "关闭" in why.summary_zh and why.basis
    assert [e.case_id for e in entries(after, "annual_exit")] != [other]  # no second exit of its own


def test_a_line_exit_does_not_end_the_enterprises_other_cases() -> None:
    facts = Facts()
    facts.case(
        "energy",
        D(2020, 6, 18),
        (A.PRODUCTION_SUSPENDED, D(2020, 6, 18)),
        (A.CLOSURE_PROPOSED, D(2020, 7, 1)),
        (A.CLOSURE_APPROVED, D(2020, 7, 10)),
        (A.CLOSURE_EXECUTED, D(2020, 8, 1), {"way": "line_shut", "line_name": "1号电解系列"}),
    )
    facts.case("safety", D(2020, 7, 1), (A.RECTIFICATION_ORDERED, D(2020, 7, 2)), finding_type="major_hazard")
    assert facts.at(D(2020, 9, 1)).dimensions["safety"] is Status.YELLOW


def test_the_exit_is_explained_once_with_its_own_date() -> None:
    """Cause: every later step (封存, 结案) started a new stretch of the timeline, explained again as
    "…执行关停退出" with the step's date."""
    facts = Facts()
    closed_energy_case(facts)
    a = facts.at(D(2021, 9, 30))
    (exit_entry,) = entries(a, "annual_exit")
    assert exit_entry.explanation.summary_zh.count("执行关停退出") == 1
    assert "2021-01-19执行关停退出（关闭）" in exit_entry.explanation.summary_zh
    assert "2021-03-10" not in exit_entry.explanation.summary_zh
    assert len(exit_entry.explanation.event_ids) >= 8  # the closing steps stay part of its evidence


def test_an_exit_by_sealing_or_dismantling_names_its_way() -> None:
    """Cause: the exit's way was read from an executed closure only; sealing or dismantling the main equipment
    is itself the exit (方案二、(五)), and left 退出方式 empty."""
    for step, way, way_zh in (
        (A.EQUIPMENT_SEALED, "equipment_sealed", "封存主体设备"),
        (A.EQUIPMENT_DISMANTLED, "equipment_removed", "拆除设备"),
    ):
        facts = Facts()
        facts.case(
            "technology",
            D(2020, 6, 19),
            (A.PRODUCTION_SUSPENDED, D(2020, 6, 19)),
            (step, D(2020, 6, 25)),
            finding_type="eliminated_equipment",
            industry="steel",
        )
        (exit_entry,) = entries(facts.at(D(2020, 12, 31)), "annual_exit")
        assert (exit_entry.details["way"], exit_entry.details["way_zh"]) == (way, way_zh)
        assert f"（{way_zh}）" in exit_entry.explanation.summary_zh


def test_eliminated_equipment_of_the_technology_bureau_is_red_with_the_differential_price() -> None:
    """Cause: the policy data mapped the rule to a finding type "equipment" the technology bureau does not
    have (its code is eliminated_equipment)."""
    facts = Facts()
    facts.case("technology", D(2020, 6, 28), finding_type="eliminated_equipment", industry="steel")
    a = facts.at(D(2020, 7, 1))
    assert a.dimensions["technology"] is Status.RED and entries(a, "red")[0].details["reason"] == "eliminated"
    (price,) = a.prices
    assert (price.kind, price.category) == ("differential", "淘汰类")


@pytest.mark.parametrize(
    ("dimension", "notice", "deadline", "document"),
    [
        ("energy", D(2016, 12, 31), None, None),
        ("energy", D(2017, 1, 1), D(2017, 7, 1), "工信部联产业〔2017〕30号"),
        ("quality", D(2019, 3, 5), D(2019, 9, 5), "工信部联产业〔2017〕30号"),
        ("safety", D(2020, 6, 14), D(2020, 12, 14), "工信部联产业〔2017〕30号"),
        ("safety", D(2020, 6, 15), D(2020, 12, 15), "涪经信发〔2020〕85号"),
    ],
)
def test_orders_from_2017_get_the_six_months_of_the_national_opinion(
    dimension: str, notice: date, deadline: date | None, document: str | None
) -> None:
    """Cause: the policy data held the 6-month rule only from the district plan (2020-06-15), so an order
    before it got no deadline; the rule comes from 工信部联产业〔2017〕30号, which the plans restate."""
    case = Case(CaseState.FOUND, notice, notice)
    body = RectificationOrder(occurred_on=notice)
    if deadline is None:
        with pytest.raises(ActionRejected, match="请填写整改期限"):
            decide(
                case, A.RECTIFICATION_ORDERED, body, dimension=dimension, policy=POLICY, today=D(2026, 12, 7)
            )  # type: ignore[arg-type]
        return
    decision = decide(
        case, A.RECTIFICATION_ORDERED, body, dimension=dimension, policy=POLICY, today=D(2026, 12, 7)
    )  # type: ignore[arg-type]
    assert decision.case.deadline == deadline and decision.applied_rule
    assert decision.applied_rule["document"] == document
    facts = Facts()
    facts.case(dimension, notice, (A.RECTIFICATION_ORDERED, notice), finding_type="x")
    (yellow,) = entries(facts.at(notice), "yellow")
    assert document in {b.document for b in yellow.explanation.basis}


def test_moving_the_clock_back_withdraws_what_is_not_yet_due_without_blaming_a_back_filled_event() -> None:
    """Cause: every withdrawal was explained as "据补录的事件撤销", also when the demo clock moved back."""
    facts = Facts()
    closed_energy_case(facts)
    later, earlier = facts.at(D(2021, 9, 30)), facts.at(D(2020, 12, 1))
    withdrawn = [c for c in decision_diff(later, earlier) if c.details.get("withdrawn")]
    assert withdrawn and all("平台日期调回2020-12-01" in c.explanation.summary_zh for c in withdrawn)
    assert not [c for c in withdrawn if "补录" in c.explanation.summary_zh]
    # A late event that shows a decision was never due is still said so: a report made before the deadline,
    # recorded after the red card was published.
    late = Facts()
    case_id = late.case("energy", D(2020, 7, 1))
    ordered = late.step(
        case_id,
        "energy",
        Case(CaseState.FOUND, D(2020, 7, 1), D(2020, 7, 1)),
        A.RECTIFICATION_ORDERED,
        D(2020, 7, 10),
        {},
    )
    before = late.at(D(2021, 9, 30))
    late.step(case_id, "energy", ordered, A.RECTIFICATION_REPORTED, D(2020, 12, 1), {})
    gone = [c for c in decision_diff(before, late.at(D(2021, 9, 30))) if c.details.get("withdrawn")]
    assert gone and all("据补录的事件撤销" in c.explanation.summary_zh for c in gone)


def test_one_card_per_dimension_the_red_one_stands() -> None:
    """Two energy cases, one overdue (红牌 from 2021-01-11), one found later and still rectifying: the enterprise
    was on both the 黄牌 and the 红牌 list for energy; the yellow entry gives way while the red one holds."""
    facts = Facts()
    facts.case("energy", D(2020, 7, 1), (A.RECTIFICATION_ORDERED, D(2020, 7, 10)))
    facts.case("energy", D(2020, 12, 1), (A.RECTIFICATION_ORDERED, D(2020, 12, 5)))
    a = facts.at(D(2021, 3, 1))
    on_day = {e.list_code for e in a.lists_on(D(2021, 3, 1)) if e.dimension == "energy"}
    assert on_day == {"red"} and a.dimensions["energy"] is Status.RED
    yellow_pieces = [(e.case_id, e.interval.start, e.interval.end) for e in entries(a, "yellow")]
    assert ("energy-2", D(2020, 12, 1), D(2021, 1, 11)) in yellow_pieces
    assert all(end is not None and end <= D(2021, 1, 11) for _, _, end in yellow_pieces)
