"""The dashboard's pages (login required), assembled into one router; the pages are rendered on the server from
the service layer with the runtime's database sessions (no HTTP hop to the API)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from phaseout_coordinator.dashboard import actions
from phaseout_coordinator.dashboard.access import (
    PREFIX,
    ROLE_ZH,
    PageRoute,
    Viewer,
    clear_session,
    form_fields,
    principal_for,
    safe_next,
    same_origin,
    see_other,
    set_session,
)
from phaseout_coordinator.dashboard.measure_pages import add_measure_pages
from phaseout_coordinator.dashboard.page_kit import (
    ASSET_TYPES,
    STATUS_BADGES,
    Admin,
    CaseReader,
    SignedIn,
    download_table,
    enterprise_page_rows,
    export_format,
    forced_filters,
    list_page_rows,
    parse_date,
    parse_year,
    policy_of,
    query_of,
    render_page,
    runtime_of,
    today_of,
)
from phaseout_coordinator.dashboard.policy_pages import add_policy_pages
from phaseout_coordinator.dashboard.present import (
    case_rows,
    dossier_view,
    options,
    table_view,
)
from phaseout_coordinator.dashboard.rendering import BUREAU_ZH, STATIC, echarts_file, render
from phaseout_coordinator.dashboard.report_pages import add_report_pages
from phaseout_coordinator.service_layer import list_checks, queries, reports
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer.dashboard_sessions import close_session, open_session
from phaseout_kit import uscc
from phaseout_kit.auth import DEMO_TOKENS, Role, hash_token
from phaseout_kit.clock import utcnow
from phaseout_kit.refusals import Refused
from phaseout_kit.registry import short_name, unit_name
from phaseout_kit.settings import Profile


def dashboard_router() -> APIRouter:
    router = APIRouter(route_class=PageRoute, include_in_schema=False)
    _assets(router)
    _session(router)
    _overview(router)
    _lists(router)
    _enterprises(router)
    add_measure_pages(router)
    add_report_pages(router)
    add_policy_pages(router)
    return router


def _assets(router: APIRouter) -> None:
    @router.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=307)

    @router.get(f"{PREFIX}/static/{{name}}")
    async def static(name: str) -> Response:
        path = STATIC / name
        if path.parent != STATIC or path.suffix not in ASSET_TYPES or not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type=ASSET_TYPES[path.suffix])

    @router.get(f"{PREFIX}/vendor/echarts.min.js")
    async def echarts() -> Response:
        """Served from node_modules (npm ci at set-up); missing → 404 and the pages say charts are off."""
        path = echarts_file()
        if path is None:
            return Response("/* echarts not installed */", status_code=404, media_type=ASSET_TYPES[".js"])
        return FileResponse(path, media_type=ASSET_TYPES[".js"], headers={"Cache-Control": "max-age=86400"})


def _session(router: APIRouter) -> None:
    def login_page(request: Request, error: str | None = None, status_code: int = 200) -> HTMLResponse:
        embedded = runtime_of(request).settings.profile is Profile.EMBEDDED
        demo = [
            (
                token,
                ROLE_ZH[p.role],
                unit_name(p.department)
                if p.department
                else BUREAU_ZH.get(p.bureau or "", short_name("office")),
            )
            for token, p in DEMO_TOKENS.items()
            if p.role is not Role.READER
        ]
        context = {
            "error": error,
            "next": request.query_params.get("next", ""),
            "demo_tokens": demo if embedded else [],
        }
        return render(request, "login.html", context, status_code)

    @router.get(f"{PREFIX}/login")
    async def login_form(request: Request) -> HTMLResponse:
        return login_page(request)

    @router.post(f"{PREFIX}/login")
    async def login(request: Request) -> Response:
        same_origin(request)  # login CSRF: another site must not sign a browser in with its own token
        fields = await form_fields(request)
        token = fields.get("token", "")
        runtime = runtime_of(request)
        principal = await principal_for(runtime, token) if token else None
        if principal is None:
            return login_page(request, "令牌无效或已过期，请核对后重新输入。", 401)
        async with runtime.unit_of_work() as session:
            session_id = await open_session(
                session, hash_token(token, runtime.settings.token_pepper), utcnow()
            )
        response = see_other(safe_next(fields.get("next")))
        set_session(response, request, session_id)
        return response

    @router.post(f"{PREFIX}/logout")
    async def logout(request: Request, viewer: SignedIn) -> Response:
        await form_fields(request, viewer)
        async with runtime_of(request).unit_of_work() as session:
            await close_session(session, viewer.session_id)
        response = see_other(f"{PREFIX}/login")
        clear_session(response)
        return response


def _overview(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/")
    async def overview(request: Request, viewer: SignedIn) -> Response:
        if not viewer.sees_cases:
            return see_other(viewer.home())
        today = today_of(request)
        async with runtime_of(request).sessions() as session:
            stats = await reports.statistics(
                session, policy_of(request), as_of=today, year=today.year, within_days=30
            )
            due = await _cases(session, today, viewer, overdue=False)
            overdue = await _cases(session, today, viewer, overdue=True)
            total, items = await queries.suspended_without_deadline(
                session, policy_of(request), today=today, bureau=viewer.bureau, offset=0, limit=15
            )
        suspended = {"total": total, "rows": case_rows(items)}
        return render_page(
            request,
            viewer,
            "overview.html",
            "overview",
            stats=stats,
            due=due,
            overdue=overdue,
            suspended=suspended,
        )


async def _cases(session: Any, today: date, viewer: Viewer, *, overdue: bool) -> dict[str, Any]:
    total, items = await queries.cases_by_deadline(
        session,
        today=today,
        within_days=None if overdue else 30,
        overdue=overdue,
        bureau=viewer.bureau,
        offset=0,
        limit=15,
    )
    return {"total": total, "rows": case_rows(items)}


def _lists(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/lists/{{code}}")
    async def list_page(request: Request, code: str, viewer: CaseReader) -> Response:
        if code not in queries.LIST_CODES:
            return Response(status_code=404)
        query = forced_filters(query_of(request), viewer)
        scope, rows, kept = await list_page_rows(request, viewer, code, query)
        async with runtime_of(request).sessions() as session:
            _total, drafts = await pubs.listing(
                session, published_only=False, list_code=code, offset=0, limit=10
            )
            held = {  # why a draft cannot be published (its button is withheld; the API refuses likewise)
                p.id: found
                for p in drafts
                if p.state == pubs.DRAFT and (found := await list_checks.publication_problems(session, p))
            }
        return render_page(
            request,
            viewer,
            "list.html",
            "lists",
            code=code,
            title=pubs.list_title(policy_of(request), code),
            scope=scope,
            query=query,
            table=table_view(
                kept, pubs.list_columns(code, internal=True), path=request.url.path, query=query
            ),
            towns=options(rows, "town"),
            industries=options(rows, "industry", "industry_zh"),
            publications=[
                {
                    **pubs.office_view(policy_of(request), p, with_entries=False),
                    "problems": held.get(p.id, []),
                }
                for p in drafts
            ],
            basis=pubs.legal_basis(policy_of(request), code),
            export_query=urlencode({k: v for k, v in query.items() if k not in ("page", "sort", "desc")}),
        )

    @router.get(f"{PREFIX}/lists/{{code}}/export")
    async def list_export(request: Request, code: str, viewer: CaseReader) -> Response:
        if code not in queries.LIST_CODES:
            return Response(status_code=404)
        query = forced_filters(query_of(request), viewer)
        scope, _rows, kept = await list_page_rows(request, viewer, code, query)
        name = f"{pubs.short_title(policy_of(request), code)}_{scope.label_zh.replace('截至 ', '')}"
        fallback = f"phaseout-{code}-{scope.label_date.isoformat()}"
        table = pubs.list_table(policy_of(request), scope, internal=True)
        return await download_table(table, kept, export_format(query.get("format")), name, fallback)

    @router.post(f"{PREFIX}/lists/{{code}}/drafts")
    async def draft(request: Request, code: str, viewer: Admin) -> Response:
        fields = await form_fields(request, viewer)
        if code not in queries.LIST_CODES:
            return Response(status_code=404)
        scope = pubs.publication_scope(
            code, parse_date(fields.get("as_of")), parse_year(fields.get("year")), today_of(request)
        )
        await pubs.draft(runtime_of(request), viewer.principal, scope)
        return see_other(f"{PREFIX}/lists/{code}?notice=drafted#publications")

    @router.post(f"{PREFIX}/publications/{{publication_id}}/publish")
    async def publish(request: Request, publication_id: int, viewer: Admin) -> Response:
        fields = await form_fields(request, viewer)
        code = fields.get("list_code") if fields.get("list_code") in queries.LIST_CODES else "yellow"
        try:
            await actions.publish(runtime_of(request), viewer.principal, publication_id)
        except Refused:
            return see_other(f"{PREFIX}/lists/{code}?notice=conflict#publications")
        return see_other(f"{PREFIX}/lists/{code}?notice=published#publications")


def _enterprises(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/enterprises")
    async def enterprises(request: Request, viewer: CaseReader) -> Response:
        query = forced_filters(query_of(request), viewer)
        rows = await enterprise_page_rows(request, viewer, query)
        table = table_view(
            rows, reports.ENTERPRISE_COLUMNS, path=request.url.path, query=query, badges=STATUS_BADGES
        )
        everyone = await enterprise_page_rows(request, viewer, {})
        return render_page(
            request,
            viewer,
            "enterprises.html",
            "enterprises",
            query=query,
            table=table,
            towns=options(everyone, "town"),
            industries=options(everyone, "industry", "industry_zh"),
            export_query=urlencode({k: v for k, v in query.items() if k not in ("page", "sort", "desc")}),
        )

    @router.get(f"{PREFIX}/enterprises/export")
    async def enterprises_export(request: Request, viewer: CaseReader) -> Response:
        query = forced_filters(query_of(request), viewer)
        rows = await enterprise_page_rows(request, viewer, query)
        today = today_of(request).isoformat()
        table = reports.enterprise_table(f"导出日期 {today}")
        fmt = export_format(query.get("format"))
        return await download_table(
            table, rows, fmt, f"企业检索结果_{today}", f"phaseout-enterprises-{today}"
        )

    @router.get(f"{PREFIX}/enterprises/{{code}}")
    async def dossier(request: Request, code: str, viewer: CaseReader) -> Response:
        try:
            valid = uscc.validate(code).code
        except uscc.USCCError:
            return _not_found(request, viewer, "统一社会信用代码无效。")
        async with runtime_of(request).sessions() as session:
            found = await queries.dossier(session, policy_of(request), valid)
        if found is None:
            return _not_found(request, viewer, "该企业暂无记录。")
        return render_page(request, viewer, "dossier.html", "enterprises", d=dossier_view(found))


def _not_found(request: Request, viewer: Viewer, message: str) -> HTMLResponse:
    response = render_page(request, viewer, "message.html", "", title="未找到", message=message)
    response.status_code = 404
    return response


__all__ = ["dashboard_router"]
