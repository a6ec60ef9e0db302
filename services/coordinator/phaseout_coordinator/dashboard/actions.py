"""The dashboard's writes: form fields in, the service layer's publication and feedback operations (the
same ones the office API calls), and a message a person can act on when the rules refuse."""

from __future__ import annotations

from datetime import date

from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer.measures import Feedback, FeedbackRefused, record_feedback
from phaseout_kit.auth import Principal
from phaseout_kit.runtime import ServiceRuntime


class Refused(ValueError):
    """An action the rules do not allow; the message is shown to the user."""


async def publish(runtime: ServiceRuntime, principal: Principal, publication_id: int) -> None:
    try:
        await pubs.publish_draft(runtime, principal, publication_id)
    except pubs.PublicationNotFound as exc:
        raise Refused("发布记录不存在。") from exc
    except pubs.PublicationConflict as exc:
        raise Refused(f"该名单当前状态为“{pubs.STATE_ZH.get(exc.state, exc.state)}”，不能再次发布。") from exc


def parse_feedback(fields: dict[str, str]) -> Feedback:
    try:
        executed_on = date.fromisoformat(fields.get("executed_on", ""))
    except ValueError as exc:
        raise Refused("请填写执行或答复日期。") from exc
    return Feedback(
        outcome=fields.get("outcome", ""),
        executed_on=executed_on,
        reference=fields.get("reference") or None,
        reason=fields.get("reason") or None,
    )


async def answer_measure(
    runtime: ServiceRuntime, principal: Principal, key: str, fields: dict[str, str]
) -> None:
    try:
        await record_feedback(runtime, principal, key, parse_feedback(fields))
    except FeedbackRefused as refused:
        raise Refused(f"{refused.zh}。") from refused
