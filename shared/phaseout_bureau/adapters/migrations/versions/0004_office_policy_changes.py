"""The office's approved changes of the policy data, as each bureau receives them from the coordinator.

Revision ID: bureau_0004
Revises: bureau_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime

revision = "bureau_0004"
down_revision = "bureau_0003"


def upgrade() -> None:
    op.create_table(
        "office_policy_changes",
        sa.Column("change_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document", JSONType, nullable=False),
        sa.Column("policy_version", sa.String(60), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("office_policy_changes")
