"""The HTTP side every service shares: app factory, health and metrics, auth, limits and error mapping."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phaseout_kit import metrics
from phaseout_kit.auth import Principal, Role
from phaseout_kit.events.outbox import backlog
from phaseout_kit.logs import configure_logging
from phaseout_kit.refusals import Conflict, FieldErrors, Invalid, NotFound, NotPermitted, Refused
from phaseout_kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)
Hook = Callable[[ServiceRuntime], Awaitable[None]]
RETRY_AFTER_S = "5"


MAX_SEQUENCE = 2**63 - 1  # event sequence numbers and feed positions are signed 64-bit in both databases
MAX_ROW_ID = 2**31 - 1  # integer surrogate keys (PostgreSQL ``integer``)
# Business dates a request may ask about: the platform judges from 2017 (the oldest instruments it holds) and
# plans no further than this century; outside, a date is a typo or a probe, answered 422 (not 500).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


BusinessDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


class ErrorItem(BaseModel):
    """One problem with one field of the request (FastAPI's validation errors have this shape too)."""

    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str


class ProblemDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    detail: str


class Problem(BaseModel):
    """Every error body: a reason a person can act on (Chinese first, English in brackets); for invalid input
    the list of fields and what is wrong with each; some errors add fields (e.g. the allowed actions)."""

    model_config = ConfigDict(extra="allow")
    detail: str | list[ErrorItem] | ProblemDetail


ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "缺少令牌、令牌无效或已过期 (missing, invalid or expired token)",
    403: "该令牌无权执行此操作 (not allowed for this token)",
    404: "不存在 (not found)",
    409: "与当前状态冲突 (conflicts with the current state)",
    413: "请求体过大 (body too large)",
    422: "请求内容不合规 (invalid request)",
    503: "数据库暂不可用，请按 Retry-After 重试 (database unavailable, retry after the given seconds)",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the errors a route itself raises (the kit documents 401/403/413/422/503)."""
    return {code: {"model": Problem, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(runtime_of)]


async def current_principal(request: Request, runtime: RuntimeDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401, "需要身份令牌 (missing bearer token)", headers={"WWW-Authenticate": "Bearer"}
        )
    principal = await runtime.tokens.authenticate(
        runtime.sessions, token.strip(), runtime.settings.token_pepper
    )
    if principal is None:
        raise HTTPException(
            401, "令牌无效或已过期 (invalid or expired token)", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, f"角色 {principal.role.value} 无权执行此操作 (role not allowed)")
        return principal

    return check


class LimitsAndMetrics:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path): body-size cap and metrics."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                response = JSONResponse(
                    {"detail": f"请求体过大，上限 {self.max_body_bytes} 字节 (body too large)"},
                    status_code=413,
                )
                await response(scope, receive, send)
                return
        started = time.perf_counter()
        status = 500
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise HTTPException(413, "请求体过大 (body too large)")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


def _unprocessable(_request: Request, exc: Exception) -> Response:
    # The database refused a value (e.g. a NUL character, a number out of its column's range): the request is
    # at fault, and retrying it would fail again. Not a 503.
    log.info("database refused a value", extra={"error": repr(exc)[:500]})
    return JSONResponse(
        {"detail": "数据库拒绝了请求中的值 (a value in the request cannot be stored)"}, status_code=422
    )


def _conflict(_request: Request, exc: Exception) -> Response:
    # Typically two concurrent requests with one idempotency key: one wins, the other learns it lost.
    log.info("database constraint refused a write", extra={"error": repr(exc)[:500]})
    return JSONResponse(
        {"detail": "与同时进行的另一请求冲突，请重试 (conflicts with a concurrent request; retry)"},
        status_code=409,
    )


def _unavailable(_request: Request, exc: Exception) -> Response:
    log.warning("database unavailable", extra={"error": repr(exc)})
    return JSONResponse(
        {"detail": "数据库暂不可用，请稍后重试 (database unavailable, retry later)"},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_S},
    )


REFUSAL_STATUS: dict[type[Refused], int] = {
    NotFound: 404,
    NotPermitted: 403,
    Invalid: 422,
    Conflict: 409,
    Refused: 422,  # a refusal of no narrower kind: the request is at fault
}


def refusal_status(refused: Refused) -> int:
    return next(s for kind, s in REFUSAL_STATUS.items() if isinstance(refused, kind))


def _refused(_request: Request, exc: Exception) -> Response:
    """A service layer's refusal, answered like ``problem()``: the one place its kinds meet HTTP statuses."""
    assert isinstance(exc, Refused)
    if isinstance(exc, FieldErrors):
        return JSONResponse({"detail": exc.errors}, status_code=422)
    extra = {**({"field": exc.field} if exc.field else {}), **exc.extra}
    detail: str | dict[str, Any] = {"detail": exc.detail, **extra} if extra else exc.detail
    return JSONResponse({"detail": detail}, status_code=refusal_status(exc))


def health_router() -> APIRouter:
    router = APIRouter(tags=["运维 operations"])

    @router.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = {"database": await runtime.database_ready(), "broker": runtime.monitor.up.is_set()}
        identity = {"service": runtime.settings.service, "instance": runtime.settings.instance_id}
        return JSONResponse(
            {**identity, "ready": all(checks.values()), "checks": checks},
            status_code=200 if all(checks.values()) else 503,
        )

    @router.get("/metrics", response_class=PlainTextResponse)
    async def prometheus_metrics(runtime: RuntimeDep) -> Response:
        try:
            async with runtime.sessions() as session:
                metrics.OUTBOX_BACKLOG.set(await backlog(session))
        except Exception:
            log.info("outbox backlog unavailable for metrics")
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        for hook in on_start:
            await hook(runtime)
        try:
            yield
        finally:
            for hook in on_stop:
                await hook(runtime)
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(DataError, _unprocessable)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(DBAPIError, _unavailable)
    app.add_exception_handler(PoolTimeoutError, _unavailable)
    app.add_exception_handler(ConnectionError, _unavailable)
    app.add_middleware(LimitsAndMetrics, max_body_bytes=runtime.settings.max_body_bytes)
    _document_errors(app)
    return app


def _uses(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return dependant.call is call or any(_uses(d, call) for d in dependant.dependencies)


def _document_errors(app: FastAPI) -> None:
    """Add to the OpenAPI document the errors the kit produces for every route: 401/403 where a token is
    required, 413 where there is a body, 422 in the shape the services really answer, 503 + Retry-After
    where the database is used. Routes declare their own 404/409 with ``errors()``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(problem_schema.pop("$defs", {}))
        components["Problem"] = problem_schema
        problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        retry_after = {"Retry-After": {"description": "秒 (seconds)", "schema": {"type": "integer"}}}
        for route in iter_route_contexts(app.routes):  # routes of included routers too
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            codes = [422]
            if _uses(route.dependant, current_principal):
                codes += [401, 403]
            if route.body_field is not None:
                codes.append(413)
            if (route.path or "").startswith("/api/"):
                codes.append(503)
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format or "", {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for code in codes:
                    if code == 422 and "422" not in responses:
                        continue  # no parameters, nothing to validate
                    doc = {"description": ERROR_DESCRIPTIONS[code], "content": problem}
                    if code == 503:
                        doc["headers"] = retry_after
                    responses[str(code)] = doc
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}" not in json.dumps(schema):
                components.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def serve(app: FastAPI, runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    configure_logging(settings.service, settings.log_level)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, lifespan="on"
    )
    # A socket the launcher bound and handed over (phaseout_kit.ports): the port is this service's already.
    inherited = [socket.socket(fileno=settings.listen_fd)] if settings.listen_fd is not None else None
    uvicorn.Server(config).run(sockets=inherited)


def problem(status: int, detail: str, **extra: Any) -> HTTPException:
    """A 4xx with a reason a person can act on (Chinese first, English in brackets)."""
    return HTTPException(status, {"detail": detail, **extra} if extra else detail)
