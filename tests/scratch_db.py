"""Scratch PostgreSQL databases for the tests and the benchmarks: each run creates its own, named
``<prefix>_<random>``, and drops it after (``WITH (FORCE)``: a crashed service may still hold connections)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


def asyncpg_url(url: str) -> str:
    """asyncpg's own form of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _execute(server_url: str, *statements: str) -> None:
    conn = await asyncpg.connect(asyncpg_url(server_url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(server_url: str, prefix: str) -> str:
    """A fresh, empty database on the server of ``server_url``; returns its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _execute(server_url, f'CREATE DATABASE "{name}"')
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


async def drop_database(server_url: str, url: str) -> None:
    """Drops the database of ``url``, connected as ``server_url`` (a database cannot drop itself)."""
    await _execute(server_url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


async def drop_databases(server_url: str, prefix: str) -> list[str]:
    """Drops every database named ``<prefix>_…`` (left by an interrupted run); returns their names."""
    like = prefix.replace("_", "\\_") + "\\_%"
    conn = await asyncpg.connect(asyncpg_url(server_url))
    try:
        names = [
            r["datname"]
            for r in await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", like)
        ]
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    return names


@asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A fresh database for the block, dropped after it whatever happens."""
    url = await create_database(server_url, prefix)
    try:
        yield url
    finally:
        await drop_database(server_url, url)
