"""The coordinator's policy engine: every rule with concrete dates, and properties of order and rebuilds.

Cases are built by replaying the bureaus' own state machine (``decide``), so steps carry the states and
deadlines a bureau would publish.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from phaseout_bureau.domain.cases import (
    Action,
    ActionRejected,
    Case,
    CaseState,
    IllegalTransition,
    allowed_actions,
    decide,
    payload_model,
)
from phaseout_bureau.results import typed_result
from phaseout_coordinator.domain.engine import decision_diff, evaluate
from phaseout_coordinator.domain.invariants import Entry, entry_problems
from phaseout_coordinator.domain.model import (
    DIMENSIONS,
    Assessment,
    CaseStep,
    EnterpriseFacts,
    Finding,
    Status,
)
from phaseout_energy.checks import comparison
from phaseout_policy import load_policy
from tests.casebook.book import step_fields, typical_derived

POLICY = load_policy()
USCC = "91500102MA5U7RGE16"
AFFILIATES = ("91500102MA5U7RGF0X", "91500102MA5U7RGH7Y")
LINE = {"name": "1号电解系列", "equipment": "电解槽", "capacity": {"value": "5", "unit": "万吨/年"}}
A = Action
D = date
FOUND = D(2020, 7, 1)


def over_limit(ratio: float) -> dict[str, Any]:
    """An energy bureau's result (phaseout_bureau.results.EnergyLimitResult) with the ratio over the limit."""
    return {
        "product_key": "aluminium_liquid_ac_electricity_consumption",
        "measured_value": 13000 * (1 + ratio),
        "limit": 13000,
        "over_limit": True,
        "ratio_over_limit": ratio,
        "category": "over_limit_within_1x" if ratio <= 1 else "over_limit_beyond_1x",
    }


def emitter(emitter_class: str, label_zh: str) -> dict[str, Any]:
    """An environment bureau's result (EmitterClassification)."""
    return {"emitter_class": emitter_class, "emitter_class_zh": label_zh, "emitter_class_reasons_zh": []}


@dataclass
class Facts:
    """Builds an enterprise's facts the way the bureaus publish them."""

    findings: list[Finding] = field(default_factory=list)
    steps: list[CaseStep] = field(default_factory=list)
    affiliates: tuple[str, ...] = ()
    sequences: Counter[str] = field(default_factory=Counter)
    uscc: str = USCC
    name: str = "示范铝业"

    def case(
        self,
        bureau: str,
        found_on: date,
        *actions: tuple[Action, date] | tuple[Action, date, dict[str, Any]],
        finding_type: str = "energy_limit_exceeded",
        severity: str = "serious",
        derived: dict[str, Any] | None = None,
        industry: str = "electrolytic_aluminium",
        line: dict[str, Any] | None = None,
    ) -> str:
        case_id = f"{bureau}-{len(self.findings) + 1}"
        self.findings.append(
            Finding(
                event_id=f"found-{case_id}",
                case_id=case_id,
                bureau=bureau,
                uscc=self.uscc,
                enterprise_name=self.name,
                finding_type=finding_type,
                found_on=found_on,
                severity=severity,
                industry=industry,
                legal_basis="涪经信发〔2020〕85号",
                production_line=line or LINE,
                derived=derived or {},
                # None: a finding whose check result no rule of the test reads (no punitive price, no emitter list)
                result=None if derived is None else typed_result(bureau, finding_type, derived),
            )
        )
        state = Case(CaseState.FOUND, found_on, found_on)
        for action, on, *extra in actions:
            state = self.step(case_id, bureau, state, action, on, extra[0] if extra else {})
        return case_id

    def step(
        self, case_id: str, bureau: str, case: Case, action: Action, on: date, extra: dict[str, Any]
    ) -> Case:
        body = payload_model(action).model_validate(step_fields(action, on, extra))
        new = decide(case, action, body, dimension=bureau, policy=POLICY, today=D(2030, 1, 1)).case  # type: ignore[arg-type]
        self.sequences[bureau] += 1
        seq = self.sequences[bureau]
        self.steps.append(
            CaseStep(
                event_id=f"step-{bureau}-{seq}",
                case_id=case_id,
                bureau=bureau,
                action=action.value,
                from_state=case.state.value,
                to_state=new.state.value,
                occurred_on=on,
                deadline=new.deadline,
                details=body.model_dump(mode="json", exclude={"occurred_on", "evidence"}),
                rule=None,
                sequence=seq,
            )
        )
        return new

    def build(self) -> EnterpriseFacts:
        return EnterpriseFacts(self.uscc, self.name, tuple(self.findings), tuple(self.steps), self.affiliates)

    def at(self, day: date) -> Assessment:
        return evaluate(self.build(), day, POLICY)


