"""A tender driven over the HTTP API only, then checked with the auditor's verifier.

The service runs in-process (ASGI) so its clock can be moved past the deadlines; every
write is a signed statement POSTed to /api/v1/statements (or /batch), every read goes
through the public read API, and the end check is ``audit.remote.verify_log`` over the
tile API, replaying the log and comparing every projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from procurement_support import Scenario

from audit.remote import verify_log
from ledger.client import RemoteError
from ledger.keys import client_key_id
from ledger.statement import SignedStatement
from procurement.closer import Closer
from terang.app import all_kinds, create_app


class HttpLedger:
    """What ``Scenario`` needs of a ledger, over HTTP."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def append_direct(self, statements: Sequence[SignedStatement]) -> list[dict[str, Any]]:
        if len(statements) == 1:
            response = self.client.post("/api/v1/statements", json=statements[0].to_json())
            receipts = [response.json()] if response.status_code < 400 else []
        else:
            response = self.client.post(
                "/api/v1/statements/batch", json={"statements": [s.to_json() for s in statements]}
            )
            receipts = response.json().get("receipts", []) if response.status_code < 400 else []
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            raise RemoteError(response.status_code, response.json())
        return receipts


class HttpSide:
    def __init__(self, h: Harness, client: TestClient) -> None:
        self.authority = h.authority
        self.clock = h.clock
        self.sign = h.sign
        self.origin = h.ledger.origin  # builders sign for this log (procurement_support)
        self.ledger = HttpLedger(client)


class HttpScenario(Scenario):
    def read(self, namespace: str, key: str) -> dict[str, Any]:
        client: TestClient = self.log.ledger.client
        if namespace == "procurement.tender":
            found: dict[str, Any] = client.get(f"/api/v1/procurement/tenders/{key}").json()
            return found["tender"]  # type: ignore[no-any-return]
        if namespace == "procurement.bid":
            ocid, bidder = key.split("|")
            bids = client.get(f"/api/v1/procurement/tenders/{ocid}/bids").json()["items"]
            matching = [b for b in bids if b["bidder"] == bidder]
            assert matching, key
            return matching[0]  # type: ignore[no-any-return]
        raise AssertionError(namespace)


def test_tender_over_http_then_verified(harness: Harness) -> None:
    h = harness
    with TestClient(create_app(h.ledger)) as client:
        side = HttpSide(h, client)
        s = HttpScenario.build(side, vendors=3)  # type: ignore[arg-type]
        a, b, c = s.vendors
        s.package()
        s.announce()
        s.bid(a, 45_000_000_000)
        s.bid(b, 44_000_000_000)
        h.clock.advance(10 * 86400)
        size = h.ledger.size()
        with pytest.raises(RemoteError) as late:
            s.bid(c, 40_000_000_000)
        assert late.value.http_status == 409
        assert late.value.code == "bid_deadline_passed"
        assert h.ledger.size() == size
        assert Closer(h.ledger, s.officer).close_due() == [s.ocid]
        with pytest.raises(RemoteError) as early:
            s.append(s.officer, "procurement.tender.winner_announced", {"winner": "ab" * 32})
        assert early.value.code == "transition_not_allowed"
        details = early.value.problem_document["details"]
        assert details["state"] == "closed"
        assert "procurement.tender.shares_released" in details["allowed"]
        # Opening with nothing released waits for the release window (24 hours).
        with pytest.raises(RemoteError) as waiting:
            s.append(s.officer, "procurement.tender.opened", {})
        assert waiting.value.http_status == 409
        assert waiting.value.code == "not_enough_releases"
        s.open()
        s.evaluate([(a, True, "80"), (b, True, "80")])
        s.announce_winner(b)
        h.clock.advance(5 * 86400)
        receipts = side.ledger.append_direct(s.award_statements())
        assert receipts[1]["seq"] == receipts[0]["seq"] + 1
        detail = client.get(f"/api/v1/procurement/tenders/{s.ocid}").json()
        assert detail["tender"]["state"] == "awarded"
        record = client.get(f"/api/v1/procurement/ocds/records/{s.ocid}").json()
        assert record["records"][0]["compiledRelease"]["awards"][0]["suppliers"][0][
            "id"
        ] == client_key_id(b)
        h.ledger.publisher.publish(force=True)
        report = verify_log(client, h.ledger.verifier_key(), all_kinds(), h.ledger.limits)
        assert report.tree_size == h.ledger.size()
