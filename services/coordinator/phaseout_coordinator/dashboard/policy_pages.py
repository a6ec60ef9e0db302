"""The policy data pages: the version in force, the plan years, the office's changes; for the office
administrator the XLSX templates (a plan year; limit values, item texts and catalogue items the data lacks),
their upload (row errors, or a draft with its preview), approval and withdrawal."""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from phaseout_coordinator.adapters.edition_templates import FORMS, edition_template
from phaseout_coordinator.adapters.exports import xlsx_response
from phaseout_coordinator.adapters.plan_year_template import template_bytes
from phaseout_coordinator.dashboard.access import PREFIX, CsrfRejected, Viewer, form_fields, see_other
from phaseout_coordinator.dashboard.page_kit import (
    Admin,
    Office,
    coordinator_of,
    policy_of,
    render_page,
    runtime_of,
    today_of,
)
from phaseout_coordinator.domain.model import DECISION_ZH, STATUS_ZH, Status
from phaseout_coordinator.service_layer import policy_import
from phaseout_kit.refusals import FieldErrors, Refused
from phaseout_policy import PolicyBook

RULE_FIELDS_ZH = {
    "key": "规则",
    "months": "期限（月）",
    "valid_from": "施行日期",
    "document": "确认文件文号",
    "clause": "条款",
    "text_zh": "规则原文",
}


