"""What the dashboard's pages share: who may see a page, the request's runtime, clock and policy book, query
parsing, rows with links, downloads."""

from __future__ import annotations

from collections.abc import AsyncIterable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from phaseout_coordinator.adapters.exports import (
    ExportFormat,
    export_response,
    iterate,
)
from phaseout_coordinator.bootstrap import Coordinator
from phaseout_coordinator.dashboard.access import (
    PREFIX,
    Viewer,
    allowed,
)
from phaseout_coordinator.dashboard.present import (
    matches,
)
from phaseout_coordinator.dashboard.rendering import render
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import queries, reports
from phaseout_coordinator.service_layer.authorisation import unit_in_scope
from phaseout_kit.registry import find_unit
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.web import EARLIEST_DATE, LATEST_DATE
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


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def coordinator_of(request: Request) -> Coordinator:
    coordinator: Coordinator = request.app.state.coordinator
    return coordinator


def today_of(request: Request) -> date:
    return coordinator_of(request).clock.today()


def policy_of(request: Request) -> PolicyBook:
    return coordinator_of(request).policy


def query_of(request: Request) -> dict[str, str]:
    return {k: v.strip() for k, v in request.query_params.items() if v.strip()}


def parse_date(value: str | None) -> date | None:
    """A date typed in a page's filter, or None (then the page's default) when it is not one the API takes."""
    try:
        parsed = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and EARLIEST_DATE <= parsed <= LATEST_DATE else None


def parse_year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2100 else None


def render_page(request: Request, viewer: Viewer, name: str, section: str, **context: Any) -> HTMLResponse:
    return render(
        request,
        name,
        {
            "viewer": viewer,
            "section": section,
            "today": today_of(request).isoformat(),
            "list_titles": {code: pubs.short_title(policy_of(request), code) for code in queries.LIST_CODES},
            "notice": request.query_params.get("notice"),
            **context,
        },
    )


def export_format(value: str | None) -> ExportFormat:
    return ExportFormat.CSV if value == "csv" else ExportFormat.XLSX


async def _all(rows: AsyncIterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row async for row in rows]


def _with_links(rows: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    if viewer.sees_cases:
        for row in rows:
            if row.get("uscc"):
                row["_href"] = f"{PREFIX}/enterprises/{row['uscc']}"
    return rows


def forced_filters(query: dict[str, str], viewer: Viewer) -> dict[str, str]:
    """A bureau user sees its own dimension (= its bureau)."""
    return {**query, "dimension": viewer.bureau} if viewer.bureau else query


async def list_page_rows(
    request: Request, viewer: Viewer, code: str, query: dict[str, str]
) -> tuple[pubs.ListScope, list[dict[str, Any]], list[dict[str, Any]]]:
    """The list's scope, every row of it, and the rows the filters keep."""
    scope = pubs.list_scope(
        code, parse_date(query.get("as_of")), parse_year(query.get("year")), today_of(request)
    )
    rows = await _all(pubs.list_rows(runtime_of(request).sessions, scope, internal=True))
    kept = [r for r in rows if matches(r, {k: query.get(k) for k in LIST_FILTERS}, query.get("q"))]
    return scope, rows, _with_links(kept, viewer)


async def enterprise_page_rows(
    request: Request, viewer: Viewer, query: dict[str, str]
) -> list[dict[str, Any]]:
    f = queries.EnterpriseFilter(
        query.get("status"),
        query.get("dimension"),
        query.get("town"),
        None,
        query.get("industry"),
        query.get("q"),
    )
    return _with_links(await _all(reports.enterprise_rows(runtime_of(request).sessions, f)), viewer)


async def measure_page_rows(request: Request, viewer: Viewer, query: dict[str, str]) -> list[dict[str, Any]]:
    requested = find_unit(query.get("department"))  # the filter offers units; anything else filters nothing
    f = reports.MeasureFilter(
        unit=unit_in_scope(viewer.principal, requested.code if requested else None),
        execution=query.get("execution") if query.get("execution") in reports.EXECUTION_ZH else None,
        imposed_to=today_of(request),
    )
    async with runtime_of(request).sessions() as session:
        rows = await reports.measure_rows(session, f)
    return _with_links([r for r in rows if matches(r, {}, query.get("q"))], viewer)


async def download_table(
    table: Any, rows: list[dict[str, Any]], fmt: ExportFormat, name_zh: str, fallback: str
) -> Response:
    return await export_response(table, iterate(rows), fmt, filename_zh=name_zh, fallback=fallback)
