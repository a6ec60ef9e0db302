"""The office API for the 16 annex tasks: progress, overdue annual summaries, member units' reports and the
office's supervision (通报/约谈) (no ``from __future__``: FastAPI reads the annotations)."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from phaseout_coordinator.adapters.orm_reports import AnnexTaskReport, SupervisionAction
from phaseout_coordinator.entrypoints.api import (
    OFFICE_READERS,
    AdminDep,
    CoordinatorDep,
    PolicyDep,
    YearQuery,
)
from phaseout_coordinator.service_layer import reports
from phaseout_kit.auth import Principal, Role
from phaseout_kit.registry import short_name
from phaseout_kit.web import RuntimeDep, errors, require_roles

Text = Annotated[str, Field(min_length=1, max_length=120)]


ReporterDep = Annotated[Principal, Depends(require_roles(Role.OFFICE_ADMIN, Role.DEPARTMENT, Role.BUREAU))]


TaskNumber = Annotated[int, Path(ge=1, le=99, description="附件任务序号（该年度方案所列）")]


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


def annex_routes(router: APIRouter) -> None:
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
        return {
            "year": plan_year,
            "as_of": today.isoformat(),
            "plan": reports.plan_view(policy, plan_year),
            "note_zh": reports.plan_note_zh(policy, plan_year),
            "tasks": tasks,
        }

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
        return {
            "year": plan_year,
            "due": due.isoformat(),
            "as_of": today.isoformat(),
            "plan": reports.plan_view(policy, plan_year),
            "note_zh": reports.plan_note_zh(policy, plan_year),
            "items": items,
        }

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
        report = AnnexTaskReport(**body.model_dump(exclude={"department_zh"}))
        async with runtime.unit_of_work() as session:
            return await reports.record_report(
                session,
                policy,
                principal,
                number,
                report,
                requested_unit=body.department_zh,
                latest=coordinator.clock.latest_today(),
            )

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
        action = SupervisionAction(**body.model_dump(exclude={"department_zh"}))
        async with runtime.unit_of_work() as session:
            return await reports.record_supervision(
                session,
                policy,
                principal,
                action,
                named_unit=body.department_zh,
                latest=coordinator.clock.latest_today(),
            )
