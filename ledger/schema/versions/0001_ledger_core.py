"""Ledger core: entries, tree nodes, checkpoints, projections; append-only triggers.

Revision ID: 0001_ledger_core
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger_core"
down_revision = None
branch_labels = None
depends_on = None

LEDGER_TABLES = ("ledger_entries", "ledger_tree_nodes", "ledger_checkpoints")
APPENDER_ROLE = "terang_appender"


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("entry_bytes", sa.LargeBinary, nullable=False),
        sa.Column("statement_type", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("signer", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("logged_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("signer", "nonce", name="uq_ledger_entries_signer_nonce"),
    )
    op.create_index("ix_ledger_entries_subject_seq", "ledger_entries", ["subject", "seq"])
    op.create_index("ix_ledger_entries_type_seq", "ledger_entries", ["statement_type", "seq"])
    op.create_table(
        "ledger_tree_nodes",
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_ledger_tree_nodes"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "projection_rows",
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key", name="pk_projection_rows"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_append_only()
    else:
        _sqlite_append_only()


def _sqlite_append_only() -> None:
    for table in LEDGER_TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )


def _postgres_append_only() -> None:
    op.execute(
        """
        CREATE FUNCTION terang_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in LEDGER_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION terang_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION terang_refuse_change()"
        )
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")
    # The service's login role should be a member of this group role: it may read and
    # append to the ledger and maintain projections, and nothing else. Creating it needs
    # CREATEROLE; without that the operator creates it (docs/operating-postgresql.md).
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APPENDER_ROLE}') THEN
                IF (SELECT rolcreaterole OR rolsuper FROM pg_roles
                    WHERE rolname = current_user) THEN
                    CREATE ROLE {APPENDER_ROLE} NOLOGIN;
                END IF;
            END IF;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APPENDER_ROLE}') THEN
                GRANT USAGE ON SCHEMA public TO {APPENDER_ROLE};
                GRANT SELECT, INSERT ON {", ".join(LEDGER_TABLES)} TO {APPENDER_ROLE};
                GRANT SELECT, INSERT, UPDATE, DELETE ON projection_rows TO {APPENDER_ROLE};
                GRANT SELECT ON alembic_version TO {APPENDER_ROLE};
            END IF;
        END $$
        """
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
