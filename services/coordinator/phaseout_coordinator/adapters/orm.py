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
    town: Mapped[str] = mapped_column(sa.String(200), index=True)
    industrial_park: Mapped[str | None] = mapped_column(sa.String(200), nullable=True, index=True)
    industry: Mapped[str] = mapped_column(sa.String(40), index=True)
    first_found_on: Mapped[date] = mapped_column(sa.Date)
    finding_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # production lines, capacity
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Affiliation(Base):
    """关联企业 declared by the office (source data, not a projection: a rebuild keeps it)."""

    __tablename__ = "affiliations"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    affiliate_uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True, index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declared_by: Mapped[str] = mapped_column(sa.String(120))


class EnterpriseStatus(Base):
    """Projection: the latest assessment of an enterprise (rebuilt from the event store)."""

    __tablename__ = "enterprise_status"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSONType)
    next_change_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ListEntryRow(Base):
    """Projection: one stay of an enterprise on a list, in business time [start, end)."""

    __tablename__ = "list_entries"
    __table_args__ = (
        sa.Index("ix_list_entries_list_start", "list_code", "start_on"),
        # Members of a list as of a day, in USCC order, from the index alone (count and page of
        # GET /api/v1/lists/{code}, the list counts of /stats).
        sa.Index("ix_list_entries_code_uscc", "list_code", "uscc", "start_on", "end_on"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    list_code: Mapped[str] = mapped_column(sa.String(40))
    dimension: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    case_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    start_on: Mapped[date] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONType)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)


class MeasureRow(Base):
    """Projection: a joint-punishment measure; ``key`` is stable across rebuilds (feedback refers to it)."""

    __tablename__ = "measures"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    source_uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    via_affiliate_of: Mapped[str | None] = mapped_column(sa.String(18), nullable=True)
    measure_code: Mapped[str] = mapped_column(sa.String(64))
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    target_unit: Mapped[str] = mapped_column(
        sa.String(200), index=True
    )  # registry code (0006: or an old name)
    start_on: Mapped[date] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    earliest_lift_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONType)


class PriceInstructionRow(Base):
    __tablename__ = "price_instructions"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    category: Mapped[str] = mapped_column(sa.String(40))
    surcharge_yuan_per_kwh: Mapped[float] = mapped_column(sa.Float)
    confidence: Mapped[str] = mapped_column(sa.String(8))
    case_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    start_on: Mapped[date] = mapped_column(sa.Date)
    end_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONType)


class MeasureFeedback(Base):
    """An executing department's report on a measure (source data, append-only)."""

    __tablename__ = "measure_feedback"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    measure_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16))  # executed | refused
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    reference: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    executed_on: Mapped[date] = mapped_column(sa.Date)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_by: Mapped[str] = mapped_column(sa.String(120))
    department: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)


class ListPublication(Base):
    """The office publishes a list as of a date (draft → published); the public sees only published ones."""

    __tablename__ = "list_publications"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    list_code: Mapped[str] = mapped_column(sa.String(40), index=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(16))  # draft | published
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # frozen at publication
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(sa.String(120))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_by: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)


class PendingEvaluation(Base):
    """Enterprises whose facts changed since their last assessment (work queue of the projector)."""

    __tablename__ = "pending_evaluations"

    uscc: Mapped[str] = mapped_column(sa.String(18), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseStatusRow(Base):
    """Projection: every case's state and deadline as of the last evaluation (due-soon and overdue lists)."""

    __tablename__ = "case_status"

    case_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    bureau: Mapped[str] = mapped_column(sa.String(16), index=True)
    finding_type: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))
    found_on: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    open: Mapped[bool] = mapped_column(sa.Boolean)
    state_since: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # 0008; None until re-evaluated
