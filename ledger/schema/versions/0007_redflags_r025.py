"""Red flag rules version 2 (R025 added): rebuild the projections once on an existing log.

Revision ID: 0007_redflags_r025
Revises: 0006_redflags_projection
Create Date: 2026-12-04

Rules version 2 adds Cardinal's R025 (excessive unsuccessful bids: ``redflags.tally``
rows ``r025|vendor:<key id>`` and their flags) and every flag now names
``rule_version`` 2. A log written before this release holds version 1 rows, so
``terang verify`` would report them changed; this revision asks for one rebuild
(``terang db upgrade`` and ``serve`` run it) on any log that already has entries. No
schema change: the rows live in ``projection_rows``.
"""

from __future__ import annotations

from alembic import op

revision = "0007_redflags_r025"
down_revision = "0006_redflags_projection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ledger.migrations import request_projection_rebuild

    request_projection_rebuild(
        op.get_bind(),
        revision,
        "red flag rules version 2 (R025, excessive unsuccessful bids); rebuild once so an"
        " existing log's flags and tallies are the new rules' own",
        only_if_entries=True,
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
