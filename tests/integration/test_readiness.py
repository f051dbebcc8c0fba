"""Issue 17, item 9: ``/readyz`` reports a stuck checkpoint publisher, on both engines.

A writer that logs entries while no checkpoint covers them serves receipts nobody can
prove; the probe turns red once the first uncovered entry has waited a minute.
"""

from __future__ import annotations

from conftest import make_harness

from ledger.limits import Limits
from terang.health import CHECKPOINT_LAG_S_MAX, readiness


def test_checkpoint_lag_past_the_limit_is_not_fresh(database_url: str) -> None:
    # A publisher that signs at most once an hour stands in for a stuck one.
    harness = make_harness(database_url, limits=Limits(checkpoint_interval_ms_min=3_600_000))
    assert readiness(harness.ledger)["checkpoint_fresh"] is True  # genesis is covered
    harness.register("officer", ["procurement_officer"])  # logged, no checkpoint yet
    checks = readiness(harness.ledger)
    assert checks["tree_size"] == checks["checkpoint_size"] + 1
    assert checks["checkpoint_fresh"] is True  # it has only just been logged

    harness.clock.advance(CHECKPOINT_LAG_S_MAX + 1)
    stuck = readiness(harness.ledger)
    assert stuck["checkpoint_fresh"] is False
    assert stuck["checkpoint_lag_s"] > CHECKPOINT_LAG_S_MAX

    harness.ledger.publisher.publish(force=True)
    assert readiness(harness.ledger)["checkpoint_fresh"] is True
    harness.ledger.close()
