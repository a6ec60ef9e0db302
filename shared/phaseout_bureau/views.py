"""REST API of a bureau service (the bureau's own software is the client)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse

from phaseout_bureau import service
from phaseout_bureau.contracts import payload_models
from phaseout_bureau.domain.findings import BureauSpec, FindingCreate
from phaseout_kit.auth import Principal, Role
from phaseout_kit.events.outbox import last_sequence, read_feed
from phaseout_kit.web import RuntimeDep, problem, require_roles

READ_ROLES = (Role.BUREAU, Role.READER, Role.OFFICE_ADMIN, Role.OFFICE_VIEWER)
WriterDep = Annotated[Principal, Depends(require_roles(Role.BUREAU))]
ReaderDep = Annotated[Principal, Depends(require_roles(*READ_ROLES))]


def bureau_router(spec: BureauSpec) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=[f"{spec.title_zh} {spec.name}"])

    @router.post("/findings", status_code=201, summary="记录认定/发现 (record a finding)")
    async def create_finding(
        body: FindingCreate,
        response: Response,
        runtime: RuntimeDep,
        principal: WriterDep,
        idempotency_key: Annotated[str | None, Header(max_length=160)] = None,
    ) -> dict[str, Any]:
        if not principal.can_write_bureau(spec.name):
            raise problem(403, f"该令牌不能写入{spec.title_zh}的数据 (token belongs to another bureau)")
        try:
            async with runtime.unit_of_work() as session:
                result = await service.record_finding(session, spec, body, principal, idempotency_key)
        except service.IdempotencyConflict as exc:
            raise problem(
                409,
                "同一幂等键已用于内容不同的请求 (idempotency key reused with a different body)",
                idempotency_key=exc.key,
            ) from exc
        except service.DetailsInvalid as exc:
            return JSONResponse({"detail": exc.errors}, status_code=422)  # type: ignore[return-value]
        if result.replayed:
            response.status_code = 200
            response.headers["Idempotent-Replayed"] = "true"
        return {**result.finding.model_dump(mode="json"), "warnings": result.warnings}

    @router.get("/findings/{finding_id}", summary="查询认定 (a finding)")
    async def read_finding(finding_id: str, runtime: RuntimeDep, _p: ReaderDep) -> dict[str, Any]:
        async with runtime.sessions() as session:
            found = await service.get_finding(session, spec, finding_id)
        if found is None:
            raise problem(404, "认定不存在 (no such finding)")
        return found

    @router.get("/events", summary="事件流 (ordered event feed, for catch-up and audits)")
    async def event_feed(
        runtime: RuntimeDep,
        _p: ReaderDep,
        after: Annotated[int, Query(ge=0, description="返回序号大于此值的事件")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            events = await read_feed(session, after=after, limit=limit)
            head = await last_sequence(session)
        return {"events": [e.as_json() for e in events], "last_sequence": head}

    @router.get("/schemas", summary="事件数据的 JSON Schema (payload schemas by event type)")
    async def schemas() -> dict[str, Any]:
        return {etype: model.model_json_schema() for etype, model in payload_models(spec.name).items()}

    @router.get("/finding-types", summary="认定类型及其明细 (finding types and their details schema)")
    async def finding_types() -> dict[str, Any]:
        return {
            code: {"title_zh": zh, "details_schema": spec.details_models[code].model_json_schema()}
            for code, zh in spec.finding_types.items()
        }

    return router
