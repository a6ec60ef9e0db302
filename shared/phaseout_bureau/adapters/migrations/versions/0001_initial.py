"""Kit tables and findings.

Revision ID: bureau_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime
from phaseout_kit.kit_schema import create_kit_tables

revision = "bureau_0001"
down_revision = None


def upgrade() -> None:
    create_kit_tables()
    op.create_table(
        "findings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("finding_type", sa.String(64), nullable=False),
        sa.Column("found_on", sa.Date, nullable=False, index=True),
        sa.Column("body", JSONType, nullable=False),
        sa.Column("derived", JSONType, nullable=False),
        sa.Column("idempotency_key", sa.String(160), nullable=False, unique=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
    )
