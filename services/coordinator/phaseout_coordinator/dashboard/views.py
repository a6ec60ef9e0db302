"""The dashboard's pages (login required) and the public disclosure pages (no login), rendered on the server
from the service layer with the runtime's database sessions (no HTTP hop to the API)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterable, Sequence
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from phaseout_coordinator.adapters.exports import (
    ExportFormat,
    export_response,
    iterate,
    xlsx_bytes,
    xlsx_response,
)
from phaseout_coordinator.dashboard import actions
from phaseout_coordinator.dashboard.access import (
    COOKIE,
    PREFIX,
    ROLE_ZH,
    PageRoute,
    Viewer,
    allowed,
    clear_session,
    form_fields,
    principal_for,
    safe_next,
    see_other,
    set_session,
)
from phaseout_coordinator.dashboard.present import (
    case_rows,
    dossier_view,
    matches,
    options,
    overdue_by_department,
    table_view,
)
from phaseout_coordinator.dashboard.rendering import BUREAU_ZH, STATIC, echarts_file, render
from phaseout_coordinator.entrypoints.wiring import Coordinator
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import queries, reports
from phaseout_coordinator.service_layer.measures import unit_in_scope
from phaseout_kit import uscc
from phaseout_kit.auth import DEMO_TOKENS, Role
from phaseout_kit.registry import find_unit, short_name, unit_name
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import Profile
from phaseout_policy import PolicyBook

Office = Annotated[Viewer, Depends(allowed(lambda v: v.office))]
Admin = Annotated[Viewer, Depends(allowed(lambda v: v.admin))]
CaseReader = Annotated[Viewer, Depends(allowed(lambda v: v.sees_cases))]
MeasureReader = Annotated[Viewer, Depends(allowed(lambda v: v.sees_measures))]
MeasureAnswerer = Annotated[Viewer, Depends(allowed(lambda v: v.answers_measures))]
SignedIn = Annotated[Viewer, Depends(allowed(lambda v: True))]
LIST_FILTERS = ("dimension", "town", "industry")
ENTERPRISE_FILTERS = ("status", "dimension", "town", "industry")
STATUS_BADGES = {"status_zh": "status", "execution_status_zh": "execution_status"}
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


# ---- context ------------------------------------------------------------------------------------------------


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _coordinator(request: Request) -> Coordinator:
    coordinator: Coordinator = request.app.state.coordinator
    return coordinator


def _today(request: Request) -> date:
    return _coordinator(request).clock.today()


def _policy(request: Request) -> PolicyBook:
    return _coordinator(request).policy


def _query(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in request.query_params.items() if v.strip()}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2100 else None


def _page(request: Request, viewer: Viewer, name: str, section: str, **context: Any) -> HTMLResponse:
    return render(
        request,
        name,
        {
            "viewer": viewer,
            "section": section,
            "today": _today(request).isoformat(),
            "list_titles": {code: pubs.short_title(_policy(request), code) for code in queries.LIST_CODES},
            "notice": request.query_params.get("notice"),
            **context,
        },
    )


def _export_format(value: str | None) -> ExportFormat:
    return ExportFormat.CSV if value == "csv" else ExportFormat.XLSX


# ---- rows the pages and their downloads share ---------------------------------------------------------------


async def _all(rows: AsyncIterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row async for row in rows]


def _with_links(rows: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    if viewer.sees_cases:
        for row in rows:
            if row.get("uscc"):
                row["_href"] = f"{PREFIX}/enterprises/{row['uscc']}"
    return rows


def _forced(query: dict[str, str], viewer: Viewer) -> dict[str, str]:
    """A bureau user sees its own dimension (= its bureau)."""
    return {**query, "dimension": viewer.bureau} if viewer.bureau else query


async def _list_rows(
    request: Request, viewer: Viewer, code: str, query: dict[str, str]
) -> tuple[pubs.ListScope, list[dict[str, Any]], list[dict[str, Any]]]:
    """The list's scope, every row of it, and the rows the filters keep."""
    scope = pubs.list_scope(code, _date(query.get("as_of")), _year(query.get("year")), _today(request))
    rows = await _all(pubs.list_rows(_runtime(request).sessions, scope, internal=True))
    kept = [r for r in rows if matches(r, {k: query.get(k) for k in LIST_FILTERS}, query.get("q"))]
    return scope, rows, _with_links(kept, viewer)


