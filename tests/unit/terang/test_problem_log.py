"""The service log says what happened: push back, a full disk, or a broken invariant.

An operator alerts on "invariant broken" (a bug: page someone) and on "storage full"
(free space); a database restart or load must show as "push back" only, or the alert
fires on every blip. Each error is answered through both layers that render problems,
the app's ``problem_response`` and the limits middleware in front of it, and must get
the same line from each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable

import pytest

from ledger.errors import (
    BadSetting,
    ClientError,
    Conflict,
    DatabaseUnavailable,
    InvariantBroken,
    LogBehindPublished,
    LogDisagreesWithPublished,
    NotFound,
    RoutingRefusal,
    StorageFull,
    TerangError,
    TooManyRequests,
    Unavailable,
    VerificationError,
)
from procurement.errors import NotEnoughShares
from terang import limits_middleware
from terang.app import problem_response

WARNING, ERROR = logging.WARNING, logging.ERROR
CASES: list[tuple[Callable[[], TerangError], int, list[tuple[int, str]]]] = [
    (
        lambda: Unavailable("the writer queue is full"),
        503,
        [(WARNING, "push back: unavailable the writer queue is full")],
    ),
    (
        lambda: DatabaseUnavailable("the database cannot be reached", retry_after_s=2),
        503,
        [(WARNING, "push back: database_unavailable the database cannot be reached")],
    ),
    (
        lambda: Unavailable("2 heavy reads are running", code="heavy_reads_busy"),
        503,
        [(WARNING, "push back: heavy_reads_busy 2 heavy reads are running")],
    ),
    (
        lambda: LogBehindPublished("held: behind a published checkpoint"),
        503,
        [(WARNING, "push back: log_behind_published held: behind a published checkpoint")],
    ),
    (
        lambda: LogDisagreesWithPublished("held: another root"),
        503,
        [(WARNING, "push back: log_disagrees_with_published held: another root")],
    ),
    (
        lambda: StorageFull("the disk is full", retry_after_s=30),
        503,
        [(ERROR, "storage full: storage_full the disk is full")],
    ),
    (lambda: TooManyRequests("rate spent", limit="client_reads"), 429, []),
    (
        lambda: InvariantBroken("internal error; it has been logged"),
        500,
        [(ERROR, "invariant broken: invariant_broken internal error; it has been logged")],
    ),
    (
        lambda: TerangError("Shamir x coordinates differ between halves"),
        500,
        [(ERROR, "invariant broken: internal_error Shamir x coordinates differ between halves")],
    ),
    (
        lambda: BadSetting("TERANG_X is not a number"),
        500,
        [(ERROR, "invariant broken: bad_setting TERANG_X is not a number")],
    ),
    (lambda: ClientError("bad"), 422, []),
    (lambda: NotFound("no such seq"), 404, []),
    (lambda: Conflict("nonce reused"), 409, []),
    (lambda: VerificationError("bad proof"), 422, []),
    (lambda: NotEnoughShares("1 distinct shares; 2 are needed"), 422, []),
    (lambda: RoutingRefusal("Method Not Allowed", status=405), 405, []),
]


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "terang"]


def _ids(case: tuple[Callable[[], TerangError], int, list[tuple[int, str]]]) -> str:
    return case[0]().code


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_problem_response_logs_what_happened(
    case: tuple[Callable[[], TerangError], int, list[tuple[int, str]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    make, status, lines = case
    with caplog.at_level(logging.DEBUG, logger="terang"):
        response = problem_response(make())
    assert response.status_code == status
    assert _lines(caplog) == lines
    assert json.loads(response.body)["code"] == make().code


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_limits_middleware_logs_the_same_line(
    case: tuple[Callable[[], TerangError], int, list[tuple[int, str]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The heavy-read gate's 503 and the rate limits' 429 are answered before the app."""
    make, status, lines = case
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/api/v1/entries", "headers": []}
    with caplog.at_level(logging.DEBUG, logger="terang"):
        # On a thread of its own: another test in this worker may have left an event
        # loop running on this one (Playwright's sync API does), and asyncio.run refuses
        # to nest.
        worker = threading.Thread(
            target=asyncio.run,
            args=(limits_middleware._send_problem(scope, receive, send, make()),),
        )
        worker.start()
        worker.join()
    assert sent[0]["status"] == status
    assert _lines(caplog) == lines


def test_push_back_is_never_logged_as_invariant_broken(caplog: pytest.LogCaptureFixture) -> None:
    """The alert's own words: only a 5xx that is not push back carries them."""
    with caplog.at_level(logging.DEBUG, logger="terang"):
        for make, _, _ in CASES:
            error = make()
            caplog.clear()
            problem_response(error)
            broken = any("invariant broken" in m for _, m in _lines(caplog))
            assert broken == (error.http_status >= 500 and not isinstance(error, Unavailable))
