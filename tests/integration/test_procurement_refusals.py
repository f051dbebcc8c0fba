"""Issue 5's negative cases not covered elsewhere on both engines, seen as users see them.

The other refusals the issue lists are tested on SQLite and PostgreSQL in
test_procurement_tender.py (``test_refusals_log_nothing_on_both_engines``,
``test_full_tender_on_both_engines``), test_procurement_http.py and
test_procurement_cli.py; docs/procurement.md ("Walkthrough") lists where. Here: a bid
whose decrypted content does not match its logged hash (logged, then shown invalid and
never able to pass), reading and opening before the closing over the public API, and an
award over the available budget seen on the budget read API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches, row_counts
from procurement_support import LINE, Scenario

from budgeting import statements as st
from ledger.client import RemoteError
from ledger.keys import client_key_id
from ledger.statement import SignedStatement, b64encode
from procurement import client
from procurement.errors import OpeningFailed
from terang.app import create_app

API = "/api/v1/procurement"


def test_bid_not_matching_its_logged_hash_is_shown_invalid(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=2)
    a, b = s.vendors
    s.package()
    s.announce()
    s.bid(a, 45_000_000_000)
    # b's statement names a content hash that is not its envelope's: the server cannot
    # tell before the opening (it only sees ciphertext), so the bid is logged.
    members = s.tender()["committee"]["members"]
    sealed_b = client.seal_bid(s.ocid, client_key_id(b), 41_000_000_000, members, 2)
    wrong_hash = hashlib.sha256(b"another envelope").hexdigest()
    s.append(b, "procurement.bid.submitted", {**sealed_b.body, "content_sha256": wrong_hash})
    s.close()
    s.open()
    with TestClient(create_app(h.ledger)) as http:
        bids = {d["bidder"]: d for d in http.get(f"{API}/tenders/{s.ocid}/bids").json()["items"]}
        record = http.get(f"{API}/ocds/records/{s.ocid}").json()["records"][0]
    bad = bids[client_key_id(b)]
    assert bad["validity"] == "unopenable"
    assert bad["opening"]["result"] == "unopenable"
    assert bad["opening"]["reason"] == "content_mismatch"
    assert "price_sen" not in bad["opening"]
    assert bids[client_key_id(a)]["validity"] == "valid"
    # Anyone re-opening it from the public shares reaches the same verdict.
    with pytest.raises(OpeningFailed) as reopened:
        client.open_bid(bad, 2)
    assert reopened.value.reason == "content_mismatch"
    statuses = {
        d["tenderers"][0]["id"]: d["status"] for d in record["compiledRelease"]["bids"]["details"]
    }
    assert statuses == {client_key_id(a): "valid", client_key_id(b): "disqualified"}
    # It can never pass the evaluation, however cheap it claims to be; nothing is logged.
    refused(h, lambda: s.evaluate([(b, True, "95")]), "invalid_bid_cannot_pass")
    s.evaluate([(a, True, "80"), (b, False, "0")])
    s.announce_winner(a)
    assert s.tender()["winner"]["bidder"] == client_key_id(a)
    replay_matches(h)


def submit(http: TestClient, statements: Sequence[SignedStatement]) -> None:
    """POST as a client does; a problem document is raised as ``RemoteError``."""
    if len(statements) == 1:
        response = http.post("/api/v1/statements", json=statements[0].to_json())
    else:
        payload = {"statements": [x.to_json() for x in statements]}
        response = http.post("/api/v1/statements/batch", json=payload)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        raise RemoteError(response.status_code, response.json())


def refused_http(h: Harness, action: Callable[[], object], code: str) -> dict[str, Any]:
    """``action`` is refused with a 409 problem of ``code``, and nothing is logged."""
    before = row_counts(h)
    with pytest.raises(RemoteError) as caught:
        action()
    assert (caught.value.http_status, caught.value.code) == (409, code)
    assert row_counts(h) == before
    return caught.value.problem_document


def test_read_open_before_closing_and_overspend_refused_over_http(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=2)
    a, b = s.vendors
    s.package()
    s.announce()
    s.bid(a, 45_000_000_000)
    s.bid(b, 44_000_000_000)
    with TestClient(create_app(h.ledger)) as http:
        # Before the closing the public bids carry no release, no key and no price.
        for doc in http.get(f"{API}/tenders/{s.ocid}/bids").json()["items"]:
            assert doc["released"] == {} and doc["opening"] is None
            with pytest.raises(OpeningFailed) as early:
                client.open_bid(doc, 2)
            assert early.value.reason == "not_enough_shares"
        # Opening before the closing: the error names the state and the allowed next steps.
        opened = s.sign(s.officer, "procurement.tender.opened", {})
        problem = refused_http(h, lambda: submit(http, [opened]), "transition_not_allowed")
        assert problem["details"]["state"] == "active"
        assert "procurement.tender.closed" in problem["details"]["allowed"]
        assert "procurement.tender.opened" not in problem["details"]["allowed"]
        # A member releasing its shares before the closing.
        share = {"shares": [{"bidder": client_key_id(a), "share": b64encode(bytes(32))}]}
        release = s.sign(s.members[0].key, "procurement.tender.shares_released", share)
        refused_http(h, lambda: submit(http, [release]), "transition_not_allowed")

        s.close()
        s.open()
        s.evaluate([(a, True, "80"), (b, True, "80")])
        s.announce_winner(b)
        h.clock.advance(5 * 86400)
        # The line was committed elsewhere meanwhile: the award would overspend it.
        other = st.commitment(LINE, "LAIN-1", 70_000_000_000, h.clock().date(), "kontrak lain")
        h.ledger.append_direct([other.sign(s.finance, at=h.clock(), origin=h.origin)])
        before = http.get(f"/api/v1/budget/lines/{LINE}").json()["line"]["amounts"]
        batch = s.award_statements("KONTRAK-LEBIH")
        refused_http(h, lambda: submit(http, batch), "commitment_exceeds_available")
        # No commitment anywhere: the line's figures and the tender are as they were.
        assert http.get(f"/api/v1/budget/lines/{LINE}").json()["line"]["amounts"] == before
        missing = http.get("/api/v1/budget/commitments/KONTRAK-LEBIH")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_commitment"
        tender = http.get(f"{API}/tenders/{s.ocid}").json()["tender"]
        assert tender["state"] == "winner_announced" and tender["award"] is None
    replay_matches(h)
