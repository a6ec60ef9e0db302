"""The coordinator's API for the leading group office (no ``from __future__``: FastAPI reads the annotations)."""

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from phaseout_coordinator.bootstrap import Coordinator
from phaseout_coordinator.domain.model import DIMENSIONS, Status
from phaseout_coordinator.service_layer import measure_queries, queries
from phaseout_coordinator.service_layer.affiliates import declare_affiliates as declare
from phaseout_coordinator.service_layer.authorisation import dimension_in_scope, unit_in_scope
from phaseout_coordinator.service_layer.ingest import cursors
from phaseout_coordinator.service_layer.measures import Feedback, record_feedback
from phaseout_kit import uscc
from phaseout_kit.audit import record_audit
from phaseout_kit.auth import Principal, Role
from phaseout_kit.events.inbox import DeadLetter
from phaseout_kit.events.outbox import last_sequence, read_feed
from phaseout_kit.registry import UnknownUnit
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import Profile
from phaseout_kit.web import MAX_SEQUENCE, BusinessDate, RuntimeDep, errors, problem, require_roles
from phaseout_policy import PolicyBook


def _coordinator(request: Request) -> Coordinator:
    coordinator: Coordinator = request.app.state.coordinator
    return coordinator


CoordinatorDep = Annotated[Coordinator, Depends(_coordinator)]


def _policy(request: Request) -> PolicyBook:
    """The policy book the composition root loaded (phaseout_coordinator.bootstrap.Coordinator)."""
    return _coordinator(request).policy


PolicyDep = Annotated[PolicyBook, Depends(_policy)]
OFFICE_READERS = (Role.OFFICE_ADMIN, Role.OFFICE_VIEWER, Role.READER, Role.BUREAU)
ReaderDep = Annotated[Principal, Depends(require_roles(*OFFICE_READERS))]
# The event feeds also answer a service's feed token (Role.FEED), which reads nothing else.
FeedReaderDep = Annotated[Principal, Depends(require_roles(*OFFICE_READERS, Role.FEED))]
AdminDep = Annotated[Principal, Depends(require_roles(Role.OFFICE_ADMIN))]
DepartmentDep = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT, Role.OFFICE_ADMIN))]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="年度，默认平台当前年度")]
Bureau = Annotated[str | None, Query(max_length=16)]
UsccPath = Annotated[str, Path(min_length=1, max_length=40, description="统一社会信用代码")]
ListCode = Annotated[str, Path(pattern="^(" + "|".join(queries.LIST_CODES) + ")$", description="名单代码")]
MeasureReaderDep = Annotated[Principal, Depends(require_roles(*OFFICE_READERS, Role.DEPARTMENT))]


def _measure_unit(
    principal: MeasureReaderDep,
    department: Annotated[
        str | None,
        Query(max_length=200, description="执行部门：单位代码或方案中的名称（部门用户只看本单位）"),
    ] = None,
) -> str | None:
    try:
        return unit_in_scope(principal, department)
    except UnknownUnit as exc:
        raise problem(
            422,
            f"未知的执行部门：{department} (department names no unit of the registry)",
            field="department",
        ) from exc


MeasureUnitDep = Annotated[str | None, Depends(_measure_unit)]


def _enterprise_filter(
    status: Status | None = None,
    dimension: Annotated[str | None, Query(pattern="^(" + "|".join(DIMENSIONS) + ")$")] = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
    industrial_park: Annotated[str | None, Query(max_length=100)] = None,
    industry: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="名称或代码关键词")] = None,
) -> queries.EnterpriseFilter:
    """The enterprise search's criteria, the same for the search and its export."""
    return queries.EnterpriseFilter(
        status.value if status else None, dimension, town, industrial_park, industry, q
    )


EnterpriseFilterDep = Annotated[queries.EnterpriseFilter, Depends(_enterprise_filter)]


def valid_uscc(code: str) -> str:
    try:
        return uscc.validate(code).code
    except uscc.USCCError as exc:
        raise problem(422, str(exc), field="uscc") from exc


class AffiliatesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    affiliates: list[Annotated[str, Field(min_length=18, max_length=40)]] = Field(
        max_length=200, description="关联企业的统一社会信用代码"
    )


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Annotated[
        str, Field(pattern="^(executed|refused)$", description="executed 已执行 / refused 不予执行")
    ]
    executed_on: date = Field(description="执行或答复日期（不得晚于今天）")
    reference: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="文号或凭证"
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = Field(
        default=None, description="不予执行的理由"
    )


class ClockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    today: date | None = Field(description="固定的“今天”（仅演示与测试环境）；null 恢复真实日期")


def coordinator_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["协调 coordinator"])

    @router.get("/enterprises", summary="企业检索：状态、领域、乡镇街道、园区、行业、关键词 (search)")
    async def search(
        runtime: RuntimeDep,
        _p: ReaderDep,
        f: EnterpriseFilterDep,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            total, items = await queries.search(session, f, offset=offset, limit=limit)
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    @router.get(
        "/enterprises/{code}",
        summary="企业档案：身份、各领域状态及依据、案件、时间线、惩戒措施 (dossier)",
        responses=errors(404),
    )
    async def dossier(
        policy: PolicyDep, code: UsccPath, runtime: RuntimeDep, _p: ReaderDep
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            found = await queries.dossier(session, policy, valid_uscc(code))
        if found is None:
            raise problem(404, "该企业暂无记录 (no events for this enterprise)")
        return found

    @router.put("/enterprises/{code}/affiliates", summary="申报关联企业 (declare affiliated enterprises)")
    async def declare_affiliates(
        code: UsccPath,
        body: AffiliatesBody,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: AdminDep,
    ) -> dict[str, Any]:
        owner = valid_uscc(code)
        async with runtime.unit_of_work() as session:
            affiliates = await declare(session, principal, owner, [valid_uscc(a) for a in body.affiliates])
        coordinator.projector.wake()
        return {"uscc": owner, "affiliates": affiliates}

    @router.get("/lists", summary="名单目录 (the lists and their titles)")
    async def list_catalogue(policy: PolicyDep, _p: ReaderDep) -> dict[str, str]:
        return queries.list_titles(policy)

    @router.get(
        "/lists/{list_code}",
        summary="名单（任意日期）：黄牌、红牌、年度退出、超标排放、未按期退出 (a list as of a date)",
    )
    async def list_view(
        policy: PolicyDep,
        list_code: ListCode,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: ReaderDep,
        as_of: Annotated[
            BusinessDate | None, Query(description="截至日期，默认今天（年度退出名单按 year）")
        ] = None,
        year: Annotated[int | None, Query(ge=2000, le=2100, description="年度（年度退出名单）")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        day = None if list_code == "annual_exit" and year else as_of or coordinator.clock.today()
        async with runtime.sessions() as session:
            total, items = await queries.list_as_of(
                session,
                list_code,
                as_of=day,
                year=year,
                offset=offset,
                limit=limit,
                dimension=dimension_in_scope(principal),
            )
        return {
            "list_code": list_code,
            "title_zh": queries.list_titles(policy)[list_code],
            "as_of": day.isoformat() if day else None,
            "year": year,
            "total": total,
            "offset": offset,
            "limit": limit,
            "items": items,
        }

    async def by_deadline(
        runtime: ServiceRuntime,
        coordinator: Coordinator,
        *,
        within_days: int | None,
        bureau: str | None,
        page: tuple[int, int],
    ) -> dict[str, Any]:
        today = coordinator.clock.today()
        async with runtime.sessions() as session:
            total, items = await queries.cases_by_deadline(
                session,
                today=today,
                within_days=within_days,
                overdue=within_days is None,
                bureau=bureau,
                offset=page[0],
                limit=page[1],
            )
        return {"as_of": today.isoformat(), "total": total, "items": items}

    @router.get("/cases/due", summary="临近整改期限的案件 (cases due within N days)")
    async def cases_due(
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        within_days: Annotated[int, Query(ge=0, le=3660)] = 30,
        bureau: Bureau = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        return await by_deadline(
            runtime, coordinator, within_days=within_days, bureau=bureau, page=(offset, limit)
        )

    @router.get("/cases/overdue", summary="逾期未整改的案件 (overdue cases)")
    async def cases_overdue(
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        bureau: Bureau = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        return await by_deadline(runtime, coordinator, within_days=None, bureau=bureau, page=(offset, limit))

    @router.get(
        "/cases/suspended",
        summary="停产整顿而未定整改期限的案件：已停产天数、方案三、(七)的6个月 (suspended without a deadline)",
    )
    async def cases_suspended(
        policy: PolicyDep,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        _p: ReaderDep,
        bureau: Bureau = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        today = coordinator.clock.today()
        async with runtime.sessions() as session:
            total, items = await queries.suspended_without_deadline(
                session, policy, today=today, bureau=bureau, offset=offset, limit=limit
            )
        return {"as_of": today.isoformat(), "total": total, "items": items}

    @router.get(
        "/measures", summary="联合惩戒措施及执行情况（按部门）(measures by department with execution)"
    )
    async def measures(
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        unit: MeasureUnitDep,
        execution: Annotated[str | None, Query(pattern="^(pending|executed|refused)$")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        today = coordinator.clock.today()
        async with runtime.sessions() as session:
            total, items = await measure_queries.measures(
                session, unit=unit, execution=execution, today=today, offset=offset, limit=limit
            )
        return {"as_of": today.isoformat(), "total": total, "items": items}

    @router.post(
        "/measures/{key}/feedback",
        status_code=201,
        summary="执行部门反馈措施执行情况 (execution feedback)",
        responses=errors(404),
    )
    async def measure_feedback(
        key: Annotated[str, Path(max_length=64)],
        body: FeedbackBody,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: DepartmentDep,
    ) -> dict[str, Any]:
        async with runtime.unit_of_work() as session:
            await record_feedback(
                session, principal, key, Feedback(**body.model_dump()), latest=runtime.clock.latest_today()
            )
        return {"measure_key": key, **body.model_dump(mode="json")}

    @router.get("/decisions", summary="决定事件流（供下游信用平台补数）(ordered decision event feed)")
    async def decision_feed(
        runtime: RuntimeDep,
        _p: FeedReaderDep,
        after: Annotated[int, Query(ge=0, le=MAX_SEQUENCE)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            events = await read_feed(session, after=after, limit=limit, signer=runtime.signer)
            head = await last_sequence(session)
        return {"events": [e.as_json() for e in events], "last_sequence": head}

    @router.get("/ingest/status", summary="各委办局事件接收进度 (per-bureau sequence cursors)")
    async def ingest_status(runtime: RuntimeDep, _p: ReaderDep) -> dict[str, Any]:
        async with runtime.sessions() as session:
            state = await cursors(session)
        return {b: {"contiguous": c.contiguous, "highest_seen": c.highest_seen} for b, c in state.items()}

    @router.get("/dead-letters", summary="死信 (messages that could not be processed)")
    async def dead_letters(runtime: RuntimeDep, _p: ReaderDep, limit: Limit = 100) -> list[dict[str, Any]]:
        async with runtime.sessions() as session:
            rows = (
                await session.scalars(sa.select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit))
            ).all()
        return [
            {
                "id": r.id,
                "topic": r.topic,
                "partition": r.partition,
                "offset": r.offset,
                "key": r.key,
                "reason": r.reason,
                "received_at": r.received_at.isoformat(),
            }
            for r in rows
        ]

    @router.get("/clock", summary="平台日期 (the coordinator's today)")
    async def get_clock(runtime: RuntimeDep, coordinator: CoordinatorDep) -> dict[str, Any]:
        clock = coordinator.clock
        return {"today": clock.today().isoformat(), "fixed": clock.is_fixed}

    @router.put("/clock", summary="设定平台日期（仅演示与测试环境）(set today; not in production)")
    async def set_clock(
        body: ClockBody,
        request: Request,
        runtime: RuntimeDep,
        coordinator: CoordinatorDep,
        principal: AdminDep,
    ) -> dict[str, Any]:
        if runtime.settings.profile is Profile.PRODUCTION:
            raise problem(403, "生产环境使用真实日期 (production follows the real date)")
        coordinator.clock.set(body.today)
        async with runtime.unit_of_work() as session:
            record_audit(
                session,
                principal,
                action="clock.set",
                object_type="clock",
                object_id="today",
                before=None,
                after={"today": body.today.isoformat() if body.today else None},
            )
        await coordinator.projector.queue_due()
        return {"today": coordinator.clock.today().isoformat(), "fixed": coordinator.clock.is_fixed}

    return router
