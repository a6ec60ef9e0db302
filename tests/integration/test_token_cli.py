"""Tokens issued by the CLI authenticate, are stored only as hashes, and expire."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from phaseout_bureau.app import MIGRATIONS
from phaseout_kit.auth import ApiToken, Role, TokenCache, add_token, authenticate
from phaseout_kit.clock import utcnow
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head
from phaseout_kit.settings import DEV_TOKEN_PEPPER


def issue(database_url: str, *extra: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "phaseout_platform.launcher",
            "token",
            "--database-url",
            database_url,
            "--actor",
            "区生态环境局执法系统",
            "--role",
            "bureau",
            "--bureau",
            "environment",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PHASEOUT_TOKEN_PEPPER": DEV_TOKEN_PEPPER},
    )
    return result.stdout.strip()


async def test_issued_token_authenticates_and_only_its_hash_is_stored(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    token = issue(database_url)
    expired = issue(database_url, "--days", "-1")
    sessions = make_session_factory(engine)
    async with sessions() as session:
        principal = await authenticate(session, token, DEV_TOKEN_PEPPER)
        assert await authenticate(session, expired, DEV_TOKEN_PEPPER) is None
        assert await authenticate(session, token, "another-pepper") is None
        stored = list(await session.scalars(sa.select(ApiToken.token_hash)))
    await engine.dispose()
    assert principal is not None and principal.role is Role.BUREAU and principal.bureau == "environment"
    assert len(token) >= 40 and token not in stored and len(stored) == 2


async def test_token_cache_spares_the_query_but_not_the_expiry_check(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    sessions = make_session_factory(engine)
    expires_at = utcnow() + timedelta(days=1)
    async with sessions() as session, session.begin():
        await add_token(
            session, "t-cached", DEV_TOKEN_PEPPER, actor="a", role=Role.READER, expires_at=expires_at
        )
    cache, uncached = TokenCache(ttl_s=3600), TokenCache(ttl_s=0)
    assert await cache.authenticate(sessions, "t-unknown", DEV_TOKEN_PEPPER) is None
    first = await cache.authenticate(sessions, "t-cached", DEV_TOKEN_PEPPER)
    assert first is not None and first.role is Role.READER
    # Issued after a miss: found at once (misses are never cached).
    async with sessions() as session, session.begin():
        await add_token(session, "t-unknown", DEV_TOKEN_PEPPER, actor="b", role=Role.OFFICE_VIEWER)
        await session.execute(sa.delete(ApiToken).where(ApiToken.actor == "a"))
    found = await cache.authenticate(sessions, "t-unknown", DEV_TOKEN_PEPPER)
    assert found is not None and found.actor == "b"
    # Within its time to live a verified token is answered from memory; without one, from the table.
    assert await cache.authenticate(sessions, "t-cached", DEV_TOKEN_PEPPER) == first
    assert await uncached.authenticate(sessions, "t-cached", DEV_TOKEN_PEPPER) is None
    # Its expiry is checked on every use, cached or not.
    monkeypatch.setattr("phaseout_kit.auth.utcnow", lambda: expires_at + timedelta(seconds=1))
    assert await cache.authenticate(sessions, "t-cached", DEV_TOKEN_PEPPER) is None
    await engine.dispose()


def issue_department(database_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "phaseout_platform.launcher", "token", "--database-url", database_url]
    return subprocess.run(
        [*command, "--actor", "区规划自然资源局土地供应系统", *extra],
        capture_output=True,
        text=True,
        env={**os.environ, "PHASEOUT_TOKEN_PEPPER": DEV_TOKEN_PEPPER},
    )


async def test_a_department_token_names_its_unit_by_registry_code(database_url: str) -> None:
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    spelled = issue_department(database_url, "--role", "department", "--department", "区规划自然资源")
    unknown = issue_department(database_url, "--role", "department", "--department", "区不存在局")
    missing = issue_department(database_url, "--role", "department")
    not_a_department = issue_department(
        database_url, "--role", "bureau", "--bureau", "energy", "--department", "区财政局"
    )
    bureau_without_bureau = issue_department(database_url, "--role", "bureau")
    office_with_bureau = issue_department(database_url, "--role", "office_viewer", "--bureau", "energy")
    async with make_session_factory(engine)() as session:
        principal = await authenticate(session, spelled.stdout.strip(), DEV_TOKEN_PEPPER)
        stored = await session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    await engine.dispose()
    assert spelled.returncode == 0, spelled.stderr
    assert principal is not None and principal.department == "planning_natural_resources"
    assert (
        unknown.returncode == 2
        and "区不存在局" in unknown.stderr
        and "planning_natural_resources" in unknown.stderr
    )
    assert missing.returncode == 2 and "--department" in missing.stderr
    assert not_a_department.returncode == 2 and "--role department only" in not_a_department.stderr
    assert (
        bureau_without_bureau.returncode == 2
        and "--role bureau needs --bureau" in bureau_without_bureau.stderr
    )
    assert (
        office_with_bureau.returncode == 2
        and "--bureau is for --role bureau only" in office_with_bureau.stderr
    )
    assert stored == 1, "a refused token is not stored"


def revoke(database_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "phaseout_platform.launcher",
            "token",
            "revoke",
            "--database-url",
            database_url,
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PHASEOUT_TOKEN_PEPPER": DEV_TOKEN_PEPPER},
    )


async def test_a_revoked_token_no_longer_authenticates(database_url: str) -> None:
    """`phaseout token revoke` removes one token by its text, or every token of an actor; the others stay."""
    engine = make_engine(database_url)
    await upgrade_to_head(engine, MIGRATIONS)
    first, second, third = issue(database_url), issue(database_url), issue(database_url, "--days", "30")
    by_token = revoke(database_url, f"--token={first}")
    neither = revoke(database_url)
    sessions = make_session_factory(engine)
    async with sessions() as session:
        after_one = [await authenticate(session, t, DEV_TOKEN_PEPPER) for t in (first, second, third)]
    by_actor = revoke(database_url, "--actor", "区生态环境局执法系统")
    async with sessions() as session:
        after_all = [await authenticate(session, t, DEV_TOKEN_PEPPER) for t in (second, third)]
        left = await session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    await engine.dispose()
    assert by_token.returncode == 0 and by_token.stdout.startswith("revoked 1 token(s)"), by_token.stderr
    assert all(t.startswith("phaseout_") for t in (first, second, third))
    assert neither.returncode == 2 and "--token or --actor" in neither.stderr
    assert after_one[0] is None and after_one[1] is not None and after_one[2] is not None
    assert by_actor.returncode == 0 and by_actor.stdout.startswith("revoked 2 token(s)")
    assert after_all == [None, None] and left == 0
