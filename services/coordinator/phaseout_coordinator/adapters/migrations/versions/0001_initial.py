"""Kit tables, the received-event store, cursors and the enterprise projection.

Revision ID: coordinator_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime
from phaseout_kit.kit_schema import create_kit_tables

revision = "coordinator_0001"
down_revision = None


def upgrade() -> None:
    create_kit_tables()
    op.create_table(
        "received_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("bureau", sa.String(32), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("bureau", "sequence", name="uq_received_bureau_sequence"),
    )
    op.create_table(
        "bureau_cursors",
        sa.Column("bureau", sa.String(32), primary_key=True),
        sa.Column("contiguous", sa.BigInteger, nullable=False),
        sa.Column("highest_seen", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("town", sa.String(200), nullable=False),
        sa.Column("industrial_park", sa.String(200), nullable=True),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("first_found_on", sa.Date, nullable=False),
        sa.Column("finding_count", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
