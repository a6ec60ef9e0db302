"""The kit's own tables as a migration step, shared by every service's initial Alembic revision.

Frozen here (not generated from the models) so that later model changes need a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from phaseout_kit.db import JSONType, UTCDateTime


def create_kit_tables() -> None:
    op.create_table(
        "event_counter",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(
        sa.table("event_counter", sa.column("name", sa.String), sa.column("last_sequence", sa.BigInteger)),
        [{"name": "outbox", "last_sequence": 0}],
    )
    op.create_table(
        "outbox",
        sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("type", sa.String(160), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False, index=True),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["sequence"],
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(160), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("value_preview", sa.Text, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("bureau", sa.String(32), nullable=True),
        sa.Column("department", sa.String(120), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False, index=True),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
    )


_AUDIT_GUARD_PG = (
    """
    CREATE FUNCTION phaseout_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION phaseout_audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION phaseout_audit_log_append_only()",
)
_AUDIT_GUARD_SQLITE = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
)


def create_audit_guard() -> None:
    """Make the audit log append-only in the database itself: UPDATE, DELETE (and on PostgreSQL TRUNCATE)
    of ``audit_log`` raise, whoever connects. The API has no route that edits it; this covers the rest."""
    dialect = op.get_bind().dialect.name
    for statement in _AUDIT_GUARD_PG if dialect == "postgresql" else _AUDIT_GUARD_SQLITE:
        op.execute(statement)


def drop_audit_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS phaseout_audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
