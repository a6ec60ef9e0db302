"""The case machine against the plan's text, written down here by hand and not read from ``TRANSITIONS``: a
test that took its expectations from the table ``decide()`` uses could not see a wrong entry in that table
(allowing 执行关停退出 without the district government's approval, 结案 while still non-compliant …).

States: F 已认定, R 限期整改中, X 延期申请待审, S 停产整顿/限产中, P 整改完成待复查, C 复查合格, N 整改后仍不达标,
CP 已提请关停, CA 区政府已批准关停, E 已退出, Z 已结案. A cell is the state after the step ("=" unchanged,
"before" the state before the proposal); a missing cell is an illegal step.
"""

from __future__ import annotations

import pytest

from phaseout_bureau.domain.cases import Action, CaseState, IllegalTransition, decide
from tests.unit.test_case_machine import POLICY, TODAY, body, case_in

S = {
    "F": CaseState.FOUND,
    "R": CaseState.RECTIFYING,
    "X": CaseState.EXTENSION_REQUESTED,
    "S": CaseState.SUSPENDED,
    "P": CaseState.REPORTED,
    "C": CaseState.COMPLIANT,
    "N": CaseState.NONCOMPLIANT,
    "CP": CaseState.CLOSURE_PROPOSED,
    "CA": CaseState.CLOSURE_APPROVED,
    "E": CaseState.EXITED,
    "Z": CaseState.CLOSED,
}
BEFORE_EXIT = ("F", "R", "X", "S", "P", "N", "CP", "CA")  # every state before the case ends

PLAN: dict[Action, dict[str, str]] = {
    # 二、(一)(三)(四): 限期整改 — ordered on a finding, or after production was stopped (三、(七)).
    Action.RECTIFICATION_ORDERED: {"F": "R", "S": "R"},
    # 二、(一): 确需延长整改期限的，可提出不超过3个月的延期申请 — only while rectifying; decided once.
    Action.EXTENSION_REQUESTED: {"R": "X"},
    Action.EXTENSION_GRANTED: {"X": "R"},
    Action.EXTENSION_REFUSED: {"X": "R"},
    # The enterprise reports the work done, within its deadline or its 停产整顿.
    Action.RECTIFICATION_REPORTED: {"R": "P", "S": "P"},
    # 复查: only a reported rectification can pass; it fails on re-inspection, at the deadline or after 整顿.
    Action.REINSPECTION_PASSED: {"P": "C"},
    Action.REINSPECTION_FAILED: {"P": "N", "R": "N", "S": "N"},
    # 二、(二)3.、三、(七): 限制生产、停产整治 at any point of an open case; from a bare finding it is the case's state.
    Action.PRODUCTION_RESTRICTED: {"F": "S", "R": "=", "X": "=", "P": "=", "N": "="},
    Action.PRODUCTION_SUSPENDED: {"F": "S", "R": "=", "X": "=", "P": "=", "N": "="},
    # 报经区人民政府批准依法关停退出: proposed by the bureau (情节严重 at once, overdue, or failed) …
    Action.CLOSURE_PROPOSED: {"F": "CP", "R": "CP", "S": "CP", "N": "CP"},
    # … approved or not by the district government, and executed only once approved.
    Action.CLOSURE_APPROVED: {"CP": "CA"},
    Action.CLOSURE_REJECTED: {"CP": "before"},
    Action.CLOSURE_EXECUTED: {"CA": "E"},
    # 二、(五)、三、(七): 断水、断电、拆除动力装置 at any time before the case ends; sealing or dismantling the main
    # equipment is the exit itself; the announcement follows the exit.
    Action.WATER_CUT: {s: "=" for s in (*BEFORE_EXIT, "E")},
    Action.POWER_CUT: {s: "=" for s in (*BEFORE_EXIT, "E")},
    Action.POWER_UNITS_REMOVED: {s: "=" for s in (*BEFORE_EXIT, "E")},
    Action.EQUIPMENT_SEALED: {s: "E" for s in (*BEFORE_EXIT, "E")},
    Action.EQUIPMENT_DISMANTLED: {s: "E" for s in (*BEFORE_EXIT, "E")},
    Action.EXIT_ANNOUNCED: {"E": "="},
    # 结案: only once the matter is settled, rectified (复查合格) or exited.
    Action.CASE_CLOSED: {"C": "Z", "E": "Z"},
}


def test_the_table_covers_every_step() -> None:
    assert set(PLAN) == set(Action)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_a_step_is_legal_exactly_where_the_plan_allows_it(state: str, action: Action) -> None:
    case = case_in(S[state])
    expected = PLAN[action].get(state)
    if expected is None:
        with pytest.raises(IllegalTransition):
            decide(case, action, body(action), dimension="energy", policy=POLICY, today=TODAY)
        return
    after = decide(case, action, body(action), dimension="energy", policy=POLICY, today=TODAY).case.state
    target = {"=": S[state], "before": case.state_before_proposal}.get(expected) or S[expected]
    assert after is target, (state, action)
