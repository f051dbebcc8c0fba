"""Procurement rules of 2025 (Perpres 46/2025): rebuild the projections once on an existing log.

Revision ID: 0008_procurement_rules_2025
Revises: 0007_redflags_r025
Create Date: 2026-12-04

This release ships the rule set ``perpres-46-2025`` (in force from 30 April 2025) beside
``perpres-16-2018-amended-12-2021``. Every package planned and every tender announced
from that date on now names the new set in its ``procurement.tender`` document
(``rule_set``, and ``planned_rule_set`` where the announcement moved a package to it),
and a multi-year contract keeps its approval (``multi_year``). A log written before this
release holds the old set's id on those tenders, so ``terang verify`` would report them
changed; this revision asks for one rebuild (``terang db upgrade`` and ``serve`` run it)
on any log that already has entries. The 2025 set also refuses conflicts of interest and
contracts outside their fiscal year: an entry logged since 30 April 2025 that breaks
them no longer replays, and the rebuild (like ``terang verify``) names it. No schema
change: the rows live in ``projection_rows``.
"""

from __future__ import annotations

from alembic import op

revision = "0008_procurement_rules_2025"
down_revision = "0007_redflags_r025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ledger.migrations import request_projection_rebuild

    request_projection_rebuild(
        op.get_bind(),
        revision,
        "procurement rule set perpres-46-2025 (in force 2025-04-30): tenders from that date"
        " name it; rebuild once so an existing log's tender documents are the new rules' own",
        only_if_entries=True,
    )


def downgrade() -> None:
    raise RuntimeError("the ledger is append-only: its schema is never downgraded")
