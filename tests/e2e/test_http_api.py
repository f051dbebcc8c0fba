"""The HTTP API as a client sees it: receipts, problems, tiles and proofs."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from conftest import ORIGIN, Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from ledger import merkle, tiles
from ledger.checkpoint import open_checkpoint
from ledger.keys import client_key_id
from ledger.note import Verifier, parse_verifier_key
from ledger.statement import b64encode
from ledger.tlog_proof import TlogProof, verify_tlog_proof
from terang.app import create_app


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(harness.ledger)) as test_client:
        yield test_client


def registration(h: Harness, roles: list[str]) -> dict[str, object]:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "someone", "roles": roles}
    return h.sign(h.authority, "registry.key.registered", client_key_id(key), body).to_json()


def test_post_statement_returns_receipt_with_tlog_proof(
    harness: Harness, client: TestClient
) -> None:
    response = client.post("/api/v1/statements", json=registration(harness, ["finance"]))
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["seq"] == 1 and not receipt["duplicate"]
    proof = TlogProof.parse(receipt["tlog_proof"])
    verifier = parse_verifier_key(client.get("/log/verifier-key").text.strip())
    assert isinstance(verifier, Verifier)
    verify_tlog_proof(proof, bytes.fromhex(receipt["leaf_hash"]), ORIGIN, verifier)


def test_retry_returns_the_first_receipt_with_200(harness: Harness, client: TestClient) -> None:
    statement = registration(harness, ["finance"])
    first = client.post("/api/v1/statements", json=statement).json()
    again = client.post("/api/v1/statements", json=statement)
    assert again.status_code == 200
    assert again.json()["seq"] == first["seq"] and again.json()["duplicate"] is True
    assert client.get("/api/v1/entries", params={"after_seq": first["seq"]}).json()["items"] == []


def test_errors_are_problem_documents_with_stable_codes(
    harness: Harness, client: TestClient
) -> None:
    bad_signature = registration(harness, ["finance"])
    bad_signature["signature"] = b64encode(bytes(64))
    cases = [
        (b"not json", 422, "bad_json"),
        (b'{"statement": {}, "signature": ""}', 422, "missing_field"),
        (b'{"a": 1.5}', 422, "float_not_allowed"),
    ]
    for body, status, code in cases:
        response = client.post(
            "/api/v1/statements", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
    response = client.post("/api/v1/statements", json=bad_signature)
    assert (response.status_code, response.json()["code"]) == (422, "bad_signature")
    assert harness.ledger.size() == 1


def test_batch_is_atomic_and_names_the_failing_statement(
    harness: Harness, client: TestClient
) -> None:
    good = registration(harness, ["finance"])
    stranger = SigningKey.generate()
    bad = harness.sign(
        stranger, "registry.role.granted", client_key_id(stranger), {"role": "finance"}
    ).to_json()
    response = client.post("/api/v1/statements/batch", json={"statements": [good, bad]})
    assert response.status_code == 403
    assert response.json()["details"]["statement_index"] == 1
    assert harness.ledger.size() == 1
    response = client.post(
        "/api/v1/statements/batch", json={"statements": [good, registration(harness, [])]}
    )
    assert response.status_code == 201
    assert [r["seq"] for r in response.json()["receipts"]] == [1, 2]


def test_batch_limit(harness: Harness, client: TestClient) -> None:
    limit = harness.ledger.limits.batch_statements_max
    response = client.post("/api/v1/statements/batch", json={"statements": [{}] * (limit + 1)})
    assert (response.status_code, response.json()["code"]) == (413, "batch_too_large")


def test_tiles_and_bundles_match_the_log(harness: Harness, client: TestClient) -> None:
    statements = [registration(harness, ["vendor"]) for _ in range(300)]
    assert (
        client.post("/api/v1/statements/batch", json={"statements": statements[:150]}).status_code
        == 201
    )
    assert (
        client.post("/api/v1/statements/batch", json={"statements": statements[150:]}).status_code
        == 201
    )
    harness.ledger.publisher.publish(force=True)
    note = client.get("/log/checkpoint").text
    verifier = parse_verifier_key(client.get("/log/verifier-key").text.strip())
    checkpoint = open_checkpoint(note, ORIGIN, verifier)
    assert checkpoint.size == 301
    full = client.get("/log/tile/entries/000")
    assert full.headers["cache-control"].endswith("immutable")
    partial = client.get("/log/tile/entries/001.p/45")
    assert "immutable" not in partial.headers["cache-control"]
    entries = tiles.decode_entry_bundle(full.content, 256) + tiles.decode_entry_bundle(
        partial.content, 45
    )
    leaves = [merkle.leaf_hash(e) for e in entries]
    assert merkle.root_from_leaf_hashes(leaves) == checkpoint.root_hash
    level0 = client.get("/log/tile/0/000").content
    assert level0 == b"".join(leaves[:256])
    level1 = client.get("/log/tile/1/000.p/1").content
    assert level1 == merkle.root_from_leaf_hashes(leaves[:256])
    assert client.get("/log/tile/0/002").status_code == 404
    assert client.get("/log/tile/0/01").status_code == 422  # not a canonical tile index


def test_proof_endpoints_verify(harness: Harness, client: TestClient) -> None:
    for _ in range(3):
        client.post(
            "/api/v1/statements/batch",
            json={"statements": [registration(harness, []) for _ in range(7)]},
        )
    harness.ledger.publisher.publish(force=True)
    inclusion = client.get("/api/v1/proofs/inclusion", params={"seq": 5}).json()
    checkpoint = open_checkpoint(inclusion["checkpoint"], ORIGIN, harness.log_signer.verifier())
    merkle.verify_inclusion(
        bytes.fromhex(inclusion["leaf_hash"]),
        5,
        checkpoint.size,
        [bytes.fromhex(h) for h in inclusion["proof"]],
        checkpoint.root_hash,
    )
    by_leaf = client.get(
        "/api/v1/proofs/inclusion", params={"leaf_hash": inclusion["leaf_hash"]}
    ).json()
    assert by_leaf["seq"] == 5
    first = client.get("/api/v1/checkpoints").json()["items"][0]
    consistency = client.get(
        "/api/v1/proofs/consistency",
        params={"first": first["tree_size"], "second": checkpoint.size},
    ).json()
    merkle.verify_consistency(
        first["tree_size"],
        checkpoint.size,
        [bytes.fromhex(h) for h in consistency["proof"]],
        bytes.fromhex(first["root_hash"]),
        checkpoint.root_hash,
    )
    entry = client.get("/api/v1/entries/5").json()
    assert merkle.leaf_hash(base64.b64decode(entry["entry_bytes_b64"])).hex() == entry["leaf_hash"]
    assert client.get("/api/v1/entries/999").status_code == 404
    assert (
        client.get("/api/v1/proofs/inclusion", params={"seq": 5, "tree_size": 10**6}).status_code
        == 422
    )


def test_openapi_lists_stable_operation_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "append_statement",
        "append_statement_batch",
        "get_checkpoint",
        "get_tile",
        "get_inclusion_proof",
        "get_consistency_proof",
        "get_verifier_key",
    } <= operation_ids


def test_unknown_routes_and_methods_are_problem_documents(client: TestClient) -> None:
    for response in (client.get("/api/v1/nothing"), client.delete("/log/checkpoint")):
        assert response.status_code in (404, 405)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code


def test_an_oversized_body_is_refused_before_it_is_read(
    harness: Harness, client: TestClient
) -> None:
    limit = harness.ledger.limits.request_body_bytes_max
    response = client.post(
        "/api/v1/statements/batch",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(limit + 1)},
    )
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")
