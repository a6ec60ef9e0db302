"""The audit log is append-only in the database: UPDATE and DELETE of audit_log raise.

Revision ID: coordinator_0004
Revises: coordinator_0003
"""

from __future__ import annotations

from phaseout_kit.kit_schema import create_audit_guard, drop_audit_guard

revision = "coordinator_0004"
down_revision = "coordinator_0003"


def upgrade() -> None:
    create_audit_guard()


def downgrade() -> None:
    drop_audit_guard()
