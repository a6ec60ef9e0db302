"""Cases and their action history.

Revision ID: bureau_0002
Revises: bureau_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime

revision = "bureau_0002"
down_revision = "bureau_0001"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("finding_type", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False, index=True),
        sa.Column("found_on", sa.Date, nullable=False),
        sa.Column("last_occurred_on", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=True, index=True),
        sa.Column("extension_count", sa.Integer, nullable=False),
        sa.Column("requested_months", sa.Integer, nullable=True),
        sa.Column("production_measure", sa.String(16), nullable=True),
        sa.Column("state_before_proposal", sa.String(32), nullable=True),
        sa.Column("steps_done", JSONType, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "case_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=False),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("deadline_after", sa.Date, nullable=True),
        sa.Column("body", JSONType, nullable=False),
        sa.Column("rule", JSONType, nullable=True),
        sa.Column("idempotency_key", sa.String(160), nullable=True, unique=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_findings_type_found_on", "findings", ["finding_type", "found_on"])