def overdue_energy(severity: str = "serious", *later: Any, found: date = FOUND) -> Facts:
    facts = Facts(affiliates=AFFILIATES)
    facts.case(
        "energy", found, (A.RECTIFICATION_ORDERED, found + timedelta(days=9)), *later, severity=severity
    )
    return facts


def entries(a: Assessment, code: str) -> list[Any]:
    return [e for e in a.lists if e.list_code == code]


def clauses(explanation: Any) -> set[str | None]:
    return {b.clause for b in explanation.basis}


# ---- statuses, deadlines, lists ------------------------------------------------------------------------------


def test_six_months_yellow_until_deadline_then_red_with_explanation() -> None:
    facts = overdue_energy()
    on_deadline, day_after = facts.at(D(2021, 1, 10)), facts.at(D(2021, 1, 11))
    case = on_deadline.cases[0]
    assert (case.deadline, case.days_to_deadline, case.overdue) == (D(2021, 1, 10), 0, False)
    assert on_deadline.status is Status.YELLOW and on_deadline.next_change_on == D(2021, 1, 11)
    assert [e.interval.start for e in entries(on_deadline, "yellow")] == [D(2020, 7, 1)]
    assert on_deadline.due_within(30) == (case,)

    assert day_after.status is Status.RED and day_after.dimensions["energy"] is Status.RED
    assert day_after.cases[0].overdue and day_after.cases[0].days_to_deadline == -1
    (yellow,), (red,) = entries(day_after, "yellow"), entries(day_after, "red")
    assert (yellow.interval.start, yellow.interval.end) == (D(2020, 7, 1), D(2021, 1, 11))
    assert (red.interval.start, red.interval.end, red.details["reason"]) == (D(2021, 1, 11), None, "overdue")
    assert "二、(一)" in clauses(red.explanation) and "四、(三)" in clauses(red.explanation)
    assert "2021-01-10" in red.explanation.summary_zh
    assert red.explanation.event_ids == ("found-energy-1", "step-energy-1")


def test_one_extension_of_three_months_moves_the_red_date() -> None:
    facts = overdue_energy(
        "serious", (A.EXTENSION_REQUESTED, D(2020, 12, 20)), (A.EXTENSION_GRANTED, D(2020, 12, 28))
    )
    assert facts.at(D(2021, 1, 11)).status is Status.YELLOW
    assert facts.at(D(2021, 4, 10)).cases[0].deadline == D(2021, 4, 10)
    red = facts.at(D(2021, 4, 11))
    (entry,) = entries(red, "red")
    assert red.status is Status.RED and entry.interval.start == D(2021, 4, 11)
    assert "含批准的延期" in entry.explanation.summary_zh
    assert "ext_energy" in {b.rule_id for b in entry.explanation.basis}


def test_rectified_is_compliant_and_the_yellow_card_ends_on_the_reinspection_date() -> None:
    facts = overdue_energy(
        "serious", (A.RECTIFICATION_REPORTED, D(2020, 12, 1)), (A.REINSPECTION_PASSED, D(2020, 12, 15))
    )
    before, after = facts.at(D(2020, 12, 14)), facts.at(D(2021, 6, 1))
    assert before.status is Status.YELLOW and after.status is Status.COMPLIANT
    (yellow,) = entries(after, "yellow")
    assert (yellow.interval.start, yellow.interval.end) == (D(2020, 7, 1), D(2020, 12, 15))
    assert after.next_change_on is None and not entries(after, "red")
    (left,) = decision_diff(before, after)
    assert (left.kind, left.code, left.effective_on) == ("list_left", "yellow", D(2020, 12, 15))
    assert "复查合格" in left.explanation.summary_zh


