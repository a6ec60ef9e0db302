"""信息公开: the public disclosure pages (no login): only what the office has published."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from phaseout_coordinator.dashboard.page_kit import policy_of, query_of, runtime_of
from phaseout_coordinator.dashboard.present import (
    table_view,
)
from phaseout_coordinator.dashboard.rendering import render
from phaseout_coordinator.service_layer import publications as pubs


def public_pages_router() -> APIRouter:
    """信息公开: only what the office has published, with its date and legal basis; nothing internal."""
    router = APIRouter(prefix="/public", include_in_schema=False)

    @router.get("/")
    async def published(request: Request) -> HTMLResponse:
        async with runtime_of(request).sessions() as session:
            _total, rows = await pubs.listing(
                session, published_only=True, list_code=None, offset=0, limit=200
            )
        items = [pubs.public_view(policy_of(request), p, with_entries=False) for p in rows]
        return render(request, "public_index.html", {"items": items})

    @router.get("/lists/{publication_id}")
    async def published_list(request: Request, publication_id: int) -> HTMLResponse:
        async with runtime_of(request).sessions() as session:
            found = await pubs.find(session, publication_id, published_only=True)
        if found is None:
            context = {"title": "未找到", "message": "该名单未发布或不存在。", "public": True}
            return render(request, "message.html", context, 404)
        view = pubs.public_view(policy_of(request), found, with_entries=True)
        columns = pubs.publication_table(policy_of(request), found).columns
        table = table_view(view["entries"], columns, path=request.url.path, query=query_of(request))
        return render(request, "public_list.html", {"p": view, "table": table})

    return router
