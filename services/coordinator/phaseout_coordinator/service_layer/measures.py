"""A target department's execution feedback on a joint-punishment measure (已执行 / 不予执行), with the same
rules and audit entry whether it comes through the API or the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm import MeasureFeedback, MeasureRow
from phaseout_coordinator.service_layer.authorisation import check_may_answer
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.refusals import Invalid, NotFound

OUTCOMES = ("executed", "refused")


@dataclass(frozen=True)
class Feedback:
    outcome: str  # executed | refused
    executed_on: date
    reference: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {**asdict(self), "executed_on": self.executed_on.isoformat()}


def check(feedback: Feedback, latest: date) -> None:
    """``latest``: the latest day not in the future (DistrictClock.latest_today)."""
    if feedback.outcome not in OUTCOMES:
        raise Invalid("请选择执行情况", "outcome must be executed or refused", "outcome")
    if feedback.outcome == "refused" and not feedback.reason:
        raise Invalid("不予执行须说明理由", "reason is required when refusing", "reason")
    if feedback.executed_on > latest:
        raise Invalid("执行日期不能晚于今天", "executed_on cannot be in the future", "executed_on")


async def record_feedback(
    session: AsyncSession, principal: Principal, key: str, feedback: Feedback, *, latest: date
) -> None:
    """In the caller's transaction; ``latest`` as for check(). Raises the kit's refusals."""
    check(feedback, latest)
    measure = await session.get(MeasureRow, key)
    if measure is None:
        raise NotFound("措施不存在", "no such measure")
    check_may_answer(principal, measure.target_unit)
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
