"""A target department's execution feedback on a joint-punishment measure (已执行 / 不予执行), with the same
rules and audit entry whether it comes through the API or the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from phaseout_coordinator.adapters.orm import MeasureFeedback, MeasureRow
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal, Role
from phaseout_kit.clock import utcnow
from phaseout_kit.registry import unit
from phaseout_kit.runtime import ServiceRuntime

OUTCOMES = ("executed", "refused")


@dataclass(frozen=True)
class Feedback:
    outcome: str  # executed | refused
    executed_on: date
    reference: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {**asdict(self), "executed_on": self.executed_on.isoformat()}


class FeedbackRefused(ValueError):
    """The feedback breaks a rule; ``status`` is the HTTP status, ``field`` the input at fault (if any)."""

    def __init__(self, status: int, zh: str, en: str, field: str | None = None) -> None:
        super().__init__(zh)
        self.status, self.zh, self.en, self.field = status, zh, en, field


def unit_in_scope(principal: Principal, requested: str | None) -> str | None:
    """Whose measures a reader sees: a department only its own unit's ("" if its account names none: it sees
    nothing); anyone else the unit asked for (by code or a name the plan uses), or every unit (None).
    Raises UnknownUnit for a name the registry does not know."""
    if principal.role is Role.DEPARTMENT:
        return principal.department or ""
    return unit(requested).code if requested else None


def check(feedback: Feedback, latest: date) -> None:
    """``latest``: the latest day not in the future (DistrictClock.latest_today)."""
    if feedback.outcome not in OUTCOMES:
        raise FeedbackRefused(422, "请选择执行情况", "outcome must be executed or refused", "outcome")
    if feedback.outcome == "refused" and not feedback.reason:
        raise FeedbackRefused(422, "不予执行须说明理由", "reason is required when refusing", "reason")
    if feedback.executed_on > latest:
        raise FeedbackRefused(
            422, "执行日期不能晚于今天", "executed_on cannot be in the future", "executed_on"
        )


async def record_feedback(
    runtime: ServiceRuntime, principal: Principal, key: str, feedback: Feedback
) -> None:
    check(feedback, runtime.clock.latest_today())
    async with runtime.unit_of_work() as session:
        measure = await session.get(MeasureRow, key)
        if measure is None:
            raise FeedbackRefused(404, "措施不存在", "no such measure")
        if principal.role is Role.DEPARTMENT and principal.department != measure.target_unit:
            raise FeedbackRefused(403, "该措施不是发给本部门的", "measure addressed to another department")
        session.add(
            MeasureFeedback(
                measure_key=key,
                outcome=feedback.outcome,
                reason=feedback.reason,
                reference=feedback.reference,
                executed_on=feedback.executed_on,
                reported_at=utcnow(),
                reported_by=principal.actor,
                department=principal.department,
            )
        )
        record_audit(
            session,
            principal,
            action="measure.feedback",
            object_type="measure",
            object_id=key,
            before=None,
            after=feedback.as_json(),
        )
