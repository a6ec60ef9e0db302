"""Public disclosure (信息公开, no login): only the lists the office has published, and the AsyncAPI
document (no ``from __future__``: FastAPI reads the annotations)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from phaseout_coordinator.adapters.exports import EXPORT_CONTENT, ExportFormat, export_response, iterate
from phaseout_coordinator.adapters.orm import ListPublication
from phaseout_coordinator.entrypoints.api import Offset, PolicyDep
from phaseout_coordinator.entrypoints.asyncapi import asyncapi_document
from phaseout_coordinator.service_layer import publications as pubs
from phaseout_coordinator.service_layer import queries
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.web import MAX_ROW_ID, RuntimeDep, errors

PublicationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="发布编号")]


async def _published(runtime: ServiceRuntime, publication_id: int) -> ListPublication:
    async with runtime.sessions() as session:
        return await pubs.get(session, publication_id, public=True)


def public_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["信息公开 public"])

    @router.get("/public/lists", summary="已发布的名单（最新在前，含发布日期和依据）(published lists)")
    async def published_lists(
        policy: PolicyDep,
        runtime: RuntimeDep,
        list_code: Annotated[str | None, Query(pattern="^(" + "|".join(queries.LIST_CODES) + ")$")] = None,
        offset: Offset = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> dict[str, Any]:
        async with runtime.sessions() as session:
            return await pubs.page(
                session, policy, public=True, list_code=list_code, offset=offset, limit=limit
            )

    @router.get(
        "/public/publications/{publication_id}",
        summary="已发布名单的条目 (a published list)",
        responses=errors(404),
    )
    async def published_list(
        policy: PolicyDep, publication_id: PublicationId, runtime: RuntimeDep
    ) -> dict[str, Any]:
        return pubs.public_view(policy, await _published(runtime, publication_id), with_entries=True)

    @router.get(
        "/public/publications/{publication_id}/export",
        summary="下载已发布名单（CSV/XLSX）(download a published list)",
        responses={**EXPORT_CONTENT, **errors(404)},
    )
    async def export_published(
        policy: PolicyDep,
        publication_id: PublicationId,
        runtime: RuntimeDep,
        fmt: Annotated[ExportFormat, Query(alias="format", description="csv 或 xlsx")] = ExportFormat.XLSX,
    ) -> Response:
        publication = await _published(runtime, publication_id)
        return await export_response(
            pubs.publication_table(policy, publication),
            iterate(publication.entries),
            fmt,
            filename_zh=f"{pubs.short_title(policy, publication.list_code)}_{publication.as_of.isoformat()}",
            fallback=f"phaseout-{publication.list_code}-{publication.as_of.isoformat()}",
        )

    @router.get("/asyncapi.json", summary="事件总线 AsyncAPI 3.0 文档 (every topic and payload)")
    async def asyncapi(runtime: RuntimeDep) -> dict[str, Any]:
        settings = runtime.settings
        return asyncapi_document(settings.kafka_bootstrap, settings.topic_partitions)

    return router
