"""The office administrator changes the policy data — loads a year's 实施方案, confirms or changes an operating
rule: check it (row errors in Chinese, nothing stored), submit it (a draft with a preview of the decisions it
changes, computed by the engine on the stored events), approve it (a new policy version; exactly the
enterprises it changes are queued for re-evaluation) or withdraw it. Every step is audited, in the caller's
transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.edition_templates import FORMS, edition_sheet_errors, read_edition
from phaseout_coordinator.adapters.event_store import stored_facts
from phaseout_coordinator.adapters.orm import StoredEvent
from phaseout_coordinator.adapters.orm_policy import PolicyChange
from phaseout_coordinator.adapters.plan_year_template import NotTheTemplate, read_plan_year, sheet_errors
from phaseout_coordinator.domain.facts import facts_of, registration_of
from phaseout_coordinator.domain.policy_changes import effect_on
from phaseout_coordinator.service_layer.policy_store import APPROVED, PolicyStore
from phaseout_coordinator.service_layer.projector import CHANGE, queue
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal
from phaseout_kit.clock import utcnow
from phaseout_kit.refusals import Conflict, FieldErrors, Invalid, NotFound
from phaseout_policy import PolicyBook
from phaseout_policy.office import (
    KIND_ZH,
    KINDS,
    Checked,
    Document,
    bureaus_judged_anew,
    changed_book,
    check_change,
    check_plan_year,
)

DRAFT, WITHDRAWN = "draft", "withdrawn"
STATUS_ZH = {DRAFT: "待审批", APPROVED: "已批准生效", WITHDRAWN: "已撤回"}
BATCH = 500  # enterprises judged per read
PREVIEW_PAGE = 200  # enterprises of a preview per answer


def plan_year_problems(raw: Any, store: PolicyStore, today: date) -> dict[str, Any]:
    checked = check_plan_year(raw, store.current, store.baseline, today)
    result: dict[str, Any] = {"valid": checked.valid, "errors": checked.errors}
    if checked.document is not None:
        result["summary"] = checked.document.change_summary(store.current)
    return result


def audited_check(
    session: AsyncSession, principal: Principal, raw: Any, store: PolicyStore, today: date
) -> dict[str, Any]:
    """The office administrator's check of a 实施方案 to load (nothing stored but the audit entry)."""
    result = plan_year_problems(raw, store, today)
    year = raw.get("year") if isinstance(raw, dict) else None
    record_audit(
        session,
        principal,
        action="policy.plan_year.check",
        object_type="plan_year",
        object_id=str(year),
        before=None,
        after={"valid": result["valid"], "errors": len(result["errors"]), "summary": result.get("summary")},
    )
    return result


def _refuse(checked: Checked[Document]) -> FieldErrors:
    return FieldErrors(
        [
            {
                "loc": ["body", *([e["section"], e["row"]] if e["row"] else []), e["field"]],
                "msg": e["message_zh"],
                "type": "policy_data",
                **e,
            }
            for e in checked.errors
        ]
    )


def previewed(change: dict[str, Any]) -> dict[str, Any]:
    """A decision event as the preview keeps it: everything but the rule texts its basis repeats (they are in
    the policy data, by rule id; kept, a rule change touching a thousand enterprises made a 60 MB preview)."""
    explanation = change["explanation"]
    basis = [{k: b[k] for k in ("rule_id", "document", "clause", "confidence")} for b in explanation["basis"]]
    return {**change, "explanation": {**explanation, "basis": basis}}


