"""An index on ledger entries by (signer, seq): "everything this key signed", in order.

Revision ID: 0004_entries_signer_index
Revises: 0003_document_blobs
Create Date: 2026-11-23

A vendor's (or officer's) public history lists the entries about it and the entries it
signed, by seq. Without this index PostgreSQL answered "signer = X ORDER BY seq LIMIT n"
by walking the primary key and discarding every other signer's rows: 46 ms a page for
the busiest vendor at 1,000,000 entries, growing with the log (bench/results/portal.json).

Only an index: no row changes, so the append-only guarantees are untouched. Building it
takes a lock that holds writes for as long as the build (seconds at a million entries);
run ``terang db upgrade`` in a maintenance window on a large log.
"""

from __future__ import annotations

from alembic import op

revision = "0004_entries_signer_index"
down_revision = "0003_document_blobs"
branch_labels = None
depends_on = None

INDEX = "ix_ledger_entries_signer_seq"


def upgrade() -> None:
    op.create_index(INDEX, "ledger_entries", ["signer", "seq"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="ledger_entries")
