"""Each case's projected state carries the day it began (``state_since``): a case under 停产整顿 with no
deadline is flagged by how long it has been suspended. Filled by the next evaluation (a rebuild fills all).

Revision ID: coordinator_0008
Revises: coordinator_0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "coordinator_0008"
down_revision = "coordinator_0007"


def upgrade() -> None:
    with op.batch_alter_table("case_status") as batch:
        batch.add_column(sa.Column("state_since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_status") as batch:
        batch.drop_column("state_since")
