"""The dashboard's writes: form fields in, the service layer's publication and feedback operations (the
same ones the office API calls) in one transaction each; a refusal (phaseout_kit.refusals) carries the
message a person can act on."""

from __future__ import annotations

from datetime import date

from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer.measures import Feedback, record_feedback
from phaseout_kit.auth import Principal
from phaseout_kit.refusals import Invalid
from phaseout_kit.runtime import ServiceRuntime


async def publish(runtime: ServiceRuntime, principal: Principal, publication_id: int) -> None:
    async with runtime.unit_of_work() as session:
        await pubs.publish_draft(session, principal, publication_id)


def parse_feedback(fields: dict[str, str]) -> Feedback:
    try:
        executed_on = date.fromisoformat(fields.get("executed_on", ""))
    except ValueError as exc:
        raise Invalid("请填写执行或答复日期", "executed_on must be a date", "executed_on") from exc
    return Feedback(
        outcome=fields.get("outcome", ""),
        executed_on=executed_on,
        reference=fields.get("reference") or None,
        reason=fields.get("reason") or None,
    )


async def answer_measure(
    runtime: ServiceRuntime, principal: Principal, key: str, fields: dict[str, str]
) -> None:
    feedback = parse_feedback(fields)
    async with runtime.unit_of_work() as session:
        await record_feedback(session, principal, key, feedback, latest=runtime.clock.latest_today())
