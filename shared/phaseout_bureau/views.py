"""REST API of a bureau service (the bureau's own software is the client).

No ``from __future__ import annotations`` here: the per-action routes are built in a loop, and FastAPI must
see each action's own payload model, which only an annotation evaluated at definition time gives.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response

from phaseout_bureau import service
from phaseout_bureau.contracts import payload_models
from phaseout_bureau.domain.cases import (
    ACTION_ZH,
    Action,
    CaseState,
    payload_model,
)
from phaseout_bureau.domain.findings import BureauSpec, FindingCreate
from phaseout_bureau.results import result_model
from phaseout_kit import uscc
from phaseout_kit.auth import Principal, Role
from phaseout_kit.events.outbox import last_sequence, read_feed
from phaseout_kit.web import MAX_SEQUENCE, BusinessDate, RuntimeDep, errors, problem, require_roles
from phaseout_policy.office import LayeredBook

READ_ROLES = (Role.BUREAU, Role.READER, Role.OFFICE_ADMIN, Role.OFFICE_VIEWER)
WriterDep = Annotated[Principal, Depends(require_roles(Role.BUREAU))]
ReaderDep = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
FeedReaderDep = Annotated[Principal, Depends(require_roles(*READ_ROLES, Role.FEED))]
IdempotencyKey = Annotated[str | None, Header(max_length=160, description="幂等键：同一键重复提交返回原结果")]
CaseId = Annotated[str, Path(max_length=36, description="案件编号（即认定编号）")]
PageOffset = Annotated[int, Query(ge=0, le=10_000_000)]
PageLimit = Annotated[int, Query(ge=1, le=500)]


def _valid_uscc(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return uscc.validate(code).code
    except uscc.USCCError as exc:
        raise problem(422, str(exc), field="uscc") from exc


_EXAMPLE_FINDING: dict[str, Any] = {
    "uscc": "91500102MA5U7RGE16",
    "enterprise_name": "重庆市涪陵区示范铝业有限公司",
    "town": "白涛街道",
    "industrial_park": "白涛化工园区",
    "industry": "electrolytic_aluminium",
    "production_line": {
        "name": "一期电解系列",
        "equipment": "电解槽",
        "capacity": {"value": 12.5, "unit": "万吨/年"},
    },
    "found_on": "2020-07-01",
    "legal_basis": "涪经信发〔2020〕85号 二、(一)",
    "severity": "general",
    "inspector": "张伟",
    "evidence": ["监察记录 FL-EN-2020-017"],
    "external_ref": "EN-2020-017",
}


def finding_examples(spec: BureauSpec) -> dict[str, Any]:
    """One OpenAPI example per finding type, with the details example its model declares."""
    examples: dict[str, Any] = {}
    for code, title in spec.finding_types.items():
        declared = spec.details_models[code].model_json_schema().get("examples") or [{}]
        examples[code] = {
            "summary": title,
            "value": {**_EXAMPLE_FINDING, "finding_type": code, "details": declared[0]},
        }
    return examples


def mark_replay(response: Response, replayed: bool) -> None:
    """An idempotent replay answers 200 with the first request's result, marked as such (first time: 201)."""
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"


