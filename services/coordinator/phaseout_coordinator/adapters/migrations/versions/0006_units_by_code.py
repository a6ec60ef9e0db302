"""Departments are units: measures, department accounts and their feedback name the executing unit by its
registry code (phaseout_kit/registry.json), no longer by a spelling of its name.

The names are frozen (migrations/frozen_units.py) as the registry and the policy data 2026.12.2 wrote them.
A name that is no unit's stays as written.

Revision ID: coordinator_0006
Revises: coordinator_0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_coordinator.adapters.migrations.frozen_units import PLAN_NAMES, UNIT_CODES, rename

revision = "coordinator_0006"
down_revision = "coordinator_0005"


def upgrade() -> None:
    with op.batch_alter_table("measures") as batch:
        batch.add_column(sa.Column("target_unit", sa.String(200), nullable=True))
    measures = sa.table(
        "measures", sa.column("target_department_zh", sa.String), sa.column("target_unit", sa.String)
    )
    op.execute(measures.update().values(target_unit=measures.c.target_department_zh))
    rename("measures", "target_unit", UNIT_CODES)
    with op.batch_alter_table("measures") as batch:
        batch.drop_index("ix_measures_target_department_zh")
        batch.drop_column("target_department_zh")
        batch.alter_column("target_unit", existing_type=sa.String(200), nullable=False)
        batch.create_index("ix_measures_target_unit", ["target_unit"])
    rename("measure_feedback", "department", UNIT_CODES)
    rename("api_tokens", "department", UNIT_CODES)


def downgrade() -> None:
    rename("api_tokens", "department", PLAN_NAMES)
    rename("measure_feedback", "department", PLAN_NAMES)
    with op.batch_alter_table("measures") as batch:
        batch.add_column(sa.Column("target_department_zh", sa.String(200), nullable=True))
    measures = sa.table(
        "measures", sa.column("target_department_zh", sa.String), sa.column("target_unit", sa.String)
    )
    op.execute(measures.update().values(target_department_zh=measures.c.target_unit))
    rename("measures", "target_department_zh", PLAN_NAMES)
    with op.batch_alter_table("measures") as batch:
        batch.drop_index("ix_measures_target_unit")
        batch.drop_column("target_unit")
        batch.alter_column("target_department_zh", existing_type=sa.String(200), nullable=False)
        batch.create_index("ix_measures_target_department_zh", ["target_department_zh"])
