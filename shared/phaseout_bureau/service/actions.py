"""Case actions: the domain decides the step, the row, the history, the audit entry and the event follow."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_bureau.adapters.orm import CaseActionRow, CaseRow
from phaseout_bureau.contracts import CaseActionRecorded, case_event_type
from phaseout_bureau.domain.cases import (
    Action,
    ActionBody,
    ActionRejected,
    CaseState,
    IllegalTransition,
    decide,
)
from phaseout_bureau.domain.findings import BureauSpec
from phaseout_bureau.service.errors import CaseNotFound, IdempotencyConflict, step_refused, transition_refused
from phaseout_bureau.service.rows import case_dict, domain_case
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.events.envelope import source_uri
from phaseout_kit.events.outbox import append_event
from phaseout_policy import Dimension, PolicyBook

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedAction:
    action: CaseActionRecorded
    replayed: bool


async def apply_action(
    session: AsyncSession,
    spec: BureauSpec,
    case_id: str,
    action: Action,
    body: ActionBody,
    principal: Principal,
    idempotency_key: str | None,
    today: date,
    policy: PolicyBook,
) -> RecordedAction:
    digest = hashlib.sha256(f"{action.value}:{body.model_dump_json()}".encode()).hexdigest()
    if idempotency_key is not None:
        earlier = await session.scalar(
            sa.select(CaseActionRow).where(CaseActionRow.idempotency_key == idempotency_key)
        )
        if earlier is not None:
            if earlier.request_hash != digest or earlier.case_id != case_id:
                raise IdempotencyConflict(idempotency_key)
            row = await session.get(CaseRow, case_id)
            assert row is not None
            return RecordedAction(_action_payload(spec, row, earlier), replayed=True)
    row = await session.get(CaseRow, case_id, with_for_update=True)
    if row is None:
        raise CaseNotFound()
    before = case_dict(row)
    try:
        decision = decide(
            domain_case(row), action, body, dimension=cast(Dimension, spec.name), policy=policy, today=today
        )
    except IllegalTransition as exc:
        raise transition_refused(exc) from exc
    except ActionRejected as exc:
        raise step_refused(exc) from exc
    new = decision.case
    row.state, row.deadline, row.last_occurred_on = new.state.value, new.deadline, new.last_occurred_on
    row.extension_count, row.requested_months = new.extension_count, new.requested_months
    row.production_measure = new.production_measure
    row.state_before_proposal = new.state_before_proposal.value if new.state_before_proposal else None
    row.steps_done = sorted(a.value for a in new.steps_done)
    row.updated_at = utcnow()
    action_row = CaseActionRow(
        case_id=case_id,
        action=action.value,
        from_state=before["state"],
        to_state=new.state.value,
        occurred_on=body.occurred_on,
        deadline_after=new.deadline,
        body=body.model_dump(mode="json"),
        rule=decision.applied_rule,
        idempotency_key=idempotency_key,
        request_hash=digest,
        recorded_at=row.updated_at,
        recorded_by=principal.actor,
    )
    session.add(action_row)
    payload = _action_payload(spec, row, action_row)
    record_audit(
        session,
        principal,
        action=f"case.{action.value}",
        object_type="case",
        object_id=case_id,
        before=before,
        after=case_dict(row),
    )
    envelope = await append_event(
        session,
        source=source_uri(spec.name),
        type=case_event_type(spec.name, action),
        subject=row.uscc,
        data=payload,
    )
    log.info(
        "case action recorded",
        extra={"event_id": envelope.id, "uscc": row.uscc, "case_id": case_id, "action": action.value},
    )
    return RecordedAction(payload, replayed=False)


def _action_payload(spec: BureauSpec, case: CaseRow, action: CaseActionRow) -> CaseActionRecorded:
    return CaseActionRecorded(
        case_id=case.id,
        bureau=spec.name,
        uscc=case.uscc,
        finding_type=case.finding_type,
        action=Action(action.action),
        from_state=CaseState(action.from_state),
        to_state=CaseState(action.to_state),
        occurred_on=action.occurred_on,
        deadline=action.deadline_after,
        extension_count=case.extension_count,
        production_measure=case.production_measure,
        details={k: v for k, v in action.body.items() if k != "evidence"},
        rule=action.rule,
        recorded_at=action.recorded_at,
        recorded_by=action.recorded_by,
    )
