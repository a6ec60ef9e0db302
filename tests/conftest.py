"""Shared fixtures: databases on SQLite and PostgreSQL, a real Tansu broker.

PostgreSQL is required (CI and this machine run it at 127.0.0.1:5432); a missing server fails the tests
rather than skipping them. Set PHASEOUT_TEST_POSTGRES_URL to use another server, and
PHASEOUT_TEST_BACKENDS (``sqlite``, ``postgresql`` or both, comma-separated; both by default) to choose the
backends a test runs on: ``make check`` runs on SQLite alone, ``make test`` on both.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from phaseout_kit.events.broker import EmbeddedBroker
from tests.scratch_db import create_database, drop_database, scratch_database

POSTGRES_URL = os.environ.get(
    "PHASEOUT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = tuple(
    b.strip() for b in os.environ.get("PHASEOUT_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()
)
if not BACKENDS or set(BACKENDS) - {"sqlite", "postgresql"}:
    raise ValueError(f"PHASEOUT_TEST_BACKENDS: sqlite and/or postgresql, not {BACKENDS!r}")


async def create_pg_database(prefix: str = "phaseout_test") -> str:
    return await create_database(POSTGRES_URL, prefix)


async def drop_pg_database(url: str) -> None:
    await drop_database(POSTGRES_URL, url)


@asynccontextmanager
async def backend_database(
    backend: str, tmp_path: Path, name: str, prefix: str = "phaseout_test"
) -> AsyncIterator[str]:
    """A fresh, empty database on ``backend`` for the block: a file ``name``.db in ``tmp_path`` on SQLite, a
    scratch database ``<prefix>_…`` on PostgreSQL (dropped after)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / name}.db"
        return
    async with scratch_database(POSTGRES_URL, prefix) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each backend."""
    async with backend_database(request.param, tmp_path, "test") as url:
        yield url


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
