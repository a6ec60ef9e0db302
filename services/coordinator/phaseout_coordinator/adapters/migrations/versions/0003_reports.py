"""Annex-task reports of the member units and the office's supervision actions (通报、约谈).

Revision ID: coordinator_0003
Revises: coordinator_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import UTCDateTime

revision = "coordinator_0003"
down_revision = "coordinator_0002"


def upgrade() -> None:
    op.create_table(
        "annex_task_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_number", sa.Integer, nullable=False),
        sa.Column("department_zh", sa.String(120), nullable=False, index=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("summary_zh", sa.Text, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_annex_task_reports_task_period", "annex_task_reports", ["task_number", "period"])
    op.create_table(
        "supervision_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_number", sa.Integer, nullable=False, index=True),
        sa.Column("department_zh", sa.String(120), nullable=False, index=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("taken_on", sa.Date, nullable=False),
        sa.Column("reason_zh", sa.Text, nullable=False),
        sa.Column("document_no", sa.String(120), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("supervision_actions")
    op.drop_index("ix_annex_task_reports_task_period", table_name="annex_task_reports")
    op.drop_table("annex_task_reports")
