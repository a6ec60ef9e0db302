"""Bearer tokens, stored only as HMAC-SHA256 hashes (peppered), and the roles that may use them.

Each service keeps its own token table (its own database); the embedded profile seeds the demo tokens that
the README lists, production never does.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.clock import utcnow
from phaseout_kit.db import Base, UTCDateTime
from phaseout_kit.registry import BUREAUS

SessionFactory = async_sessionmaker[AsyncSession] | Callable[[], AsyncSession]


class Role(StrEnum):
    BUREAU = "bureau"  # writes its own bureau's cases, reads its own bureau
    READER = "reader"  # read-only (feeds, audits)
    OFFICE_ADMIN = "office_admin"  # 领导小组办公室, publishes lists
    OFFICE_VIEWER = "office_viewer"
    DEPARTMENT = "department"  # executes joint measures and reports back
    FEED = "feed"  # a service reading another's event feed (and the approved policy changes), nothing else


class ApiToken(Base):
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    actor: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(32))
    bureau: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    department: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Principal:
    actor: str
    role: Role
    bureau: str | None = None
    department: str | None = None  # role department: the registry code of the unit it answers for

    def can_write_bureau(self, bureau: str) -> bool:
        return self.role is Role.BUREAU and self.bureau == bureau


def hash_token(token: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()


async def authenticate(session: AsyncSession, token: str, pepper: str) -> Principal | None:
    row = await session.get(ApiToken, hash_token(token, pepper))
    if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return _principal(row)


class TokenCache:
    """Recently verified tokens, so a request does not cost a pool checkout and a query just to authenticate.

    Only known tokens are kept, for ``ttl_s`` seconds, and their expiry is still checked on every use; a token
    issued meanwhile is found at once (unknown hashes always go to the database). A token removed from the
    table stays usable for at most ``ttl_s`` seconds in a process that verified it.
    """

    def __init__(self, ttl_s: float = 10.0, max_entries: int = 10_000) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[str, tuple[Principal, datetime | None, float]] = {}

    async def authenticate(
        self, session_factory: SessionFactory, token: str, pepper: str
    ) -> Principal | None:
        return await self.authenticate_hash(session_factory, hash_token(token, pepper))

    async def authenticate_hash(self, session_factory: SessionFactory, key: str) -> Principal | None:
        """The principal of the token with this hash (a dashboard session keeps only the hash)."""
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is None or hit[2] <= now:
            async with session_factory() as session:
                row = await session.get(ApiToken, key)
            if row is None:
                self._entries.pop(key, None)
                return None
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            hit = (_principal(row), row.expires_at, now + self._ttl_s)
            self._entries[key] = hit
        principal, expires_at, _ = hit
        return None if expires_at is not None and expires_at <= utcnow() else principal


def _principal(row: ApiToken) -> Principal:
    return Principal(actor=row.actor, role=Role(row.role), bureau=row.bureau, department=row.department)


async def add_token(
    session: AsyncSession,
    token: str,
    pepper: str,
    *,
    actor: str,
    role: Role,
    bureau: str | None = None,
    department: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    await session.merge(
        ApiToken(
            token_hash=hash_token(token, pepper),
            actor=actor,
            role=role.value,
            bureau=bureau,
            department=department,
            expires_at=expires_at,
            created_at=utcnow(),
        )
    )


FEED_ACTOR = "service:coordinator"
DEMO_TOKENS: dict[str, Principal] = {
    **{f"demo-{b}-writer": Principal(actor=f"demo:{b}", role=Role.BUREAU, bureau=b) for b in BUREAUS},
    "demo-office-admin": Principal(actor="demo:office-admin", role=Role.OFFICE_ADMIN),
    "demo-office-viewer": Principal(actor="demo:office-viewer", role=Role.OFFICE_VIEWER),
    "demo-reader": Principal(actor="demo:reader", role=Role.READER),
    # A department account names its unit by registry code, as the measures of the policy data do.
    "demo-department-power": Principal(
        actor="demo:power-company", role=Role.DEPARTMENT, department="power_company"
    ),
    "demo-department-land": Principal(
        actor="demo:land-bureau", role=Role.DEPARTMENT, department="planning_natural_resources"
    ),
    "demo-department-bank": Principal(actor="demo:banks", role=Role.DEPARTMENT, department="banks"),
}


async def seed_demo_tokens(session: AsyncSession, pepper: str) -> None:
    for token, p in DEMO_TOKENS.items():
        await add_token(
            session, token, pepper, actor=p.actor, role=p.role, bureau=p.bureau, department=p.department
        )
