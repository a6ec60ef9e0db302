"""Running a service app in-process for integration tests (real database, real broker, real lifespan)."""

from __future__ import annotations

import re
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


async def sign_in(client: httpx.AsyncClient, token: str) -> str:
    """Sign in to the dashboard as its login form does (the client keeps the session cookie); returns the CSRF
    token the session's forms carry."""
    login = await client.post("/dashboard/login", data={"token": token})
    assert login.status_code == 303, login.text
    page = await client.get(login.headers["location"], follow_redirects=True)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)
