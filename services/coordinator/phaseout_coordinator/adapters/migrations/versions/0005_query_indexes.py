"""Indexes for the office's reads at scale: list members by USCC, the enterprise search filters.

Revision ID: coordinator_0005
Revises: coordinator_0004
"""

from __future__ import annotations

from alembic import op

revision = "coordinator_0005"
down_revision = "coordinator_0004"


def upgrade() -> None:
    op.create_index("ix_list_entries_code_uscc", "list_entries", ["list_code", "uscc", "start_on", "end_on"])
    op.create_index("ix_enterprises_town", "enterprises", ["town"])
    op.create_index("ix_enterprises_industrial_park", "enterprises", ["industrial_park"])
    op.create_index("ix_enterprises_industry", "enterprises", ["industry"])


def downgrade() -> None:
    op.drop_index("ix_enterprises_industry", "enterprises")
    op.drop_index("ix_enterprises_industrial_park", "enterprises")
    op.drop_index("ix_enterprises_town", "enterprises")
    op.drop_index("ix_list_entries_code_uscc", "list_entries")
