"""Finding intake: typed details checked against the policy book, the case opened, the event in the outbox."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_bureau.adapters.orm import CaseRow, FindingRow
from phaseout_bureau.contracts import FindingRecorded
from phaseout_bureau.domain.cases import (
    CaseState,
)
from phaseout_bureau.domain.findings import BureauSpec, CheckError, FindingCreate
from phaseout_bureau.results import typed_result
from phaseout_bureau.service.errors import DetailsInvalid, IdempotencyConflict
from phaseout_kit import uscc
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.events.envelope import event_type, source_uri
from phaseout_kit.events.outbox import append_event
from phaseout_policy import PolicyBook

log = logging.getLogger(__name__)


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


def to_recorded(spec: BureauSpec, row: FindingRow) -> FindingRecorded:
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
        return RecordedFinding(to_recorded(spec, existing), [], replayed=True)
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
    recorded = to_recorded(spec, row)
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
