"""Service layer of a bureau: orchestrates domain checks, storage, the outbox and the audit log."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_bureau.adapters.orm import CaseActionRow, CaseRow, FindingRow
from phaseout_bureau.contracts import CaseActionRecorded, FindingRecorded, case_event_type
from phaseout_bureau.domain.cases import (
    ACTION_ZH,
    STATE_ZH,
    Action,
    ActionBody,
    Case,
    CaseState,
    allowed_actions,
    decide,
)
from phaseout_bureau.domain.findings import BureauSpec, CheckError, FindingCreate
from phaseout_bureau.results import typed_result
from phaseout_kit import uscc
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.events.envelope import event_type, source_uri
from phaseout_kit.events.outbox import append_event
from phaseout_policy import Dimension, PolicyBook

log = logging.getLogger(__name__)


class IdempotencyConflict(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class DetailsInvalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class RecordedFinding:
    finding: FindingRecorded
    warnings: list[str]
    replayed: bool
    event_id: str | None = None


def request_hash(body: FindingCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def checked_details(
    spec: BureauSpec, body: FindingCreate, policy: PolicyBook
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Typed details validated against the bureau's model and reference data: (details, derived values)."""
    model = spec.details_models.get(body.finding_type)
    if model is None:
        allowed = ", ".join(f"{code}（{zh}）" for code, zh in spec.finding_types.items())
        raise DetailsInvalid(
            [
                {
                    "loc": ["body", "finding_type"],
                    "msg": f"未知的认定类型，可选：{allowed} (unknown finding type)",
                }
            ]
        )
    try:
        details = model.model_validate(body.details)
    except ValidationError as exc:
        raise DetailsInvalid(
            [
                {"loc": ["body", "details", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors()
            ]
        ) from exc
    try:
        derived = spec.check(body, details, policy)
    except CheckError as exc:
        raise DetailsInvalid([{"loc": ["body", "details", exc.field], "msg": exc.reason}]) from exc
    typed_result(spec.name, body.finding_type, derived)  # ResultInvalid: a check that breaks the contract
    return details.model_dump(mode="json"), derived


def _to_recorded(spec: BureauSpec, row: FindingRow) -> FindingRecorded:
    public = {k: v for k, v in row.body.items() if k in FindingRecorded.model_fields}
    return FindingRecorded.model_validate(
        {
            **public,
            "finding_id": row.id,
            "bureau": spec.name,
            "derived": row.derived,
            "recorded_at": row.recorded_at,
            "recorded_by": row.recorded_by,
        }
    )


async def record_finding(
    session: AsyncSession,
    spec: BureauSpec,
    body: FindingCreate,
    principal: Principal,
    idempotency_key: str | None,
    latest: date,
    policy: PolicyBook,
) -> RecordedFinding:
    """``latest``: the latest day not in the future (DistrictClock.latest_today)."""
    if body.found_on > latest:
        msg = "发现日期不能晚于今天 (found_on cannot be in the future)"
        raise DetailsInvalid([{"loc": ["body", "found_on"], "msg": msg, "type": "value_error"}])
    key = idempotency_key or (f"ext:{body.external_ref}" if body.external_ref else f"auto:{uuid.uuid4()}")
    digest = request_hash(body)
    existing = await session.scalar(sa.select(FindingRow).where(FindingRow.idempotency_key == key))
    if existing is not None:
        if existing.request_hash != digest:
            raise IdempotencyConflict(key)
        return RecordedFinding(_to_recorded(spec, existing), [], replayed=True)
    details, derived = checked_details(spec, body, policy)
    normalised = body.model_dump(mode="json", exclude={"details", "inspector", "evidence", "external_ref"})
    row = FindingRow(
        id=str(uuid.uuid4()),
        uscc=body.uscc,
        enterprise_name=body.enterprise_name,
        finding_type=body.finding_type,
        found_on=body.found_on,
        body={
            **normalised,
            "details": details,
            "inspector": body.inspector,
            "evidence": body.evidence,
            "external_ref": body.external_ref,
        },
        derived=derived,
        idempotency_key=key,
        request_hash=digest,
        recorded_at=utcnow(),
        recorded_by=principal.actor,
    )
    session.add(row)
    session.add(
        CaseRow(
            id=row.id,
            uscc=body.uscc,
            finding_type=body.finding_type,
            state=CaseState.FOUND.value,
            found_on=body.found_on,
            last_occurred_on=body.found_on,
            deadline=None,
            extension_count=0,
            steps_done=[],
            updated_at=row.recorded_at,
        )
    )
    recorded = _to_recorded(spec, row)
    record_audit(
        session,
        principal,
        action="finding.record",
        object_type="finding",
        object_id=row.id,
        before=None,
        after=recorded.model_dump(mode="json"),
    )
    # Inspector names and evidence stay in the bureau: the event carries what the coordinator decides on.
    envelope = await append_event(
        session,
        source=source_uri(spec.name),
        type=event_type(spec.name, "finding", "recorded"),
        subject=body.uscc,
        data=recorded,
    )
    log.info("finding recorded", extra={"event_id": envelope.id, "uscc": body.uscc, "finding_id": row.id})
    return RecordedFinding(recorded, uscc.validate(body.uscc).warnings, replayed=False, event_id=envelope.id)


async def get_finding(
    session: AsyncSession, spec: BureauSpec, finding_id: str, today: date
) -> dict[str, Any] | None:
    row = await session.get(FindingRow, finding_id)
    if row is None:
        return None
    return {
        **_to_recorded(spec, row).model_dump(mode="json"),
        "inspector": row.body.get("inspector"),
        "evidence": row.body.get("evidence", []),
        "external_ref": row.body.get("external_ref"),
        "case": await get_case(session, finding_id, today),
    }


# ---- cases ----
class CaseNotFound(Exception):
    pass


def _domain_case(row: CaseRow) -> Case:
    return Case(
        state=CaseState(row.state),
        found_on=row.found_on,
        last_occurred_on=row.last_occurred_on,
        deadline=row.deadline,
        extension_count=row.extension_count,
        requested_months=row.requested_months,
        production_measure=row.production_measure,
        state_before_proposal=CaseState(row.state_before_proposal) if row.state_before_proposal else None,
        steps_done=frozenset(Action(a) for a in row.steps_done),
    )


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
        raise CaseNotFound(case_id)
    before = _case_dict(row)
    decision = decide(
        _domain_case(row),
        action,
        body,
        dimension=cast(Dimension, spec.name),
        policy=policy,
        today=today,
    )
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
        after=_case_dict(row),
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


def _case_dict(row: CaseRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "uscc": row.uscc,
        "finding_type": row.finding_type,
        "state": row.state,
        "state_zh": STATE_ZH[CaseState(row.state)],
        "found_on": row.found_on.isoformat(),
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "extension_count": row.extension_count,
        "production_measure": row.production_measure,
        "exit_steps_done": list(row.steps_done),
    }


def case_summary(row: CaseRow, today: date) -> dict[str, Any]:
    case = _domain_case(row)
    return {
        **_case_dict(row),
        "overdue": case.overdue(today),
        "allowed_actions": [a.value for a in allowed_actions(case.state)],
    }


async def get_case(session: AsyncSession, case_id: str, today: date) -> dict[str, Any] | None:
    row = await session.get(CaseRow, case_id)
    if row is None:
        return None
    history = (
        await session.scalars(
            sa.select(CaseActionRow).where(CaseActionRow.case_id == case_id).order_by(CaseActionRow.id)
        )
    ).all()
    return {
        **case_summary(row, today),
        "history": [
            {
                "action": h.action,
                "action_zh": ACTION_ZH[Action(h.action)],
                "from_state": h.from_state,
                "to_state": h.to_state,
                "occurred_on": h.occurred_on.isoformat(),
                "recorded_at": h.recorded_at.isoformat(),
                "recorded_by": h.recorded_by,
                "deadline_after": h.deadline_after.isoformat() if h.deadline_after else None,
                "rule": h.rule,
                "details": h.body,
            }
            for h in history
        ],
    }


@dataclass(frozen=True)
class CaseFilter:
    uscc: str | None = None
    state: CaseState | None = None
    finding_type: str | None = None
    found_from: date | None = None
    found_to: date | None = None
    overdue_on: date | None = None


async def list_cases(
    session: AsyncSession, f: CaseFilter, *, offset: int, limit: int, today: date
) -> tuple[int, list[dict[str, Any]]]:
    query = sa.select(CaseRow)
    if f.uscc:
        query = query.where(CaseRow.uscc == f.uscc)
    if f.state:
        query = query.where(CaseRow.state == f.state.value)
    if f.finding_type:
        query = query.where(CaseRow.finding_type == f.finding_type)
    if f.found_from:
        query = query.where(CaseRow.found_on >= f.found_from)
    if f.found_to:
        query = query.where(CaseRow.found_on <= f.found_to)
    if f.overdue_on:
        query = query.where(
            CaseRow.state.in_([CaseState.RECTIFYING.value, CaseState.EXTENSION_REQUESTED.value]),
            CaseRow.deadline < f.overdue_on,
        )
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = (
        await session.scalars(query.order_by(CaseRow.found_on, CaseRow.id).offset(offset).limit(limit))
    ).all()
    return int(total or 0), [case_summary(r, f.overdue_on or today) for r in rows]
