"""The standalone verifier over HTTP: its download and published hash, and the cross-origin
reads it relies on (a page opened from disk may read public log data, and nothing more)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from conftest import Harness
from fastapi.testclient import TestClient

from portal import standalone_verifier
from terang.app import create_app

NULL_ORIGIN = {"Origin": "null"}  # what a page opened from file:// sends


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    harness.ledger.publisher.publish(force=True)
    with TestClient(create_app(harness.ledger)) as c:
        yield c


def test_the_download_is_the_checked_in_file_as_an_attachment(client: TestClient) -> None:
    response = client.get(standalone_verifier.DOWNLOAD_PATH)
    assert response.status_code == 200
    assert response.content == standalone_verifier.HTML_PATH.read_bytes()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    # Saved, not rendered as a page of the server being checked.
    assert response.headers["content-disposition"] == 'attachment; filename="terang-verifier.html"'
    assert response.headers["content-security-policy"].startswith("default-src 'none'; script-src")
    digest = hashlib.sha256(response.content).hexdigest()
    published = client.get(standalone_verifier.HASH_PATH)
    assert published.status_code == 200
    assert published.text == f"{digest}  terang-verifier.html\n"  # sha256sum -c format


@pytest.mark.parametrize(
    "path", ["/log/checkpoint", "/log/verifier-key", "/api/v1/records/genesis/bundle"]
)
def test_public_reads_may_be_fetched_from_any_origin(client: TestClient, path: str) -> None:
    response = client.get(path, headers=NULL_ORIGIN)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    # No credentials: "*" never covers a request with cookies (Fetch standard).
    assert "access-control-allow-credentials" not in response.headers


def test_writes_and_pages_are_not_opened_to_other_origins(client: TestClient) -> None:
    write = client.post("/api/v1/statements", json={}, headers=NULL_ORIGIN)
    assert write.status_code == 422
    assert "access-control-allow-origin" not in write.headers
    preflight = client.options(
        "/api/v1/statements",
        headers={**NULL_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    for page in ("/", "/verifikasi", standalone_verifier.DOWNLOAD_PATH):
        response = client.get(page, headers=NULL_ORIGIN)
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
