"""What the bureau's service layer refuses: the kit's refusals, without HTTP status (phaseout_kit.web answers
them); the case machine's own exceptions become refusals here, so the routes map nothing."""

from __future__ import annotations

from phaseout_bureau.domain.cases import ACTION_ZH, STATE_ZH, ActionRejected, IllegalTransition
from phaseout_kit.refusals import Conflict, FieldErrors, NotFound


class IdempotencyConflict(Conflict):
    def __init__(self, key: str) -> None:
        super().__init__(
            "同一幂等键已用于内容不同的请求",
            "idempotency key reused with a different body",
            idempotency_key=key,
        )
        self.key = key


class DetailsInvalid(FieldErrors):
    """A finding's details or result break its type's contract or check."""


def transition_refused(exc: IllegalTransition) -> Conflict:
    return Conflict(
        f"案件当前状态为“{STATE_ZH[exc.state]}”，不能“{ACTION_ZH[exc.action]}”",
        "illegal transition",
        current_state=exc.state.value,
        allowed_actions=[a.value for a in exc.allowed],
    )


def step_refused(exc: ActionRejected) -> FieldErrors:
    return FieldErrors([{"loc": ["body", exc.field], "msg": exc.reason, "rule": exc.rule}])


class CaseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("案件不存在", "no such case")
