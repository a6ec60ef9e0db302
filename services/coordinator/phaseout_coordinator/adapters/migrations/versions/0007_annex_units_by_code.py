"""Annex-task reports and supervision actions name the member unit by its registry code (``department``), as
measures do since 0006; a department the registry does not know (tasks open to 相关部门…) stays as named.

Revision ID: coordinator_0007
Revises: coordinator_0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_coordinator.adapters.migrations.frozen_units import PLAN_NAMES, UNIT_CODES, rename

revision = "coordinator_0007"
down_revision = "coordinator_0006"
TABLES = ("annex_task_reports", "supervision_actions")


def _rename_column(table: str, old: str, new: str) -> None:
    op.drop_index(f"ix_{table}_{old}", table_name=table)
    with op.batch_alter_table(table) as batch:
        batch.alter_column(old, new_column_name=new, existing_type=sa.String(120), existing_nullable=False)
    op.create_index(f"ix_{table}_{new}", table, [new])


def upgrade() -> None:
    for table in TABLES:
        _rename_column(table, "department_zh", "department")
        rename(table, "department", UNIT_CODES)


def downgrade() -> None:
    for table in TABLES:
        rename(table, "department", PLAN_NAMES)
        _rename_column(table, "department", "department_zh")