def test_failed_reinspection_is_red_from_that_day() -> None:
    facts = overdue_energy(
        "serious", (A.RECTIFICATION_REPORTED, D(2020, 11, 1)), (A.REINSPECTION_FAILED, D(2020, 11, 20))
    )
    (red,) = entries(facts.at(D(2020, 11, 20)), "red")
    assert red.interval.start == D(2020, 11, 20) and red.details["reason"] == "noncompliant"
    assert "经整改仍未达标" in red.explanation.summary_zh


# ---- not exited on time, joint punishment, lifting -----------------------------------------------------------


def test_overdue_not_exited_on_time_brings_joint_punishment_for_enterprise_and_affiliates() -> None:
    facts = overdue_energy("serious")  # red from 2021-01-11; exit deadline = red + 6 months = 2021-07-11
    on_deadline, after = facts.at(D(2021, 7, 11)), facts.at(D(2021, 7, 12))
    assert not entries(on_deadline, "not_exited_on_time") and not on_deadline.measures
    assert on_deadline.next_change_on == D(2021, 7, 12)
    (late,) = entries(after, "not_exited_on_time")
    assert late.interval.start == D(2021, 7, 12) and late.details["exit_deadline"] == "2021-07-11"
    assert {"三、(八)", "二、(一)"} <= clauses(late.explanation)
    assert "本平台运行规则（待领导小组办公室确认）" in {b.document for b in late.explanation.basis}

    own = {m.measure_code: m for m in after.measures if m.uscc == USCC}
    expected = {m.code for m in POLICY.measures("exit_not_completed_on_time")} | {
        m.code for m in POLICY.measures("serious_dishonest_entity")
    }
    assert set(own) == expected and len(own) == 10
    assert own["land_supply_restriction"].target_unit == "planning_natural_resources"
    assert own["bank_credit_restriction"].target_unit == "banks"
    assert own["credit_information_publication"].explanation.basis[0].clause == "三、(八)"
    assert all(m.interval.start == D(2021, 7, 12) for m in after.measures)

    extended = [m for m in after.measures if m.via_affiliate_of]
    assert {(m.measure_code, m.uscc, m.via_affiliate_of) for m in extended} == {
        ("land_supply_restriction", a, USCC) for a in AFFILIATES
    }
    changes = decision_diff(on_deadline, after)
    assert {c.kind for c in changes} == {"list_entered", "measure_imposed"}
    assert {c.uscc for c in changes if c.code == "land_supply_restriction"} == {USCC, *AFFILIATES}


def test_general_severity_gets_only_the_not_exited_measures() -> None:
    codes = {m.measure_code for m in overdue_energy("general").at(D(2021, 8, 1)).measures}
    assert codes == {m.code for m in POLICY.measures("exit_not_completed_on_time")}


def exit_steps(approved: date, executed: date) -> tuple[Any, ...]:
    return (
        (A.CLOSURE_PROPOSED, approved - timedelta(days=10)),
        (A.CLOSURE_APPROVED, approved),
        (A.CLOSURE_EXECUTED, executed, {"way": "line_shut", "line_name": "1号电解系列"}),
    )


def test_lifting_after_exit_waits_for_the_minimum_publication_period_of_527() -> None:
    facts = overdue_energy("serious", *exit_steps(D(2021, 8, 1), D(2021, 9, 1)))
    during = facts.at(D(2021, 10, 1))
    assert during.status is Status.EXITED
    (late,) = entries(during, "not_exited_on_time")
    assert (late.interval.start, late.interval.end) == (D(2021, 7, 12), D(2021, 9, 1))
    land = next(
        m for m in during.measures if m.measure_code == "land_supply_restriction" and not m.via_affiliate_of
    )
    # imposed 2021-07-12 under 发改办财金〔2019〕527号: 严重失信, at least 6 months
    assert land.earliest_lift_on == D(2022, 1, 12) and land.interval.end is None
    assert during.next_change_on == D(2021, 12, 31) + timedelta(days=1)  # red list as 已依法关闭 ends first
    assert "发改办财金〔2019〕527号" in {b.document for b in land.explanation.basis}

    lifted = facts.at(D(2022, 1, 12))
    assert not lifted.measures_on(D(2022, 1, 12)) and lifted.measures_on(D(2022, 1, 11))
    assert {m.interval.end for m in lifted.measures} == {D(2022, 1, 12)}
    kinds = Counter(c.kind for c in decision_diff(during, lifted))
    assert kinds == {
        "measure_lifted": 12,
        "list_left": 1,
    }  # 10 measures + 2 affiliates; 已依法关闭 at year end


