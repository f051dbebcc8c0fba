"""The red flags read model: rebuild the projections once on an existing log.

Revision ID: 0006_redflags_projection
Revises: 0005_projection_rebuild_requests
Create Date: 2026-12-03

Red flags (``redflags``, docs/red-flags.md) are projection rows (``redflags.flag`` and
``redflags.tally``) written by a follower of procurement's statement types. A log
written before this release has none, so ``terang verify`` would report them missing;
this revision asks for one rebuild (``terang db upgrade`` and ``serve`` run it) on any
log that already has entries. No schema change: the rows live in ``projection_rows``.
"""

from __future__ import annotations

from alembic import op

revision = "0006_redflags_projection"
down_revision = "0005_projection_rebuild_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ledger.migrations import request_projection_rebuild

    request_projection_rebuild(
        op.get_bind(),
        revision,
        "red flags (issue 13) follow procurement's entries into redflags.flag and "
        "redflags.tally rows; rebuild once so an existing log has them",
        only_if_entries=True,
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
