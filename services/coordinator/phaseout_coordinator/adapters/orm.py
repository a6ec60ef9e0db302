"""Coordinator tables: the append-only store of received events, per-bureau cursors, and projections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.db import Base, JSONType, UTCDateTime


class StoredEvent(Base):
    """Every event received from a bureau, once (append-only; projections are rebuilt from here)."""

    __tablename__ = "received_events"
    __table_args__ = (sa.UniqueConstraint("bureau", "sequence", name="uq_received_bureau_sequence"),)

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bureau: Mapped[str] = mapped_column(sa.String(32))
    sequence: Mapped[int] = mapped_column(sa.BigInteger)
    type: Mapped[str] = mapped_column(sa.String(160))
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BureauCursor(Base):
    """``contiguous``: every event up to it is stored; ``highest_seen`` above it means a gap to catch up."""

    __tablename__ = "bureau_cursors"

    bureau: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    contiguous: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    highest_seen: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class EnterpriseRow(Base):
    """Projection: the enterprise registry as the bureaus' findings describe it."""

    __tablename__ = "enterprises"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    town: Mapped[str] = mapped_column(sa.String(200))
    industrial_park: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    industry: Mapped[str] = mapped_column(sa.String(40))
    first_found_on: Mapped[date] = mapped_column(sa.Date)
    finding_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
