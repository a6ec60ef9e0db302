"""Casebook, part 1: the rules an audit could delete with no test failing (issue 12). Each case is a short,
dated story told through the bureaus' own state machine, with what the plan says should follow.

Dates: an energy finding on 2020-07-01, ordered to rectify on 2020-07-10 (6 months: deadline 2021-01-10), is
red from 2021-01-11; the exit deadline (coordinator rule exit_deadline: 6 months from the first red day) is
2021-07-11, so 未按期完成退出 from 2021-07-12.
"""

from __future__ import annotations

from datetime import date

import pytest

from phaseout_bureau.domain.cases import Action, ActionRejected, Case, CaseState, decide, state_label_zh
from phaseout_coordinator.domain.model import Status
from tests.unit.test_case_machine import POLICY, TODAY, body, case_in
from tests.unit.test_engine import A, D, Facts, emitter, entries

ORDERED = (A.RECTIFICATION_ORDERED, D(2020, 7, 10))
RED_FROM, EXIT_DEADLINE = D(2021, 1, 11), D(2021, 7, 11)


def overdue(facts: Facts, *later: tuple, severity: str = "serious", bureau: str = "energy") -> str:
    kind = {"energy": "energy_limit_exceeded", "safety": "major_hazard", "quality": "spot_check_failed"}[
        bureau
    ]
    return facts.case(bureau, D(2020, 7, 1), ORDERED, *later, severity=severity, finding_type=kind)


def test_a_report_awaiting_reinspection_stays_yellow_past_its_deadline() -> None:
    """二、(一): the deadline is to rectify; a rectification reported in time awaits the re-inspection as 黄牌
    (整改完成待复查), not 红牌, even when the re-inspection comes after the deadline."""
    facts = Facts()
    overdue(facts, (A.RECTIFICATION_REPORTED, D(2020, 12, 20)))
    a = facts.at(D(2021, 3, 1))
    assert a.dimensions["energy"] is Status.YELLOW and not entries(a, "red")
    (yellow,) = [e for e in entries(a, "yellow") if e.interval.contains(D(2021, 3, 1))]
    assert "整改完成待复查" in yellow.explanation.summary_zh


def test_the_over_standard_list_holds_from_the_finding_until_compliance() -> None:
    """二、(二): 超标排放 enterprises are listed (超标排放企业名单) from the finding until the case is rectified."""
    facts = Facts()
    facts.case(
        "environment",
        D(2020, 8, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 8, 2), {"deadline": D(2020, 10, 31)}),
        (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
        (A.REINSPECTION_PASSED, D(2020, 10, 20)),
        finding_type="pollutant_over_standard",
        derived=emitter("over_standard", "超标排放"),
    )
    (listed,) = entries(facts.at(D(2021, 1, 1)), "over_standard")
    assert (listed.interval.start, listed.interval.end) == (D(2020, 8, 1), D(2020, 10, 20))
    assert listed.explanation.basis


def test_waiting_for_reinspection_does_not_interrupt_the_exit_obligation() -> None:
    """A red case that reports a rectification after its deadline is yellow while it waits, but its six months
    to exit keep running from the first red day: failing again, it is 未按期完成退出 from 2021-07-12."""
    facts = Facts()
    overdue(facts, (A.RECTIFICATION_REPORTED, D(2021, 3, 1)), (A.REINSPECTION_FAILED, D(2021, 5, 1)))
    a = facts.at(D(2021, 8, 1))
    (late,) = entries(a, "not_exited_on_time")
    assert late.interval.start == EXIT_DEADLINE + (D(2020, 1, 2) - D(2020, 1, 1))
    assert late.details["required_since"] == RED_FROM.isoformat()


@pytest.mark.parametrize(("exited_on", "listed"), [(D(2021, 7, 12), False), (D(2021, 7, 13), True)])
def test_the_exit_deadline_boundary_day(exited_on: date, listed: bool) -> None:
    """An exit on the first day past the exit deadline leaves no day on the list; a day later it does."""
    facts = Facts()
    overdue(
        facts,
        (A.CLOSURE_PROPOSED, D(2021, 2, 1)),
        (A.CLOSURE_APPROVED, D(2021, 3, 1)),
        (A.CLOSURE_EXECUTED, exited_on, {"way": "line_shut", "line_name": "1号电解系列"}),
    )
    found = entries(facts.at(D(2021, 12, 31)), "not_exited_on_time")
    assert bool(found) is listed
    if listed:
        assert (found[0].interval.start, found[0].interval.end) == (D(2021, 7, 12), exited_on)


