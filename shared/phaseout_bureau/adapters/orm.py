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
