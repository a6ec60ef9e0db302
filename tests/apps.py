"""Running a service app in-process for integration tests (real database, real broker, real lifespan)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from phaseout_bureau.app import build_app
from phaseout_bureau.domain.findings import BureauSpec
from phaseout_kit.settings import ServiceSettings


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@asynccontextmanager
async def bureau_client(
    spec: BureauSpec, database_url: str, bootstrap: str, **settings_overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(
        service=spec.name, database_url=database_url, kafka_bootstrap=bootstrap, **settings_overrides
    )
    async with running(build_app(spec, settings)) as client:
        yield client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
