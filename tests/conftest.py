"""Shared fixtures: databases on SQLite and PostgreSQL, a real Tansu broker.

PostgreSQL is required (CI and this machine run it at 127.0.0.1:5432); a missing server fails the tests
rather than skipping them. Set PHASEOUT_TEST_POSTGRES_URL to use another server, and
PHASEOUT_TEST_BACKENDS (``sqlite``, ``postgresql`` or both, comma-separated; both by default) to choose the
backends a test runs on: ``make check`` runs on SQLite alone, ``make test`` on both.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from phaseout_kit.events.broker import EmbeddedBroker

POSTGRES_URL = os.environ.get(
    "PHASEOUT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = tuple(
    b.strip() for b in os.environ.get("PHASEOUT_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()
)
if not BACKENDS or set(BACKENDS) - {"sqlite", "postgresql"}:
    raise ValueError(f"PHASEOUT_TEST_BACKENDS: sqlite and/or postgresql, not {BACKENDS!r}")


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


@pytest.fixture
async def broker(tmp_path: Path) -> AsyncIterator[EmbeddedBroker]:
    """A real Tansu broker of the test's own (it starts in milliseconds). One shared by the whole session
    carried earlier tests' events into a later test's coordinator, whose own events then met them as
    sequence conflicts (scenario 8 failed so, depending on how fast its consumer was)."""
    b = await broker_in(tmp_path)
    yield b
    b.kill()


async def broker_in(log_dir: Path) -> EmbeddedBroker:
    """A real Tansu broker of a test's own, started and ready; tests may kill and start it again (memory: a
    restarted broker is empty)."""
    return await EmbeddedBroker(log_file=log_dir / "broker.log").started()


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


# Time per tier (tests/<tier>/…: setup, call and teardown), printed at the end of every run, CI's included, so
# the README's tier table can be checked against any log.
_TIER_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    parts = report.nodeid.split("/")
    tier = parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"
    _TIER_SECONDS[tier] = _TIER_SECONDS.get(tier, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _TIER_SECONDS:
        terminalreporter.section("time per tier (s)")
        for tier, seconds in sorted(_TIER_SECONDS.items()):
            terminalreporter.write_line(f"{tier:<12} {seconds:7.1f}")