async def preview(
    session: AsyncSession, before: PolicyBook, after: PolicyBook, dimensions: Sequence[str], today: date
) -> dict[str, Any]:
    """Which enterprises' decisions change, and how, when ``after`` replaces ``before`` on ``today``: the engine
    on the stored events of every enterprise with a finding in a dimension the change touches."""
    candidates = list(
        await session.scalars(
            sa.select(StoredEvent.uscc)
            .where(StoredEvent.bureau.in_(list(dimensions)))
            .distinct()
            .order_by(StoredEvent.uscc)
        )
    )
    affected = []
    for start in range(0, len(candidates), BATCH):
        usccs = candidates[start : start + BATCH]
        events, affiliates = await stored_facts(session, usccs)
        for uscc in usccs:
            registration = registration_of(events[uscc])
            if registration is None:
                continue
            effect = effect_on(facts_of(uscc, events[uscc], affiliates[uscc]), today, before, after)
            if effect.changes or effect.before.status != effect.after.status:
                affected.append(
                    {
                        "uscc": uscc,
                        "name": registration.name,
                        "status_before": effect.before.status.value,
                        "status_after": effect.after.status.value,
                        "changes": [previewed(CHANGE.dump_python(c, mode="json")) for c in effect.changes],
                    }
                )
    return {
        "as_of": today.isoformat(),
        "compared_with_version": before.version,
        "policy_version": after.version,
        "dimensions": list(dimensions),
        "evaluated": len(candidates),
        "affected": len(affected),
        "enterprises": affected,
    }


async def submit_plan_year_sheet(
    session: AsyncSession, principal: Principal, content: bytes, store: PolicyStore, today: date
) -> dict[str, Any]:
    """A 实施方案 uploaded as the filled-in XLSX template: submitted like the JSON document, its errors named
    by sheet, sheet row and column title."""
    try:
        raw, rows = read_plan_year(content)
    except NotTheTemplate as exc:
        raise Invalid(str(exc), "not the plan-year template", "file") from exc
    return await submit_change(
        session, principal, "plan_year", raw, store, today, locate=lambda errors: sheet_errors(errors, rows)
    )


async def submit_edition_sheet(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    content: bytes,
    store: PolicyStore,
    today: date,
) -> dict[str, Any]:
    """An edition (limit values, item texts, catalogue items) uploaded as its filled-in XLSX template: submitted
    like the JSON document, its errors named by sheet, sheet row and column title."""
    form = FORMS[kind]
    try:
        raw, rows = read_edition(form, content)
    except NotTheTemplate as exc:
        raise Invalid(str(exc), f"not the {kind} template", "file") from exc
    return await submit_change(
        session,
        principal,
        kind,
        raw,
        store,
        today,
        locate=lambda errors: edition_sheet_errors(form, errors, rows),
    )


def _as_given(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return errors


async def submit_change(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    raw: Any,
    store: PolicyStore,
    today: date,
    locate: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] = _as_given,
) -> dict[str, Any]:
    """Store a checked change (``kind``: plan_year | local_rule) as a draft with the preview of its effect;
    refuse it with every row error (``locate`` says where each is in what the office submitted)."""
    current = await store.refresh(session)
    checked = check_change(kind, raw, current, store.baseline, today)
    if not checked.valid or checked.document is None:
        raise _refuse(Checked(checked.document, locate(checked.errors)))
    doc = checked.document
    row = PolicyChange(
        kind=kind,
        key=doc.change_key(),
        document=doc.model_dump(mode="json"),
        status=DRAFT,
        based_on_version=current.version,
        preview={},
        submitted_by=principal.actor,
        submitted_at=utcnow(),
    )
    session.add(row)
    await session.flush()  # its id names the version it would make
    candidate = changed_book(current, kind, row.document, row.id, store.baseline.version)
    row.preview = await preview(session, current, candidate, bureaus_judged_anew(kind, row.document), today)
    record_audit(
        session,
        principal,
        action="policy.change.submit",
        object_type="policy_change",
        object_id=str(row.id),
        before=None,
        after={
            "kind": row.kind,
            "key": row.key,
            "document": doc.change_title()[0],
            "affected": row.preview["affected"],
        },
    )
    return change_view(row, current)


