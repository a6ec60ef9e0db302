"""Every transition of the case state machine, legal and illegal, and the plan's deadline rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from phaseout_bureau.domain.cases import (
    EXIT_STEPS,
    TRANSITIONS,
    Action,
    ActionRejected,
    Case,
    CaseState,
    IllegalTransition,
    decide,
    payload_model,
)
from phaseout_policy import load_policy
from tests.casebook.book import step_fields

POLICY = load_policy()
TODAY = date(2021, 6, 30)
FOUND = date(2020, 7, 1)


def body(action: Action, on: date = date(2020, 8, 31), **extra: Any) -> Any:
    return payload_model(action).model_validate(step_fields(action, on, extra))


def case_in(state: CaseState) -> Case:
    deadline = date(2021, 2, 28) if state in (CaseState.RECTIFYING, CaseState.EXTENSION_REQUESTED) else None
    return Case(
        state=state,
        found_on=FOUND,
        last_occurred_on=FOUND,
        deadline=deadline,
        requested_months=(3 if state is CaseState.EXTENSION_REQUESTED else None),
        state_before_proposal=(CaseState.NONCOMPLIANT if state is CaseState.CLOSURE_PROPOSED else None),
    )


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("action", list(Action))
def test_each_action_is_allowed_exactly_in_its_source_states(state: CaseState, action: Action) -> None:
    sources, target = TRANSITIONS[action]
    if state not in sources:
        with pytest.raises(IllegalTransition):
            decide(case_in(state), action, body(action), dimension="energy", policy=POLICY, today=TODAY)
        return
    decision = decide(case_in(state), action, body(action), dimension="energy", policy=POLICY, today=TODAY)
    if target is not None:
        assert decision.case.state is target
    elif action is Action.CLOSURE_REJECTED:
        assert decision.case.state is CaseState.NONCOMPLIANT
    elif action in (Action.PRODUCTION_RESTRICTED, Action.PRODUCTION_SUSPENDED) and state is CaseState.FOUND:
        assert decision.case.state is CaseState.SUSPENDED
    else:
        assert decision.case.state is state


def test_rectification_deadline_is_six_months_from_policy_with_its_clause() -> None:
    decision = decide(
        case_in(CaseState.FOUND),
        Action.RECTIFICATION_ORDERED,
        body(Action.RECTIFICATION_ORDERED),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    )
    assert decision.case.deadline == date(2021, 2, 28)  # 2020-08-31 + 6 months, clamped to month end
    assert decision.applied_rule is not None and decision.applied_rule["document"]


def test_environment_orders_need_an_explicit_deadline() -> None:
    with pytest.raises(ActionRejected) as caught:
        decide(
            case_in(CaseState.FOUND),
            Action.RECTIFICATION_ORDERED,
            body(Action.RECTIFICATION_ORDERED),
            dimension="environment",
            policy=POLICY,
            today=TODAY,
        )
    assert caught.value.field == "deadline"
    given = body(Action.RECTIFICATION_ORDERED, deadline=date(2020, 10, 31))
    decision = decide(
        case_in(CaseState.FOUND),
        Action.RECTIFICATION_ORDERED,
        given,
        dimension="environment",
        policy=POLICY,
        today=TODAY,
    )
    assert decision.case.deadline == date(2020, 10, 31)


def test_energy_extension_once_and_at_most_three_months() -> None:
    rectifying = case_in(CaseState.RECTIFYING)
    with pytest.raises(ActionRejected, match="3") as too_long:
        decide(
            rectifying,
            Action.EXTENSION_REQUESTED,
            body(Action.EXTENSION_REQUESTED, months=4),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )
    assert too_long.value.field == "months" and too_long.value.rule is not None
    requested = decide(
        rectifying,
        Action.EXTENSION_REQUESTED,
        body(Action.EXTENSION_REQUESTED, months=2),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    granted = decide(
        requested,
        Action.EXTENSION_GRANTED,
        body(Action.EXTENSION_GRANTED),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    assert granted.deadline == date(2021, 4, 28) and granted.extension_count == 1
    with pytest.raises(ActionRejected, match="仅限1次"):
        decide(
            granted,
            Action.EXTENSION_REQUESTED,
            body(Action.EXTENSION_REQUESTED, months=1),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )


def test_other_dimensions_cannot_extend() -> None:
    with pytest.raises(ActionRejected, match="不可延期"):
        decide(
            case_in(CaseState.RECTIFYING),
            Action.EXTENSION_REQUESTED,
            body(Action.EXTENSION_REQUESTED),
            dimension="safety",
            policy=POLICY,
            today=TODAY,
        )


def test_a_refused_extension_uses_up_the_single_extension() -> None:
    requested = decide(
        case_in(CaseState.RECTIFYING),
        Action.EXTENSION_REQUESTED,
        body(Action.EXTENSION_REQUESTED),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    refused = decide(
        requested,
        Action.EXTENSION_REFUSED,
        body(Action.EXTENSION_REFUSED),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    ).case
    assert refused.state is CaseState.RECTIFYING and refused.deadline == date(2021, 2, 28)
    with pytest.raises(ActionRejected):
        decide(
            refused,
            Action.EXTENSION_REQUESTED,
            body(Action.EXTENSION_REQUESTED),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )


def test_dates_may_be_back_dated_but_not_future_nor_before_the_previous_step() -> None:
    case = case_in(CaseState.FOUND)
    with pytest.raises(ActionRejected, match="晚于今天") as future:
        decide(
            case,
            Action.RECTIFICATION_ORDERED,
            body(Action.RECTIFICATION_ORDERED, on=date(2021, 7, 1)),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )
    assert future.value.field == "occurred_on"
    with pytest.raises(ActionRejected, match="上一步骤"):
        decide(
            case,
            Action.RECTIFICATION_ORDERED,
            body(Action.RECTIFICATION_ORDERED, on=date(2020, 6, 30)),
            dimension="energy",
            policy=POLICY,
            today=TODAY,
        )


def test_overdue_only_while_a_deadline_runs() -> None:
    rectifying = case_in(CaseState.RECTIFYING)
    assert not rectifying.overdue(date(2021, 2, 28)) and rectifying.overdue(date(2021, 3, 1))
    assert not case_in(CaseState.REPORTED).overdue(date(2030, 1, 1))


def test_exit_steps_once_each_and_dismantling_last() -> None:
    case = case_in(CaseState.CLOSURE_APPROVED)
    for step in (Action.WATER_CUT, Action.POWER_CUT, Action.EQUIPMENT_SEALED, Action.EQUIPMENT_DISMANTLED):
        case = decide(case, step, body(step), dimension="technology", policy=POLICY, today=TODAY).case
    assert case.steps_done == {
        Action.WATER_CUT,
        Action.POWER_CUT,
        Action.EQUIPMENT_SEALED,
        Action.EQUIPMENT_DISMANTLED,
    }
    with pytest.raises(ActionRejected, match="已记录"):
        decide(
            case, Action.WATER_CUT, body(Action.WATER_CUT), dimension="technology", policy=POLICY, today=TODAY
        )
    with pytest.raises(ActionRejected, match="已拆除"):
        decide(
            case,
            Action.POWER_UNITS_REMOVED,
            body(Action.POWER_UNITS_REMOVED),
            dimension="technology",
            policy=POLICY,
            today=TODAY,
        )
    assert Action.EXIT_ANNOUNCED in EXIT_STEPS
