"""The read side (ledger.reads) without a server: the size header, rule 3, and a lagging copy.

Fast companions of test_read_replica.py (a real streaming replica): here the "replica" is
a SQLite copy of the primary taken earlier, which lags the way a paused standby does, and
the tampering goes behind the service's back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Harness, make_harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import insert

from ledger import storage
from ledger.keys import client_key_id
from ledger.reads import TREE_SIZE_HEADER
from ledger.service import Ledger
from ledger.statement import b64encode
from terang.app import all_kinds, create_app


def _registration(harness: Harness) -> dict[str, object]:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "k", "roles": []}
    return harness.sign(
        harness.authority, "registry.key.registered", client_key_id(key), body
    ).to_json()


@pytest.fixture
def primary(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(f"sqlite:///{tmp_path / 'primary.db'}")
    for i in range(5):
        harness.register(f"key {i}", [])
    harness.ledger.publisher.publish(force=True)
    try:
        yield harness
    finally:
        harness.ledger.close()


def test_every_public_read_says_the_tree_size_it_reflects(primary: Harness) -> None:
    size = primary.ledger.size()
    client = TestClient(create_app(primary.ledger))
    for path in (
        "/log/checkpoint",
        f"/log/tile/0/000.p/{size}",
        f"/log/tile/entries/000.p/{size}",
        "/api/v1/entries",
        "/api/v1/entries/1",
        "/api/v1/entries/1/tlog-proof",
        "/api/v1/checkpoints",
        "/api/v1/projections",
        "/api/v1/proofs/inclusion?seq=1",
        "/api/v1/budget/structure/opd",
        "/api/v1/procurement/vendors",
        "/",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers[TREE_SIZE_HEADER] == str(size), path
    assert client.get("/api/v1/entries").json()["tree_size"] == size
    # Not a read of the log: no size claimed.
    assert TREE_SIZE_HEADER not in client.get("/log/verifier-key").headers


def test_a_checkpoint_ahead_of_the_entries_is_never_served(primary: Harness) -> None:
    """Rule 3: planted behind the service's back (INSERT is all the triggers allow), a
    checkpoint row claiming more entries than are held is not served nor listed."""
    size = primary.ledger.size()
    real = primary.ledger.latest_checkpoint()
    assert real is not None and real.size == size
    with primary.ledger.engine.begin() as conn:
        conn.execute(
            insert(storage.checkpoints).values(
                tree_size=size + 10,
                root_hash=b"\x00" * 32,
                note="forged\n",
                published_at="2026-03-02T01:00:00.000Z",
            )
        )
    client = TestClient(create_app(primary.ledger))
    assert client.get("/log/checkpoint").text == real.note
    listed = client.get("/api/v1/checkpoints").json()["items"]
    assert [c["tree_size"] for c in listed][-1] == size
    assert client.get("/api/v1/proofs/inclusion", params={"seq": 1}).json()["tree_size"] == size


def test_a_lagging_copy_serves_only_what_it_holds_and_writes_reach_the_primary(
    primary: Harness, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    with (
        sqlite3.connect(tmp_path / "primary.db") as source,
        sqlite3.connect(copy) as target,
    ):
        source.backup(target)  # the "replica", frozen at this size
    held = primary.ledger.size()
    served = Ledger(
        primary.ledger.settings,
        all_kinds(),
        clock=primary.clock,
        log_signer=primary.log_signer,
        read_engine=storage.make_engine(f"sqlite:///{copy}"),
    )
    try:
        served.start()
        client = TestClient(create_app(served))
        posted = client.post("/api/v1/statements", json=_registration(primary))
        assert posted.status_code == 201, posted.text
        assert posted.json()["seq"] == held  # logged on the primary
        primary.ledger.publisher.publish(force=True)
        ahead = primary.ledger.size()
        assert ahead == held + 1

        checkpoint = client.get("/log/checkpoint")
        assert checkpoint.headers[TREE_SIZE_HEADER] == str(held)
        assert f"\n{held}\n" in checkpoint.text
        assert client.get(f"/log/tile/entries/000.p/{ahead}").json()["code"] == "no_tile"
        for path, params in (
            ("/api/v1/proofs/inclusion", {"seq": 1, "tree_size": ahead}),
            ("/api/v1/proofs/consistency", {"first": 1, "second": ahead}),
            ("/api/v1/entries/1/tlog-proof", {"tree_size": ahead}),
        ):
            refused = client.get(path, params=params)
            assert refused.status_code == 409, (path, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["code"] == "tree_size_not_replicated"
        assert client.get(f"/api/v1/entries/{held}").json()["code"] == "unknown_seq"
        # Beyond the primary too: the primary's own answer, when reads go to it.
        on_primary = TestClient(create_app(primary.ledger))
        beyond = on_primary.get("/api/v1/proofs/consistency", params={"first": 1, "second": 99})
        assert beyond.status_code == 422 and beyond.json()["code"] == "tree_size_out_of_range"
    finally:
        served.close()
