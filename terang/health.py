"""Probes for the operator's supervisor and load balancer: ``/healthz`` and ``/readyz``.

``/healthz`` says only that the process answers (restart it when it does not).
``/readyz`` says whether it should get traffic: the database answers, the group-commit
writer and the checkpoint ticker are running, and the newest checkpoint covers the log or
lags it by less than ``CHECKPOINT_LAG_S_MAX`` (a reader handed a stale checkpoint cannot
prove the newest entries), and the database is not behind a checkpoint this log published
(``ledger.rollback_guard``: a restored older backup is held read-only;
``details.checks.rollback_guard`` names the source and both sizes). Neither reads anything
private; both are cheap enough to poll every second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError

from ledger.errors import Unavailable
from ledger.http_problems import problem_responses
from ledger.service import Ledger

CHECKPOINT_LAG_S_MAX = 60
"""How long an entry may wait for a checkpoint before the service is not ready. The
ticker signs one every ``checkpoint_interval_ms_min`` (about a second) while entries
wait, so a minute means it is stuck, not busy."""


class NotReady(Unavailable):
    """The service answers but should not get traffic now (``details.checks`` says why)."""

    code = "not_ready"


@dataclass(frozen=True)
class CheckpointCoverage:
    """How far the newest checkpoint covers the log (``/readyz`` and ``/metrics``)."""

    tree_size: int
    checkpoint_size: int
    lag_s: float
    """How long the oldest entry no checkpoint covers has waited; 0 when all are covered."""
    checkpointed: bool
    """Whether the log published any checkpoint yet."""


def checkpoint_coverage(ledger: Ledger) -> CheckpointCoverage:
    """The tree, the newest checkpoint's size and the lag between them (raises
    ``DBAPIError`` when the database does not answer)."""
    size = ledger.size()
    latest = ledger.latest_checkpoint()
    covered = latest.size if latest is not None else 0
    lag_s = 0.0
    if covered < size:
        waiting_since = datetime.fromisoformat(ledger.entry(covered).logged_at)
        lag_s = (ledger.clock() - waiting_since).total_seconds()
    return CheckpointCoverage(size, covered, lag_s, latest is not None)


def readiness(ledger: Ledger) -> dict[str, Any]:
    """Each check by name, true when it passes, and the sizes a reader can compare."""
    checks: dict[str, Any] = {
        "database": False,
        "sequencer": ledger.sequencer.running,
        "publisher": ledger.publisher_running,
        "checkpoint_fresh": False,
        "not_behind_published": True,
    }
    if ledger.guard is not None:
        guard = ledger.guard.status()
        checks["rollback_guard"] = guard
        checks["not_behind_published"] = not guard["held"]
    try:
        coverage = checkpoint_coverage(ledger)  # reads the database: it answers, or raises
        checks["database"] = True
        checks["tree_size"] = coverage.tree_size
        checks["checkpoint_size"] = coverage.checkpoint_size
        if coverage.checkpoint_size >= coverage.tree_size:
            checks["checkpoint_fresh"] = True
        else:
            checks["checkpoint_lag_s"] = round(coverage.lag_s, 3)
            checks["checkpoint_fresh"] = coverage.lag_s < CHECKPOINT_LAG_S_MAX
    except DBAPIError:
        pass  # "database": false says it; the other checks stay as they are
    return checks


READY_CHECKS = ("database", "sequencer", "publisher", "checkpoint_fresh", "not_behind_published")


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", operation_id="healthz")
    def healthz() -> dict[str, str]:
        """Alive: the process answers HTTP. Says nothing about the database."""
        return {"status": "alive"}

    @router.get(
        "/readyz",
        operation_id="readyz",
        responses=problem_responses(
            {503: "`not_ready`: a check failed (`details.checks`); retry after `Retry-After`."}
        ),
    )
    def readyz() -> dict[str, Any]:
        """Ready for traffic: every check passes; otherwise 503 ``not_ready`` with them."""
        checks = readiness(ledger)
        failed = [name for name in READY_CHECKS if not checks[name]]
        if failed:
            why = " (the operator sees why in the service log)"
            finding = ledger.guard.finding if ledger.guard is not None else None
            if finding is not None:
                why = f"; {finding.error().message}"
            raise NotReady(
                "not ready: " + ", ".join(failed) + why,
                retry_after_s=5,
                checks=checks,
            )
        return {"status": "ready", "checks": checks}

    return router
