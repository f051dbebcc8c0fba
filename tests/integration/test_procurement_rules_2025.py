"""The 2025 rules on both engines (issue 16 items 9 and 2): a conflicting bid and a
contract outside its fiscal year are refused and change nothing; a multi-year contract
with its approval is logged and replays; and a rogue operator who writes the refused
entries into the database behind the service's back is caught by ``terang verify``."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches
from log_surgery import append_behind_the_back, stored_entries
from nacl.signing import SigningKey
from procurement_support import LINE, Scenario, register_key, vendor_body

from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.keys import client_key_id
from ledger.statement import LoggedEntry, SignedStatement, format_time
from procurement import client
from procurement import contracts as ct
from terang.app import all_kinds, create_app


def verify(h: Harness) -> VerifyReport:
    """What ``terang verify`` checks, against this harness's read API in-process."""
    with TestClient(create_app(h.ledger)) as http:
        return verify_log(http, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def append(h: Harness, statements: list[SignedStatement]) -> Any:
    return h.ledger.append_direct(statements)


def next_entry(h: Harness, signed: SignedStatement) -> LoggedEntry:
    last = stored_entries(h)[-1]
    return LoggedEntry(last.seq + 1, format_time(h.clock()), last.leaf_hash(), signed, last.version)


def member_as_vendor(h: Harness, s: Scenario) -> SigningKey:
    """Committee member 0's own key, also registered as an (active) vendor."""
    key = s.members[0].key
    vendor_id = client_key_id(key)
    append(h, [h.sign(h.authority, "registry.role.granted", vendor_id, {"role": "vendor"})])
    body = vendor_body(key, "CV Milik Anggota Pokja", "019876543219990")
    append(h, [h.sign(key, "procurement.vendor.registered", vendor_id, body)])
    append(h, [h.sign(s.officer, "procurement.vendor.activated", vendor_id, {})])
    return key


def awarded(h: Harness) -> Scenario:
    s = Scenario.build(h, vendors=2)
    a, b = s.vendors
    s.package()
    s.announce(days=10)
    s.bid(a, 46_000_000_000)
    s.bid(b, 43_000_000_000)
    h.clock.advance(10 * 86400)
    s.close()
    s.open()
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(b)
    h.clock.advance(5 * 86400)
    append(h, s.award_statements("KONTRAK-1"))
    return s


def contract(s: Scenario, end: str, extra: dict[str, Any] | None = None) -> SignedStatement:
    terms = client.contract_body(
        "SPK-001/2026",
        43_000_000_000,
        "2026-03-25",
        end,
        [client.milestone("Serah terima", 43_000_000_000, end)],
    )
    terms.update(extra or {})
    signature = client.countersign(s.vendors[1], ct.SIGNED, s.ocid, terms)
    return client.contract_statement(
        s.officer, s.ocid, terms, signature, at=s.log.clock(), origin=s.log.origin
    )


def test_a_committee_members_bid_is_refused_and_caught_if_written_behind_the_back(
    harness: Harness,
) -> None:
    h = harness
    s = Scenario.build(h)
    member = member_as_vendor(h, s)
    s.package()
    s.announce()
    s.bid(s.vendors[0], 40_000_000_000)
    bid = s.bid_statement(member, 39_000_000_000)
    refused(h, lambda: append(h, [bid]), "conflict_of_interest")
    replay_matches(h)
    verify(h)  # honest so far
    # The operator, colluding with the member, writes the bid in anyway and signs a
    # checkpoint over it with the log key: the auditor's replay refuses it.
    entry = next_entry(h, bid)
    append_behind_the_back(h, entry)
    with pytest.raises(LogFault) as caught:
        verify(h)
    assert caught.value.details["fault"] == "conflict_of_interest"
    assert caught.value.details["seq"] == entry.seq


def test_a_contract_past_the_fiscal_year_is_refused_and_caught_if_written_behind_the_back(
    harness: Harness,
) -> None:
    h = harness
    s = awarded(h)
    late = contract(s, "2027-02-28")
    refused(h, lambda: append(h, [late]), "contract_period_outside_fiscal_year")
    verify(h)
    entry = next_entry(h, late)
    append_behind_the_back(h, entry)
    with pytest.raises(LogFault) as caught:
        verify(h)
    assert caught.value.details["fault"] == "contract_period_outside_fiscal_year"
    assert caught.value.details["seq"] == entry.seq


def test_a_multi_year_contract_with_its_approval_is_logged_and_replays(harness: Harness) -> None:
    h = harness
    s = awarded(h)
    bupati = register_key(h, h.authority, "Bupati Contoh", ["head_of_region"])
    terms = client.contract_body(
        "SPK-001/2026",
        43_000_000_000,
        "2026-03-25",
        "2027-06-30",
        [client.milestone("Serah terima", 43_000_000_000, "2027-06-30")],
    )
    finance_approval = client.multi_year_approval(
        s.finance, s.ocid, LINE, terms, "Keputusan 1/2026", "Nota Kesepakatan DPRD 3/2026"
    )
    refused(
        h,
        lambda: append(h, [contract(s, "2027-06-30", {"multi_year": finance_approval})]),
        "multi_year_approver_not_allowed",
    )
    approval = client.multi_year_approval(
        bupati, s.ocid, LINE, terms, "Keputusan Bupati 900/7/2026", "Nota Kesepakatan DPRD 3/2026"
    )
    append(h, [contract(s, "2027-06-30", {"multi_year": approval})])
    doc = s.read(ct.CONTRACT_NAMESPACE, s.ocid)
    assert doc["multi_year"]["years"] == [2026, 2027]
    assert doc["multi_year"]["approver"] == client_key_id(bupati)
    assert s.tender()["rule_set"] == "perpres-46-2025"
    replay_matches(h)
    verify(h)
