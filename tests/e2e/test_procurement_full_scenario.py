"""Issue 5 end to end, once, on SQLite and PostgreSQL: budget → plan → tender → clarification
→ sealed bids → late bid refused → closing → k-of-n opening → evaluation → winner →
sanggah → award (budget commitment) → contract → two payments (LRA realisation) → OCDS
→ ``terang verify``.

The service is the real application (``create_app``) served by uvicorn on a local port,
in this process, because its clock must be moved past the bid deadline and the masa
sanggah (a tender's bid window is at least 7 days, masa sanggah 5), and ``terang serve``
only reads the real clock. Everything else is what users run over the network: every
write is a signed statement POSTed to the service (the officers' and finance's built with
``procurement.client``, the vendors' and the Pokja's by ``terang vendor ...`` and
``terang committee ...``, run in process so that their clock is the service's), every
read goes through the public read API, and at the end ``terang verify`` runs as a
separate process against the service's URL with the log's verifier key. The closing
entry is logged by the service's closer (``procurement.closer.Closer``), called once
rather than on its timer so that the late bid is tried first, deterministically.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from conftest import TERANG, Harness, free_port, make_harness
from nacl.signing import SigningKey
from ocds_checks import check_codelists, validator
from sqlalchemy import func, select
from typer.testing import CliRunner

from budgeting import statements as st
from ledger import storage
from ledger.client import LedgerClient, RemoteError
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.signing import make_signed
from ledger.statement import b64encode, format_time
from procurement import client as pc
from procurement import sealed
from procurement.closer import Closer
from procurement.errors import OpeningFailed
from terang import cli_procurement
from terang.app import create_app
from terang.cli import app as terang_cli

API = "/api/v1/procurement"
LINE = "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"
ACCOUNT = "5.1.02.01.01.0024"
OCID = "ocds-t3r4ng-2026-DINKES-0001"
BUDGET_SEN = 100_000_000_000  # Rp 1 miliar
HPS_SEN = 50_000_000_000  # Rp 500 juta
DAY = 86400

runner = CliRunner()


@dataclass
class Live:
    """The served application, its ledger (for row counts only) and an HTTP client."""

    h: Harness
    url: str
    api: LedgerClient

    def post(self, key: SigningKey, kind: str, subject: str, body: dict[str, Any]) -> Any:
        return self.api.submit(
            make_signed(key, kind, subject, body, at=self.h.clock(), origin=self.h.origin)
        )

    def get(self, path: str, **params: Any) -> Any:
        response = self.api.http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def tender(self) -> dict[str, Any]:
        found: dict[str, Any] = self.get(f"{API}/tenders/{OCID}")["tender"]
        return found

    def bids(self) -> dict[str, dict[str, Any]]:
        return {b["bidder"]: b for b in self.get(f"{API}/tenders/{OCID}/bids")["items"]}

    def counts(self) -> tuple[int, ...]:
        """Rows of the log and of every projection: unchanged means nothing was logged."""
        with self.h.ledger.engine.connect() as conn:
            return tuple(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
            )

    def refused(self, action: Callable[[], object], code: str) -> RemoteError:
        before = self.counts()
        with pytest.raises(RemoteError) as caught:
            action()
        assert caught.value.code == code, caught.value.problem_document
        assert self.counts() == before
        return caught.value


@pytest.fixture
def live(database_url: str) -> Iterator[Live]:
    h = make_harness(database_url)
    h.ledger.start()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(h.ledger), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="terang-e2e-serve", daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        while not server.started:  # waiting for the port, not a timing assertion
            assert thread.is_alive(), "the service did not start"
            assert time.monotonic() - started < 60, "the service did not start"
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        with LedgerClient(url) as api:
            yield Live(h, url, api)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        h.ledger.close()


@pytest.fixture
def cli(live: Live, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``terang ...`` against the live URL (TERANG_URL), signing at the service's time."""
    monkeypatch.setattr(cli_procurement, "utc_now", live.h.clock)

    def invoke(*args: str, ok: bool = True) -> Any:
        result = runner.invoke(
            terang_cli, list(args), env={"TERANG_URL": live.url}, catch_exceptions=not ok
        )
        if ok:
            assert result.exit_code == 0, result.output
            return json.loads(result.output)
        assert result.exit_code != 0
        return result

    return invoke


