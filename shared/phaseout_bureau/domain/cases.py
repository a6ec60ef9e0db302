"""The rectification case life cycle as an explicit state machine (pure: no I/O).

A case opens with its finding. Each later step is an action with its own payload; ``decide`` checks that the
action is allowed in the current state, that its date is plausible, and that it respects the plan's rules
(deadline, the single energy extension of at most 3 months) taken from the versioned policy data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from phaseout_bureau.domain.findings import SINGLE_LINE, Capacity, LongText, Reference, Text
from phaseout_bureau.domain.labels import LabelledEnum
from phaseout_policy import Dimension, PolicyBook, add_months


class CaseState(LabelledEnum):
    FOUND = "found", "已认定"
    RECTIFYING = "rectifying", "限期整改中"
    EXTENSION_REQUESTED = "extension_requested", "延期申请待审"
    SUSPENDED = "suspended", "停产整顿/限产中"
    REPORTED = "reported", "整改完成待复查"
    COMPLIANT = "compliant", "复查合格"
    NONCOMPLIANT = "noncompliant", "整改后仍不达标"
    CLOSURE_PROPOSED = "closure_proposed", "已提请关停"
    CLOSURE_APPROVED = "closure_approved", "区政府已批准关停"
    EXITED = "exited", "已退出"
    CLOSED = "closed", "已结案"


STATE_ZH: dict[CaseState, str] = CaseState.labels()


class Action(LabelledEnum):
    RECTIFICATION_ORDERED = "rectification_ordered", "下达限期整改通知"
    EXTENSION_REQUESTED = "extension_requested", "企业申请延期"
    EXTENSION_GRANTED = "extension_granted", "批准延期"
    EXTENSION_REFUSED = "extension_refused", "不予延期"
    RECTIFICATION_REPORTED = "rectification_reported", "企业报告整改完成"
    REINSPECTION_PASSED = "reinspection_passed", "复查合格"
    REINSPECTION_FAILED = "reinspection_failed", "复查不合格"
    PRODUCTION_RESTRICTED = "production_restricted", "责令限制生产"
    PRODUCTION_SUSPENDED = "production_suspended", "责令停产整顿"
    CLOSURE_PROPOSED = "closure_proposed", "提请区政府依法关停"
    CLOSURE_APPROVED = "closure_approved", "区政府批准关停"
    CLOSURE_REJECTED = "closure_rejected", "区政府未批准关停"
    CLOSURE_EXECUTED = "closure_executed", "执行关停退出"
    WATER_CUT = "water_cut", "断水"
    POWER_CUT = "power_cut", "断电"
    POWER_UNITS_REMOVED = "power_units_removed", "拆除动力装置"
    EQUIPMENT_SEALED = "equipment_sealed", "封存主体设备/生产线"
    EQUIPMENT_DISMANTLED = "equipment_dismantled", "限时拆除设备"
    EXIT_ANNOUNCED = "exit_announced", "在政府网站公告"
    CASE_CLOSED = "case_closed", "结案"


ACTION_ZH: dict[Action, str] = Action.labels()

S = CaseState
_EXIT_STEP_SOURCES = frozenset(
    {S.FOUND, S.RECTIFYING, S.EXTENSION_REQUESTED, S.SUSPENDED, S.REPORTED, S.NONCOMPLIANT}
    | {S.CLOSURE_PROPOSED, S.CLOSURE_APPROVED, S.EXITED}
)
# Where each action may be taken and where it leads (None: the state does not change).
TRANSITIONS: dict[Action, tuple[frozenset[CaseState], CaseState | None]] = {
    Action.RECTIFICATION_ORDERED: (frozenset({S.FOUND, S.SUSPENDED}), S.RECTIFYING),
    Action.EXTENSION_REQUESTED: (frozenset({S.RECTIFYING}), S.EXTENSION_REQUESTED),
    Action.EXTENSION_GRANTED: (frozenset({S.EXTENSION_REQUESTED}), S.RECTIFYING),
    Action.EXTENSION_REFUSED: (frozenset({S.EXTENSION_REQUESTED}), S.RECTIFYING),
    Action.RECTIFICATION_REPORTED: (frozenset({S.RECTIFYING, S.SUSPENDED}), S.REPORTED),
    Action.REINSPECTION_PASSED: (frozenset({S.REPORTED}), S.COMPLIANT),
    Action.REINSPECTION_FAILED: (frozenset({S.REPORTED, S.RECTIFYING, S.SUSPENDED}), S.NONCOMPLIANT),
    Action.PRODUCTION_RESTRICTED: (
        frozenset({S.FOUND, S.RECTIFYING, S.EXTENSION_REQUESTED, S.REPORTED, S.NONCOMPLIANT}),
        None,
    ),
    Action.PRODUCTION_SUSPENDED: (
        frozenset({S.FOUND, S.RECTIFYING, S.EXTENSION_REQUESTED, S.REPORTED, S.NONCOMPLIANT}),
        None,
    ),
    Action.CLOSURE_PROPOSED: (
        frozenset({S.FOUND, S.RECTIFYING, S.SUSPENDED, S.NONCOMPLIANT}),
        S.CLOSURE_PROPOSED,
    ),
    Action.CLOSURE_APPROVED: (frozenset({S.CLOSURE_PROPOSED}), S.CLOSURE_APPROVED),
    Action.CLOSURE_REJECTED: (frozenset({S.CLOSURE_PROPOSED}), None),  # back to the state before the proposal
    Action.CLOSURE_EXECUTED: (frozenset({S.CLOSURE_APPROVED}), S.EXITED),
    # The plan exits capacity by cutting water and power, removing power units and sealing the main equipment
    # (二、(五), 三、(七)); a bureau may do so at once for eliminated equipment, so these steps are open in any
    # state before the case ends, and sealing or dismantling the main equipment is itself the exit.
    **{
        step: (_EXIT_STEP_SOURCES, None)
        for step in (Action.WATER_CUT, Action.POWER_CUT, Action.POWER_UNITS_REMOVED)
    },
    Action.EQUIPMENT_SEALED: (_EXIT_STEP_SOURCES, S.EXITED),
    Action.EQUIPMENT_DISMANTLED: (_EXIT_STEP_SOURCES, S.EXITED),
    Action.EXIT_ANNOUNCED: (frozenset({S.EXITED}), None),
    Action.CASE_CLOSED: (frozenset({S.COMPLIANT, S.EXITED}), S.CLOSED),
}
EXIT_STEPS = (
    Action.WATER_CUT,
    Action.POWER_CUT,
    Action.POWER_UNITS_REMOVED,
    Action.EQUIPMENT_SEALED,
    Action.EQUIPMENT_DISMANTLED,
    Action.EXIT_ANNOUNCED,
)
# Dismantling comes last among the physical steps: what is dismantled can no longer be sealed or cut off.
_BEFORE_DISMANTLING = frozenset(EXIT_STEPS[:4])
OPEN_STATES = frozenset(
    {S.FOUND, S.RECTIFYING, S.EXTENSION_REQUESTED, S.SUSPENDED, S.REPORTED, S.NONCOMPLIANT}
)
DEADLINE_STATES = frozenset({S.RECTIFYING, S.EXTENSION_REQUESTED})


def allowed_actions(state: CaseState) -> list[Action]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if state in sources]


# ---- payloads: each action its own ----
DocumentNo = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=SINGLE_LINE)
]


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: date = Field(description="实际发生日期（可补录，不得晚于今天）")
    document_no: DocumentNo | None = Field(default=None, description="文书编号，如 涪经信节监〔2020〕12号")
    note: LongText | None = Field(default=None, description="说明")
    evidence: list[Reference] = Field(default_factory=list, max_length=50, description="证据材料编号或链接")


class RectificationOrder(ActionBody):
    deadline: date | None = Field(
        default=None, description="整改期限；省略时按政策数据（能耗、质量、安全：通知之日起6个月）"
    )


class ExtensionRequest(ActionBody):
    months: int = Field(ge=1, le=12, description="申请延期月数（能耗：仅一次，最长3个月）")


class ExtensionGrant(ActionBody):
    months: int | None = Field(default=None, ge=1, le=12, description="批准延期月数；省略时按申请月数")


class ExitWay(StrEnum):
    CLOSED = "closed"  # 关闭
    BANNED = "banned"  # 取缔
    LINE_SHUT = "line_shut"  # 生产线停产退出
    EQUIPMENT_REMOVED = "equipment_removed"  # 拆除设备


class ClosureExecution(ActionBody):
    way: ExitWay = Field(description="退出方式")
    line_name: Text | None = Field(default=None, description="退出的生产线或设备")
    capacity: Capacity | None = Field(default=None, description="退出产能")


class ExitStep(ActionBody):
    capacity: Capacity | None = Field(default=None, description="本步骤涉及的产能")


class ClosureApproval(ActionBody):
    document_no: DocumentNo = Field(description="区政府批复文号")


PAYLOADS: dict[Action, type[ActionBody]] = {
    Action.RECTIFICATION_ORDERED: RectificationOrder,
    Action.EXTENSION_REQUESTED: ExtensionRequest,
    Action.EXTENSION_GRANTED: ExtensionGrant,
    Action.CLOSURE_APPROVED: ClosureApproval,
    Action.CLOSURE_EXECUTED: ClosureExecution,
    **{step: ExitStep for step in EXIT_STEPS},
}


def payload_model(action: Action) -> type[ActionBody]:
    return PAYLOADS.get(action, ActionBody)


# ---- the decision ----
@dataclass(frozen=True)
class Case:
    state: CaseState
    found_on: date
    last_occurred_on: date
    deadline: date | None = None
    extension_count: int = 0
    requested_months: int | None = None
    production_measure: str | None = None
    state_before_proposal: CaseState | None = None
    steps_done: frozenset[Action] = field(default_factory=frozenset)

    def overdue(self, on: date) -> bool:
        return self.state in DEADLINE_STATES and self.deadline is not None and on > self.deadline


OVERDUE_ZH = "逾期未整改"


def state_label_zh(state: CaseState, deadline: date | None, on: date) -> str:
    """The state as a user reads it on ``on``: a case past its rectification deadline is 逾期未整改 (the
    bureau's state stays 限期整改中 until a step is recorded; the deadline has passed all the same)."""
    if state in DEADLINE_STATES and deadline is not None and on > deadline:
        return f"{OVERDUE_ZH}（已逾期{(on - deadline).days}天）"
    return STATE_ZH[state]


class IllegalTransition(Exception):
    def __init__(self, state: CaseState, action: Action) -> None:
        super().__init__(f"{action} not allowed in {state}")
        self.state = state
        self.action = action
        self.allowed = allowed_actions(state)


class ActionRejected(Exception):
    """The action is allowed in this state but its payload breaks a rule; ``field`` names what to fix."""

    def __init__(self, field: str, reason: str, rule: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.rule = rule


@dataclass(frozen=True)
class Decision:
    case: Case
    applied_rule: dict[str, Any] | None  # the policy rule that set a deadline, for the record


def _rule_ref(rule: Any) -> dict[str, Any]:
    return {"id": rule.id, "document": rule.document, "clause": rule.clause, "confidence": rule.confidence}


def decide(
    case: Case, action: Action, body: ActionBody, *, dimension: Dimension, policy: PolicyBook, today: date
) -> Decision:
    sources, target = TRANSITIONS[action]
    if case.state not in sources:
        raise IllegalTransition(case.state, action)
    if body.occurred_on > today:
        raise ActionRejected("occurred_on", "发生日期不能晚于今天 (occurred_on cannot be in the future)")
    if body.occurred_on < case.last_occurred_on:
        raise ActionRejected(
            "occurred_on",
            f"发生日期不能早于上一步骤（{case.last_occurred_on.isoformat()}）(cannot precede the previous step)",
        )
    new = replace(case, last_occurred_on=body.occurred_on, state=target or case.state)
    rule: dict[str, Any] | None = None

    if isinstance(body, RectificationOrder):
        deadline, rule = _rectification_deadline(body, dimension, policy)
        new = replace(new, deadline=deadline)
    elif isinstance(body, ExtensionRequest):
        extension = policy.extension_rule(dimension)
        if extension is None:
            raise ActionRejected(
                "months", "本领域的整改期限不可延期 (this dimension's deadlines cannot be extended)"
            )
        if case.extension_count >= extension.max_count:
            raise ActionRejected(
                "months",
                f"延期申请仅限{extension.max_count}次，已用完 (only {extension.max_count} extension allowed)",
                _rule_ref(extension),
            )
        if body.months > extension.max_months:
            raise ActionRejected(
                "months",
                f"延期最长{extension.max_months}个月 (at most {extension.max_months} months)",
                _rule_ref(extension),
            )
        new, rule = replace(new, requested_months=body.months), _rule_ref(extension)
    elif isinstance(body, ExtensionGrant):
        months = body.months or case.requested_months
        if months is None:  # a request recorded before the platform kept its months
            raise ActionRejected("months", "申请的延期月数未记录，须注明批准延期月数 (months required)")
        if case.requested_months is not None and months > case.requested_months:
            raise ActionRejected(
                "months", f"批准月数不能超过申请的{case.requested_months}个月 (more than requested)"
            )
        assert case.deadline is not None  # a case in EXTENSION_REQUESTED has a deadline
        new = replace(
            new,
            deadline=add_months(case.deadline, months),
            extension_count=case.extension_count + 1,
            requested_months=None,
        )
    elif action is Action.EXTENSION_REFUSED:
        new = replace(new, extension_count=case.extension_count + 1, requested_months=None)
    elif action in (Action.PRODUCTION_RESTRICTED, Action.PRODUCTION_SUSPENDED):
        measure = "suspended" if action is Action.PRODUCTION_SUSPENDED else "restricted"
        new = replace(new, production_measure=measure)
        if case.state is S.FOUND:
            new = replace(new, state=S.SUSPENDED)
    elif action is Action.CLOSURE_PROPOSED:
        new = replace(new, state_before_proposal=case.state)
    elif action is Action.CLOSURE_REJECTED:
        new = replace(new, state=case.state_before_proposal or S.NONCOMPLIANT, state_before_proposal=None)
    elif action in EXIT_STEPS:
        if action in case.steps_done:
            raise ActionRejected(
                "action", f"“{ACTION_ZH[action]}”已记录 (this exit step is already recorded)"
            )
        if action in _BEFORE_DISMANTLING and Action.EQUIPMENT_DISMANTLED in case.steps_done:
            raise ActionRejected("action", "设备已拆除，不能再记录此步骤 (equipment already dismantled)")
        new = replace(new, steps_done=case.steps_done | {action})
    if action is Action.REINSPECTION_PASSED:
        new = replace(new, production_measure=None)
    return Decision(new, rule)


def _rectification_deadline(
    body: RectificationOrder, dimension: Dimension, policy: PolicyBook
) -> tuple[date, dict[str, Any] | None]:
    result = policy.rectification_deadline(dimension, body.occurred_on)
    if body.deadline is not None:
        if body.deadline <= body.occurred_on:
            raise ActionRejected("deadline", "整改期限应晚于通知日期 (deadline must follow the notice date)")
        return body.deadline, _rule_ref(result.rule) if result else None
    if result is None or result.rule.mode != "months":
        raise ActionRejected(
            "deadline",
            "政策数据未规定本领域在该日期的整改月数，请填写整改期限 (no policy deadline for this dimension and date: give one)",
        )
    return result.deadline, _rule_ref(result.rule)
