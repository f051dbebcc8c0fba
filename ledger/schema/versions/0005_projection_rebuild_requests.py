"""Requests to rebuild the projections: the hook for a migration that changes what
reducers write.

Revision ID: 0005_projection_rebuild_requests
Revises: 0004_entries_signer_index
Create Date: 2026-12-03

One row per request: the revision that asked and why. A migration whose release changes
what a reducer writes calls ``ledger.migrations.request_projection_rebuild`` in its
``upgrade()``; ``terang db upgrade`` (and ``terang serve`` and ``terang init``, which
migrate too) then run ``terang rebuild-projections`` before anything is served, and the
rebuild deletes the requests in the same transaction that swaps the new projections in,
so a crash in between leaves the request standing (docs/operating.md, "Upgrades").

This revision asks for one rebuild itself on any log that already has entries: reducers
changed before this table existed without any way to say so (ef3f47d made announcements
write ``procurement.document`` rows; a log written before it fails ``terang verify``
with ``projection_missing``), so every database older than this revision is rebuilt once.
A new, empty database has nothing to rebuild and gets no request.

Not a ledger table: rows are deleted when done, so no append-only triggers.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0005_projection_rebuild_requests"
down_revision = "0004_entries_signer_index"
branch_labels = None
depends_on = None

TABLE = "projection_rebuild_requests"
APPENDER_ROLE = "terang_appender"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("revision", name="pk_projection_rebuild_requests"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The service role runs the rebuild that serve starts with: it reads and clears
        # requests (and maintains projection_rows, granted by 0001).
        op.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APPENDER_ROLE}') THEN
                    GRANT SELECT, INSERT, DELETE ON {TABLE} TO {APPENDER_ROLE};
                END IF;
            END $$
            """  # noqa: S608 (module constants, no input)
        )
    from ledger.migrations import request_projection_rebuild

    request_projection_rebuild(
        op.get_bind(),
        revision,
        "reducers changed before rebuild requests existed (ef3f47d: announcements note "
        "their documents as procurement.document rows); rebuild once",
        only_if_entries=True,
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
