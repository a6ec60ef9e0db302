"""The leading group office's work API: downloads, list publication, statistics, annex tasks, annual report
(no ``from __future__``: FastAPI reads the annotations)."""

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from phaseout_coordinator.adapters.exports import (
    EXPORT_CONTENT,
    XLSX_MEDIA_TYPE,
    ExportFormat,
    export_response,
    iterate,
    xlsx_bytes,
    xlsx_response,
)
from phaseout_coordinator.entrypoints.annex_api import annex_routes
from phaseout_coordinator.entrypoints.api import (
    AdminDep,
    CoordinatorDep,
    EnterpriseFilterDep,
    Limit,
    ListCode,
    MeasureUnitDep,
    Offset,
    PolicyDep,
    ReaderDep,
    YearQuery,
)
from phaseout_coordinator.entrypoints.policy_api import policy_routes
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import queries, reports
from phaseout_coordinator.service_layer.authorisation import dimension_in_scope
from phaseout_kit.registry import short_name, unit_name
from phaseout_kit.web import MAX_ROW_ID, BusinessDate, RuntimeDep, errors

FormatQuery = Annotated[ExportFormat, Query(alias="format", description="csv 或 xlsx")]
PublicationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="发布编号")]


class PublicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date | None = Field(default=None, description="截至日期，默认今天")
    year: int | None = Field(default=None, ge=2000, le=2100, description="年度（年度退出名单）")


def _download_name(title: str, scope_zh: str) -> str:
    return f"{title}_{scope_zh.replace('截至 ', '')}"


def office_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=[f"{short_name('office')} office"])
    _downloads(router)
    _publications(router)
    _statistics(router)
    annex_routes(router)
    _annual_report(router)
    policy_routes(router)
    return router


def _downloads(router: APIRouter) -> None:
    @router.get(
        "/lists/{list_code}/export",
        summary="下载名单（CSV/XLSX，全部条目）(export a list)",
        responses=EXPORT_CONTENT,
    )
    async def export_list(
        policy: PolicyDep,
        list_code: ListCode,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: ReaderDep,
        fmt: FormatQuery = ExportFormat.XLSX,
        as_of: Annotated[BusinessDate | None, Query(description="截至日期，默认今天")] = None,
        year: YearQuery = None,
    ) -> Response:
        scope = replace(
            pubs.list_scope(list_code, as_of, year, coordinator.clock.today()),
            dimension=dimension_in_scope(principal),
        )
        return await export_response(
            pubs.list_table(policy, scope, internal=True),
            pubs.list_rows(runtime.sessions, scope, internal=True),
            fmt,
            filename_zh=_download_name(pubs.short_title(policy, list_code), scope.label_zh),
            fallback=f"phaseout-{list_code}-{scope.year if scope.as_of is None else scope.label_date}",
        )

    @router.get(
        "/enterprises/export",
        summary="下载企业检索结果（CSV/XLSX）(export the enterprise search)",
        responses=EXPORT_CONTENT,
    )
    async def export_enterprises(
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        f: EnterpriseFilterDep,
        fmt: FormatQuery = ExportFormat.XLSX,
    ) -> Response:
        today = coordinator.clock.today()
        return await export_response(
            reports.enterprise_table(f"导出日期 {today.isoformat()}"),
            reports.enterprise_rows(runtime.sessions, f),
            fmt,
            filename_zh=f"企业检索结果_{today.isoformat()}",
            fallback=f"phaseout-enterprises-{today.isoformat()}",
        )

    @router.get(
        "/measures/export",
        summary="下载联合惩戒措施及执行情况（CSV/XLSX）(export measures)",
        responses=EXPORT_CONTENT,
    )
    async def export_measures(
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        unit: MeasureUnitDep,
        fmt: FormatQuery = ExportFormat.XLSX,
        execution: Annotated[str | None, Query(pattern="^(pending|executed|refused)$")] = None,
    ) -> Response:
        today = coordinator.clock.today()
        f = reports.MeasureFilter(unit=unit, execution=execution, imposed_to=today)
        async with runtime.sessions() as session:
            rows = await reports.measure_rows(session, f)
        return await export_response(
            reports.measure_table(f"截至 {today.isoformat()}" + (f"　{unit_name(unit)}" if unit else "")),
            iterate(rows),
            fmt,
            filename_zh=f"联合惩戒措施_{today.isoformat()}",
            fallback=f"phaseout-measures-{today.isoformat()}",
        )


