"""The dashboard's writes, with the same rules and audit entries as the office API: a list's publication
draft, publishing it (draft → published, once), and a department's execution feedback on a measure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from phaseout_coordinator.adapters.orm import MeasureFeedback, MeasureRow
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal, Role
from phaseout_kit.db import utcnow
from phaseout_kit.runtime import ServiceRuntime


class Refused(ValueError):
    """An action the rules do not allow; the message is shown to the user."""


async def draft_publication(runtime: ServiceRuntime, principal: Principal, scope: pubs.ListScope) -> int:
    entries = await pubs.frozen_entries(runtime.sessions, scope)
    async with runtime.unit_of_work() as session:
        publication = await pubs.create_draft(session, scope, entries, principal)
        record_audit(
            session,
            principal,
            action="publication.draft",
            object_type="list_publication",
            object_id=str(publication.id),
            before=None,
            after={
                "list_code": scope.list_code,
                "as_of": scope.label_date.isoformat(),
                "entries": len(entries),
            },
        )
        return publication.id


async def publish(runtime: ServiceRuntime, principal: Principal, publication_id: int) -> None:
    try:
        async with runtime.unit_of_work() as session:
            await pubs.publish(session, publication_id, principal)
            record_audit(
                session,
                principal,
                action="publication.publish",
                object_type="list_publication",
                object_id=str(publication_id),
                before={"state": pubs.DRAFT},
                after={"state": pubs.PUBLISHED, "published_by": principal.actor},
            )
    except pubs.PublicationNotFound as exc:
        raise Refused("发布记录不存在。") from exc
    except pubs.PublicationConflict as exc:
        raise Refused(f"该名单当前状态为“{pubs.STATE_ZH.get(exc.state, exc.state)}”，不能再次发布。") from exc


@dataclass(frozen=True)
class Feedback:
    outcome: str  # executed | refused
    executed_on: date
    reference: str | None
    reason: str | None


def parse_feedback(fields: dict[str, str], today: date) -> Feedback:
    outcome = fields.get("outcome", "")
    if outcome not in ("executed", "refused"):
        raise Refused("请选择执行情况。")
    try:
        executed_on = date.fromisoformat(fields.get("executed_on", ""))
    except ValueError as exc:
        raise Refused("请填写执行或答复日期。") from exc
    if executed_on > today and executed_on > date.today():
        raise Refused("执行日期不能晚于今天。")
    reason = fields.get("reason") or None
    if outcome == "refused" and not reason:
        raise Refused("不予执行须说明理由。")
    return Feedback(outcome, executed_on, (fields.get("reference") or None), reason)


async def record_feedback(
    runtime: ServiceRuntime, principal: Principal, key: str, feedback: Feedback
) -> None:
    async with runtime.unit_of_work() as session:
        measure = await session.get(MeasureRow, key)
        if measure is None:
            raise Refused("措施不存在。")
        if principal.role is Role.DEPARTMENT and principal.department != measure.target_department_zh:
            raise Refused("该措施不是发给本部门的。")
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
            after={
                "outcome": feedback.outcome,
                "executed_on": feedback.executed_on.isoformat(),
                "reference": feedback.reference,
                "reason": feedback.reason,
            },
        )
