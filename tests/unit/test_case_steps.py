"""What a bureau may record as a step of a case, and what the step does: the rules mutation testing showed no
test pinned (a mutant of each survived until this file)."""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError, replace
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from phaseout_bureau.domain.cases import (
    EXIT_STEPS,
    Action,
    ActionRejected,
    Case,
    CaseState,
    decide,
    payload_model,
    state_label_zh,
)
from phaseout_policy import PolicyBook
from tests.unit.test_case_machine import POLICY, TODAY, body, case_in

A = Action


def step(case: Case, action: Action, on: date, policy: PolicyBook = POLICY, **extra: Any) -> Case:
    return decide(
        case, action, body(action, on, **extra), dimension="energy", policy=policy, today=TODAY
    ).case


def test_a_grant_of_fewer_months_than_requested_moves_the_deadline_by_those() -> None:
    """Asked 3 months, granted 2: the deadline (2021-02-28) moves to 2021-04-28."""
    requested = step(case_in(CaseState.RECTIFYING), A.EXTENSION_REQUESTED, date(2020, 12, 1), months=3)
    granted = step(requested, A.EXTENSION_GRANTED, date(2020, 12, 10), months=2)
    assert granted.deadline == date(2021, 4, 28) and granted.state is CaseState.RECTIFYING


def test_a_grant_without_months_gives_what_was_asked() -> None:
    requested = step(case_in(CaseState.RECTIFYING), A.EXTENSION_REQUESTED, date(2020, 12, 1), months=2)
    assert step(requested, A.EXTENSION_GRANTED, date(2020, 12, 10)).deadline == date(2021, 4, 28)


def allowing_two_extensions() -> PolicyBook:
    """The book with the energy extension rule allowing two requests (as a later plan might)."""
    book = copy.copy(POLICY)
    rules = [
        r.model_copy(update={"max_count": 2}) if r.dimension == "energy" else r
        for r in POLICY.plan.extensions
    ]
    book.plan = POLICY.plan.model_copy(update={"extensions": rules})
    book._memo = {}
    return book


@pytest.mark.parametrize("second", [A.EXTENSION_GRANTED, A.EXTENSION_REFUSED])
def test_every_decided_request_counts_against_the_limit(second: Action) -> None:
    """Each request granted or refused is one of the extensions allowed: with two allowed, a third request is
    refused whatever became of the first two."""
    policy = allowing_two_extensions()
    case = case_in(CaseState.RECTIFYING)
    for n, decision in enumerate((A.EXTENSION_GRANTED, second)):
        case = step(case, A.EXTENSION_REQUESTED, date(2020, 9, 1 + 2 * n), policy, months=1)
        case = step(case, decision, date(2020, 9, 2 + 2 * n), policy)
    assert case.extension_count == 2
    with pytest.raises(ActionRejected, match="仅限2次"):
        step(case, A.EXTENSION_REQUESTED, date(2020, 9, 10), policy, months=1)


@pytest.mark.parametrize("before", EXIT_STEPS[:4])
def test_nothing_physical_is_recorded_after_the_equipment_was_dismantled(before: Action) -> None:
    """Water, power, power units and sealing come before dismantling: once dismantled there is nothing to cut
    off or seal."""
    dismantled = step(case_in(CaseState.NONCOMPLIANT), A.EQUIPMENT_DISMANTLED, date(2020, 9, 1))
    with pytest.raises(ActionRejected, match="设备已拆除"):
        step(dismantled, before, date(2020, 9, 2))


def test_a_document_number_is_one_trimmed_line_of_at_most_120_characters() -> None:
    model = payload_model(A.CLOSURE_APPROVED)
    assert model.model_validate(
        {"occurred_on": "2020-09-01", "document_no": " 涪府函〔2020〕8号 "}
    ).document_no == ("涪府函〔2020〕8号")
    assert model.model_validate({"occurred_on": "2020-09-01", "document_no": "号" * 120}).document_no
    for bad in ("", "   ", "号" * 121, "涪府函\n8号"):
        with pytest.raises(ValidationError):
            model.model_validate({"occurred_on": "2020-09-01", "document_no": bad})


