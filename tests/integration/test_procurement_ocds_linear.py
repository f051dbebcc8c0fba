"""OCDS event releases detail only the bids their event touched, so a record is linear in bids.

With every bid in every event release, a tender with 1,000 sealed bids had a 383 MB
record that took the service 2 GB to build (bench/procurement_bench.py). These tests
build records with ``procurement.ocds.record`` from an in-memory log (the entries
shaped as the router passes them) and check: what each release details, that
merging the releases by ``id`` (OCDS identifier merge) gives back every bid and
party of the compiled release, that everything still validates against the OCDS 1.1
schema, and that the record's size grows linearly with the number of bids.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from test_procurement_api import check_codelists, validator

from ledger.keys import client_key_id
from procurement import lifecycle as lc
from procurement import ocds
from procurement.vendors import VENDOR_NAMESPACE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "procurement"))
from procurement_support import HPS_SEN, MemoryLog, Scenario


def tender_record(bids: int) -> tuple[dict[str, Any], list[dict[str, Any]], Scenario]:
    """A tender with ``bids`` bids (the first withdrawn), opened, evaluated, winner
    announced: its OCDS record and its entries (as the router reads them)."""
    log = MemoryLog()
    s = Scenario.build(log, vendors=bids)
    s.package()
    s.announce()
    for index, vendor in enumerate(s.vendors):
        s.bid(vendor, HPS_SEN - 1_000_000 * (index + 1))
    s.append(s.vendors[0], lc.BID_WITHDRAWN, {})
    s.close()
    s.open()
    s.evaluate([(v, True, "80") for v in s.vendors[1:]])
    s.announce_winner(s.vendors[-1])  # the lowest price
    entries = [
        {
            "seq": e.seq,
            "type": e.signed.statement.type,
            "subject": e.signed.statement.subject,
            "signer": e.signed.statement.signer,
            "logged_at": e.logged_at,
            "body": e.signed.statement.body,
        }
        for e in log.entries
        if e.signed.statement.subject == s.ocid
    ]
    state = dict(log.state.items())
    bid_docs = [v for (ns, k), v in sorted(state.items()) if ns == lc.BID_NAMESPACE]
    vendors = {k: v for (ns, k), v in state.items() if ns == VENDOR_NAMESPACE}
    tender = state[(lc.TENDER_NAMESPACE, s.ocid)]
    return ocds.record(tender, entries, bid_docs, vendors), entries, s


def detailed(release: dict[str, Any]) -> set[str]:
    return {d["tenderers"][0]["id"] for d in release.get("bids", {}).get("details", [])}


def test_each_release_details_only_the_bids_its_event_touched() -> None:
    record, entries, s = tender_record(6)
    buyer = record["compiledRelease"]["buyer"]["id"]
    winner = client_key_id(s.vendors[-1])
    seen_types = set()
    for release, entry in zip(record["releases"], entries, strict=True):
        kind = entry["type"]
        seen_types.add(kind)
        if kind in (lc.BID_SUBMITTED, lc.BID_WITHDRAWN):
            expected = {entry["signer"]}
        elif kind == lc.SHARES_RELEASED:
            expected = {share["bidder"] for share in entry["body"]["shares"]}
        elif kind == lc.OPENED_TYPE:  # the opening decides every active bid at once
            expected = {client_key_id(v) for v in s.vendors[1:]}
        elif kind == lc.EVALUATED:
            expected = {result["bidder"] for result in entry["body"]["results"]}
        elif kind == lc.WINNER_ANNOUNCED_TYPE:
            expected = {winner}
        else:
            expected = set()
        assert detailed(release) == expected, kind
        assert {p["id"] for p in release["parties"]} == {buyer} | expected, kind
        tenderers = {t["id"] for t in release.get("tender", {}).get("tenderers", [])}
        assert tenderers <= expected, kind
        if "bids" in release:
            # The statistics still count every bid logged by then.
            assert release["bids"]["statistics"][0]["measure"] == "bids"
            assert "details" not in release["bids"] or release["bids"]["details"]
        validator("release-schema.json").validate(release)
        check_codelists(release)
    assert {lc.BID_SUBMITTED, lc.SHARES_RELEASED, lc.CLOSED_TYPE, lc.OPENED_TYPE} <= seen_types
    assert lc.EVALUATED in seen_types
    closed = record["releases"][[e["type"] for e in entries].index(lc.CLOSED_TYPE)]
    assert closed["tender"]["numberOfTenderers"] == 5  # six bids, one withdrawn
    assert closed["bids"]["statistics"][0]["value"] == 5
    validator("record-package-schema.json").validate(
        ocds.record_package([record], uri="/x", published=record["compiledRelease"]["date"])
    )


def test_merged_releases_add_up_to_the_compiled_release() -> None:
    record, _, _ = tender_record(5)
    compiled = record["compiledRelease"]
    details: dict[str, Any] = {}
    parties: dict[str, Any] = {}
    tenderers: dict[str, Any] = {}
    for release in record["releases"]:  # OCDS identifier merge: later releases win
        details.update({d["id"]: d for d in release.get("bids", {}).get("details", [])})
        parties.update({p["id"]: p for p in release["parties"]})
        tenderers.update({t["id"]: t for t in release.get("tender", {}).get("tenderers", [])})
    assert details == {d["id"]: d for d in compiled["bids"]["details"]}
    assert parties == {p["id"]: p for p in compiled["parties"]}
    assert tenderers == {t["id"]: t for t in compiled["tender"]["tenderers"]}
    assert {d["status"] for d in details.values()} == {"withdrawn", "valid"}


def test_record_size_grows_linearly_with_bids() -> None:
    small, _, _ = tender_record(10)
    large, _, _ = tender_record(40)
    ratio = len(json.dumps(large)) / len(json.dumps(small))
    # Four times the bids: linear growth gives at most 4x; one bid per release each
    # carrying every earlier bid gave about 4^2 = 16x.
    assert ratio < 4.5, ratio
