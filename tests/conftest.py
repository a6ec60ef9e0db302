"""Shared fixtures: databases on SQLite and PostgreSQL, a real Tansu broker.

PostgreSQL is required (CI and this machine run it at 127.0.0.1:5432); a missing server fails the tests
rather than skipping them. Set PHASEOUT_TEST_POSTGRES_URL to use another server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from phaseout_kit.events.broker import free_port, start_embedded_broker, wait_for_broker

POSTGRES_URL = os.environ.get(
    "PHASEOUT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def _raw(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_pg_database(prefix: str = "phaseout_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_raw(POSTGRES_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(_raw(POSTGRES_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


class Broker:
    """A real Tansu broker on a free port that tests may stop and start again (memory: a restart is empty)."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_file = str(log_dir / "broker.log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = start_embedded_broker(self.port, log_file=self.log_file)
        await wait_for_broker(self.bootstrap)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="session")
async def broker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Broker]:
    b = Broker(tmp_path_factory.mktemp("broker"))
    await b.start()
    yield b
    b.stop()


async def wait_until(
    condition: Callable[[], Any], *, timeout_s: float = 30.0, interval_s: float = 0.05, message: str = ""
) -> Any:
    """Poll ``condition`` (sync or async) until it returns a truthy value; fail after ``timeout_s``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {message or condition}")
        await asyncio.sleep(interval_s)


@pytest.fixture(scope="session")
def reference_vectors() -> Iterator[dict[str, Any]]:
    import json

    yield json.loads((Path(__file__).parent / "fixtures" / "uscc_vectors.json").read_text())