@pytest.mark.parametrize(("months", "valid"), [(0, False), (1, True), (12, True), (13, False)])
def test_a_grant_names_one_to_twelve_months(months: int, valid: bool) -> None:
    model = payload_model(A.EXTENSION_GRANTED)
    fields = {"occurred_on": "2020-09-01", "months": months}
    if valid:
        assert model.model_validate(fields).months == months  # type: ignore[attr-defined]
    else:
        with pytest.raises(ValidationError):
            model.model_validate(fields)


def test_a_grant_must_name_its_months_when_the_request_did_not_keep_them() -> None:
    pending = replace(case_in(CaseState.EXTENSION_REQUESTED), requested_months=None)
    with pytest.raises(ActionRejected, match="须注明批准延期月数"):
        step(pending, A.EXTENSION_GRANTED, date(2020, 12, 10))
    assert step(pending, A.EXTENSION_GRANTED, date(2020, 12, 10), months=2).deadline == date(2021, 4, 28)


def test_a_case_that_used_more_extensions_than_a_later_plan_allows_gets_none() -> None:
    """A plan allowing fewer extensions than a case already had: no further request."""
    used = replace(case_in(CaseState.RECTIFYING), extension_count=2)
    with pytest.raises(ActionRejected, match="仅限1次"):
        step(used, A.EXTENSION_REQUESTED, date(2020, 12, 1), months=1)


@pytest.mark.parametrize(
    ("on", "overdue"), [(date(2021, 2, 27), False), (date(2021, 2, 28), False), (date(2021, 3, 1), True)]
)
def test_a_case_is_overdue_from_the_day_after_its_deadline(on: date, overdue: bool) -> None:
    assert case_in(CaseState.RECTIFYING).overdue(on) is overdue  # deadline 2021-02-28


@pytest.mark.parametrize(("months", "valid"), [(0, False), (1, True), (12, True), (13, False)])
def test_a_request_names_one_to_twelve_months(months: int, valid: bool) -> None:
    model = payload_model(A.EXTENSION_REQUESTED)
    fields = {"occurred_on": "2020-09-01", "months": months}
    if valid:
        assert model.model_validate(fields).months == months  # type: ignore[attr-defined]
    else:
        with pytest.raises(ValidationError):
            model.model_validate(fields)


@pytest.mark.parametrize(("count", "valid"), [(50, True), (51, False)])
def test_a_step_carries_at_most_50_pieces_of_evidence(count: int, valid: bool) -> None:
    fields = {"occurred_on": "2020-09-01", "evidence": [f"EV-{n}" for n in range(count)]}
    if valid:
        assert len(payload_model(A.POWER_CUT).model_validate(fields).evidence) == count
    else:
        with pytest.raises(ValidationError):
            payload_model(A.POWER_CUT).model_validate(fields)


def test_a_case_reads_as_rectifying_before_its_deadline() -> None:
    assert state_label_zh(CaseState.RECTIFYING, date(2021, 2, 28), date(2021, 2, 1)) == "限期整改中"


def test_an_approval_keeps_the_record_of_where_the_case_was_before_the_proposal() -> None:
    proposed = step(case_in(CaseState.NONCOMPLIANT), A.CLOSURE_PROPOSED, date(2020, 9, 1))
    approved = step(proposed, A.CLOSURE_APPROVED, date(2020, 9, 10))
    assert approved.state is CaseState.CLOSURE_APPROVED
    assert approved.state_before_proposal is CaseState.NONCOMPLIANT


def test_cutting_water_does_not_lift_a_suspension() -> None:
    suspended = step(case_in(CaseState.RECTIFYING), A.PRODUCTION_SUSPENDED, date(2020, 9, 1))
    assert step(suspended, A.WATER_CUT, date(2020, 9, 2)).production_measure == "suspended"


def test_a_decision_cannot_be_altered_after_the_fact() -> None:
    decided = decide(
        case_in(CaseState.FOUND),
        A.PRODUCTION_SUSPENDED,
        body(A.PRODUCTION_SUSPENDED, date(2020, 9, 1)),
        dimension="energy",
        policy=POLICY,
        today=TODAY,
    )
    with pytest.raises(FrozenInstanceError):
        decided.case = case_in(CaseState.CLOSED)  # type: ignore[misc]


def test_a_one_character_document_number_is_accepted() -> None:
    model = payload_model(A.CLOSURE_APPROVED)
    assert model.model_validate({"occurred_on": "2020-09-01", "document_no": "8"}).document_no == "8"
