"""Coordinator tables for the office's supervision work: annex-task reports and supervision actions.

Both are source data entered through the API (not projections): a rebuild of the projections keeps them.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.db import Base, UTCDateTime


class AnnexTaskReport(Base):
    """A member unit's report on one of the 16 annex tasks: plan, enforcement progress or annual summary."""

    __tablename__ = "annex_task_reports"
    __table_args__ = (sa.Index("ix_annex_task_reports_task_period", "task_number", "period"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    task_number: Mapped[int] = mapped_column(sa.Integer)
    department: Mapped[str] = mapped_column(sa.String(120), index=True)  # registry code, or the name given
    period: Mapped[str] = mapped_column(sa.String(10))  # "2020", "2020-Q3" or "2020-07"
    kind: Mapped[str] = mapped_column(sa.String(20))  # plan | enforcement | annual_summary
    submitted_on: Mapped[date] = mapped_column(sa.Date)
    summary_zh: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(120))


class SupervisionAction(Base):
    """通报 (circulated notice) or 约谈 (summons interview) of a department for slow progress on a task."""

    __tablename__ = "supervision_actions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    task_number: Mapped[int] = mapped_column(sa.Integer, index=True)
    department: Mapped[str] = mapped_column(sa.String(120), index=True)  # registry code, or the name given
    kind: Mapped[str] = mapped_column(sa.String(24))  # circulated_notice | summons_interview
    taken_on: Mapped[date] = mapped_column(sa.Date)
    reason_zh: Mapped[str] = mapped_column(sa.Text)
    document_no: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(120))
