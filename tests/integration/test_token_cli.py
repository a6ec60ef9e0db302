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
from phaseout_kit.db import make_engine, make_session_factory, upgrade_to_head, utcnow
from phaseout_kit.settings import DEV_TOKEN_PEPPER


def issue(database_url: str, *extra: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "phaseout_kit.launcher",
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
