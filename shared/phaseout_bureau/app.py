"""Wires one bureau service: settings → runtime → FastAPI app (the only place dependencies are built)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import httpx
from fastapi import FastAPI

from phaseout_bureau.domain.findings import BureauSpec
from phaseout_bureau.service.office_policy import Fetch, OfficePolicy
from phaseout_bureau.views import bureau_router
from phaseout_kit.runtime import ServiceRuntime
from phaseout_kit.settings import ServiceSettings
from phaseout_kit.web import create_app, serve
from phaseout_policy import load_policy

MIGRATIONS = str(files("phaseout_bureau") / "adapters" / "migrations")


def build_app(
    spec: BureauSpec, settings: ServiceSettings | None = None, *, fetch_policy: Fetch | None = None
) -> FastAPI:
    """``fetch_policy``: how the office's approved policy changes are read (default: from the coordinator at
    ``settings.coordinator_url``, if set)."""
    settings = settings or ServiceSettings(service=spec.name)
    runtime = ServiceRuntime(settings=settings, migrations=MIGRATIONS)
    # The composition root: the shipped book, with the office's changes laid over it as they arrive.
    policy = OfficePolicy(
        load_policy(),
        runtime.sessions,
        fetch_policy or coordinator_fetch(settings),
        settings.policy_sync_interval_s,
    )

    async def start(_runtime: ServiceRuntime) -> None:
        await policy.load()
        policy.start()

    async def stop(_runtime: ServiceRuntime) -> None:
        await policy.stop()

    app = create_app(
        runtime,
        title=f"{spec.title_zh} · 落后产能退出协同平台",
        description=f"{spec.department_zh}的认定与整改案件接口。认证：`Authorization: Bearer <令牌>`。",
        routers=[bureau_router(spec, policy), *(make(policy) for make in spec.extra_routers)],
        on_start=[start],
        on_stop=[stop],
    )
    app.state.policy = policy
    return app


def coordinator_fetch(settings: ServiceSettings) -> Fetch | None:
    """The coordinator's list of approved policy changes, read with the feed token (None: no coordinator)."""
    if not settings.coordinator_url:
        return None
    url = f"{settings.coordinator_url.rstrip('/')}/api/v1/policy/changes/approved"
    headers = {"Authorization": f"Bearer {settings.feed_token}"}

    async def fetch() -> Any:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(url, headers=headers)
            response.raise_for_status()
            return response.json()

    return fetch


def run(spec: BureauSpec) -> None:
    app = build_app(spec)
    serve(app, app.state.runtime)
