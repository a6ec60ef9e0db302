"""Dashboard sessions, kept on the server: the browser holds only an opaque id. A session names the token it
was opened with by the token's hash, so revoking the token ends every session opened with it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.db import Base, UTCDateTime


class DashboardSession(Base):
    __tablename__ = "dashboard_sessions"

    session_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # SHA-256 of the cookie's id
    token_hash: Mapped[str] = mapped_column(sa.String(64), index=True)  # the signed-in token (api_tokens)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
