"""Record bundles (GET /api/v1/records/{subject}/bundle) on both engines: a vendor's
self-registration proves its key, and the checkpoint carries the witnesses' cosignatures
so a browser can check them (portal/static/verify.js)."""

from __future__ import annotations

from conftest import ORIGIN, Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from audit.bundle import verify_record_bundle
from ledger.checkpoint import open_checkpoint_note
from ledger.keys import client_key_id
from ledger.note import generate_cosigner, split_note
from ledger.publisher import latest_checkpoint
from ledger.statement import b64encode, format_time
from ledger.witnessing import cosignatures
from terang.app import create_app


def test_a_vendor_record_verifies_with_its_self_registration(harness: Harness) -> None:
    h = harness
    officer = h.register("pokja", ["procurement_officer"])
    vendor = SigningKey.generate()
    vendor_id = client_key_id(vendor)
    body = {
        "public_key": b64encode(bytes(vendor.verify_key)),
        "name": "CV Maju",
        "npwp": "012345678901234",
        "address": "Jl. Merdeka No. 1, Kabupaten Contoh",
        "qualification": "kecil",
    }
    h.ledger.append_direct([h.sign(vendor, "procurement.vendor.registered", vendor_id, body)])
    h.ledger.append_direct([h.sign(officer, "procurement.vendor.activated", vendor_id, {})])
    h.ledger.publisher.publish(force=True)
    with TestClient(create_app(h.ledger)) as client:
        bundle = client.get(f"/api/v1/records/{vendor_id}/bundle").json()
    # The vendor signed its own registration; the officer's activation is registered by
    # the authority: both kinds of registration are in the bundle.
    assert len(bundle["entries"]) == 2 and len(bundle["signer_registrations"]) == 2
    verified = verify_record_bundle(bundle, ORIGIN, h.log_signer.verifier(), h.ledger.limits)
    assert [e.signed.statement.signer for e in verified.entries] == [
        vendor_id,
        client_key_id(officer),
    ]


def test_the_bundle_checkpoint_carries_witness_cosignatures(harness: Harness) -> None:
    h = harness
    h.register("someone", [])
    h.ledger.publisher.publish(force=True)
    witness = generate_cosigner("witness.test/w1")
    with h.ledger.engine.begin() as conn:
        published = latest_checkpoint(conn)
        assert published is not None
        line = witness.cosign(split_note(published.note).text, 1_780_000_000).line[:-1]
        conn.execute(
            cosignatures.insert().values(
                witness_key=witness.verifier().verifier_key(),
                tree_size=published.size,
                signature=line,
                cosigned_at=1_780_000_000,
                collected_at=format_time(h.clock()),
            )
        )
    with TestClient(create_app(h.ledger)) as client:
        bundle = client.get("/api/v1/records/genesis/bundle").json()
        served = client.get("/log/checkpoint").text
    assert bundle["checkpoint"] == served
    _, note = open_checkpoint_note(
        bundle["checkpoint"],
        ORIGIN,
        h.log_signer.verifier(),
        witnesses=[witness.verifier()],
        min_witnesses=1,
    )
    assert note.timestamp(witness.verifier()) == 1_780_000_000
    # The offline check ignores cosignatures it was not asked about.
    verify_record_bundle(bundle, ORIGIN, h.log_signer.verifier(), h.ledger.limits)