async def _enterprise_rows(request: Request, viewer: Viewer, query: dict[str, str]) -> list[dict[str, Any]]:
    f = queries.EnterpriseFilter(
        query.get("status"),
        query.get("dimension"),
        query.get("town"),
        None,
        query.get("industry"),
        query.get("q"),
    )
    return _with_links(await _all(reports.enterprise_rows(_runtime(request).sessions, f)), viewer)


async def _measure_rows(request: Request, viewer: Viewer, query: dict[str, str]) -> list[dict[str, Any]]:
    requested = find_unit(query.get("department"))  # the filter offers units; anything else filters nothing
    f = reports.MeasureFilter(
        unit=unit_in_scope(viewer.principal, requested.code if requested else None),
        execution=query.get("execution") if query.get("execution") in reports.EXECUTION_ZH else None,
        imposed_to=_today(request),
    )
    async with _runtime(request).sessions() as session:
        rows = await reports.measure_rows(session, f)
    return _with_links([r for r in rows if matches(r, {}, query.get("q"))], viewer)


async def _download(
    table: Any, rows: list[dict[str, Any]], fmt: ExportFormat, name_zh: str, fallback: str
) -> Response:
    return await export_response(table, iterate(rows), fmt, filename_zh=name_zh, fallback=fallback)


# ---- the router ---------------------------------------------------------------------------------------------


def dashboard_router() -> APIRouter:
    router = APIRouter(route_class=PageRoute, include_in_schema=False)
    _assets(router)
    _session(router)
    _overview(router)
    _lists(router)
    _enterprises(router)
    _measures(router)
    _reports(router)
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
        embedded = _runtime(request).settings.profile is Profile.EMBEDDED
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
        fields = await form_fields(request)
        token = fields.get("token", "")
        principal = await principal_for(_runtime(request), token) if token else None
        if principal is None:
            return login_page(request, "令牌无效或已过期，请核对后重新输入。", 401)
        response = see_other(safe_next(fields.get("next")))
        set_session(response, request, token)
        return response

    @router.post(f"{PREFIX}/logout")
    async def logout(request: Request, viewer: SignedIn) -> Response:
        await form_fields(request, viewer)
        response = see_other(f"{PREFIX}/login")
        clear_session(response)
        return response