@pytest.mark.parametrize(
    ("found", "imposed", "earliest", "document"),
    [
        (D(2020, 7, 1), D(2021, 7, 12), D(2022, 1, 12), "发改办财金〔2019〕527号"),  # 严重失信: ≥ 6 months
        (
            D(2022, 6, 1),
            D(2023, 6, 12),
            D(2023, 9, 12),
            "国家发展改革委令第58号",
        ),  # from 2023-05-01: ≥ 3 months
        (
            D(2025, 9, 1),
            D(2026, 9, 12),
            D(2027, 9, 12),
            "国家发展改革委令第36号",
        ),  # from 2026-04-01: ≥ 1 year
    ],
)
def test_minimum_publication_period_follows_the_instrument_in_force_on_the_decision_date(
    found: date, imposed: date, earliest: date, document: str
) -> None:
    executed = imposed + timedelta(days=20)
    facts = overdue_energy("serious", *exit_steps(executed - timedelta(days=10), executed), found=found)
    a = facts.at(earliest + timedelta(days=1))
    land = next(
        m for m in a.measures if m.measure_code == "land_supply_restriction" and not m.via_affiliate_of
    )
    assert (land.interval.start, land.earliest_lift_on, land.interval.end) == (imposed, earliest, earliest)
    assert document in {b.document for b in land.explanation.basis}


def test_exit_after_the_minimum_period_lifts_on_the_exit_date() -> None:
    facts = overdue_energy("general", *exit_steps(D(2022, 3, 1), D(2022, 4, 1)))
    assert {m.interval.end for m in facts.at(D(2022, 6, 1)).measures} == {D(2022, 4, 1)}


def test_exit_list_entry_and_red_list_as_closed_until_year_end() -> None:
    facts = overdue_energy("serious", *exit_steps(D(2021, 8, 1), D(2021, 9, 1)))
    a = facts.at(D(2022, 2, 1))
    (exit_entry,) = entries(a, "annual_exit")
    assert exit_entry.details | {"capacity": None} == {
        "year": 2021,
        "exited_on": "2021-09-01",
        "line": "1号电解系列",
        "equipment": "电解槽",
        "capacity": None,
        "way": "line_shut",
        "way_zh": "生产线停产退出",
        "ends_enterprise": False,  # a line exits; the enterprise stays (local rule enterprise_exit_ways)
    }
    assert exit_entry.details["capacity"] == LINE["capacity"] and exit_entry.interval.end is None
    red = sorted(entries(a, "red"), key=lambda e: e.interval.start)
    assert [(e.details["reason"], e.interval.start, e.interval.end) for e in red] == [
        ("closure", D(2021, 1, 11), D(2021, 9, 1)),
        ("closed", D(2021, 9, 1), D(2022, 1, 1)),
    ]
    assert a.status is Status.EXITED and a.cases[0].state == "exited"


# ---- technology and environment ------------------------------------------------------------------------------


def test_eliminated_equipment_is_red_at_once_with_differential_price_until_exit() -> None:
    facts = Facts()
    facts.case(
        "technology",
        D(2020, 8, 3),
        *exit_steps(D(2020, 9, 1), D(2020, 10, 15)),
        finding_type="eliminated_equipment",
        industry="steel",
    )
    a = facts.at(D(2020, 8, 3))
    (red,) = entries(a, "red")
    assert a.status is Status.RED and red.details["reason"] == "eliminated"
    assert "二、(五)" in clauses(red.explanation)
    (price,) = a.prices
    assert (price.kind, price.category, price.surcharge_yuan_per_kwh) == ("differential", "淘汰类", 0.5)
    assert facts.at(D(2021, 1, 1)).prices[0].interval.end == D(2020, 10, 15)


