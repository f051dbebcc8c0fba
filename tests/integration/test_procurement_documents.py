"""Tender documents stored content-addressed, on both engines, over the real app.

Only bytes whose SHA-256 a logged announcement or addendum names are stored; every
refusal stores nothing; the table is append-only; and a vendor's download checks each
file against the logged hash, so bytes changed behind the service's back are caught.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import replay_matches
from procurement_support import InProcessClient, Scenario
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from procurement import client as pc
from procurement import lifecycle as lc
from procurement.documents import CACHE_CONTROL, document_blobs
from terang import cli_procurement
from terang.app import create_app
from terang.cli import app

API = "/api/v1/procurement/documents/"
LIMIT_BYTES = 4096
RKS = b"Rencana Kerja dan Syarat-syarat: pengadaan alat kesehatan puskesmas.\n" * 20
HPS_SHEET = b"Rincian HPS\n" + bytes(range(256)) * 4
ADDENDUM = b"Adendum 1: jadwal pembuktian kualifikasi diundur.\n"
TOO_BIG = b"x" * (LIMIT_BYTES + 1)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def http(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("TERANG_DOCUMENT_BYTES_MAX", str(LIMIT_BYTES))
    with TestClient(create_app(harness.ledger)) as client:
        yield client


def announced(h: Harness) -> Scenario:
    """A tender whose announcement names RKS, HPS_SHEET and TOO_BIG."""
    s = Scenario.build(h, vendors=1)
    s.package()
    body = s.announce_body()
    body["documents"] = [
        {"name": "RKS.pdf", "sha256": sha(RKS)},
        {"name": "HPS / rincian.xlsx", "sha256": sha(HPS_SHEET)},
        {"name": "Gambar teknis", "sha256": sha(TOO_BIG)},
    ]
    s.append(s.officer, lc.ANNOUNCED, body)
    return s


def blob_rows(h: Harness) -> int:
    with h.ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(document_blobs)).scalar_one())


def put(http: TestClient, digest: str, content: bytes) -> Any:
    return http.put(API + digest, content=content)


def refused(h: Harness, response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_upload_only_logged_hashes_and_serve_immutable(harness: Harness, http: TestClient) -> None:
    h = harness
    s = announced(h)
    before = blob_rows(h)
    # Bytes no tender names; bytes other than the claimed hash; over the size limit.
    stray = b"not a tender document"
    refused(h, put(http, sha(stray), stray), 409, "unknown_document")
    refused(h, put(http, sha(RKS), RKS + b" "), 422, "document_hash_mismatch")
    refused(h, put(http, sha(TOO_BIG), TOO_BIG), 413, "document_too_large")
    refused(h, http.put(API + "AB" * 32, content=RKS), 422, "invalid_request")
    # Not uploaded yet / never named.
    refused(h, http.get(API + sha(RKS)), 404, "document_not_uploaded")
    refused(h, http.get(API + sha(stray)), 404, "unknown_document")
    assert blob_rows(h) == before

    first = put(http, sha(RKS), RKS)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "sha256": sha(RKS),
        "size_bytes": len(RKS),
        "created": True,
        "name": "RKS.pdf",
        "ocid": s.ocid,
    }
    again = put(http, sha(RKS), RKS)
    assert again.status_code == 200 and again.json()["created"] is False
    assert blob_rows(h) == before + 1

    got = http.get(API + sha(RKS))
    assert got.status_code == 200 and got.content == RKS
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["etag"] == f'"{sha(RKS)}"'
    assert got.headers["cache-control"] == CACHE_CONTROL
    assert "immutable" in got.headers["cache-control"]
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''RKS.pdf"
    cached = http.get(API + sha(RKS), headers={"If-None-Match": f'"{sha(RKS)}"'})
    assert cached.status_code == 304 and cached.content == b""
    assert http.get(API + sha(RKS), headers={"If-None-Match": '"other"'}).status_code == 200

    # An addendum's documents become storable once the addendum is logged.
    refused(h, put(http, sha(ADDENDUM), ADDENDUM), 409, "unknown_document")
    s.append(
        s.officer,
        lc.AMENDED,
        {
            "addendum": 1,
            "description": "Perubahan jadwal",
            "documents": [{"name": "Adendum 1", "sha256": sha(ADDENDUM)}],
        },
    )
    assert put(http, sha(ADDENDUM), ADDENDUM).status_code == 201
    assert http.get(API + sha(ADDENDUM)).content == ADDENDUM
    replay_matches(h)  # the references are a projection like any other


def test_document_table_is_append_only(harness: Harness, http: TestClient) -> None:
    h = harness
    announced(h)
    assert put(http, sha(RKS), RKS).status_code == 201
    for statement in (
        "UPDATE procurement_document_blobs SET stored_at = 'x'",
        "DELETE FROM procurement_document_blobs",
    ):
        with pytest.raises(DBAPIError, match="append-only"), h.ledger.engine.begin() as conn:
            conn.execute(text(statement))
    assert http.get(API + sha(RKS)).content == RKS
    if h.ledger.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), h.ledger.engine.begin() as conn:
            conn.execute(text("TRUNCATE procurement_document_blobs"))
        with h.ledger.engine.connect() as conn:
            granted = {
                p: conn.execute(
                    text(
                        "SELECT has_table_privilege('terang_appender',"
                        " 'procurement_document_blobs', :p)"
                    ),
                    {"p": p},
                ).scalar_one()
                for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
            }
        assert granted == {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": False,
            "DELETE": False,
            "TRUNCATE": False,
        }


def _tamper(h: Harness, digest: str, content: bytes) -> None:
    """Change stored bytes behind the service's back: as the database owner, with the
    append-only trigger out of the way (what an attacker with the disk would do)."""
    engine = h.ledger.engine
    table = "procurement_document_blobs"
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
        conn.execute(
            text(f"UPDATE {table} SET content = :c WHERE sha256 = :s"), {"c": content, "s": digest}
        )
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def test_download_checks_every_file_and_catches_tampering(
    harness: Harness, http: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    s = announced(h)
    client = InProcessClient(http)
    for content in (RKS, HPS_SHEET):
        pc.upload_document(client, content)

    results = pc.download_documents(client, s.ocid, tmp_path / "ok")
    by_hash = {r.sha256: r for r in results}
    assert [r.status for r in results] == ["verified", "verified", "missing"]
    rks = by_hash[sha(RKS)]
    assert rks.file is not None and Path(rks.file).read_bytes() == RKS
    assert Path(rks.file).name == sha(RKS)[:12] + "-RKS.pdf"
    hps = by_hash[sha(HPS_SHEET)]
    assert hps.file is not None and Path(hps.file).parent == tmp_path / "ok"  # "/" replaced

    _tamper(h, sha(RKS), RKS.replace(b"puskesmas", b"PUSKESMAS"))
    tampered = pc.download_documents(client, s.ocid, tmp_path / "tampered")
    bad = next(r for r in tampered if r.sha256 == sha(RKS))
    assert bad.status == "mismatch" and bad.file is None
    assert bad.received_sha256 == sha(RKS.replace(b"puskesmas", b"PUSKESMAS"))
    kept = sorted(p.name for p in (tmp_path / "tampered").iterdir())
    assert kept == [sha(HPS_SHEET)[:12] + "-HPS _ rincian.xlsx"]  # the bad bytes are not kept

    # The vendor CLI says so and exits 1.
    monkeypatch.setattr(cli_procurement, "connect", lambda _url: client)
    result = CliRunner().invoke(
        app, ["vendor", "download", "--ocid", s.ocid, "--out", str(tmp_path / "cli")]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert getattr(result.exception, "code", None) == "document_mismatch"
    printed = json.loads(result.stdout)
    assert {d["sha256"]: d["status"] for d in printed["documents"]}[sha(RKS)] == "mismatch"


def test_cli_upload_then_vendor_download(
    harness: Harness, http: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    s = Scenario.build(h, vendors=1)
    s.package()
    body = s.announce_body()
    body["documents"] = [{"name": "RKS.pdf", "sha256": sha(RKS)}]
    s.append(s.officer, lc.ANNOUNCED, body)
    client = InProcessClient(http)
    monkeypatch.setattr(cli_procurement, "connect", lambda _url: client)
    runner = CliRunner()
    source = tmp_path / "RKS.pdf"
    source.write_bytes(RKS)
    uploaded = runner.invoke(app, ["documents", "upload", str(source)])
    assert uploaded.exit_code == 0, uploaded.output
    assert json.loads(uploaded.stdout)["stored"][0]["created"] is True
    downloaded = runner.invoke(
        app, ["vendor", "download", "--ocid", s.ocid, "--out", str(tmp_path / "docs")]
    )
    assert downloaded.exit_code == 0, downloaded.output
    [item] = json.loads(downloaded.stdout)["documents"]
    assert item["status"] == "verified" and Path(item["file"]).read_bytes() == RKS