def _overview(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/")
    async def overview(request: Request, viewer: SignedIn) -> Response:
        if not viewer.sees_cases:
            return see_other(viewer.home())
        today = _today(request)
        async with _runtime(request).sessions() as session:
            stats = await reports.statistics(
                session, _policy(request), as_of=today, year=today.year, within_days=30
            )
            due = await _cases(session, today, viewer, overdue=False)
            overdue = await _cases(session, today, viewer, overdue=True)
        return _page(request, viewer, "overview.html", "overview", stats=stats, due=due, overdue=overdue)


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
        query = _forced(_query(request), viewer)
        scope, rows, kept = await _list_rows(request, viewer, code, query)
        async with _runtime(request).sessions() as session:
            _total, drafts = await pubs.listing(
                session, published_only=False, list_code=code, offset=0, limit=10
            )
        return _page(
            request,
            viewer,
            "list.html",
            "lists",
            code=code,
            title=pubs.list_title(_policy(request), code),
            scope=scope,
            query=query,
            table=table_view(
                kept, pubs.list_columns(code, internal=True), path=request.url.path, query=query
            ),
            towns=options(rows, "town"),
            industries=options(rows, "industry", "industry_zh"),
            publications=[pubs.office_view(_policy(request), p, with_entries=False) for p in drafts],
            basis=pubs.legal_basis(_policy(request), code),
            export_query=urlencode({k: v for k, v in query.items() if k not in ("page", "sort", "desc")}),
        )

    @router.get(f"{PREFIX}/lists/{{code}}/export")
    async def list_export(request: Request, code: str, viewer: CaseReader) -> Response:
        if code not in queries.LIST_CODES:
            return Response(status_code=404)
        query = _forced(_query(request), viewer)
        scope, _rows, kept = await _list_rows(request, viewer, code, query)
        name = f"{pubs.short_title(_policy(request), code)}_{scope.label_zh.replace('截至 ', '')}"
        fallback = f"phaseout-{code}-{scope.label_date.isoformat()}"
        table = pubs.list_table(_policy(request), scope, internal=True)
        return await _download(table, kept, _export_format(query.get("format")), name, fallback)

    @router.post(f"{PREFIX}/lists/{{code}}/drafts")
    async def draft(request: Request, code: str, viewer: Admin) -> Response:
        fields = await form_fields(request, viewer)
        if code not in queries.LIST_CODES:
            return Response(status_code=404)
        scope = pubs.publication_scope(
            code, _date(fields.get("as_of")), _year(fields.get("year")), _today(request)
        )
        await pubs.draft(_runtime(request), viewer.principal, scope)
        return see_other(f"{PREFIX}/lists/{code}?notice=drafted#publications")

    @router.post(f"{PREFIX}/publications/{{publication_id}}/publish")
    async def publish(request: Request, publication_id: int, viewer: Admin) -> Response:
        fields = await form_fields(request, viewer)
        code = fields.get("list_code") if fields.get("list_code") in queries.LIST_CODES else "yellow"
        try:
            await actions.publish(_runtime(request), viewer.principal, publication_id)
        except actions.Refused:
            return see_other(f"{PREFIX}/lists/{code}?notice=conflict#publications")
        return see_other(f"{PREFIX}/lists/{code}?notice=published#publications")


def _enterprises(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/enterprises")
    async def enterprises(request: Request, viewer: CaseReader) -> Response:
        query = _forced(_query(request), viewer)
        rows = await _enterprise_rows(request, viewer, query)
        table = table_view(
            rows, reports.ENTERPRISE_COLUMNS, path=request.url.path, query=query, badges=STATUS_BADGES
        )
        everyone = await _enterprise_rows(request, viewer, {})
        return _page(
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
        query = _forced(_query(request), viewer)
        rows = await _enterprise_rows(request, viewer, query)
        today = _today(request).isoformat()
        table = reports.enterprise_table(f"导出日期 {today}")
        fmt = _export_format(query.get("format"))
        return await _download(table, rows, fmt, f"企业检索结果_{today}", f"phaseout-enterprises-{today}")

    @router.get(f"{PREFIX}/enterprises/{{code}}")
    async def dossier(request: Request, code: str, viewer: CaseReader) -> Response:
        try:
            valid = uscc.validate(code).code
        except uscc.USCCError:
            return _not_found(request, viewer, "统一社会信用代码无效。")
        async with _runtime(request).sessions() as session:
            found = await queries.dossier(session, _policy(request), valid)
        if found is None:
            return _not_found(request, viewer, "该企业暂无记录。")
        return _page(request, viewer, "dossier.html", "enterprises", d=dossier_view(found))


def _not_found(request: Request, viewer: Viewer, message: str) -> HTMLResponse:
    response = _page(request, viewer, "message.html", "", title="未找到", message=message)
    response.status_code = 404
    return response


def _measures(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/measures")
    async def measures(request: Request, viewer: MeasureReader) -> Response:
        query = _query(request)
        rows = await _measure_rows(request, viewer, query)
        everyone = rows if viewer.department else await _measure_rows(request, viewer, {})
        table = table_view(
            rows, reports.MEASURE_COLUMNS, path=request.url.path, query=query, badges=STATUS_BADGES
        )
        return _page(
            request,
            viewer,
            "measures.html",
            "measures",
            query=query,
            summary=_by_department(everyone),
            departments=options(everyone, "target_unit", "target_department_zh"),
            table=table,
            pending=_pending(table.rows) if viewer.answers_measures else [],
            export_query=urlencode({k: v for k, v in query.items() if k not in ("page", "sort", "desc")}),
        )

    @router.get(f"{PREFIX}/measures/export")
    async def measures_export(request: Request, viewer: MeasureReader) -> Response:
        query = _query(request)
        rows = await _measure_rows(request, viewer, query)
        today = _today(request).isoformat()
        table = reports.measure_table(
            f"截至 {today}" + (f"　{unit_name(viewer.department)}" if viewer.department else "")
        )
        fmt = _export_format(query.get("format"))
        return await _download(table, rows, fmt, f"联合惩戒措施_{today}", f"phaseout-measures-{today}")

    @router.post(f"{PREFIX}/measures/{{key}}/feedback")
    async def feedback(request: Request, key: str, viewer: MeasureAnswerer) -> Response:
        fields = await form_fields(request, viewer)
        try:
            await actions.answer_measure(_runtime(request), viewer.principal, key, fields)
        except actions.Refused as exc:
            return see_other(f"{PREFIX}/measures?{urlencode({'notice': 'refused', 'why': str(exc)})}")
        return see_other(f"{PREFIX}/measures?notice=feedback")


def _pending(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The measures on this page still awaiting an answer (one feedback form each)."""
    return [r for r in rows if r["execution_status"] == "pending"]


def _by_department(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        counts.setdefault(row["target_department_zh"], Counter())[row["execution_status"]] += 1
    return [
        {"department_zh": dept, "total": sum(c.values()), **{s: c[s] for s in reports.EXECUTION_ZH}}
        for dept, c in sorted(counts.items())
    ]


def _reports(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/annex-tasks")
    async def annex_tasks(request: Request, viewer: SignedIn) -> Response:
        today = _today(request)
        year = _year(request.query_params.get("year")) or today.year
        async with _runtime(request).sessions() as session:
            tasks = await reports.annex_progress(session, _policy(request), year=year, today=today)
            overdue = await reports.overdue_summaries(session, _policy(request), year=year - 1, today=today)
        return _page(
            request,
            viewer,
            "annex.html",
            "annex",
            year=year,
            tasks=tasks,
            overdue=overdue_by_department(overdue),
            years=_years(today),
        )

    @router.get(f"{PREFIX}/annual-report")
    async def annual_report(request: Request, viewer: Office) -> Response:
        today = _today(request)
        year = _year(request.query_params.get("year")) or today.year - 1
        report = await reports.annual_report(
            _runtime(request).sessions, _policy(request), year=year, today=today
        )
        if request.query_params.get("format") == "xlsx":
            content = await xlsx_bytes(reports.annual_report_sheets(_policy(request), report))
            return xlsx_response(content, f"{report['title_zh']}.xlsx", f"phaseout-annual-report-{year}.xlsx")
        columns = {code: pubs.list_columns(code, internal=False) for code in ("annual_exit", "yellow", "red")}
        overdue = overdue_by_department(report["summaries_overdue"])
        return _page(
            request,
            viewer,
            "annual_report.html",
            "report",
            r=report,
            overdue=overdue,
            columns=columns,
            years=_years(today),
        )


def _years(today: date) -> list[int]:
    return list(range(today.year, 2019, -1))


# ---- public disclosure --------------------------------------------------------------------------------------


def public_pages_router() -> APIRouter:
    """信息公开: only what the office has published, with its date and legal basis; nothing internal."""
    router = APIRouter(prefix="/public", include_in_schema=False)

    @router.get("/")
    async def published(request: Request) -> HTMLResponse:
        async with _runtime(request).sessions() as session:
            _total, rows = await pubs.listing(
                session, published_only=True, list_code=None, offset=0, limit=200
            )
        items = [pubs.public_view(_policy(request), p, with_entries=False) for p in rows]
        return render(request, "public_index.html", {"items": items})

    @router.get("/lists/{publication_id}")
    async def published_list(request: Request, publication_id: int) -> HTMLResponse:
        async with _runtime(request).sessions() as session:
            found = await pubs.find(session, publication_id, published_only=True)
        if found is None:
            context = {"title": "未找到", "message": "该名单未发布或不存在。", "public": True}
            return render(request, "message.html", context, 404)
        view = pubs.public_view(_policy(request), found, with_entries=True)
        columns = pubs.publication_table(_policy(request), found).columns
        table = table_view(view["entries"], columns, path=request.url.path, query=_query(request))
        return render(request, "public_list.html", {"p": view, "table": table})

    return router


__all__ = ["COOKIE", "dashboard_router", "public_pages_router"]
