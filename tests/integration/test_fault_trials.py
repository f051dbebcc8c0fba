"""Issue 17, item 6: kill -9 of the service under single and batch appends, on both engines.

A few trials of the bench's own harness (``bench/fault_trials.py``; the bench runs 50 per
engine): writers append through ``LedgerClient`` without pause, ``terang serve`` is
killed at a random instant and started again, and after every trial the database is
read behind the service's back: seqs 0..n-1, exactly the tree nodes of n leaves, every
checkpoint the tree's root at its size, projections equal to a replay, and every
receipt any writer received present with its seq and leaf hash. ``terang verify``
passes at the end. The seed is in every failure message, to run the same kills again.
"""

from __future__ import annotations

import random
from pathlib import Path

import fault_trials
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

TRIALS = 2


def test_kill_9_trials_leave_a_whole_log_that_keeps_every_receipt(
    database_url: str, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    deployment = fault_trials.prepare(tmp_path / "log", database_url)
    results = fault_trials.kill_trials(
        deployment, TRIALS, seed=seed, verify_every=0, delay_s_max=0.5
    )

    failed = [result.summary() for result in results if not result.passed]
    assert not failed, (seed, failed)
    assert results[-1].verified is True, seed
    # Each kill struck under load: requests were cut off (the client saw the connection
    # fail and resent), receipts were given before and after, and nothing answered 500.
    assert all(result.acknowledged > 0 for result in results)
    cut_off = sum(n for r in results for what, n in r.seen.items() if not what.isdigit())
    assert cut_off >= TRIALS, (seed, [r.seen for r in results])
    statuses = {what for r in results for what in r.seen if what.isdigit()}
    assert statuses <= {"200", "201", "503"}, (seed, statuses)
    assert not any(r.refusals for r in results), (seed, [r.refusals for r in results])