def test_overlapping_exit_delays_make_one_period_with_the_worst_severity() -> None:
    """Two cases late to exit at overlapping times: one stretch of measures; the graver delay (a grave one brings
    the 严重失信主体 measures, 三、(八)) adds its measures from its own start (2021-08-12), never before: a
    measure imposed on a day rests on a delay of that day (a defect found by the casebook's story P7)."""
    facts = Facts()
    overdue(facts, severity="general")
    facts.case(
        "quality",
        D(2020, 8, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 8, 10)),
        severity="grave",
        finding_type="spot_check_failed",
    )
    a = facts.at(D(2021, 12, 1))
    general = Facts()
    overdue(general, severity="general")
    first = {m.measure_code for m in general.at(D(2021, 12, 1)).measures}
    starts = {m.measure_code: m.interval.start for m in a.measures if not m.via_affiliate_of}
    assert set(starts) > first
    assert {code: start for code, start in starts.items() if code in first} == dict.fromkeys(
        first, D(2021, 7, 12)
    )
    assert {start for code, start in starts.items() if code not in first} == {D(2021, 8, 12)}
    assert {m.earliest_lift_on for m in a.measures} == {
        D(2024, 8, 12)
    }  # 特定严重失信: 36 months from 2021-08-12
    assert {
        m.measure_code for m in facts.at(D(2021, 8, 11)).measures
    } == first  # nothing of the grave one yet


def test_a_grave_finding_uses_the_gravest_credit_class_in_force() -> None:
    """credit_severity: 严重 → 特定严重失信 where the instrument in force has it (527号, 2019), else 严重失信."""
    facts = Facts()
    overdue(facts, severity="grave")
    measures = facts.at(D(2021, 12, 1)).measures
    cited = {b.document for m in measures for b in m.explanation.basis}
    assert any("527" in (d or "") for d in cited)
    serious = Facts()
    overdue(serious, severity="serious")
    lifts = {m.earliest_lift_on for m in measures} - {None}
    serious_lifts = {m.earliest_lift_on for m in serious.at(D(2021, 12, 1)).measures} - {None}
    assert lifts and serious_lifts and lifts != serious_lifts


def test_safety_exit_delays_use_the_safety_publication_period() -> None:
    """credit_scope: a delay caused by a safety case is published as a safety-production penalty (令第58号:
    one year at least from 2023-05-01), other dimensions as a general penalty."""
    safety, energy = Facts(), Facts()
    for facts, bureau, kind in (
        (safety, "safety", "major_hazard"),
        (energy, "energy", "energy_limit_exceeded"),
    ):
        facts.case(
            bureau,
            D(2023, 7, 1),
            (A.RECTIFICATION_ORDERED, D(2023, 7, 10)),
            severity="general",
            finding_type=kind,
        )
    s, e = safety.at(D(2025, 1, 1)).measures, energy.at(D(2025, 1, 1)).measures
    assert s and e
    assert {m.earliest_lift_on for m in s} != {m.earliest_lift_on for m in e}


