"""Issue 10, item 12: the headers browsers act on.

* nosniff on JSON, problem documents and ``/log/*`` (a tile is never run as a script);
* cross-origin reads of the public read API (another site's verifier may read it from
  the browser: ``*``, GET and HEAD only, never credentials; ``terang/cors.py``), the
  limits' refusals included, and nothing on the write API;
* a CSP on ``/docs`` that lets only this origin's files and the page's own start-up
  script run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient

from terang.app import create_app

ORIGIN_HEADER = {"Origin": "https://verifier.example"}


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(harness.ledger)) as test_client:
        yield test_client


PUBLIC_READS = (
    "/log/checkpoint",
    "/log/tile/0/000.p/1",
    "/log/tile/entries/000.p/1",
    "/api/v1/proofs/inclusion?seq=0",
    "/api/v1/checkpoints",
    "/api/v1/entries/0",
    "/api/v1/entries/0/tlog-proof",
    "/api/v1/procurement/ocds/publication-policy",
    "/api/v1/records/genesis/bundle",
)


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_may_be_read_by_any_site_without_credentials(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers=ORIGIN_HEADER)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    head = client.head(path, headers=ORIGIN_HEADER)
    assert head.headers["access-control-allow-origin"] == "*"


def test_a_rate_refusal_of_a_public_read_is_readable_by_another_site(
    harness_factory: Any,
) -> None:
    """A verifier on another site must see the 429 and its Retry-After, not a CORS error."""
    from ledger.limits import Limits

    harness = harness_factory(limits=Limits(client_read_requests_per_min_max=1))
    with TestClient(create_app(harness.ledger)) as client:
        assert client.get("/log/checkpoint", headers=ORIGIN_HEADER).status_code == 200
        refused = client.get("/log/checkpoint", headers=ORIGIN_HEADER)
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == "*"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert "retry-after" in refused.headers


def test_the_write_api_invites_no_other_site(harness: Harness, client: TestClient) -> None:
    preflight = client.options(
        "/api/v1/statements",
        headers={**ORIGIN_HEADER, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    # Nor a preflight asking to POST to a read path.
    sneaky = client.options(
        "/api/v1/entries",
        headers={**ORIGIN_HEADER, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in sneaky.headers
    refused = client.post("/api/v1/statements", content=b"{}", headers=ORIGIN_HEADER)
    assert refused.status_code == 422
    assert "access-control-allow-origin" not in refused.headers
    assert refused.headers["x-content-type-options"] == "nosniff"  # a problem document
    assert harness.ledger.size() == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/entries", "/api/v1/entries/999999", "/openapi.json", "/log/verifier-key"]
)
def test_json_problems_and_log_files_are_never_sniffed(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_docs_page_runs_only_its_own_scripts(client: TestClient) -> None:
    page = client.get("/docs")
    policy = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["default-src"] == "'none'"
    scripts = directives["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    assert inline, "the page's start-up script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts
    assert set(scripts) == {"'self'"} | {s for s in scripts if s.startswith("'sha256-")}
    assert directives["connect-src"] == "'self'"  # the spec, from here
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy  # no third-party origin anywhere
