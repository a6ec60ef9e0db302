"""The office's report pages: annex tasks and the annual report (page, XLSX)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from phaseout_coordinator.adapters.exports import (
    xlsx_bytes,
    xlsx_response,
)
from phaseout_coordinator.dashboard.access import (
    PREFIX,
)
from phaseout_coordinator.dashboard.page_kit import (
    Office,
    SignedIn,
    parse_year,
    policy_of,
    render_page,
    runtime_of,
    today_of,
)
from phaseout_coordinator.dashboard.present import (
    overdue_by_department,
)
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import reports


def add_report_pages(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/annex-tasks")
    async def annex_tasks(request: Request, viewer: SignedIn) -> Response:
        today = today_of(request)
        year = parse_year(request.query_params.get("year")) or today.year
        async with runtime_of(request).sessions() as session:
            tasks = await reports.annex_progress(session, policy_of(request), year=year, today=today)
            overdue = await reports.overdue_summaries(session, policy_of(request), year=year - 1, today=today)
        return render_page(
            request,
            viewer,
            "annex.html",
            "annex",
            year=year,
            tasks=tasks,
            plan=reports.plan_view(policy_of(request), year),
            plan_note=reports.plan_note_zh(policy_of(request), year),
            overdue=overdue_by_department(overdue),
            years=_years(today),
        )

    @router.get(f"{PREFIX}/annual-report")
    async def annual_report(request: Request, viewer: Office) -> Response:
        today = today_of(request)
        year = parse_year(request.query_params.get("year")) or today.year - 1
        report = await reports.annual_report(
            runtime_of(request).sessions, policy_of(request), year=year, today=today
        )
        if request.query_params.get("format") == "xlsx":
            content = await xlsx_bytes(reports.annual_report_sheets(policy_of(request), report))
            return xlsx_response(content, f"{report['title_zh']}.xlsx", f"phaseout-annual-report-{year}.xlsx")
        columns = {code: pubs.list_columns(code, internal=False) for code in ("annual_exit", "yellow", "red")}
        overdue = overdue_by_department(report["summaries_overdue"])
        return render_page(
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