async def approve_change(
    session: AsyncSession, principal: Principal, change_id: int, store: PolicyStore, today: date
) -> dict[str, Any]:
    """Put a draft in force: a new policy version, the preview computed again on what is stored now, and
    exactly the enterprises it changes queued (the projector judges them under the new version)."""
    row = await _draft(session, change_id)
    current = await store.refresh(session)
    checked = check_change(row.kind, row.document, current, store.baseline, today)  # after another approval
    if not checked.valid:
        raise _refuse(checked)
    candidate = changed_book(current, row.kind, row.document, row.id, store.baseline.version)
    row.preview = await preview(
        session, current, candidate, bureaus_judged_anew(row.kind, row.document), today
    )
    row.based_on_version = current.version
    row.status, row.policy_version = APPROVED, candidate.version
    row.decided_by, row.decided_at = principal.actor, utcnow()
    await queue(session, [e["uscc"] for e in row.preview["enterprises"]])
    record_audit(
        session,
        principal,
        action="policy.change.approve",
        object_type="policy_change",
        object_id=str(row.id),
        before={"status": DRAFT, "policy_version": current.version},
        after={"status": APPROVED, "policy_version": candidate.version, "affected": row.preview["affected"]},
    )
    return change_view(row, current)


async def withdraw_change(session: AsyncSession, principal: Principal, change_id: int) -> dict[str, Any]:
    row = await _draft(session, change_id)
    row.status, row.decided_by, row.decided_at = WITHDRAWN, principal.actor, utcnow()
    record_audit(
        session,
        principal,
        action="policy.change.withdraw",
        object_type="policy_change",
        object_id=str(row.id),
        before={"status": DRAFT},
        after={"status": WITHDRAWN},
    )
    return change_view(row, None)


async def _draft(session: AsyncSession, change_id: int) -> PolicyChange:
    row = await session.get(PolicyChange, change_id, with_for_update=True)
    if row is None:
        raise NotFound(f"没有第{change_id}号政策数据变更", f"no policy change {change_id}", "change_id")
    if row.status != DRAFT:
        raise Conflict(
            f"第{change_id}号变更{STATUS_ZH[row.status]}，不能再审批或撤回",
            f"policy change {change_id} is {row.status}",
            status=row.status,
        )
    return row


async def list_changes(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(sa.select(PolicyChange).order_by(PolicyChange.id.desc()))
    return [change_view(r, None, with_preview=False) for r in rows]


async def get_change(
    session: AsyncSession, change_id: int, offset: int = 0, limit: int = PREVIEW_PAGE
) -> dict[str, Any]:
    row = await session.get(PolicyChange, change_id)
    if row is None:
        raise NotFound(f"没有第{change_id}号政策数据变更", f"no policy change {change_id}", "change_id")
    return change_view(row, None, offset=offset, limit=limit)


def change_view(
    row: PolicyChange,
    policy: PolicyBook | None,
    *,
    with_preview: bool = True,
    offset: int = 0,
    limit: int = PREVIEW_PAGE,
) -> dict[str, Any]:
    """A change as the office reads it; its preview a page of the enterprises it moves (a rule change can move
    a thousand: the whole preview is stored, the answer carries ``limit`` of them from ``offset``)."""
    doc = KINDS[row.kind].model_validate(row.document)
    document, title_zh = doc.change_title()
    view: dict[str, Any] = {
        "change_id": row.id,
        "kind": row.kind,
        "kind_zh": KIND_ZH[row.kind],
        "key": row.key,
        "status": row.status,
        "status_zh": STATUS_ZH[row.status],
        "document": document,
        "title_zh": title_zh,
        "based_on_version": row.based_on_version,
        "policy_version": row.policy_version,
        "submitted_by": row.submitted_by,
        "submitted_at": row.submitted_at.isoformat(),
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "affected": row.preview.get("affected"),
    }
    if policy is not None:
        view["summary"] = doc.change_summary(policy)
    if with_preview:
        view["submitted"] = row.document
        enterprises = row.preview.get("enterprises", [])
        view["preview"] = {
            **row.preview,
            "enterprises": enterprises[offset : offset + limit],
            "offset": offset,
            "limit": limit,
        }
    return view
