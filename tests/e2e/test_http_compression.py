"""Responses travel gzip-compressed to clients that ask for it, and only to them; what a
client decodes is byte for byte what an uncompressed client gets (hashes still match)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator

import httpx
import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from ledger.keys import client_key_id
from ledger.statement import b64encode
from terang.app import create_app


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    for _ in range(40):  # enough entries for pages and listings over the 500-byte threshold
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "x" * 40, "roles": []}
        harness.ledger.append_direct(
            [harness.sign(harness.authority, "registry.key.registered", client_key_id(key), body)]
        )
    with TestClient(create_app(harness.ledger)) as c:
        yield c


def raw_get(client: TestClient, path: str, encoding: str) -> tuple[httpx.Response, bytes]:
    """GET without letting the client decode: the response and the bytes that travelled."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        raw = b"".join(response.iter_raw())
    return response, raw


@pytest.mark.parametrize("path", ["/", "/api/v1/entries?limit=40", "/static/site.css"])
def test_gzip_only_when_asked(client: TestClient, path: str) -> None:
    plain, plain_raw = raw_get(client, path, "identity")
    packed, packed_raw = raw_get(client, path, "gzip")
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed_raw) == plain_raw
    assert len(packed_raw) < len(plain_raw)
    assert "accept-encoding" in packed.headers.get("vary", "").lower()


def test_decoded_bytes_are_identical(client: TestClient) -> None:
    """An auditor hashing what it downloaded gets the same digest either way."""
    for path in ("/api/v1/entries?limit=40", "/log/checkpoint", "/log/tile/0/000.p/41"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert plain.status_code == 200, (path, plain.text)
        assert hashlib.sha256(packed.content).digest() == hashlib.sha256(plain.content).digest()


def test_small_responses_are_sent_as_they_are(client: TestClient) -> None:
    response, raw = raw_get(client, "/log/verifier-key", "gzip")
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert raw.decode().startswith("terang.test/log+")
