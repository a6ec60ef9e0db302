"""The audit log is append-only in the database: UPDATE and DELETE of audit_log raise.

Revision ID: bureau_0003
Revises: bureau_0002
"""

from __future__ import annotations

from phaseout_kit.kit_schema import create_audit_guard, drop_audit_guard

revision = "bureau_0003"
down_revision = "bureau_0002"


def upgrade() -> None:
    create_audit_guard()


def downgrade() -> None:
    drop_audit_guard()
