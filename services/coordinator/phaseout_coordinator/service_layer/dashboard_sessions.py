"""Dashboard sessions (the caller opens the transaction): an opaque id for the browser's cookie, the signed-in
token's hash on the server. Closing at logout ends the session at once; revoking the token ends every session
opened with it (the token no longer authenticates)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from phaseout_coordinator.adapters.orm_sessions import DashboardSession

SESSION_LIFETIME = timedelta(hours=12)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(session: AsyncSession, token_hash: str, now: datetime) -> str:
    """A new session for the token with ``token_hash``; returns the id for the cookie (stored only hashed)."""
    await session.execute(sa.delete(DashboardSession).where(DashboardSession.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    session.add(
        DashboardSession(
            session_hash=_hash(session_id),
            token_hash=token_hash,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return session_id


async def session_token_hash(session: AsyncSession, session_id: str, now: datetime) -> str | None:
    """The token hash of a live session, or None (unknown, closed or expired)."""
    row = await session.get(DashboardSession, _hash(session_id))
    return row.token_hash if row is not None and row.expires_at > now else None


async def close_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(
        sa.delete(DashboardSession).where(DashboardSession.session_hash == _hash(session_id))
    )
