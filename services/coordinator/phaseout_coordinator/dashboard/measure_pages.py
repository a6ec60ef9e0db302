"""The measures page: joint-punishment measures by executing unit, their feedback form and download."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from phaseout_coordinator.dashboard import actions
from phaseout_coordinator.dashboard.access import (
    PREFIX,
    Viewer,
    form_fields,
    see_other,
)
from phaseout_coordinator.dashboard.page_kit import (
    STATUS_BADGES,
    MeasureAnswerer,
    MeasureReader,
    download_table,
    export_format,
    measure_page_rows,
    query_of,
    render_page,
    runtime_of,
    today_of,
)
from phaseout_coordinator.dashboard.present import (
    options,
    table_view,
)
from phaseout_coordinator.service_layer import reports
from phaseout_kit.refusals import Refused
from phaseout_kit.registry import unit_name


def add_measure_pages(router: APIRouter) -> None:
    @router.get(f"{PREFIX}/measures")
    async def measures(request: Request, viewer: MeasureReader) -> Response:
        return await _measures_page(request, viewer)

    @router.get(f"{PREFIX}/measures/export")
    async def measures_export(request: Request, viewer: MeasureReader) -> Response:
        query = query_of(request)
        rows = await measure_page_rows(request, viewer, query)
        today = today_of(request).isoformat()
        table = reports.measure_table(
            f"截至 {today}" + (f"　{unit_name(viewer.department)}" if viewer.department else "")
        )
        fmt = export_format(query.get("format"))
        return await download_table(table, rows, fmt, f"联合惩戒措施_{today}", f"phaseout-measures-{today}")

    @router.post(f"{PREFIX}/measures/{{key}}/feedback")
    async def feedback(request: Request, key: str, viewer: MeasureAnswerer) -> Response:
        fields = await form_fields(request, viewer)
        try:
            await actions.answer_measure(runtime_of(request), viewer.principal, key, fields)
        except Refused as exc:  # shown on the page it answers, never carried in a link anyone could forge
            return await _measures_page(request, viewer, refusal=f"{exc.zh}。")
        return see_other(f"{PREFIX}/measures?notice=feedback")


async def _measures_page(request: Request, viewer: Viewer, refusal: str | None = None) -> Response:
    query = query_of(request)
    rows = await measure_page_rows(request, viewer, query)
    everyone = rows if viewer.department else await measure_page_rows(request, viewer, {})
    table = table_view(
        rows, reports.MEASURE_COLUMNS, path=f"{PREFIX}/measures", query=query, badges=STATUS_BADGES
    )
    page = render_page(
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
        **({"notice": "refused", "refusal": refusal} if refusal else {}),
    )
    page.status_code = 422 if refusal else 200
    return page


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
