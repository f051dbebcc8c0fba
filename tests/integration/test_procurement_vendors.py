"""Vendors on both engines: rejections log nothing; the public vendor history endpoint."""

from __future__ import annotations

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from procurement_support import fresh_npwp, register_vendor, vendor_body
from sqlalchemy import func, select

from ledger import storage
from ledger.errors import TerangError
from ledger.keys import client_key_id
from ledger.statement import SignedStatement
from terang.app import create_app


def row_counts(h: Harness) -> tuple[int, int, int]:
    with h.ledger.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
        )


def refused(h: Harness, statements: list[SignedStatement], code: str) -> None:
    before = row_counts(h)
    with pytest.raises(TerangError) as caught:
        h.ledger.append_direct(statements)
    assert caught.value.code == code
    assert row_counts(h) == before


def test_vendor_rejections_log_nothing(harness: Harness) -> None:
    h = harness
    officer = h.register("pokja", ["procurement_officer"])
    finance = h.register("bpkad", ["finance"])
    key = SigningKey.generate()
    vendor_id = client_key_id(key)
    number = fresh_npwp()
    bad = {**vendor_body(key, "CV A", number), "npwp": "1234"}
    refused(h, [h.sign(key, "procurement.vendor.registered", vendor_id, bad)], "bad_npwp")
    other = SigningKey.generate()
    refused(
        h,
        [h.sign(other, "procurement.vendor.registered", vendor_id, vendor_body(key, "A", number))],
        "unknown_signer",
    )
    h.ledger.append_direct(
        [h.sign(key, "procurement.vendor.registered", vendor_id, vendor_body(key, "CV A", number))]
    )
    twin = SigningKey.generate()
    refused(
        h,
        [
            h.sign(
                twin,
                "procurement.vendor.registered",
                client_key_id(twin),
                vendor_body(twin, "CV B", number),
            )
        ],
        "npwp_registered",
    )
    refused(h, [h.sign(finance, "procurement.vendor.activated", vendor_id, {})], "missing_role")
    refused(h, [h.sign(officer, "procurement.vendor.activated", "c" * 64, {})], "unknown_vendor")
    h.ledger.append_direct([h.sign(officer, "procurement.vendor.activated", vendor_id, {})])
    refused(
        h,
        [h.sign(officer, "procurement.vendor.activated", vendor_id, {})],
        "vendor_already_active",
    )


def test_vendor_history_endpoint(harness: Harness) -> None:
    h = harness
    officer = h.register("pokja", ["procurement_officer"])
    vendor = register_vendor(h, officer, "CV Maju")
    vendor_id = client_key_id(vendor)
    h.ledger.append_direct(
        [
            h.sign(
                officer,
                "procurement.vendor.sanctioned",
                vendor_id,
                {"kind": "suspension", "reason": "pemeriksaan", "start": "2026-03-05T00:00:00Z"},
            )
        ]
    )
    with TestClient(create_app(h.ledger)) as client:
        found = client.get(f"/api/v1/procurement/vendors/{vendor_id}").json()
        assert found["vendor"]["status"] == "active"
        assert found["vendor"]["sanctions"][0]["kind"] == "suspension"
        assert found["tree_size"] == h.ledger.size()
        history = client.get(f"/api/v1/procurement/vendors/{vendor_id}/history").json()
        assert [i["type"] for i in history["items"]] == [
            "procurement.vendor.registered",
            "procurement.vendor.activated",
            "procurement.vendor.sanctioned",
        ]
        assert history["next_after_seq"] is None
        page = client.get(
            f"/api/v1/procurement/vendors/{vendor_id}/history", params={"limit": 2}
        ).json()
        assert len(page["items"]) == 2
        rest = client.get(
            f"/api/v1/procurement/vendors/{vendor_id}/history",
            params={"after_seq": page["next_after_seq"]},
        ).json()
        assert [i["type"] for i in rest["items"]] == ["procurement.vendor.sanctioned"]
        listed = client.get("/api/v1/procurement/vendors", params={"status": "active"}).json()
        assert [v["vendor_id"] for v in listed["items"]] == [vendor_id]
        missing = client.get(f"/api/v1/procurement/vendors/{'d' * 64}")
        assert missing.status_code == 404
        assert missing.json()["code"] == "unknown_vendor"
        assert client.get("/api/v1/procurement/vendors/nothex").status_code == 422
