"""Prometheus metrics for the operator: ``GET /metrics`` (issue 17, item 9).

What an operator alerts on, in the Prometheus text format (prometheus_client):

* ``terang_http_requests_total`` and ``terang_http_request_duration_seconds``, by
  method, route template (``/api/v1/entries/{seq}``, never the raw path, so a scanner
  cannot grow the series without bound) and status;
* ``terang_sequencer_queue_jobs``: jobs waiting for the group-commit writer (near
  ``queue_jobs_max`` the writer refuses with 503);
* ``terang_group_commit_statements`` and ``terang_group_commit_jobs``: the size of
  each committed batch (one fsync each);
* ``terang_tree_size``, ``terang_checkpoint_size``, ``terang_checkpoint_age_seconds``
  and ``terang_checkpoint_lag_seconds`` (how long the oldest entry no checkpoint
  covers has waited; the ``/readyz`` check at 60 s);
* ``terang_witness_lag_entries``: per witness, entries between the newest checkpoint
  and the newest one it cosigned;
* ``terang_database_up``: 0 when the database did not answer this scrape.

Everything here is already public (sizes, counts, timings) or about this process; it
reads no private data. The registry belongs to one app, so tests and a second app in
the same process keep separate counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger import storage
from ledger.service import Ledger
from ledger.witnessing import last_cosigned_size
from terang.health import checkpoint_coverage

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format, as scrapers ask for it."""
UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (a 404 from a scanner, say)."""
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


class LedgerCollector(Collector):
    """Gauges read from the ledger at scrape time: cheap, O(log n) queries."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def collect(self) -> Iterator[Metric]:
        sequencer = self.ledger.sequencer
        yield _gauge(
            "terang_sequencer_queue_jobs", "Jobs waiting for the writer.", sequencer.queue_jobs
        )
        up = GaugeMetricFamily("terang_database_up", "1 if the database answered this scrape.")
        try:
            gauges = list(self._from_database())
        except DBAPIError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges

    def _from_database(self) -> Iterator[Metric]:
        ledger = self.ledger
        coverage = checkpoint_coverage(ledger)
        size, covered = coverage.tree_size, coverage.checkpoint_size
        yield _gauge("terang_tree_size", "Entries in the log.", size)
        yield _gauge("terang_checkpoint_size", "Tree size of the newest checkpoint.", covered)
        if coverage.checkpointed:
            age = (ledger.clock() - _checkpoint_time(ledger, covered)).total_seconds()
            yield _gauge(
                "terang_checkpoint_age_seconds", "Seconds since the newest checkpoint.", age
            )
        yield _gauge(
            "terang_checkpoint_lag_seconds",
            "How long the oldest entry no checkpoint covers has waited (0: all covered).",
            coverage.lag_s,
        )
        if ledger.reads.replica:
            yield from _read_side(ledger, size)
        if ledger.witnesses is not None:
            witness_lag = GaugeMetricFamily(
                "terang_witness_lag_entries",
                "Entries between the newest checkpoint and the newest one this witness cosigned.",
                labels=["witness"],
            )
            with ledger.engine.connect() as conn:
                for witness in ledger.witnesses.witnesses:
                    cosigned = last_cosigned_size(conn, witness.key)
                    witness_lag.add_metric([witness.verifier.name], covered - cosigned)
            yield witness_lag


def _read_side(ledger: Ledger, size: int) -> Iterator[Metric]:
    """The read replica's own gauges (``TERANG_READ_DATABASE_URL``): one that cannot be
    reached is its own alarm, not the primary's ``terang_database_up``."""
    up = GaugeMetricFamily("terang_read_side_up", "1 if the read replica answered this scrape.")
    try:
        held = ledger.reads.size()
    except DBAPIError as exc:
        log.warning("the read replica did not answer the metrics scrape: %s", exc)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    yield _gauge(
        "terang_read_side_tree_size", "Entries the read replica holds (X-Terang-Tree-Size).", held
    )
    # The primary's size was read first: writes since then may put the replica past it.
    yield _gauge(
        "terang_read_side_entries_behind",
        "Entries on the primary the read replica has not replayed yet.",
        max(0, size - held),
    )


def _checkpoint_time(ledger: Ledger, size: int) -> datetime:
    """When the checkpoint of ``size`` was published (``ledger_checkpoints.published_at``)."""
    c = storage.checkpoints.c
    with ledger.engine.connect() as conn:
        published = conn.execute(select(c.published_at).where(c.tree_size == size)).scalar_one()
    return datetime.fromisoformat(str(published))


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    """One app's registry: request metrics, batch sizes and the ledger's gauges."""

    def __init__(self, ledger: Ledger) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "terang_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "terang_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.batch_statements = Histogram(
            "terang_group_commit_statements",
            "Statements per committed group-commit batch.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.batch_jobs = Histogram(
            "terang_group_commit_jobs",
            "Jobs (requests) per committed group-commit batch.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(LedgerCollector(ledger))
        ledger.sequencer.on_batch = self.observe_batch

    def observe_batch(self, statements: int, jobs: int) -> None:
        self.batch_statements.observe(statements)
        self.batch_jobs.observe(jobs)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (pure ASGI, no body copy)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler is answered 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def build_router(metrics: Metrics) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/metrics",
        operation_id="metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
    )
    def get_metrics() -> Response:
        """Prometheus metrics: request rates and latencies, queue depth, batch sizes,
        checkpoint age and witness lag (docs/operating.md, "Metrics")."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return router