def test_environment_seriously_over_standard_list_until_compliant() -> None:
    facts = Facts()
    derived = {**emitter("seriously_over_standard", "超标排放严重"), "ratio_over_limit": 1.5}
    facts.case(
        "environment",
        D(2020, 9, 1),
        (A.PRODUCTION_SUSPENDED, D(2020, 9, 1)),
        (A.RECTIFICATION_REPORTED, D(2020, 11, 1)),
        (A.REINSPECTION_PASSED, D(2020, 11, 20)),
        finding_type="emission_exceedance",
        derived=derived,
    )
    a = facts.at(D(2020, 12, 1))
    (listed,) = entries(a, "seriously_over_standard")
    assert (listed.interval.start, listed.interval.end) == (D(2020, 9, 1), D(2020, 11, 20))
    assert not entries(a, "over_standard") and not a.prices
    assert {"seriously_over_standard_emitter_v1", "seriously_over_standard_emitters"} <= {
        b.rule_id for b in listed.explanation.basis
    }
    assert "low" in {b.confidence for b in listed.explanation.basis}


def test_a_stretch_that_ends_the_day_it_starts_is_no_decision() -> None:
    """Found and stopped (or rectified) on one day: no list entry, price or decision that holds on no day."""
    facts = Facts()
    facts.case(
        "technology",
        FOUND,
        (A.POWER_CUT, FOUND),
        (A.RECTIFICATION_ORDERED, FOUND, {"deadline": D(2020, 9, 29)}),
        finding_type="equipment",
        industry="steel",
    )
    facts.case(
        "environment",
        FOUND,
        (A.RECTIFICATION_ORDERED, FOUND, {"deadline": D(2020, 9, 29)}),
        (A.RECTIFICATION_REPORTED, FOUND),
        (A.REINSPECTION_PASSED, FOUND),
        finding_type="emission_exceedance",
        derived=emitter("over_standard", "超标排放"),
    )
    a = facts.at(D(2021, 1, 1))
    assert not a.prices and not entries(a, "over_standard")
    assert all(i.interval.end is None or i.interval.start < i.interval.end for i in (*a.lists, *a.measures))
    assert not [c for c in decision_diff(None, a) if c.code in ("differential", "over_standard")]


# ---- electricity prices --------------------------------------------------------------------------------------


def test_punitive_price_over_1x_vs_within_1x() -> None:
    facts = Facts()
    facts.case("energy", D(2020, 7, 1), derived=over_limit(1.2))
    facts.case(
        "energy",
        D(2020, 7, 1),
        (A.RECTIFICATION_ORDERED, D(2020, 7, 1)),
        (A.RECTIFICATION_REPORTED, D(2020, 10, 1)),
        (A.REINSPECTION_PASSED, D(2020, 10, 20)),
        derived=over_limit(0.5),
    )
    over, within = sorted(facts.at(D(2020, 12, 1)).prices, key=lambda p: p.case_id or "")
    assert (over.kind, over.category, over.surcharge_yuan_per_kwh) == ("punitive", "淘汰类", 0.3)
    assert (within.category, within.surcharge_yuan_per_kwh) == ("限制类", 0.1)
    assert over.confidence == "medium" and "置信度中" in over.explanation.summary_zh
    assert "发改价格〔2010〕978号" in {b.document for b in over.explanation.basis}
    assert over.interval.end is None and within.interval.end == D(2020, 10, 20)


def test_aluminium_edition_reaches_the_engine_only_through_the_bureaus_derived_ratio() -> None:
    key = "aluminium_liquid_ac_electricity_consumption"
    facts = Facts()
    for found in (D(2020, 7, 1), D(2024, 7, 1)):
        limit = POLICY.energy_limit(key, found)
        assert limit is not None
        facts.case("energy", found, derived=comparison(limit, 27000))  # GB 21346-2013 vs GB 21346-2022
    by_year = {p.interval.start.year: p.category for p in facts.at(D(2024, 8, 1)).prices}
    assert by_year == {2020: "限制类", 2024: "淘汰类"}


def test_aluminium_tiered_price_for_the_year_of_the_check_without_a_card() -> None:
    facts = Facts()
    derived = {"measured_value": 13750, "tier": 2, "surcharge_yuan_per_kwh": 0.02}
    facts.case("energy", D(2021, 3, 1), finding_type="tiered_price_check", derived=derived)
    facts.case(
        "energy",
        D(2021, 3, 1),
        finding_type="tiered_price_check",
        derived={"measured_value": 13600, "tier": 1, "surcharge_yuan_per_kwh": 0.0},
    )
    a = facts.at(D(2021, 3, 1))
    (price,) = a.prices
    assert (price.kind, price.category, price.surcharge_yuan_per_kwh, price.confidence) == (
        "tiered",
        "第2档",
        0.02,
        "high",
    )
    assert a.status is Status.COMPLIANT and not a.lists and not a.cases
    assert a.next_change_on == D(2022, 1, 1)
    assert "发改价格〔2013〕2530号" in {b.document for b in price.explanation.basis}


