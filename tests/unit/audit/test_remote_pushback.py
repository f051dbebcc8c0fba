"""`terang verify` reads through a log's pushback (429 or 503 with Retry-After) instead
of failing: a full verification reads many tiles, faster than a client's read rate
(docs/operating.md). The HTTP side is faked with httpx.MockTransport; nothing sleeps."""

from __future__ import annotations

import httpx
import pytest

from audit.limits import PUSHBACK_RETRIES_MAX
from audit.remote import FetchError, _get


def client_answering(statuses: list[int]) -> tuple[httpx.Client, list[int]]:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(seen), len(statuses) - 1)]
        seen.append(status)
        headers = {"Retry-After": "3"} if status in (429, 503) else {}
        return httpx.Response(status, content=b"tile", headers=headers)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://log"), seen


def test_pushback_is_waited_for_as_the_log_asks() -> None:
    client, seen = client_answering([429, 503, 200])
    slept: list[float] = []
    assert _get(client, "/log/tile/0/000", sleep=slept.append) == b"tile"
    assert seen == [429, 503, 200]
    assert slept == [3.0, 3.0]


def test_a_log_that_never_stops_pushing_back_fails_the_fetch() -> None:
    client, seen = client_answering([429])
    slept: list[float] = []
    with pytest.raises(FetchError) as failed:
        _get(client, "/log/checkpoint", sleep=slept.append)
    assert failed.value.details["status"] == 429
    assert len(seen) == PUSHBACK_RETRIES_MAX + 1


def test_other_errors_are_not_retried() -> None:
    client, seen = client_answering([404])
    with pytest.raises(FetchError):
        _get(client, "/log/tile/0/000", sleep=lambda _: None)
    assert seen == [404]