def test_a_grant_may_not_exceed_the_months_requested() -> None:
    """二、(一): 不超过3个月的延期申请 — what is granted is at most what was asked (2 asked: 3 refused)."""
    requested = decide(
        case_in(CaseState.RECTIFYING),
        Action.EXTENSION_REQUESTED,
        body(Action.EXTENSION_REQUESTED, months=2),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    with pytest.raises(ActionRejected, match="不能超过申请"):
        decide(
            requested,
            Action.EXTENSION_GRANTED,
            body(Action.EXTENSION_GRANTED, months=3),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )


@pytest.mark.parametrize("before", [CaseState.NONCOMPLIANT, CaseState.RECTIFYING, CaseState.SUSPENDED])
def test_a_rejected_closure_returns_the_case_to_where_it_was(before: CaseState) -> None:
    proposed = decide(
        case_in(before),
        Action.CLOSURE_PROPOSED,
        body(Action.CLOSURE_PROPOSED),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    rejected = decide(
        proposed,
        Action.CLOSURE_REJECTED,
        body(Action.CLOSURE_REJECTED, on=date(2020, 9, 1)),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    assert rejected.state is before


@pytest.mark.parametrize("deadline", [date(2020, 8, 31), date(2020, 8, 30)])
def test_a_deadline_on_or_before_the_notice_is_refused(deadline: date) -> None:
    with pytest.raises(ActionRejected, match="整改期限应晚于通知日期"):
        decide(
            case_in(CaseState.FOUND),
            Action.RECTIFICATION_ORDERED,
            body(Action.RECTIFICATION_ORDERED, deadline=deadline),
            dimension="environment",
            policy=POLICY,
            today=TODAY,
        )


def test_a_step_may_be_recorded_on_the_day_it_happened() -> None:
    """Back-dating is allowed and today is allowed; only a future date is refused (its boundary day)."""
    on_today = decide(
        case_in(CaseState.FOUND),
        Action.RECTIFICATION_ORDERED,
        body(Action.RECTIFICATION_ORDERED, on=TODAY),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    )
    assert on_today.case.last_occurred_on == TODAY
    with pytest.raises(ActionRejected, match="晚于今天"):
        decide(
            case_in(CaseState.FOUND),
            Action.RECTIFICATION_ORDERED,
            body(Action.RECTIFICATION_ORDERED, on=date(2021, 7, 1)),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("on", "label"),
    [
        (date(2021, 2, 28), "限期整改中"),
        (date(2021, 3, 1), "逾期未整改（已逾期1天）"),
        (date(2021, 5, 29), "逾期未整改（已逾期90天）"),
    ],
)
def test_a_case_past_its_deadline_reads_as_overdue(on: date, label: str) -> None:
    case = case_in(CaseState.RECTIFYING)  # deadline 2021-02-28
    assert state_label_zh(case.state, case.deadline, on) == label
    assert state_label_zh(CaseState.REPORTED, case.deadline, on) == "整改完成待复查"


def test_which_production_measure_a_step_records() -> None:
    for action, measure in (
        (Action.PRODUCTION_SUSPENDED, "suspended"),
        (Action.PRODUCTION_RESTRICTED, "restricted"),
    ):
        after = decide(
            case_in(CaseState.RECTIFYING),
            action,
            body(action),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        ).case
        assert after.production_measure == measure and after.state is CaseState.RECTIFYING


def test_passing_the_reinspection_lifts_the_production_measure() -> None:
    """停产整顿 ends with the re-inspection passed: the case no longer carries a production measure."""
    suspended = decide(
        case_in(CaseState.REPORTED),
        Action.PRODUCTION_SUSPENDED,
        body(Action.PRODUCTION_SUSPENDED),
        dimension="safety",
        policy=POLICY,
        today=TODAY,
    ).case
    assert suspended.production_measure == "suspended"
    passed = decide(
        suspended,
        Action.REINSPECTION_PASSED,
        body(Action.REINSPECTION_PASSED, on=date(2020, 9, 1)),
        dimension="safety",
        policy=POLICY,
        today=TODAY,
    ).case
    assert passed.state is CaseState.COMPLIANT and passed.production_measure is None


def test_an_order_with_its_own_deadline_still_cites_the_rule_in_force() -> None:
    """An energy order may set an earlier deadline than six months; the decision still cites 二、(一)."""
    decision = decide(
        case_in(CaseState.FOUND),
        Action.RECTIFICATION_ORDERED,
        body(Action.RECTIFICATION_ORDERED, deadline=date(2020, 12, 31)),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    )
    assert decision.case.deadline == date(2020, 12, 31)
    assert decision.applied_rule is not None and decision.applied_rule["clause"] == "二、(一)"
    no_rule = decide(
        Case(CaseState.FOUND, date(2016, 5, 1), date(2016, 5, 1)),
        Action.RECTIFICATION_ORDERED,
        body(Action.RECTIFICATION_ORDERED, on=date(2016, 5, 3), deadline=date(2016, 9, 1)),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    )
    assert no_rule.applied_rule is None  # before 2017 no rule was in force: the order's own deadline alone
