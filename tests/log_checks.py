"""Checks any integration test makes of a harness's log: a refusal changed nothing, and
replaying the stored log reproduces every projection row (invariant 8).

A support module, not a test module: test modules import these instead of each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import Harness
from sqlalchemy import func, select

from audit.verifier import LogReplayer
from ledger import storage
from ledger.errors import TerangError


def row_counts(h: Harness) -> tuple[int, ...]:
    """Entries, tree nodes and projection rows: what any write would change."""
    with h.ledger.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
        )


def refused(h: Harness, action: Callable[[], object], code: str) -> None:
    """``action`` raises a ``TerangError`` with ``code``, and nothing was written."""
    before = row_counts(h)
    with pytest.raises(TerangError) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    assert row_counts(h) == before


def replay_matches(h: Harness) -> None:
    """Invariant 8: replaying the stored log reproduces every projection row."""
    replayer = LogReplayer(h.ledger.kinds, h.ledger.limits, h.ledger.origin)
    e = storage.entries.c
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        for (raw,) in conn.execute(select(e.entry_bytes).order_by(e.seq)):
            replayer.feed(bytes(raw))
        stored = {
            (r.namespace, r.key): json.loads(r.value)
            for r in conn.execute(select(p.namespace, p.key, p.value))
        }
    assert stored == dict(replayer.state.items())
