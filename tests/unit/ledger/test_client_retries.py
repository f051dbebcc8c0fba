"""Issue 17, item 8: the Python client (and so the CLI) waits out push back.

A database restart or a failover answers 503 with ``Retry-After``, and a restarting
service refuses connections; the client resends the same request, so a signed statement
is logged once (the server's idempotency by signer and nonce is shown on PostgreSQL in
tests/integration/test_database_outage.py). It gives up after waiting out
``PUSHBACK_WAIT_S_MAX`` of push back (longer than a failover) or ``CLIENT_RETRIES_MAX`` after a lost
connection, with the server's own problem, never silently.
"""

from __future__ import annotations

import httpx
import pytest

from ledger.client import LedgerClient, RemoteError, ServiceUnreachable
from ledger.limits import CLIENT_RETRIES_MAX, PUSHBACK_WAIT_S_MAX

UNAVAILABLE = {"code": "database_unavailable", "detail": "the database cannot be reached"}


def scripted(answers: list[httpx.Response | Exception]) -> tuple[httpx.MockTransport, list[bytes]]:
    bodies: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), bodies


def test_push_back_and_a_lost_connection_are_retried_with_the_same_body() -> None:
    transport, bodies = scripted(
        [
            httpx.Response(503, json=UNAVAILABLE, headers={"Retry-After": "2"}),
            httpx.ConnectError("connection refused"),
            httpx.Response(429, json={"code": "too_many_requests"}, headers={"Retry-After": "3"}),
            httpx.Response(201, json={"seq": 7}),
        ]
    )
    waits: list[float] = []
    client = LedgerClient("http://log.test", transport=transport, sleep=waits.append)
    statement_json = {"type": "t", "nonce": "n-1"}
    response = client._send("POST", "/api/v1/statements", json=statement_json)
    assert response.json() == {"seq": 7}
    # Retry-After, then the first lost connection's backoff (0.5 s: push back and lost
    # connections count apart), then Retry-After.
    assert waits == [2.0, 0.5, 3.0]
    assert len(set(bodies)) == 1 and len(bodies) == 4


def test_it_gives_up_with_the_servers_problem() -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.Response(503, json=UNAVAILABLE, headers={"Retry-After": "2"})
        for _ in range(int(PUSHBACK_WAIT_S_MAX // 2) + 1)
    ]
    transport, bodies = scripted(answers)
    waits: list[float] = []
    client = LedgerClient("http://log.test", transport=transport, sleep=waits.append)
    with pytest.raises(RemoteError) as refused:
        client.entry(3)
    assert refused.value.code == "database_unavailable"
    # Waited out for as long as a failover takes, then the server's own problem.
    assert sum(waits) == PUSHBACK_WAIT_S_MAX and not answers
    assert len(bodies) == len(waits) + 1


def test_a_refusal_that_is_not_push_back_is_not_retried() -> None:
    transport, bodies = scripted([httpx.Response(422, json={"code": "bad_signature"})])
    client = LedgerClient("http://log.test", transport=transport, sleep=lambda _: None)
    with pytest.raises(RemoteError) as refused:
        client.entry(3)
    assert refused.value.code == "bad_signature" and len(bodies) == 1


def test_an_address_nobody_answers_ends_in_a_clear_error() -> None:
    transport, bodies = scripted(
        [httpx.ConnectError("connection refused") for _ in range(CLIENT_RETRIES_MAX + 1)]
    )
    waits: list[float] = []
    client = LedgerClient("http://log.test", transport=transport, sleep=waits.append)
    with pytest.raises(ServiceUnreachable) as unreachable:
        client.checkpoint()
    assert unreachable.value.code == "service_unreachable"
    assert (
        "terang serve" in unreachable.value.message
        and "http://log.test" in unreachable.value.message
    )
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0] and len(bodies) == CLIENT_RETRIES_MAX + 1


def test_a_full_disk_is_reported_at_once_not_waited_out() -> None:
    """storage_full needs the operator (free space); resending for minutes would hide it."""
    full = {"code": "storage_full", "detail": "the database's disk is full"}
    transport, bodies = scripted([httpx.Response(503, json=full, headers={"Retry-After": "30"})])
    waits: list[float] = []
    client = LedgerClient("http://log.test", transport=transport, sleep=waits.append)
    with pytest.raises(RemoteError) as refused:
        client._send("POST", "/api/v1/statements", json={"type": "t", "nonce": "n-2"})
    assert refused.value.code == "storage_full" and refused.value.http_status == 503
    assert waits == [] and len(bodies) == 1


def test_procurement_reads_and_document_uploads_wait_out_push_back_too() -> None:
    """The procurement client's own calls (bid pages, document uploads, tender reads)
    go through the same resend loop, not around it."""
    from procurement.client import iter_bids, upload_document

    page = {"items": [{"bidder": "v1"}], "next_after": None}
    stored = {"sha256": "ab" * 32, "size_bytes": 3}
    transport, bodies = scripted(
        [
            httpx.Response(503, json=UNAVAILABLE, headers={"Retry-After": "1"}),
            httpx.Response(200, json=page),
            httpx.ConnectError("connection refused"),
            httpx.Response(201, json=stored),
        ]
    )
    waits: list[float] = []
    client = LedgerClient("http://log.test", transport=transport, sleep=waits.append)
    assert list(iter_bids(client, "ocds-x-1")) == page["items"]
    assert upload_document(client, b"abc") == stored
    assert waits == [1.0, 0.5]
    assert bodies[-1] == bodies[-2] == b"abc"  # the same bytes, resent


def test_a_procurement_read_refused_for_good_raises_the_servers_problem() -> None:
    from procurement.client import iter_bids

    transport, _ = scripted(
        [httpx.Response(404, json={"code": "not_found", "detail": "no tender"})]
    )
    client = LedgerClient("http://log.test", transport=transport, sleep=lambda _: None)
    with pytest.raises(RemoteError) as raised:
        list(iter_bids(client, "ocds-x-404"))
    assert raised.value.code == "not_found"
