"""The leading group office's work API: downloads, list publication, statistics, annex tasks, annual report
(no ``from __future__``: FastAPI reads the annotations)."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from phaseout_coordinator.adapters.exports import (
    EXPORT_CONTENT,
    XLSX_MEDIA_TYPE,
    ExportFormat,
    export_response,
    iterate,
    xlsx_bytes,
    xlsx_response,
)
from phaseout_coordinator.adapters.orm_reports import AnnexTaskReport, SupervisionAction
from phaseout_coordinator.domain.model import DIMENSIONS, Status
from phaseout_coordinator.entrypoints.api import (
    OFFICE_READERS,
    AdminDep,
    CoordinatorDep,
    ListCode,
    MeasureUnitDep,
    Offset,
    PolicyDep,
    ReaderDep,
)
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import queries, reports
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal, Role
from phaseout_kit.clock import utcnow
from phaseout_kit.registry import short_name, unit_name
from phaseout_kit.web import MAX_ROW_ID, RuntimeDep, errors, problem, require_roles

FormatQuery = Annotated[ExportFormat, Query(alias="format", description="csv 或 xlsx")]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="年度，默认平台当前年度")]
Limit = Annotated[int, Query(ge=1, le=500)]
ReporterDep = Annotated[Principal, Depends(require_roles(Role.OFFICE_ADMIN, Role.DEPARTMENT, Role.BUREAU))]
TaskNumber = Annotated[int, Path(ge=1, le=16, description="附件任务序号（1–16）")]
PublicationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="发布编号")]
Text = Annotated[str, Field(min_length=1, max_length=120)]


class PublicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date | None = Field(default=None, description="截至日期，默认今天")
    year: int | None = Field(default=None, ge=2000, le=2100, description="年度（年度退出名单）")


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Annotated[str, Field(pattern=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")] = Field(
        description="报送期间：年度 2020、季度 2020-Q3 或月份 2020-07"
    )
    kind: Literal["plan", "enforcement", "annual_summary"] = Field(
        description="plan 方案制定 / enforcement 执法监管 / annual_summary 年度总结"
    )
    submitted_on: date = Field(description="报送日期")
    summary_zh: Annotated[str, Field(min_length=1, max_length=20_000)] = Field(description="内容摘要")
    department_zh: Text | None = Field(
        default=None,
        description=f"报送单位（单位代码或方案中的名称）；部门和委办局用户默认本单位，{short_name('office')}代报时必填",
    )

    @model_validator(mode="after")
    def _annual_summary_is_yearly(self) -> "ReportBody":
        if self.kind == "annual_summary" and len(self.period) != 4:
            raise ValueError("年度总结的期间应为年度，如 2020 (annual_summary needs a year as period)")
        return self


class SupervisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task_number: int = Field(ge=1, le=16, description="附件任务序号")
    department_zh: Text = Field(description="被通报或约谈的部门：单位代码或方案中的名称")
    kind: Literal["circulated_notice", "summons_interview"] = Field(
        description="circulated_notice 通报 / summons_interview 约谈"
    )
    taken_on: date = Field(description="通报或约谈日期")
    reason_zh: Annotated[str, Field(min_length=1, max_length=4000)] = Field(description="事由")
    document_no: Text | None = Field(default=None, description="文号")


def _not_future(day: date, latest: date, field: str) -> None:
    """``latest``: the latest day not in the future (DistrictClock.latest_today)."""
    if day > latest:
        raise problem(422, "日期不能晚于今天 (date cannot be in the future)", field=field)


def _download_name(title: str, scope_zh: str) -> str:
    return f"{title}_{scope_zh.replace('截至 ', '')}"


def _rejected(exc: reports.ReportRejected) -> Exception:
    return problem(exc.status, exc.detail, **({"field": exc.field} if exc.field else {}))


def office_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=[f"{short_name('office')} office"])
    _downloads(router)
    _publications(router)
    _statistics(router)
    _annex_tasks(router)
    _annual_report(router)
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
        _p: ReaderDep,
        fmt: FormatQuery = ExportFormat.XLSX,
        as_of: Annotated[date | None, Query(description="截至日期，默认今天")] = None,
        year: YearQuery = None,
    ) -> Response:
        scope = pubs.list_scope(list_code, as_of, year, coordinator.clock.today())
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
        fmt: FormatQuery = ExportFormat.XLSX,
        status: Status | None = None,
        dimension: Annotated[str | None, Query(pattern="^(" + "|".join(DIMENSIONS) + ")$")] = None,
        town: Annotated[str | None, Query(max_length=50)] = None,
        industrial_park: Annotated[str | None, Query(max_length=100)] = None,
        industry: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=100, description="名称或代码关键词")] = None,
    ) -> Response:
        f = queries.EnterpriseFilter(
            status.value if status else None, dimension, town, industrial_park, industry, q
        )
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
        try:
            publication = await pubs.publish_draft(runtime, principal, publication_id)
        except pubs.PublicationNotFound as exc:
            raise problem(404, "发布记录不存在 (no such publication)") from exc
        except pubs.PublicationConflict as exc:
            state_zh = pubs.STATE_ZH.get(exc.state, exc.state)
            raise problem(
                409, f"该名单当前状态为“{state_zh}”，不能再次发布 (already {exc.state})", state=exc.state
            ) from exc
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
            total, rows = await pubs.listing(
                session, published_only=False, list_code=list_code, offset=offset, limit=limit
            )
        items = [pubs.office_view(policy, p, with_entries=False) for p in rows]
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    @router.get(
        "/publications/{publication_id}",
        summary="名单发布详情（含冻结条目）(a publication)",
        responses=errors(404),
    )
    async def publication_detail(
        policy: PolicyDep, publication_id: PublicationId, runtime: RuntimeDep, _p: ReaderDep
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            publication = await pubs.find(session, publication_id, published_only=False)
        if publication is None:
            raise problem(404, "发布记录不存在 (no such publication)")
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
        as_of: Annotated[date | None, Query(description="截至日期，默认今天")] = None,
        year: YearQuery = None,
        within_days: Annotated[int, Query(ge=0, le=3660, description="临期天数")] = 30,
    ) -> dict[str, Any]:
        day = as_of or coordinator.clock.today()
        async with runtime.sessions() as session:
            return await reports.statistics(
                session, policy, as_of=day, year=year or day.year, within_days=within_days
            )


def _annex_tasks(router: APIRouter) -> None:
    TaskReaderDep = Annotated[Principal, Depends(require_roles(*OFFICE_READERS, Role.DEPARTMENT))]

    @router.get("/annex-tasks", summary="附件16项任务：牵头与配合单位、报送情况、通报约谈 (annex tasks)")
    async def annex_tasks(
        policy: PolicyDep,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: TaskReaderDep,
        year: YearQuery = None,
    ) -> dict[str, Any]:
        today = coordinator.clock.today()
        plan_year = year or today.year
        async with runtime.sessions() as session:
            tasks = await reports.annex_progress(session, policy, year=plan_year, today=today)
        return {"year": plan_year, "as_of": today.isoformat(), "tasks": tasks}

    @router.get(
        "/annex-tasks/overdue",
        summary="逾期未报送年度总结的牵头单位（12月31日前）(lead departments without an annual summary)",
    )
    async def overdue(
        policy: PolicyDep,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: TaskReaderDep,
        year: YearQuery = None,
    ) -> dict[str, Any]:
        today = coordinator.clock.today()
        plan_year = year or today.year - 1
        async with runtime.sessions() as session:
            items = await reports.overdue_summaries(session, policy, year=plan_year, today=today)
        due = reports.summary_due(policy, plan_year)
        return {"year": plan_year, "due": due.isoformat(), "as_of": today.isoformat(), "items": items}

    @router.post(
        "/annex-tasks/{number}/reports",
        status_code=201,
        summary="报送任务进展：方案、执法监管、年度总结 (report on an annex task)",
        responses=errors(404),
    )
    async def add_report(
        policy: PolicyDep,
        number: TaskNumber,
        body: ReportBody,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: ReporterDep,
    ) -> dict[str, Any]:
        task = reports.annex_task(policy, number)
        if task is None:
            raise problem(404, "附件任务不存在 (no such annex task)")
        _not_future(body.submitted_on, coordinator.clock.latest_today(), "submitted_on")
        try:
            department = reports.reporting_department(principal, body.department_zh, task)
        except reports.ReportRejected as exc:
            raise _rejected(exc) from exc
        async with runtime.unit_of_work() as session:
            report = AnnexTaskReport(
                task_number=number,
                department=department,
                period=body.period,
                kind=body.kind,
                submitted_on=body.submitted_on,
                summary_zh=body.summary_zh,
                recorded_at=utcnow(),
                recorded_by=principal.actor,
            )
            session.add(report)
            await session.flush()
            view = reports.report_view(policy, report)
            record_audit(
                session,
                principal,
                action="annex_task.report",
                object_type="annex_task_report",
                object_id=str(report.id),
                before=None,
                after=view,
            )
        return view

    @router.post(
        "/supervision-actions",
        status_code=201,
        summary="记录通报或约谈（督促进展缓慢的成员单位）(record a notice or summons)",
    )
    async def add_supervision(
        policy: PolicyDep,
        body: SupervisionBody,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: AdminDep,
    ) -> dict[str, Any]:
        task = reports.annex_task(policy, body.task_number)
        if task is None:
            raise problem(422, "附件任务不存在 (no such annex task)", field="task_number")
        _not_future(body.taken_on, coordinator.clock.latest_today(), "taken_on")
        try:
            department = reports.check_task_department(task, body.department_zh)
        except reports.ReportRejected as exc:
            raise _rejected(exc) from exc
        async with runtime.unit_of_work() as session:
            action = SupervisionAction(
                **body.model_dump(exclude={"department_zh"}),
                department=department,
                recorded_at=utcnow(),
                recorded_by=principal.actor,
            )
            session.add(action)
            await session.flush()
            view = reports.supervision_view(action)
            record_audit(
                session,
                principal,
                action="supervision.record",
                object_type="supervision_action",
                object_id=str(action.id),
                before=None,
                after=view,
            )
        return view


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
