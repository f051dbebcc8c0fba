"""Tender documents stored content-addressed, append-only like the ledger tables.

Revision ID: 0003_document_blobs
Revises: 0002_cosignatures
Create Date: 2026-12-07

One row per document: its bytes, keyed by their SHA-256 (lowercase hex). A row is only
inserted for a hash that a logged tender announcement or addendum names, after the
service hashed the bytes itself (``procurement.documents``); a row is never changed or
removed, so the database refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) with
the same triggers as 0001, and the service role may only read and insert.

In the database rather than in files under a data directory: the documents then share
the ledger's transactions, backups, replication and append-only enforcement, and a
deployment keeps one thing to operate (decision in docs/procurement.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_document_blobs"
down_revision = "0002_cosignatures"
branch_labels = None
depends_on = None

TABLE = "procurement_document_blobs"
APPENDER_ROLE = "terang_appender"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("stored_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_procurement_document_blobs"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_append_only()
    else:
        _sqlite_append_only()


def _sqlite_append_only() -> None:
    # The same triggers 0001 puts on the ledger tables.
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {action} refused'); END"
        )


def _postgres_append_only() -> None:
    # terang_refuse_change() was created by 0001_ledger_core.
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION terang_refuse_change()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION terang_refuse_change()"
    )
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM PUBLIC")
    # Like 0002: the service role may read and append documents, nothing else. If the
    # role does not exist (no CREATEROLE at 0001), the operator grants it by hand.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APPENDER_ROLE}') THEN
                GRANT SELECT, INSERT ON {TABLE} TO {APPENDER_ROLE};
            END IF;
        END $$
        """
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
