"""Witness cosignatures of published checkpoints, append-only like the ledger tables.

Revision ID: 0002_cosignatures
Revises: 0001_ledger_core
Create Date: 2026-11-30

One row per (witness, checkpoint): the cosignature/v1 signature line a witness returned
from add-checkpoint (c2sp.org/tlog-witness), verified by the log before it was stored.
``/log/checkpoint`` serves the latest checkpoint with these lines appended, and the
largest ``tree_size`` per witness is the ``old`` size the log sends it next time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_cosignatures"
down_revision = "0001_ledger_core"
branch_labels = None
depends_on = None

TABLE = "ledger_cosignatures"
APPENDER_ROLE = "terang_appender"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("witness_key", sa.String(512), nullable=False),
        # The size of a row in ledger_checkpoints. No FOREIGN KEY: on PostgreSQL one would
        # make TRUNCATE of ledger_checkpoints fail on the reference before the append-only
        # trigger can refuse it, hiding the reason; rows are only written for sizes read
        # from ledger_checkpoints, which never loses a row.
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("cosigned_at", sa.BigInteger, nullable=False),
        sa.Column("collected_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("witness_key", "tree_size", name="pk_ledger_cosignatures"),
    )
    op.create_index("ix_ledger_cosignatures_tree_size", TABLE, ["tree_size"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_append_only()
    else:
        _sqlite_append_only()


def _sqlite_append_only() -> None:
    # The same triggers 0001 puts on the other ledger tables.
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
    # Like 0001: the service role may read and append cosignatures, nothing else. If the
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
