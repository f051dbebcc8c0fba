"""Red flag rules version 3 (R048 added): rebuild the projections once on an existing log.

Revision ID: 0009_redflags_r048
Revises: 0008_procurement_rules_2025
Create Date: 2026-12-06

Rules version 3 adds Cardinal's R048 (heterogeneous supplier: ``redflags.tally`` rows
``r048|vendor:<key id>`` and their flags, from the items a package lists since items
exist) and every flag now names ``rule_version`` 3. A log written before this release
holds version 2 rows, so ``terang verify`` would report them changed; this revision asks
for one rebuild (``terang db upgrade`` and ``serve`` run it) on any log that already has
entries. No schema change: the rows live in ``projection_rows``.
"""

from __future__ import annotations

from alembic import op

revision = "0009_redflags_r048"
down_revision = "0008_procurement_rules_2025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ledger.migrations import request_projection_rebuild

    request_projection_rebuild(
        op.get_bind(),
        revision,
        "red flag rules version 3 (R048, heterogeneous supplier); rebuild once so an"
        " existing log's flags and tallies are the new rules' own",
        only_if_entries=True,
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
