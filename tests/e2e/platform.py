"""The platform as separate processes on ports it owns, for end-to-end tests (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from phaseout_platform.launcher import SERVICES, Platform
from tests.conftest import create_pg_database, drop_pg_database


@asynccontextmanager
async def running_platform(
    backend: str,
    data_dir: Path,
    services: tuple[str, ...] = SERVICES,
    env: dict[str, dict[str, str]] | None = None,
) -> AsyncIterator[Platform]:
    env = {s: dict((env or {}).get(s, {})) for s in services}
    pg_urls: list[str] = []
    if backend == "postgresql":
        for s in services:
            url = await create_pg_database(f"phaseout_e2e_{s}")
            pg_urls.append(url)
            env[s]["PHASEOUT_DATABASE_URL"] = url
    platform = Platform(data_dir, 0, {}, services=services, env=env)  # 0, {}: ports the kernel picks
    try:
        await platform.start()
        yield platform
    finally:
        platform.stop()
        for url in pg_urls:
            await drop_pg_database(url)