def test_decision_diff_from_nothing_and_across_the_deadline() -> None:
    facts = overdue_energy()
    first = decision_diff(None, facts.at(D(2020, 7, 1)))
    assert [(c.kind, c.code, c.effective_on) for c in first] == [("list_entered", "yellow", D(2020, 7, 1))]
    changes = decision_diff(facts.at(D(2021, 1, 10)), facts.at(D(2021, 1, 11)))
    assert [(c.kind, c.code, c.effective_on) for c in changes] == [
        ("list_entered", "red", D(2021, 1, 11)),
        ("list_left", "yellow", D(2021, 1, 11)),
    ]
    assert "逾期未整改" in changes[1].explanation.summary_zh  # why it left: the red card's reason


def test_late_extension_withdraws_a_red_card() -> None:
    facts = overdue_energy()
    red = facts.at(D(2021, 1, 12))
    facts = overdue_energy(
        "serious", (A.EXTENSION_REQUESTED, D(2021, 1, 5)), (A.EXTENSION_GRANTED, D(2021, 1, 8))
    )
    changes = decision_diff(red, facts.at(D(2021, 1, 12)))
    assert [(c.kind, c.code, c.effective_on, c.details) for c in changes] == [
        ("list_entered", "yellow", D(2021, 1, 11), {"reinstated": True}),
        ("list_left", "red", D(2021, 1, 11), {"reason": "overdue", "withdrawn": True}),
    ]
    assert changes[1].explanation.summary_zh.startswith("更正")


def projected_entries(a: Assessment) -> list[Entry]:
    """The assessment's list entries as the projection stores them (what a publication is checked against)."""
    return [
        Entry(
            a.uscc,
            e.list_code,
            e.dimension,
            e.case_id,
            e.interval.start,
            e.interval.end,
            tuple((b.document, b.clause) for b in e.explanation.basis),
            len(e.explanation.event_ids),
            e.details,
        )
        for e in a.lists
    ]


# ---- properties ----------------------------------------------------------------------------------------------

FINDING_TYPES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "energy": [
        ("energy_limit_exceeded", over_limit(0.4)),
        ("energy_limit_exceeded", over_limit(1.3)),
        ("tiered_price_check", {"measured_value": 13900, "tier": 3, "surcharge_yuan_per_kwh": 0.05}),
    ],
    "environment": [
        ("emission_exceedance", emitter("over_standard", "超标排放")),
        ("evasive_discharge", emitter("seriously_over_standard", "超标排放严重")),
    ],
    "quality": [("spot_check_failed", typical_derived("quality", "spot_check_failed", POLICY))],
    "safety": [("major_hazard", typical_derived("safety", "major_hazard", POLICY))],
    "technology": [  # eliminated equipment is red from the finding, with the differential price until its exit
        ("eliminated_equipment", typical_derived("technology", "eliminated_equipment", POLICY)),
        ("illegal_steel_patrol", {}),
    ],
}
IMMEDIATE = {"environment", "technology"}  # the order must give its own deadline


@st.composite
def enterprises(draw: st.DrawFn) -> Facts:
    """Up to four cases across bureaus, each moved through legal steps of the bureaus' state machine."""
    facts = Facts(affiliates=draw(st.sampled_from(((), AFFILIATES[:1]))))
    for _ in range(draw(st.integers(1, 4))):
        bureau = draw(st.sampled_from(DIMENSIONS))
        finding_type, derived = draw(st.sampled_from(FINDING_TYPES[bureau]))
        found = D(2020, 7, 1) + timedelta(days=draw(st.integers(0, 1200)))
        case_id = facts.case(
            bureau,
            found,
            finding_type=finding_type,
            derived=derived,
            severity=draw(st.sampled_from(("general", "serious", "grave"))),
            industry="steel",
        )
        case, day = Case(CaseState.FOUND, found, found), found
        for _ in range(draw(st.integers(0, 7))):
            action = draw(st.sampled_from(allowed_actions(case.state) or [A.CASE_CLOSED]))
            day += timedelta(days=draw(st.integers(0, 200)))
            extra = {"deadline": day + timedelta(days=90)} if action is A.RECTIFICATION_ORDERED else {}
            if action is A.RECTIFICATION_ORDERED and bureau not in IMMEDIATE:
                extra = {}
            try:
                case = facts.step(case_id, bureau, case, action, day, extra)
            except (ActionRejected, IllegalTransition):
                continue
    return facts


