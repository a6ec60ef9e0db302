"""Affiliations, assessments and decision projections, measure feedback, list publications.

Revision ID: coordinator_0002
Revises: coordinator_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime

revision = "coordinator_0002"
down_revision = "coordinator_0001"


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("lines", JSONType, nullable=False, server_default="[]"))
    op.create_table(
        "affiliations",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("affiliate_uscc", sa.String(18), primary_key=True, index=True),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.Column("declared_by", sa.String(120), nullable=False),
    )
    op.create_table(
        "enterprise_status",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("dimensions", JSONType, nullable=False),
        sa.Column("assessment", JSONType, nullable=False),
        sa.Column("next_change_on", sa.Date, nullable=True, index=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("evaluated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "list_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("list_code", sa.String(40), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=True),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date, nullable=True),
        sa.Column("explanation", JSONType, nullable=False),
        sa.Column("details", JSONType, nullable=False),
    )
    op.create_index("ix_list_entries_list_start", "list_entries", ["list_code", "start_on"])
    op.create_table(
        "measures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("source_uscc", sa.String(18), nullable=False, index=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("via_affiliate_of", sa.String(18), nullable=True),
        sa.Column("measure_code", sa.String(64), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("target_department_zh", sa.String(200), nullable=False, index=True),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date, nullable=True),
        sa.Column("earliest_lift_on", sa.Date, nullable=True),
        sa.Column("explanation", JSONType, nullable=False),
    )
    op.create_table(
        "price_instructions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("surcharge_yuan_per_kwh", sa.Float, nullable=False),
        sa.Column("confidence", sa.String(8), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date, nullable=True),
        sa.Column("explanation", JSONType, nullable=False),
    )
    op.create_table(
        "measure_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_key", sa.String(64), nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("executed_on", sa.Date, nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("reported_by", sa.String(120), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
    )
    op.create_table(
        "list_publications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_code", sa.String(40), nullable=False, index=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("entries", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("published_by", sa.String(120), nullable=True),
    )
    op.create_table(
        "pending_evaluations",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "case_status",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, index=True),
        sa.Column("bureau", sa.String(16), nullable=False, index=True),
        sa.Column("finding_type", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("found_on", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=True, index=True),
        sa.Column("open", sa.Boolean, nullable=False),
    )