def bureau_router(spec: BureauSpec, policy: LayeredBook) -> APIRouter:
    """``policy``: the book in force, read at each request (the office's approved changes arrive meanwhile)."""
    router = APIRouter(prefix="/api/v1", tags=[f"{spec.title_zh} {spec.name}"])

    def own_bureau(principal: Principal) -> None:
        if not principal.can_write_bureau(spec.name):
            raise problem(403, f"该令牌不能写入{spec.title_zh}的数据 (token belongs to another bureau)")

    async def own_reader(principal: ReaderDep) -> Principal:
        """The office and readers see this bureau's cases; another bureau sees them only in the coordinator's
        dossier (without inspectors, evidence or notes), never here."""
        if principal.role is Role.BUREAU and principal.bureau != spec.name:
            raise problem(
                403,
                f"该令牌属于其他委办局，不能查看{spec.title_zh}的案件；企业情况请在协调中心的企业档案中查看 "
                "(another bureau's token)",
            )
        return principal

    OwnReader = Annotated[Principal, Depends(own_reader)]

    async def own_feed_reader(principal: FeedReaderDep) -> Principal:
        return principal if principal.role is Role.FEED else await own_reader(principal)

    OwnFeedReader = Annotated[Principal, Depends(own_feed_reader)]

    examples = finding_examples(spec)

    @router.post(
        "/findings",
        status_code=201,
        summary="记录认定/发现 (record a finding; opens its case)",
        responses={200: {"description": "幂等重放：同一幂等键的原结果 (idempotent replay)"}, **errors(409)},
    )
    async def create_finding(
        body: Annotated[FindingCreate, Body(openapi_examples=examples)],
        response: Response,
        runtime: RuntimeDep,
        principal: WriterDep,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        own_bureau(principal)
        async with runtime.unit_of_work() as session:
            result = await service.record_finding(
                session, spec, body, principal, idempotency_key, runtime.clock.latest_today(), policy.current
            )
        mark_replay(response, result.replayed)
        return {**result.finding.model_dump(mode="json"), "warnings": result.warnings}

    @router.get(
        "/findings/{finding_id}",
        summary="查询认定及其案件全过程 (a finding with its case history)",
        responses=errors(404),
    )
    async def read_finding(finding_id: CaseId, runtime: RuntimeDep, _p: OwnReader) -> dict[str, Any]:
        async with runtime.sessions() as session:
            found = await service.get_finding(session, spec, finding_id, runtime.clock.today())
        if found is None:
            raise problem(404, "认定不存在 (no such finding)")
        return found

    @router.get(
        "/cases/{case_id}", summary="查询案件及其全过程 (a case with its full history)", responses=errors(404)
    )
    async def read_case(case_id: CaseId, runtime: RuntimeDep, _p: OwnReader) -> dict[str, Any]:
        async with runtime.sessions() as session:
            found = await service.get_case(session, case_id, runtime.clock.today())
        if found is None:
            raise problem(404, "案件不存在 (no such case)")
        return found

    @router.get("/cases", summary="案件列表：按企业、状态、类型、日期、逾期筛选 (cases, filtered, paginated)")
    async def list_cases(
        runtime: RuntimeDep,
        _p: OwnReader,
        uscc_code: Annotated[str | None, Query(alias="uscc", description="统一社会信用代码")] = None,
        state: CaseState | None = None,
        finding_type: Annotated[str | None, Query(max_length=64)] = None,
        found_from: date | None = None,
        found_to: date | None = None,
        overdue: Annotated[bool, Query(description="只列逾期未整改的案件")] = False,
        as_of: Annotated[BusinessDate | None, Query(description="逾期判断日期，默认今天")] = None,
        offset: PageOffset = 0,
        limit: PageLimit = 50,
    ) -> dict[str, Any]:
        today = as_of or runtime.clock.today()
        filters = service.CaseFilter(
            uscc=_valid_uscc(uscc_code),
            state=state,
            finding_type=finding_type,
            found_from=found_from,
            found_to=found_to,
            overdue_on=today if overdue else None,
        )
        async with runtime.sessions() as session:
            total, items = await service.list_cases(session, filters, offset=offset, limit=limit, today=today)
        return {"total": total, "offset": offset, "limit": limit, "items": items}

    for action in Action:
        _add_action_route(router, spec, policy, action, own_bureau)

    @router.get("/events", summary="事件流 (ordered event feed, for catch-up and audits)")
    async def event_feed(
        runtime: RuntimeDep,
        _p: OwnFeedReader,
        after: Annotated[int, Query(ge=0, le=MAX_SEQUENCE, description="返回序号大于此值的事件")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            events = await read_feed(session, after=after, limit=limit, signer=runtime.signer)
            head = await last_sequence(session)
        return {"events": [e.as_json() for e in events], "last_sequence": head}

    @router.get("/schemas", summary="事件数据的 JSON Schema (payload schemas by event type)")
    async def schemas() -> dict[str, Any]:
        return {etype: model.model_json_schema() for etype, model in payload_models(spec.name).items()}

    @router.get("/finding-types", summary="认定类型及其明细 (finding types and their details schema)")
    async def finding_types() -> dict[str, Any]:
        return {
            t.code: {
                "title_zh": t.title_zh,
                "details_schema": t.details.model_json_schema(),
                "result_schema": (m := result_model(spec.name, t.code)) and m.model_json_schema(),
            }
            for t in spec.types
        }

    return router


def _add_action_route(
    router: APIRouter, spec: BureauSpec, policy: LayeredBook, action: Action, own_bureau: Any
) -> None:
    model = payload_model(action)

    async def act(
        case_id: CaseId,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        response: Response,
        runtime: RuntimeDep,
        principal: WriterDep,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        own_bureau(principal)
        async with runtime.unit_of_work() as session:
            result = await service.apply_action(
                session,
                spec,
                case_id,
                action,
                body,
                principal,
                idempotency_key,
                runtime.clock.latest_today(),
                policy.current,
            )
        mark_replay(response, result.replayed)
        return result.action.model_dump(mode="json")

    act.__name__ = f"case_{action.value}"
    router.add_api_route(
        f"/cases/{{case_id}}/{action.value}",
        act,
        methods=["POST"],
        status_code=201,
        summary=f"{ACTION_ZH[action]} ({action.value.replace('_', ' ')})",
        response_model=None,
        responses={200: {"description": "幂等重放 (idempotent replay)"}, **errors(404, 409)},
    )