def add_policy_pages(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/policy")
    async def policy_page(request: Request, viewer: Office) -> Response:
        return await _policy_page(request, viewer)

    @router.get(f"{PREFIX}/policy/template.xlsx")
    async def template(_request: Request, _viewer: Admin) -> Response:
        return xlsx_response(template_bytes(), "年度实施方案模板.xlsx", "phaseout-plan-year-template.xlsx")

    @router.get(f"{PREFIX}/policy/{{kind}}/template.xlsx")
    async def edition_template_file(_request: Request, kind: str, _viewer: Admin) -> Response:
        form = FORMS.get(kind)
        if form is None:
            return Response(status_code=404)
        return xlsx_response(edition_template(form), form.file_name, f"phaseout-{kind}-template.xlsx")

    @router.post(f"{PREFIX}/policy/plan-years")
    async def upload(request: Request, viewer: Admin) -> Response:
        return await _upload(request, viewer, editions=False)

    @router.post(f"{PREFIX}/policy/editions")
    async def upload_edition(request: Request, viewer: Admin) -> Response:
        return await _upload(request, viewer, editions=True)

    @router.post(f"{PREFIX}/policy/local-rules")
    async def local_rule(request: Request, viewer: Admin) -> Response:
        fields = await form_fields(request, viewer)
        edition = {
            k: fields.get(k) or None for k in ("key", "months", "valid_from", "document", "clause", "text_zh")
        }
        coordinator = coordinator_of(request)
        try:
            async with runtime_of(request).unit_of_work() as session:
                change = await policy_import.submit_change(
                    session,
                    viewer.principal,
                    "local_rule",
                    edition,
                    coordinator.policy_store,
                    today_of(request),
                )
        except FieldErrors as exc:
            errors = [
                {**e, "msg": f"{RULE_FIELDS_ZH.get(e['field'], e['field'])}：{e['problem_zh']}"}
                for e in exc.errors
            ]
            return await _policy_page(request, viewer, rule_errors=errors, rule_form=fields, status=422)
        return see_other(f"{PREFIX}/policy/changes/{change['change_id']}?notice=submitted")

    @router.get(f"{PREFIX}/policy/changes/{{change_id}}")
    async def change_page(request: Request, change_id: int, viewer: Office) -> Response:
        async with runtime_of(request).sessions() as session:
            change = await policy_import.get_change(session, change_id)
        return render_page(
            request,
            viewer,
            "policy_change.html",
            "policy",
            change=change,
            enterprises=[_effect_row(e) for e in change["preview"].get("enterprises", [])],
        )

    @router.post(f"{PREFIX}/policy/changes/{{change_id}}/{{decision}}")
    async def decide(request: Request, change_id: int, decision: str, viewer: Admin) -> Response:
        await form_fields(request, viewer)
        here = f"{PREFIX}/policy/changes/{change_id}"
        try:
            if decision == "approve":
                await coordinator_of(request).approve_policy_change(viewer.principal, change_id)
            elif decision == "withdraw":
                async with runtime_of(request).unit_of_work() as session:
                    await policy_import.withdraw_change(session, viewer.principal, change_id)
            else:
                return see_other(here)
        except Refused as exc:
            page = render_page(request, viewer, "message.html", "policy", title="未能办理", message=exc.zh)
            page.status_code = 409
            return page
        return see_other(f"{here}?notice={decision}d")


async def _upload(request: Request, viewer: Viewer, *, editions: bool) -> Response:
    """A filled-in template from the page's file form: a plan year, or an edition of the kind chosen."""
    async with request.form(max_files=1, max_fields=3) as form:
        if not hmac.compare_digest(str(form.get("csrf", "")), viewer.csrf):
            raise CsrfRejected
        kind = str(form.get("kind", "")) if editions else "plan_year"
        upload = form.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        filename = upload.filename if isinstance(upload, UploadFile) else None

    async def refused(**found: Any) -> Response:
        return await _policy_page(request, viewer, upload_kind=kind, filename=filename, status=422, **found)

    if editions and kind not in FORMS:
        return await refused(refusal="请选择录入的数据类别")
    store, today = coordinator_of(request).policy_store, today_of(request)
    try:
        async with runtime_of(request).unit_of_work() as session:
            if editions:
                change = await policy_import.submit_edition_sheet(
                    session, viewer.principal, kind, content, store, today
                )
            else:
                change = await policy_import.submit_plan_year_sheet(
                    session, viewer.principal, content, store, today
                )
    except FieldErrors as exc:
        return await refused(errors=exc.errors)
    except Refused as exc:
        return await refused(refusal=exc.zh)
    return see_other(f"{PREFIX}/policy/changes/{change['change_id']}?notice=submitted")


async def _policy_page(
    request: Request,
    viewer: Viewer,
    *,
    errors: list[dict[str, Any]] | None = None,
    refusal: str | None = None,
    filename: str | None = None,
    upload_kind: str = "plan_year",
    rule_errors: list[dict[str, Any]] | None = None,
    rule_form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    policy = policy_of(request)
    today = today_of(request)
    async with runtime_of(request).sessions() as session:
        changes = await policy_import.list_changes(session)
    response = render_page(
        request,
        viewer,
        "policy.html",
        "policy",
        version=policy.version,
        baseline=coordinator_of(request).policy_store.baseline.version,
        plans=sorted(policy.plan.plan_years, key=lambda p: p.year, reverse=True),
        changes=changes,
        errors=errors or [],
        refusal=refusal,
        filename=filename,
        upload_kind=upload_kind,
        edition_forms=FORMS,
        rules=operating_rules(policy, today),
        rule_errors=rule_errors or [],
        rule_form=rule_form or {},
    )
    response.status_code = status
    return response


def operating_rules(policy: PolicyBook, today: date) -> list[dict[str, Any]]:
    """The coordinator's operating rules in force today (where the plan is silent), those with a period first."""
    keys = sorted({r.key for r in policy.coordinator.records})
    rules = [policy.coordinator_rule(key, today) for key in keys]
    return [
        {
            "key": r.key,
            "months": r.months,
            "text_zh": r.text_zh,
            "document": r.document,
            "valid_from": r.valid_from,
            "confidence": r.confidence,
        }
        for r in sorted(rules, key=lambda r: (r.months is None, r.key))
    ]


def _effect_row(effect: dict[str, Any]) -> dict[str, Any]:
    return {
        **effect,
        "status_before_zh": STATUS_ZH[Status(effect["status_before"])],
        "status_after_zh": STATUS_ZH[Status(effect["status_after"])],
        "changes": [
            {**c, "kind_zh": DECISION_ZH[c["kind"]], "summary_zh": c["explanation"]["summary_zh"]}
            for c in effect["changes"]
        ],
    }
