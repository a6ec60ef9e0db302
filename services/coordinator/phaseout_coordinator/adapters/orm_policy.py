"""The office's changes to the policy data (source data, not a projection: a rebuild keeps them). The shipped
book is the baseline; each approved change is laid over it in the order of approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from phaseout_kit.db import Base, JSONType, UTCDateTime


class PolicyChange(Base):
    """A 实施方案 (or later another dataset) the office submitted: a draft with its preview until approved."""

    __tablename__ = "policy_changes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # plan_year
    key: Mapped[str] = mapped_column(sa.String(40))  # the plan's year
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as checked (PlanYearDocument, JSON)
    status: Mapped[str] = mapped_column(sa.String(12), index=True)  # draft | approved | withdrawn
    based_on_version: Mapped[str] = mapped_column(sa.String(60))  # the policy version the preview compared
    policy_version: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)  # set on approval
    preview: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the decisions it changes, as computed
    submitted_by: Mapped[str] = mapped_column(sa.String(120))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
