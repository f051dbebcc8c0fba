"""OCDS event releases carry only what their entry changed, so a record is linear in bids.

With every bid in every event release, a tender with 1,000 sealed bids had a 383 MB
record that took the service 2 GB to build (bench/procurement_bench.py). These tests
build records from an in-memory log the way the router does (``history.replay`` of the
tender's entries through the log's reducers, then ``ocds.record``) and check: that a
release details only bids its entry wrote, that merging the releases with ocdsmerge
(the OCDS reference merge) gives the compiled release, that everything validates
against the OCDS 1.1 schema, and that the record's size grows linearly with the bids.
"""

from __future__ import annotations

import json
from typing import Any

from ocds_checks import check_codelists, validator
from ocds_support import merger
from procurement_support import HPS_SEN, MemoryLog, Scenario

from ledger.keys import client_key_id
from ledger.statement import LoggedEntry
from procurement import history, ocds
from procurement import lifecycle as lc
from procurement.vendors import VENDOR_NAMESPACE


def tender_record(bids: int) -> tuple[dict[str, Any], list[LoggedEntry], Scenario]:
    """A tender with ``bids`` bids (the first withdrawn), opened, evaluated, winner
    announced: its OCDS record and its entries."""
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
    entries = [e for e in log.entries if e.signed.statement.subject == s.ocid]
    docs = dict(log.state.items())
    moments = history.replay(
        s.ocid, entries, lambda kind: log.kinds.get(kind).reduce, lambda ns, k: docs.get((ns, k))
    )
    vendors = {k: v for (ns, k), v in docs.items() if ns == VENDOR_NAMESPACE}
    return ocds.record(s.ocid, moments, vendors), entries, s


def detailed(release: dict[str, Any]) -> set[str]:
    """The bidders (first 16 hex of the vendor id: a bid's id ends with them) detailed."""
    return {d["id"].rsplit("-", 1)[1] for d in release.get("bids", {}).get("details", [])}


def test_each_release_details_only_the_bids_its_entry_changed() -> None:
    record, entries, s = tender_record(6)
    buyer = record["compiledRelease"]["buyer"]["id"]
    for release, entry in zip(record["releases"], entries, strict=True):
        kind = entry.signed.statement.type
        body = entry.signed.statement.body
        if kind in (lc.BID_SUBMITTED, lc.BID_WITHDRAWN):
            touched = {entry.signed.statement.signer}
        elif kind == lc.OPENED_TYPE:  # the opening decides every active bid at once
            touched = {client_key_id(v) for v in s.vendors[1:]}
        elif kind == lc.EVALUATED:
            touched = {result["bidder"] for result in body["results"]}
        else:
            touched = set()
        touched_ids = {bidder[:16] for bidder in touched}
        assert detailed(release) <= touched_ids, kind
        if kind in (lc.BID_SUBMITTED, lc.BID_WITHDRAWN, lc.OPENED_TYPE):
            assert detailed(release) == touched_ids, kind
        parties = {p["id"] for p in release.get("parties", [])}
        assert parties <= {buyer} | touched, kind
        validator("release-schema.json").validate(release)
        check_codelists(release)
    types = [e.signed.statement.type for e in entries]
    at_closing = record["releases"][: types.index(lc.CLOSED_TYPE) + 1]
    closed = merger().create_compiled_release(at_closing)  # the tender as the closing left it
    assert record["releases"][len(at_closing) - 1]["tender"]["numberOfTenderers"] == 5
    assert closed["tender"]["numberOfTenderers"] == 5  # six bids, one withdrawn
    assert closed["bids"]["statistics"][0] == {"id": "1", "measure": "bids", "value": 5}
    assert {d["status"] for d in closed["bids"]["details"]} == {"withdrawn", "pending"}
    assert "awards" not in closed
    policy = {"license": ocds.LICENSE, "publicationPolicy": "https://example.org/policy"}
    validator("record-package-schema.json").validate(
        ocds.record_package(
            [record], uri="https://example.org/x", published="2026-01-01T00:00:00Z", policy=policy
        )
    )


def test_merged_releases_are_the_compiled_release() -> None:
    record, _, _ = tender_record(5)
    compiled = merger().create_compiled_release(record["releases"])
    mine = dict(record["compiledRelease"])
    del compiled["id"], mine["id"]
    assert compiled == mine
    assert {d["status"] for d in mine["bids"]["details"]} == {"withdrawn", "valid"}


def test_record_size_grows_linearly_with_bids() -> None:
    small, _, _ = tender_record(10)
    large, _, _ = tender_record(40)
    ratio = len(json.dumps(large)) / len(json.dumps(small))
    # Four times the bids: linear growth gives at most 4x; one bid per release each
    # carrying every earlier bid gave about 4^2 = 16x.
    assert ratio < 4.5, ratio


def test_the_record_cache_holds_whole_records_within_its_bound() -> None:
    from procurement.router import RecordCache

    cache = RecordCache(releases_max=5)
    three = {"releases": [1, 2, 3]}
    cache.put(("a", 3, b"x"), three)
    cache.put(("b", 2, b"y"), {"releases": [1, 2]})
    assert cache.get(("a", 3, b"x")) is three and cache.releases == 5
    cache.put(("c", 1, b"z"), {"releases": [1]})  # over the bound: the least recent goes
    assert cache.get(("b", 2, b"y")) is None and cache.get(("a", 3, b"x")) is three
    cache.put(("d", 6, b"w"), {"releases": list(range(6))})  # larger than the bound: kept out
    assert cache.get(("d", 6, b"w")) is None and cache.releases == 4


def test_an_entry_the_replay_refuses_is_an_invariant_broken_never_another_release() -> None:
    import pytest

    from ledger.errors import InvariantBroken

    log = MemoryLog()
    s = Scenario.build(log, vendors=2)
    s.package()
    s.announce()
    entries = [e for e in log.entries if e.signed.statement.subject == s.ocid]
    docs = dict(log.state.items())
    moments = history.replay(
        s.ocid,
        entries[1:],  # the announcement without its package
        lambda kind: log.kinds.get(kind).reduce,
        lambda ns, k: docs.get((ns, k)),
    )
    with pytest.raises(InvariantBroken, match="refused"):
        list(moments)