def cli_refused(live: Live, cli: Callable[..., Any], code: str, *args: str) -> None:
    before = live.counts()
    result = cli(*args, ok=False)
    assert isinstance(result.exception, RemoteError), result.output
    assert result.exception.code == code, result.exception.problem_document
    assert live.counts() == before


def register_key(live: Live, key: SigningKey, name: str, roles: list[str]) -> None:
    """The root authority registers a key with its roles (the kabupaten's key registry)."""
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": name, "roles": roles}
    live.post(live.h.authority, "registry.key.registered", client_key_id(key), body)


def post_budget(live: Live, finance: SigningKey) -> None:
    """Structure, the APBD appropriation and the cash allotment (anggaran kas), one batch."""
    postings = [
        st.structure("fiscal_year", "2026", "TA 2026"),
        st.structure("programme", "1", "Urusan wajib pelayanan dasar"),
        st.structure("programme", "1.02", "Kesehatan"),
        st.structure("programme", "1.02.02", "Program pemenuhan upaya kesehatan"),
        st.structure("programme", "1.02.02.2.01", "Penyediaan fasilitas kesehatan"),
        st.structure("programme", "1.02.02.2.01.0001", "Pengadaan alat kesehatan"),
        st.structure("opd", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
        st.structure("account", "5", "Belanja"),
        st.structure("account", "5.1", "Belanja operasi"),
        st.structure("account", "5.1.02", "Belanja barang dan jasa"),
        st.structure("account", "5.1.02.01", "Belanja barang"),
        st.structure("account", "5.1.02.01.01", "Belanja barang pakai habis"),
        st.structure("account", ACCOUNT, "Belanja alat/bahan kantor"),
        st.structure("funding_source", "DAU", "Dana Alokasi Umum"),
        st.appropriation(LINE, "DPA-2026-0001", BUDGET_SEN),
        st.allotment(LINE, "ANGKAS-2026-03", [(3, BUDGET_SEN)]),
    ]
    live.api.submit_batch(
        [p.sign(finance, at=live.h.clock(), origin=live.h.origin) for p in postings]
    )


def kept_envelope(bid_dir: Path, content_sha256: str) -> dict[str, Any]:
    """The bid file the vendor's CLI kept (0600) whose envelope is the logged one."""
    for path in bid_dir.iterdir():
        kept = json.loads(path.read_text())
        if kept["content_sha256"] == content_sha256:
            return kept  # type: ignore[no-any-return]
    raise AssertionError(f"no kept envelope with content hash {content_sha256}")


def test_full_procurement_scenario(live: Live, cli: Callable[..., Any], tmp_path: Path) -> None:
    h = live.h
    keys = tmp_path / "keys"
    keys.mkdir()

    # -- people: PPK, BPKAD (finance), the service's closer, a Pokja of three (k = 2) ------
    officer, finance, closer_key = (SigningKey.generate() for _ in range(3))
    register_key(live, officer, "PPK Dinas Kesehatan", ["procurement_officer"])
    register_key(live, finance, "BPKAD", ["finance"])
    register_key(live, closer_key, "terang closer", ["tender_closer"])
    members: list[tuple[str, Path, Path]] = []  # (key id, key file, box key file)
    for i in (1, 2, 3):
        key_file, box_file = keys / f"pokja{i}.key", keys / f"pokja{i}.box"
        member = generate_client_key(key_file)
        register_key(live, member, f"Pokja anggota {i}", ["committee_member"])
        out = cli(
            "committee", "register-box-key", "--key", str(key_file), "--box-key", str(box_file)
        )
        assert out["receipt"]["seq"] > 0
        members.append((client_key_id(member), key_file, box_file))

    # -- vendors register themselves; the PPK activates them ----------------------------
    vendors: dict[str, Path] = {}
    for i, name in enumerate(("a", "b", "c", "d")):
        key_file = keys / f"vendor-{name}.key"
        vendor_id = cli("keygen", "--out", str(key_file))["key_id"]
        registered = cli(
            "vendor",
            "register",
            "--key",
            str(key_file),
            "--name",
            f"CV Sehat Sentosa {name.upper()}",
            "--npwp",
            f"01.234.567.8-901.10{i}",
            "--address",
            "Jl. Diponegoro 12, Kabupaten Contoh",
        )
        assert registered["vendor_id"] == vendor_id
        live.post(officer, "procurement.vendor.activated", vendor_id, {})
        vendors[name] = key_file
    ids = {name: client_key_id(load_client_key(path)) for name, path in vendors.items()}

    # -- the budget: structure, appropriation, allotment ---------------------------------
    post_budget(live, finance)
    line = live.get(f"/api/v1/budget/lines/{LINE}")["line"]
    assert line["amounts"]["budget"] == "1000000000.00"
    assert line["amounts"]["allotted"] == "1000000000.00"
    assert line["amounts"]["committed"] == "0.00"

    # -- the plan (RUP item) and its package on the budget line ---------------------------
    live.post(
        officer,
        "procurement.package.created",
        OCID,
        {
            "title": "Pengadaan alat kesehatan puskesmas",
            "budget_line": LINE,
            "category": "goods",
            "hps": "500000000.00",
            "method": "tender",
            "rup_code": "RUP-2026-0001",
            "description": "Alat kesehatan untuk 12 puskesmas",
        },
    )
    assert live.tender()["state"] == "planned"
    listed = live.get(f"{API}/tenders", budget_line=LINE)["items"]
    assert [t["ocid"] for t in listed] == [OCID]

    # -- the announcement with the documents' hashes --------------------------------------
    documents = []
    files = []
    for name, content in (
        ("Dokumen pemilihan", b"%PDF-1.4 dokumen pemilihan tender alkes"),
        ("Spesifikasi teknis", b"%PDF-1.4 spesifikasi teknis alat kesehatan"),
    ):
        path = tmp_path / (name.lower().replace(" ", "-") + ".pdf")
        path.write_bytes(content)
        files.append(path)
        documents.append({"name": name, "sha256": hashlib.sha256(content).hexdigest()})
    announced_at = h.clock()
    deadline = announced_at + timedelta(days=10)
    live.post(
        officer,
        "procurement.tender.announced",
        OCID,
        {
            "documents": documents,
            "clarification_end": format_time(announced_at + timedelta(days=3)),
            "bid_deadline": format_time(deadline),
            "committee": {"members": [m[0] for m in members], "threshold": 2},
        },
    )
    # The PPK stores the bytes the announcement names; a vendor downloads them, each file
    # checked against the logged SHA-256 (and checks its own copies the same way).
    stored = cli("documents", "upload", *[str(f) for f in files])["stored"]
    assert [item["sha256"] for item in stored] == [d["sha256"] for d in documents]
    info = cli("vendor", "tender", "--ocid", OCID)
    assert info["state"] == "active" and info["documents"] == documents
    assert info["committee"]["threshold"] == 2 and info["hps_sen"] == HPS_SEN
    downloads = tmp_path / "downloads-a"
    fetched = cli("vendor", "download", "--ocid", OCID, "--out", str(downloads))["documents"]
    assert [d["status"] for d in fetched] == ["verified", "verified"]
    assert sorted(Path(d["file"]).read_bytes() for d in fetched) == sorted(
        f.read_bytes() for f in files
    )
    checked = cli("vendor", "documents", "--ocid", OCID, *[f"--check={f}" for f in files])
    assert [c["logged"] for c in checked["checked"]] == [True, True]

    # -- aanwijzing: a question and the Pokja's answer -----------------------------------
    cli(
        "vendor",
        "ask",
        "--ocid",
        OCID,
        "--key",
        str(vendors["a"]),
        "--question",
        "Apakah merek setara diperbolehkan?",
    )
    h.clock.advance(DAY)
    live.post(
        load_client_key(members[0][1]),
        "procurement.tender.question_answered",
        OCID,
        {"question": 1, "answer": "Boleh, sepanjang spesifikasi teknis terpenuhi."},
    )
    # Every vendor reads the questions and answers in the tender's public timeline.
    timeline = live.get(f"{API}/tenders/{OCID}")["timeline"]
    asked, answered = (e for e in timeline if e["type"].startswith("procurement.tender.question"))
    assert (asked["signer"], asked["body"]["question"]) == (
        ids["a"],
        "Apakah merek setara diperbolehkan?",
    )
    assert answered["body"] == {
        "question": 1,
        "answer": "Boleh, sepanjang spesifikasi teknis terpenuhi.",
    }

    # -- sealed bids: a bids; b bids then replaces; c bids then withdraws ------------------
    bid_dirs = {name: tmp_path / f"bids-{name}" for name in vendors}

    def bid(name: str, price: str, *extra: str) -> dict[str, Any]:
        key, bid_dir = str(vendors[name]), str(bid_dirs[name])
        return cli(  # type: ignore[no-any-return]
            "vendor",
            "bid",
            "--ocid",
            OCID,
            "--key",
            key,
            "--bid-dir",
            bid_dir,
            "--price",
            price,
            *extra,
        )

    bid("a", "460000000.00", "--document", f"Penawaran teknis a={'a1' * 32}")
    bid("b", "440000000.00")
    bid("c", "450000000.00")
    h.clock.advance(DAY)
    replaced = bid("b", "430000000.00", "--replace", "--document", f"Penawaran b={'b2' * 32}")
    cli("vendor", "withdraw", "--ocid", OCID, "--key", str(vendors["c"]))
    bids = live.bids()
    assert {ids[n]: bids[ids[n]]["status"] for n in "abc"} == {
        ids["a"]: "submitted",
        ids["b"]: "submitted",
        ids["c"]: "withdrawn",
    }
    assert bids[ids["b"]]["version"] == 2
    assert bids[ids["b"]]["content_sha256"] == replaced["content_sha256"]
    receipt = cli("vendor", "receipt", "--ocid", OCID, "--key", str(vendors["b"]))
    assert receipt["before_deadline"] is True
    assert receipt["tlog_proof"].startswith("c2sp.org/tlog-proof@v1")
    # Before the closing nobody can read a bid: nothing released, nothing opens.
    for doc in bids.values():
        assert doc["released"] == {} and doc["opening"] is None
        with pytest.raises(OpeningFailed):
            pc.open_bid(doc, 2)

    # -- the deadline passes: a late bid is refused and nothing is logged ----------------
    h.clock.now = deadline
    cli_refused(
        live,
        cli,
        "bid_deadline_passed",
        *("vendor", "bid", "--ocid", OCID, "--key", str(vendors["d"])),
        *("--bid-dir", str(bid_dirs["d"]), "--price", "400000000.00"),
    )
    assert ids["d"] not in live.bids()

    # -- closing: the service's closer logs it ------------------------------------------
    assert Closer(h.ledger, closer_key).close_due() == [OCID]
    assert live.tender()["state"] == "closed"

    # -- opening: k = 2 of the 3 Pokja members release their shares ----------------------
    def member_args(i: int) -> list[str]:
        return ["--ocid", OCID, "--key", str(members[i][1]), "--box-key", str(members[i][2])]

    out = cli("committee", "release", *member_args(0))
    assert out["released"] == 2 and out["unopenable_for_me"] == []
    assert all(doc["opening"] is None for doc in live.bids().values())  # k - 1: nothing
    cli_refused(
        live,
        cli,
        "not_enough_releases",
        "committee",
        "open",
        "--ocid",
        OCID,
        "--key",
        str(members[0][1]),
    )
    out = cli("committee", "release", *member_args(2))
    assert out["released"] == 2
    cli("committee", "open", "--ocid", OCID, "--key", str(members[2][1]))
    assert live.tender()["state"] == "opened"

    prices = {"a": 46_000_000_000, "b": 43_000_000_000}
    bids = live.bids()
    for name, price_sen in prices.items():
        doc = bids[ids[name]]
        assert doc["validity"] == "valid"
        assert doc["opening"]["price_sen"] == price_sen
        # Anyone re-opens it from the public shares; it decrypts to the envelope the
        # vendor kept, whose hash is the one in the logged bid entry.
        assert pc.open_bid(doc, 2).price_sen == price_sen
        kept = kept_envelope(bid_dirs[name], doc["content_sha256"])
        envelope = base64.b64decode(kept["envelope"])
        ciphertext = base64.b64decode(doc["ciphertext"])
        assert sealed.decrypt(base64.b64decode(doc["opening"]["key"]), ciphertext) == envelope
        assert hashlib.sha256(envelope).hexdigest() == doc["content_sha256"]
        logged = live.get(f"/api/v1/entries/{doc['seq']}")["entry"]["statement"]
        assert logged["signer"] == ids[name]
        assert logged["body"]["content_sha256"] == doc["content_sha256"]
        assert logged["body"]["ciphertext_sha256"] == hashlib.sha256(ciphertext).hexdigest()
    assert bids[ids["b"]]["opening"]["documents"] == [{"name": "Penawaran b", "sha256": "b2" * 32}]
    assert bids[ids["c"]]["opening"] is None  # withdrawn: never opened
    mine = cli(
        "vendor",
        "opening",
        "--ocid",
        OCID,
        "--key",
        str(vendors["b"]),
        "--bid-dir",
        str(bid_dirs["b"]),
    )
    b_public = next(item for item in mine["bids"] if item["bidder"] == ids["b"])
    assert b_public["reopened_price_sen"] == 43_000_000_000
    assert b_public["matches_kept_envelope"] is True

    # -- evaluation with scores and reasons; the winner ----------------------------------
    evaluator = load_client_key(members[1][1])
    live.post(
        evaluator,
        "procurement.tender.evaluated",
        OCID,
        {
            "results": [
                {
                    "bidder": ids["a"],
                    "passed": True,
                    "score": "78.50",
                    "reasons": "Memenuhi syarat administrasi dan teknis; harga tertinggi.",
                },
                {
                    "bidder": ids["b"],
                    "passed": True,
                    "score": "86",
                    "reasons": "Memenuhi syarat; harga terendah, wajar terhadap HPS.",
                },
            ]
        },
    )
    live.post(evaluator, "procurement.tender.winner_announced", OCID, {"winner": ids["b"]})
    tender = live.tender()
    assert tender["state"] == "winner_announced"
    assert tender["winner"]["bidder"] == ids["b"]
    scores = {b["bidder"]: b["evaluation"] for b in live.bids().values() if b["evaluation"]}
    assert scores[ids["a"]]["reasons"].startswith("Memenuhi syarat administrasi")

    # -- sanggah: filed by a, answered by the Pokja; no award during the masa sanggah -----
    live.post(
        load_client_key(vendors["a"]),
        "procurement.tender.objection_filed",
        OCID,
        {"objection": "Harga penawaran b tidak wajar (di bawah 90% HPS)."},
    )
    h.clock.advance(DAY)
    live.post(
        load_client_key(members[0][1]),
        "procurement.tender.objection_answered",
        OCID,
        {"objection": 1, "outcome": "rejected", "answer": "Harga wajar; sudah diklarifikasi."},
    )
    objections = live.tender()["objections"]
    assert (objections["filed"], objections["answered"], objections["upheld"]) == (1, 1, 0)
    live.refused(
        lambda: live.api.submit_batch(
            pc.award_batch(
                officer, finance, live.tender(), "KONTRAK-0", at=h.clock(), origin=h.origin
            )
        ),
        "objection_period_open",
    )

    # -- award: the budget commitment is visible on the line -----------------------------
    h.clock.advance(5 * DAY)
    live.api.submit_batch(
        pc.award_batch(
            officer, finance, live.tender(), "KONTRAK-2026-0001", at=h.clock(), origin=h.origin
        )
    )
    assert live.tender()["state"] == "awarded"
    line = live.get(f"/api/v1/budget/lines/{LINE}")["line"]
    assert line["amounts"]["committed"] == "430000000.00"
    assert line["amounts"]["available"] == "570000000.00"
    commitment = live.get("/api/v1/budget/commitments/KONTRAK-2026-0001")
    assert (commitment["ocid"], commitment["vendor"]) == (OCID, ids["b"])
    assert commitment["amount"] == "430000000.00" and commitment["paid"] == "0.00"

    # -- contract: terms countersigned by the vendor (offline), signed by the PPK ---------
    start = h.clock().date()
    terms = pc.contract_body(
        "SPK-001/DINKES/2026",
        43_000_000_000,
        start.isoformat(),
        (start + timedelta(days=90)).isoformat(),
        [
            pc.milestone("Uang muka 30%", 12_900_000_000, (start + timedelta(days=7)).isoformat()),
            pc.milestone("Serah terima", 30_100_000_000, (start + timedelta(days=90)).isoformat()),
        ],
    )
    terms_file = tmp_path / "spk.json"
    terms_file.write_text(json.dumps(terms))
    signature = cli(
        "vendor",
        "countersign",
        "--ocid",
        OCID,
        "--terms",
        str(terms_file),
        "--key",
        str(vendors["b"]),
    )["vendor_signature"]
    live.api.submit(
        pc.contract_statement(officer, OCID, terms, signature, at=h.clock(), origin=h.origin)
    )
    contract = live.get(f"{API}/tenders/{OCID}/contract")["contract"]
    assert (contract["status"], contract["vendor"]) == ("active", ids["b"])

    # -- two payments: the vendor requests, the PPK and BPKAD pay (SP2D) -----------------
    for request, (milestone, amount, days) in enumerate(
        ((1, "129000000.00", 3), (2, "301000000.00", 40)), start=1
    ):
        h.clock.advance(days * DAY)
        cli(
            "vendor",
            "request-payment",
            *("--ocid", OCID, "--key", str(vendors["b"]), "--request", str(request)),
            *("--milestone", str(milestone), "--amount", amount),
        )
        contract = live.get(f"{API}/tenders/{OCID}/contract")["contract"]
        # What the public API returns goes to the client as it is (issue 12 found
        # payment_batch crashing on it with KeyError: 'amount_sen').
        room = {
            posting: live.get(f"/api/v1/budget/commitments/{posting}")
            for posting in contract["commitments"]
        }
        live.api.submit_batch(
            pc.payment_batch(
                officer,
                finance,
                contract,
                request,
                f"SP2D-2026-{request:04d}",
                room,
                at=h.clock(),
                origin=h.origin,
            )
        )
    contract = live.get(f"{API}/tenders/{OCID}/contract")["contract"]
    assert contract["status"] == "paid" and contract["paid_sen"] == 43_000_000_000
    assert [r["status"] for r in contract["requests"]] == ["paid", "paid"]

    # -- realisation in the LRA ---------------------------------------------------------
    lra = live.get("/api/v1/budget/reports/lra", year=2026, by="account")
    row = next(r for r in lra["rows"] if r["code"] == ACCOUNT)
    assert (row["budget"], row["committed"], row["realised"]) == (
        "1000000000.00",
        "430000000.00",
        "430000000.00",
    )
    assert row["remaining"] == "570000000.00" and row["absorption_pct"] == "43.00"
    line = live.get(f"/api/v1/budget/lines/{LINE}")["line"]
    assert line["amounts"]["realised"] == "430000000.00"
    assert line["realised_by_month"][2] == "129000000.00"  # March: the advance

    # -- OCDS: one release per event, the right tags, valid against the copied schema ----
    releases = live.get(f"{API}/ocds/releases/{OCID}")
    records = live.get(f"{API}/ocds/records/{OCID}")
    validator("release-package-schema.json").validate(releases)
    validator("record-package-schema.json").validate(records)
    for release in [*releases["releases"], records["records"][0]["compiledRelease"]]:
        validator("release-schema.json").validate(release)
        check_codelists(release)
    assert [r["tag"] for r in releases["releases"]] == [
        ["planning"],  # package (RUP item)
        ["tender"],  # announcement
        *[["tenderUpdate"]] * 2,  # question, answer
        *[["tenderUpdate"]] * 5,  # a, b, c submitted; b replaced; c withdrawn
        *[["tenderUpdate"]] * 5,  # closed, two releases, opened, evaluated
        ["award"],  # winner announced
        *[["awardUpdate"]] * 3,  # objection filed, answered, award
        ["contract"],
        *[["implementation"]] * 4,  # two requests, two payments
    ]
    compiled = records["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["planning"]["budget"]["id"] == LINE
    assert [d["id"] for d in compiled["tender"]["documents"]] == [d["sha256"] for d in documents]
    assert compiled["awards"][0]["suppliers"][0]["id"] == ids["b"]
    assert compiled["awards"][0]["value"] == {"amount": 430000000, "currency": "IDR"}
    (contract_release,) = compiled["contracts"]
    assert len(contract_release["implementation"]["transactions"]) == 2
    assert all(m["status"] == "met" for m in contract_release["milestones"])

    # -- an outsider verifies the whole log against the service ---------------------------
    h.ledger.publisher.publish(force=True)
    verifier_key = h.ledger.verifier_key()  # given out of band, not read from the service
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    state = str(tmp_path / "verify-state.json")
    verify = subprocess.run(
        [*TERANG, "verify", live.url, "--key", verifier_key, "--no-progress", "--state", state],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    report = json.loads(verify.stdout)
    assert report["ok"] is True and report["tree_size"] == h.ledger.size()
    assert report["projections_compared"] > 0
