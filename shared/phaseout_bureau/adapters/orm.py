"""Tables of a bureau service's database (besides the kit's outbox, inbox, tokens and audit log)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.db import Base, JSONType, UTCDateTime


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    enterprise_name: Mapped[str] = mapped_column(sa.String(200))
    finding_type: Mapped[str] = mapped_column(sa.String(64))
    found_on: Mapped[date] = mapped_column(sa.Date, index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the accepted request, normalised
    derived: Mapped[dict[str, Any]] = mapped_column(JSONType)
    idempotency_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(120))


class CaseRow(Base):
    """The current state of a case (one per finding, same id); its history is in ``case_actions``."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    finding_type: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    found_on: Mapped[date] = mapped_column(sa.Date)
    last_occurred_on: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date | None] = mapped_column(sa.Date, nullable=True, index=True)
    extension_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    requested_months: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    production_measure: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    state_before_proposal: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    steps_done: Mapped[list[str]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseActionRow(Base):
    __tablename__ = "case_actions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    deadline_after: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(160), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(120))


class OfficePolicyChange(Base):
    """An office change of the policy data the coordinator approved, as this bureau received it: laid over the
    shipped book in ``position`` order, so a restart judges by it even while the coordinator is away."""

    __tablename__ = "office_policy_changes"

    change_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(sa.Integer)  # order of approval in the coordinator
    kind: Mapped[str] = mapped_column(sa.String(20))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    policy_version: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
