"""Bad input over real HTTP: a 4xx problem, nothing changed, and the connection lives on.

Each case is what an attacker (or a careless client) can send: integers past the 64-bit
columns (2^63 in a path or query), JSON nested thousands deep, an undeclared method.
Before issue 10 these were answered 500, and uvicorn closes the connection after an
unhandled exception, so one bad request also cost the client its keep-alive connection.
Here one httpx client talks to the app under uvicorn (both engines); after every bad
request the next good one must travel on the very same TCP connection (same local port).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from conftest import Harness, free_port
from sqlalchemy import func, select

from ledger import storage
from terang.app import create_app

TWO_TO_63 = str(2**63)
DEEP = 5000
PROBLEM_JSON = "application/problem+json"
SERVER_START_S_MAX = 60


@dataclass
class Served:
    harness: Harness
    http: httpx.Client

    def rows(self) -> tuple[int, ...]:
        """Entries, tree nodes and projection rows: unchanged means nothing was written."""
        with self.harness.ledger.engine.connect() as conn:
            return tuple(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
            )


@pytest.fixture
def served(harness: Harness) -> Iterator[Served]:
    harness.ledger.start()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(harness.ledger), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, name="bad-input-serve", daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        while not server.started:  # waiting for the port, not a timing assertion
            assert thread.is_alive(), "the service did not start"
            assert time.monotonic() - started < SERVER_START_S_MAX, "the service did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield Served(harness, http)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def local_port(response: httpx.Response) -> int:
    """The client side's port of the TCP connection that carried ``response``."""
    stream = response.extensions["network_stream"]
    address = stream.get_extra_info("client_addr")
    assert address is not None
    return int(address[1])


def refused_on_a_live_connection(
    served: Served, response: httpx.Response, status: int, code: str
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == code
    after = served.http.get("/log/checkpoint")
    assert after.status_code == 200
    assert local_port(after) == local_port(response), "the bad request cost the connection"


BIG_INTEGER_REQUESTS = [
    f"/api/v1/entries/{TWO_TO_63}",
    f"/api/v1/entries/{TWO_TO_63}/tlog-proof",
    f"/api/v1/entries?after_seq={TWO_TO_63}",
    f"/api/v1/entries/0/tlog-proof?tree_size={TWO_TO_63}",
    f"/api/v1/checkpoints?after_size={TWO_TO_63}",
    f"/api/v1/proofs/inclusion?seq={TWO_TO_63}",
    f"/api/v1/proofs/inclusion?seq=0&tree_size={TWO_TO_63}",
    f"/api/v1/proofs/consistency?first=1&second={TWO_TO_63}",
    f"/api/v1/procurement/vendors/{'0' * 64}/history?after_seq={TWO_TO_63}",
]


def test_integers_past_the_64_bit_columns_are_422_and_keep_the_connection(
    served: Served,
) -> None:
    before = served.rows()
    for path in BIG_INTEGER_REQUESTS:
        refused_on_a_live_connection(served, served.http.get(path), 422, "invalid_request")
    # The largest value the columns hold is still a well-formed request.
    largest = served.http.get(f"/api/v1/entries/{2**63 - 1}")
    assert (largest.status_code, largest.json()["code"]) == (404, "unknown_seq")
    assert served.rows() == before


def test_a_tile_past_the_64_bit_columns_is_no_tile(served: Served) -> None:
    """2^55 is a canonical tlog-tiles index, but its first leaf (2^63) is past any log."""
    index = "x036/x028/x797/x018/x963/968"  # 2**55
    for path in (f"/log/tile/entries/{index}", f"/log/tile/0/{index}.p/5"):
        refused_on_a_live_connection(served, served.http.get(path), 404, "no_tile")


@pytest.mark.parametrize("opening,closing", [(b"[", b"]"), (b'{"a":', b"}")])
def test_json_nested_thousands_deep_is_422_too_deep(
    served: Served, opening: bytes, closing: bytes
) -> None:
    before = served.rows()
    body = opening * DEEP + b"1" * (opening != b"[") + closing * DEEP
    for path in ("/api/v1/statements", "/api/v1/statements/batch"):
        response = served.http.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        refused_on_a_live_connection(served, response, 422, "too_deep")
    assert served.rows() == before


def test_an_undeclared_method_is_405_with_allow(served: Served) -> None:
    response = served.http.request("TRACE", "/api/v1/entries")
    refused_on_a_live_connection(served, response, 405, "http_405")
    assert response.headers["allow"] == "GET"
    # One path, two routes (GET and PUT of a document): Allow names both.
    document = served.http.request("DELETE", f"/api/v1/procurement/documents/{'0' * 64}")
    assert document.status_code == 405
    assert document.headers["allow"] == "GET, PUT"