def _publications(router: APIRouter) -> None:
    @router.post(
        "/lists/{list_code}/publications",
        status_code=201,
        summary="生成名单发布草稿（冻结公开字段）(draft a publication of a list)",
    )
    async def draft_publication(
        policy: PolicyDep,
        list_code: ListCode,
        body: PublicationBody,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: AdminDep,
    ) -> dict[str, Any]:
        scope = pubs.publication_scope(list_code, body.as_of, body.year, coordinator.clock.today())
        publication = await pubs.draft(runtime, principal, scope)
        return pubs.office_view(policy, publication, with_entries=True)

    @router.post(
        "/publications/{publication_id}/publish",
        summary="发布名单（草稿 → 已发布，仅一次）(publish a draft)",
        responses=errors(404, 409),
    )
    async def publish(
        policy: PolicyDep, publication_id: PublicationId, runtime: RuntimeDep, principal: AdminDep
    ) -> dict[str, Any]:
        async with runtime.unit_of_work() as session:
            publication = await pubs.publish_draft(session, principal, publication_id)
        return pubs.office_view(policy, publication, with_entries=False)

    @router.get("/publications", summary="名单发布记录（草稿与已发布）(publications)")
    async def publication_list(
        policy: PolicyDep,
        runtime: RuntimeDep,
        _p: ReaderDep,
        list_code: Annotated[str | None, Query(pattern="^(" + "|".join(queries.LIST_CODES) + ")$")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            return await pubs.page(
                session, policy, public=False, list_code=list_code, offset=offset, limit=limit
            )

    @router.get(
        "/publications/{publication_id}",
        summary="名单发布详情（含冻结条目）(a publication)",
        responses=errors(404),
    )
    async def publication_detail(
        policy: PolicyDep, publication_id: PublicationId, runtime: RuntimeDep, _p: ReaderDep
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            publication = await pubs.get(session, publication_id, public=False)
        return pubs.office_view(policy, publication, with_entries=True)


def _statistics(router: APIRouter) -> None:
    @router.get(
        "/stats",
        summary="统计：状态、领域、行业、乡镇街道、月度趋势、临期与逾期、待反馈措施 (statistics)",
    )
    async def stats(
        policy: PolicyDep,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        as_of: Annotated[BusinessDate | None, Query(description="截至日期，默认今天")] = None,
        year: YearQuery = None,
        within_days: Annotated[int, Query(ge=0, le=3660, description="临期天数")] = 30,
    ) -> dict[str, Any]:
        day = as_of or coordinator.clock.today()
        async with runtime.sessions() as session:
            return await reports.statistics(
                session, policy, as_of=day, year=year or day.year, within_days=within_days
            )


def _annual_report(router: APIRouter) -> None:
    @router.get(
        "/annual-report",
        summary="年度报告数据：年度退出、黄牌红牌名单、惩戒措施、成员单位总结 (annual report to the city)",
        response_model=None,
        responses={
            200: {"description": "JSON 或 XLSX", "content": {"application/json": {}, XLSX_MEDIA_TYPE: {}}}
        },
    )
    async def annual_report(
        policy: PolicyDep,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        year: Annotated[int, Query(ge=2000, le=2100, description="年度")],
        fmt: Annotated[Literal["json", "xlsx"], Query(alias="format")] = "json",
    ) -> dict[str, Any] | Response:
        report = await reports.annual_report(
            runtime.sessions, policy, year=year, today=coordinator.clock.today()
        )
        if fmt == "json":
            return report
        content = await xlsx_bytes(reports.annual_report_sheets(policy, report))
        return xlsx_response(content, f"{report['title_zh']}.xlsx", f"phaseout-annual-report-{year}.xlsx")
