"""Dashboard sessions on the server (the cookie holds an opaque id, not the bearer token).

Revision ID: coordinator_0010
Revises: coordinator_0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import UTCDateTime

revision = "coordinator_0010"
down_revision = "coordinator_0009"


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_dashboard_sessions_token_hash", "dashboard_sessions", ["token_hash"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_sessions_token_hash", "dashboard_sessions")
    op.drop_table("dashboard_sessions")
