"""The vendor and committee CLI against the real app, in process, on both engines.

``terang vendor ...`` and ``terang committee ...`` run through Typer's runner; their
HTTP client talks to ``create_app`` over ASGI (``cli_procurement.connect`` is the one
seam), and their clock is the harness's, so the deadline can be passed. Keys are files
made here, mode 0600; the server only ever sees public keys, signatures and sealed data.
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import replay_matches
from procurement_support import InProcessClient, Member, Scenario, setup_budget_line
from typer.testing import CliRunner

from ledger.authority import KEY_NAMESPACE
from ledger.errors import TerangError
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.statement import b64encode
from procurement.members import BOX_KEY_REGISTERED
from procurement.reads import document
from terang import cli_procurement
from terang.app import create_app
from terang.cli import app

runner = CliRunner()


@pytest.fixture
def cli(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Any:
    with TestClient(create_app(harness.ledger)) as http:
        monkeypatch.setattr(cli_procurement, "connect", lambda _url: InProcessClient(http))
        monkeypatch.setattr(cli_procurement, "utc_now", harness.clock)

        def invoke(*args: str, ok: bool = True) -> Any:
            result = runner.invoke(app, list(args), catch_exceptions=not ok)
            if ok:
                assert result.exit_code == 0, result.output
                return json.loads(result.output)
            assert result.exit_code != 0
            return result

        yield invoke


def test_vendor_and_committee_cli(harness: Harness, cli: Any, tmp_path: Path) -> None:
    h = harness
    officer = h.register("ppk", ["procurement_officer"])
    finance = h.register("bpkad", ["finance"])
    setup_budget_line(h, finance, 100_000_000_000)
    members = []
    for i in range(3):
        key_file = tmp_path / f"pokja{i}.key"
        box_file = tmp_path / f"pokja{i}.box"
        key = generate_client_key(key_file)
        h.ledger.append_direct(
            [
                h.sign(
                    h.authority,
                    "registry.key.registered",
                    client_key_id(key),
                    {
                        "public_key": b64encode(bytes(key.verify_key)),
                        "name": f"pokja {i}",
                        "roles": ["committee_member"],
                    },
                )
            ]
        )
        out = cli(
            "committee", "register-box-key", "--key", str(key_file), "--box-key", str(box_file)
        )
        assert stat.S_IMODE(box_file.stat().st_mode) == 0o600
        assert "private" not in json.dumps(out)
        members.append(Member(key, cli_procurement.load_box_key(box_file)))
    vendors = []
    for i in range(4):
        key_file = tmp_path / f"vendor{i}.key"
        key = generate_client_key(key_file)
        out = cli(
            "vendor",
            "register",
            "--key",
            str(key_file),
            "--name",
            f"CV Vendor {i}",
            "--npwp",
            f"01.234.567.8-901.00{i}",
            "--address",
            "Jl. Sudirman 1",
        )
        assert out["vendor_id"] == client_key_id(key)
        if i < 3:
            h.ledger.append_direct(
                [h.sign(officer, "procurement.vendor.activated", client_key_id(key), {})]
            )
        vendors.append(key_file)
    s = Scenario(h, officer, finance, members, [load_client_key(v) for v in vendors])
    s.package()
    document = tmp_path / "dokumen-pemilihan.pdf"
    document.write_bytes(b"%PDF-1.4 dokumen pemilihan")
    body = s.announce_body(days=10)
    body["documents"] = [
        {"name": "Dokumen pemilihan", "sha256": hashlib.sha256(document.read_bytes()).hexdigest()}
    ]
    s.append(officer, "procurement.tender.announced", body)
    ocid = s.ocid
    a, b, c, d = (str(v) for v in vendors)
    bids = str(tmp_path / "bids")

    info = cli("vendor", "tender", "--ocid", ocid)
    assert info["state"] == "active" and len(info["committee"]["members"]) == 3
    checked = cli("vendor", "documents", "--ocid", ocid, "--check", str(document))
    assert checked["checked"][0]["logged"] is True
    cli("vendor", "ask", "--ocid", ocid, "--key", a, "--question", "Boleh merek setara?")
    # The inactive vendor is refused, and nothing is logged.
    size = h.ledger.size()
    refused = cli("vendor", "ask", "--ocid", ocid, "--key", d, "--question", "?", ok=False)
    assert refused.exception.code == "vendor_not_eligible"
    assert h.ledger.size() == size

    cli("vendor", "bid", "--ocid", ocid, "--key", a, "--price", "460000000", "--bid-dir", bids)
    cli("vendor", "bid", "--ocid", ocid, "--key", b, "--price", "440000000", "--bid-dir", bids)
    cli(
        "vendor",
        "bid",
        "--ocid",
        ocid,
        "--key",
        b,
        "--price",
        "430000000.00",
        "--replace",
        "--bid-dir",
        bids,
        "--document",
        f"Penawaran teknis={'ef' * 32}",
    )
    cli("vendor", "bid", "--ocid", ocid, "--key", c, "--price", "450000000", "--bid-dir", bids)
    cli("vendor", "withdraw", "--ocid", ocid, "--key", c)
    kept = sorted((tmp_path / "bids").iterdir())
    assert len(kept) == 4 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    proof_file = tmp_path / "a.tlog-proof"
    receipt = cli("vendor", "receipt", "--ocid", ocid, "--key", a, "--out", str(proof_file))
    assert receipt["before_deadline"] is True and receipt["status"] == "submitted"
    assert proof_file.read_text().startswith("c2sp.org/tlog-proof@v1")
    assert cli("vendor", "receipt", "--ocid", ocid, "--key", c)["status"] == "withdrawn"

    # Before the closing, a release opens nothing and is refused.
    member_args = ["--key", str(tmp_path / "pokja0.key"), "--box-key", str(tmp_path / "pokja0.box")]
    early = cli("committee", "release", "--ocid", ocid, *member_args, ok=False)
    assert early.exception.code == "transition_not_allowed"
    h.clock.advance(10 * 86400)
    late = cli(
        "vendor", "bid", "--ocid", ocid, "--key", c, "--price", "1", "--bid-dir", bids, ok=False
    )
    assert late.exception.code == "bid_deadline_passed"
    s.append(officer, "procurement.tender.closed", {})

    out = cli("committee", "release", "--ocid", ocid, *member_args)
    assert out["released"] == 2 and out["unopenable_for_me"] == []
    opening = cli("vendor", "opening", "--ocid", ocid)
    assert all(bid["price_sen"] is None for bid in opening["bids"])  # k - 1 opens nothing
    cli(
        "committee",
        "release",
        "--ocid",
        ocid,
        "--key",
        str(tmp_path / "pokja2.key"),
        "--box-key",
        str(tmp_path / "pokja2.box"),
    )
    cli("committee", "open", "--ocid", ocid, "--key", str(tmp_path / "pokja2.key"))
    opening = cli("vendor", "opening", "--ocid", ocid, "--key", b, "--bid-dir", bids)
    prices = {bid["bidder"]: bid for bid in opening["bids"]}
    mine = prices[client_key_id(load_client_key(Path(b)))]
    assert mine["price_sen"] == mine["reopened_price_sen"] == 43_000_000_000
    assert mine["matches_kept_envelope"] is True
    assert prices[client_key_id(load_client_key(Path(a)))]["reopened_price_sen"] == 46_000_000_000
    assert opening["state"] == "opened"
    replay_matches(h)


def test_box_key_registration_refusals(harness: Harness) -> None:
    h = harness
    member = h.register("pokja", ["committee_member"])
    vendor = h.register("cv", ["vendor"])
    public = b64encode(bytes(cli_procurement.pc.PrivateKey.generate().public_key))
    body = {"x25519_public_key": public}
    size = h.ledger.size()
    for key, subject, code in (
        (vendor, client_key_id(vendor), "missing_role"),
        (member, client_key_id(vendor), "bad_subject"),
    ):
        with pytest.raises(TerangError) as caught:
            h.ledger.append_direct([h.sign(key, BOX_KEY_REGISTERED, subject, body)])
        assert caught.value.code == code
    assert h.ledger.size() == size
    h.ledger.append_direct([h.sign(member, BOX_KEY_REGISTERED, client_key_id(member), body)])
    with h.ledger.engine.connect() as conn:
        key_doc = document(conn, KEY_NAMESPACE, client_key_id(member))
    assert key_doc is not None and key_doc["x25519_public_key"] == public