def as_of_dates() -> st.SearchStrategy[date]:
    return st.dates(D(2020, 6, 1), D(2026, 12, 31))


def rebuilt(facts: Facts, findings: Any, steps: Any) -> EnterpriseFacts:
    return EnterpriseFacts(USCC, "示范铝业", tuple(findings), tuple(steps), facts.affiliates)


@settings(max_examples=50, deadline=None)
@given(enterprises(), as_of_dates(), st.randoms(use_true_random=False))
def test_order_of_arrival_does_not_change_the_assessment(
    facts: Facts, as_of: date, rnd: random.Random
) -> None:
    findings, steps = list(facts.findings), list(facts.steps)
    rnd.shuffle(findings)
    rnd.shuffle(steps)  # interleaves the bureaus' steps in any order, and one bureau's too
    assert evaluate(rebuilt(facts, findings, steps), as_of, POLICY) == facts.at(as_of)


@settings(max_examples=50, deadline=None)
@given(enterprises(), as_of_dates(), st.randoms(use_true_random=False))
def test_a_rebuild_reproduces_the_state(facts: Facts, as_of: date, rnd: random.Random) -> None:
    events = [*facts.findings, *facts.steps]
    rnd.shuffle(events)
    half = len(events) // 2
    first = events[:half]
    partial = rebuilt(
        facts, [e for e in first if isinstance(e, Finding)], [e for e in first if isinstance(e, CaseStep)]
    )
    whole = rebuilt(
        facts,
        [e for e in events if isinstance(e, Finding)]
        + [e for e in first if isinstance(e, Finding)],  # redelivered
        [e for e in events[half:] if isinstance(e, CaseStep)] + [e for e in first if isinstance(e, CaseStep)],
    )
    truth = facts.at(as_of)
    assert evaluate(whole, as_of, POLICY) == truth

    # A projection kept up to date by decision events ends where a rebuild from all events does.
    projected: set[tuple[Any, ...]] = set()
    previous = None
    for assessment in (evaluate(partial, as_of, POLICY), truth):
        for c in decision_diff(previous, assessment):
            key = (c.code, c.uscc, c.case_id, c.started_on)
            (projected.add if c.kind.endswith(("entered", "imposed", "instructed")) else projected.discard)(
                key
            )
        previous = assessment
    in_force = (
        {(e.list_code, USCC, e.case_id, e.interval.start) for e in truth.lists_on(as_of)}
        | {(m.measure_code, m.uscc, None, m.interval.start) for m in truth.measures_on(as_of)}
        | {(p.kind, USCC, p.case_id, p.interval.start) for p in truth.prices_on(as_of)}
    )
    assert projected == in_force


def enterprise_closed_on(a: Assessment) -> date | None:
    ways = ("closed", "banned")
    return min(
        (e.interval.start for e in entries(a, "annual_exit") if e.details["way"] in ways), default=None
    )


def found_before(a: Assessment, day: date) -> set[str]:
    return {c.case_id for c in a.cases if c.found_on < day}


