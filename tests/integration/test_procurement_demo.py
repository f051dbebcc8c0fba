"""The procurement part of `terang demo` on both engines: a year of tenders in every state
of the tender and contract state machines, within budget control, every announced
document's bytes stored, idempotent, and the log replays."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from conftest import Harness
from log_checks import replay_matches
from sqlalchemy import select

from budgeting import reducers as budget
from budgeting.reducers import check_line_invariants
from procurement import contracts as ct
from procurement import lifecycle as lc
from procurement.documents import document_blobs
from procurement.reads import document, prefixed, scan
from terang.demo import load_demo


def test_demo_year_of_tenders_in_every_state(harness: Harness, tmp_path: Path) -> None:
    h = harness
    summary = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    year = summary["budget_year"]
    ocids = summary["procurement_tenders"]
    assert 30 <= len(ocids) <= 60 and len(set(ocids)) == len(ocids)
    with h.ledger.engine.connect() as conn:
        tenders = prefixed(conn, lc.TENDER_NAMESPACE, "ocds-t3r4ng-")
        contracts = {c["ocid"]: c for c in prefixed(conn, ct.CONTRACT_NAMESPACE, "ocds-t3r4ng-")}
        references = [doc for _, doc in scan(conn, lc.DOCUMENT_NAMESPACE, "")]
        stored = {
            sha: bytes(content)
            for sha, content in conn.execute(
                select(document_blobs.c.sha256, document_blobs.c.content)
            )
        }
        lines = prefixed(conn, budget.NS_LINE, f"{year}:", limit=5000)
        objections = prefixed(conn, lc.OBJECTION_NAMESPACE, "ocds-t3r4ng-")
        first = document(conn, ct.CONTRACT_NAMESPACE, f"ocds-t3r4ng-{year}-DEMO-001")
        commitment = document(conn, budget.NS_COMMITMENT, f"KONTRAK-ocds-t3r4ng-{year}-DEMO-001")
    assert sorted(t["ocid"] for t in tenders) == sorted(ocids)

    # Every state of the tender state machine, and of the contract's.
    states = Counter(t["state"] for t in tenders)
    assert set(states) == set(lc.STATES), states
    statuses = Counter(c["status"] for c in contracts.values())
    assert set(statuses) == set(ct.STATUSES), statuses
    # The steps in between: an evaluated tender awaiting its winner, an objection
    # rejected and one upheld (evaluation reopened), questions, an addendum, tender gagal
    # both ways, open for bids both before and after the questions closed.
    assert any(t["state"] == lc.OPENED and t["evaluation"]["evaluated"] for t in tenders)
    assert {o["outcome"] for o in objections} == {"rejected", "upheld", None}
    assert any(t["seqs"].get("tender.evaluation_reopened") for t in tenders)
    assert any(t["questions"] for t in tenders) and any(t["addenda"] for t in tenders)
    failed = [t["ended"]["from"] for t in tenders if t["state"] == lc.FAILED]
    assert sorted(failed) == [lc.CLOSED, lc.OPENED]
    now = h.clock()
    open_for_bids = [t for t in tenders if t["state"] == lc.ACTIVE]
    assert all(t["schedule"]["bid_deadline"] > f"{now:%Y-%m-%dT%H:%M:%S}" for t in open_for_bids)
    assert {
        t["schedule"]["clarification_end"] > f"{now:%Y-%m-%dT%H:%M:%S}" for t in open_for_bids
    } == {
        True,
        False,
    }
    sanggah = [t for t in tenders if t["state"] == lc.WINNER_ANNOUNCED]
    assert any(t["objections"]["end"] > f"{now:%Y-%m-%dT%H:%M:%S}" for t in sanggah)

    # A year: every month of the demo year, many OPDs, several methods.
    months = {t["created_at"][:7] for t in tenders if t["created_at"].startswith(str(year))}
    assert months == {f"{year}-{m:02d}" for m in range(1, 13)}
    assert len({t["budget_line"].split(":")[1] for t in tenders}) >= 6
    assert {"tender", "pengadaan_langsung"} <= {t["method"] for t in tenders}

    # Contracts that ended gave back what they left unpaid; the budget still holds.
    for contract in contracts.values():
        if contract["status"] in (ct.COMPLETED, ct.TERMINATED):
            assert contract["ended"]["status"] == contract["status"]
            if contract["status"] == ct.TERMINATED:
                assert contract["released_sen"] == contract["value_sen"] - contract["paid_sen"] > 0
    assert any(c["status"] == ct.COMPLETED and c["released_sen"] for c in contracts.values())
    for line in lines:
        check_line_invariants(line)
    assert first is not None and first["paid_sen"] == first["value_sen"] * 30 // 100
    assert commitment is not None and commitment["paid_sen"] == first["paid_sen"]

    # Every document a tender or a handover names is stored, and is what it names.
    assert len(references) >= len(ocids) - states[lc.PLANNED]
    for reference in references:
        content = stored[reference["sha256"]]
        assert hashlib.sha256(content).hexdigest() == reference["sha256"]
    assert (tmp_path / "demo-keys" / "DEMO-pokja1.box").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "demo-keys" / "DEMO-vendor8.key").exists()
    # The directory says what it is: demo keys, the Pokja's box keys among them, on this host.
    readme = (tmp_path / "demo-keys" / "README.txt").read_text(encoding="utf-8")
    assert "DEMO KEYS ONLY" in readme and "NOT sealed against the operator" in readme
    assert summary["demo_keys_dir"] == str(tmp_path / "demo-keys")

    size = h.ledger.size()
    again = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    assert again["procurement_tenders"] == [] and again["procurement_statements"] == 0
    assert h.ledger.size() == size
    replay_matches(h)
