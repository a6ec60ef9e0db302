"""The office's changes to the policy data (a year's 实施方案 first): drafts with their preview, approvals.

Revision ID: coordinator_0009
Revises: coordinator_0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime

revision = "coordinator_0009"
down_revision = "coordinator_0008"


def upgrade() -> None:
    op.create_table(
        "policy_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("document", JSONType, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("based_on_version", sa.String(60), nullable=False),
        sa.Column("policy_version", sa.String(60), nullable=True),
        sa.Column("preview", JSONType, nullable=False),
        sa.Column("submitted_by", sa.String(120), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_policy_changes_status", "policy_changes", ["status"])


def downgrade() -> None:
    op.drop_index("ix_policy_changes_status", "policy_changes")
    op.drop_table("policy_changes")