@settings(max_examples=50, deadline=None)
@given(enterprises(), as_of_dates(), st.lists(st.integers(0, 2400), max_size=8))
def test_statuses_agree_with_the_lists_on_every_day(facts: Facts, as_of: date, offsets: list[int]) -> None:
    a = facts.at(as_of)
    intervals = (
        [e.interval for e in a.lists] + [m.interval for m in a.measures] + [p.interval for p in a.prices]
    )
    intervals += [s.interval for c in a.cases for s in c.timeline]
    assert all(i.end is None or i.start < i.end <= as_of for i in intervals)
    assert all(i.start <= as_of for i in intervals)
    assert a.status == a.status_on(as_of) and all(
        a.dimensions[d] == a.dimension_on(d, as_of) for d in DIMENSIONS
    )
    assert a.next_change_on is None or a.next_change_on > as_of
    for day in [
        as_of,
        *(D(2020, 6, 1) + timedelta(days=o) for o in offsets if D(2020, 6, 1) + timedelta(days=o) <= as_of),
    ]:
        listed = a.lists_on(day)

        def on(code: str, listed: Any = listed) -> set[str | None]:
            return {e.case_id for e in listed if e.list_code == code and e.details.get("reason") != "closed"}

        assert {c.case_id for c in a.cases if c.status_on(day) is Status.RED} == on("red"), day
        # 黄牌 per case, except in a dimension on the red list that day: one card per dimension and day.
        red_dims = {
            e.dimension for e in listed if e.list_code == "red" and e.details.get("reason") != "closed"
        }
        yellow = {
            c.case_id for c in a.cases if c.status_on(day) is Status.YELLOW and c.bureau not in red_dims
        }
        assert yellow == on("yellow"), day
        for d in DIMENSIONS:
            cards = {
                e.list_code
                for e in listed
                if e.dimension == d
                and e.list_code in ("yellow", "red")
                and e.details.get("reason") != "closed"
            }
            assert len(cards) <= 1 and (a.dimension_on(d, day) is Status.YELLOW) == (cards == {"yellow"}), d
        # A case exits on its own (on the annual exit list) or ends with its enterprise's closure (关闭/取缔).
        closed = enterprise_closed_on(a)
        exited = {c.case_id for c in a.cases if c.status_on(day) is Status.EXITED}
        assert on("annual_exit") <= exited and (exited == on("annual_exit") or (closed and closed <= day))
        if closed and closed <= day:  # no yellow card after the closure for what was found before it
            assert not {e.case_id for e in listed if e.list_code == "yellow"} & found_before(a, closed)
        worst = a.status_on(day)
        assert (worst is Status.COMPLIANT) == (not on("yellow") and not on("red") and not on("annual_exit"))
        assert {e.case_id for e in listed if e.list_code == "not_exited_on_time"} <= {
            c.case_id for c in a.cases if c.status_on(day) in (Status.RED, Status.YELLOW)
        }


def test_an_assessment_stored_before_severity_and_policy_version_were_recorded_still_loads() -> None:
    """Projections stored by an earlier release lack the fields added since: they load and are compared."""
    adapter = TypeAdapter(Assessment)
    a = overdue_energy().at(D(2021, 2, 1))
    stored = {
        k: v
        for k, v in adapter.dump_python(a, mode="json").items()
        if k not in ("severity", "policy_version")
    }
    old = adapter.validate_python(stored)
    assert old.severity == () and old.policy_version == ""
    assert decision_diff(old, a) == []


def test_every_decision_records_the_policy_version_it_was_made_under() -> None:
    a = overdue_energy().at(D(2021, 2, 1))
    changes = decision_diff(None, a)
    assert a.policy_version == POLICY.version and changes
    assert {c.policy_version for c in changes} == {POLICY.version}


def test_a_stored_assessment_reloaded_from_json_publishes_nothing_new() -> None:
    adapter = TypeAdapter(Assessment)
    a = overdue_energy("serious", *exit_steps(D(2021, 8, 1), D(2021, 9, 1))).at(D(2021, 10, 1))
    reloaded = adapter.validate_python(adapter.dump_python(a, mode="json"))
    assert reloaded == a and decision_diff(reloaded, a) == []


@settings(max_examples=50, deadline=None)
@given(enterprises(), as_of_dates(), st.lists(st.integers(0, 2400), max_size=6))
def test_every_decision_is_founded_and_publishable(facts: Facts, as_of: date, offsets: list[int]) -> None:
    """Every list entry, measure and price instruction cites a document with its clause and rests on an event;
    every exit has a way; and no day's lists break the invariants a publication is checked against."""
    a = facts.at(as_of)
    for decision in (*a.lists, *a.measures, *a.prices):
        assert any(b.document and b.clause for b in decision.explanation.basis), decision
        assert decision.explanation.event_ids, decision
    assert all(e.details.get("way") for e in entries(a, "annual_exit"))
    projected = projected_entries(a)
    for day in {as_of, *(D(2020, 6, 1) + timedelta(days=o) for o in offsets)}:
        if day <= as_of:
            listed = [e for e in projected if e.on(day) or e.list_code == "annual_exit"]
            assert entry_problems(listed, [], day) == [], day
