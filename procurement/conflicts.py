"""Conflicts of interest (pertentangan kepentingan), refused where the rule set says so.

Perpres 16/2018 art. 7 bars the people who run a procurement from taking part in it
on the other side. Terang refuses, with ``conflict_of_interest`` (409) naming who and
why, from the rule set that turns the check on (``RuleSet.conflict_of_interest_check``:
Perpres 46/2025 on; an earlier set's tenders replay as they were accepted):

* a bid (``procurement.bid.submitted`` / ``replaced``) signed by a member of the
  tender's committee (Pokja Pemilihan), or by the package's PPK (the officer who planned
  it, ``planned_by``): ``check_bidder``;
* an announcement whose committee names the package's PPK, or a vendor that already
  bid on the tender (a bid cannot precede the announcement today, but the check holds
  if a later statement ever changes a committee): ``check_committee``;
* a contract signed by a PPK who sat on the tender's committee, or by the winner
  itself: ``check_contract_signer``.

What it matches on: **key ids**. A vendor is its key (``procurement.vendors``); a
committee member and a PPK are their keys (``registry.key``). One key used on both
sides is caught whatever roles it holds. What it cannot catch: the same person behind
two keys (a member who also registers a company under its own NPWP with another key,
a director or beneficial owner of a bidder on the committee). The key registry holds
no NPWP or NIK of officials, and a vendor's registration holds only the company's
NPWP, so no field links the two; that needs identity data the log does not have
(issue 16 item 8, beneficial owners), and until then it rests on the declarations
(pakta integritas) and the auditors. docs/procurement.md says so to its readers.

Pure functions over the tender document and the state; no clock.
"""

from __future__ import annotations

from ledger.state import Document, State
from procurement import lifecycle as lc
from procurement.errors import rejected
from procurement.rules import RuleSet


def _members(doc: Document) -> list[str]:
    return [m["key_id"] for m in doc["committee"]["members"]]


def check_bidder(rule_set: RuleSet, doc: Document, bidder: str) -> None:
    """A bidder must not sit on the tender's committee nor be the package's PPK."""
    if not rule_set.conflict_of_interest_check:
        return
    if bidder in _members(doc):
        raise rejected(
            "conflict_of_interest",
            f"{bidder} sits on the committee (Pokja) of {doc['ocid']}: it cannot bid on it",
            party=bidder,
            conflict="committee_member_bids",
            rule_set=rule_set.id,
        )
    if bidder == doc["planned_by"]:
        raise rejected(
            "conflict_of_interest",
            f"{bidder} is the PPK of {doc['ocid']}: it cannot bid on its own package",
            party=bidder,
            conflict="ppk_bids",
            rule_set=rule_set.id,
        )


def check_committee(rule_set: RuleSet, state: State, doc: Document, members: list[str]) -> None:
    """A committee must not hold the package's PPK nor any vendor bidding on it."""
    if not rule_set.conflict_of_interest_check:
        return
    for member in members:
        if member == doc["planned_by"]:
            raise rejected(
                "conflict_of_interest",
                f"{member} is the PPK of {doc['ocid']}: it cannot sit on its committee",
                party=member,
                conflict="ppk_on_committee",
                rule_set=rule_set.id,
            )
        if state.get(lc.BID_NAMESPACE, lc.bid_key(doc["ocid"], member)) is not None:
            raise rejected(
                "conflict_of_interest",
                f"{member} bid on {doc['ocid']}: a bidder cannot sit on its committee",
                party=member,
                conflict="bidder_on_committee",
                rule_set=rule_set.id,
            )


def check_contract_signer(rule_set: RuleSet, doc: Document, signer: str, winner: str) -> None:
    """The PPK signing the contract must not have sat on the committee, nor be the winner."""
    if not rule_set.conflict_of_interest_check:
        return
    if signer in _members(doc):
        raise rejected(
            "conflict_of_interest",
            f"{signer} sat on the committee of {doc['ocid']}: as PPK it cannot sign its contract",
            party=signer,
            conflict="ppk_on_committee",
            rule_set=rule_set.id,
        )
    if signer == winner:
        raise rejected(
            "conflict_of_interest",
            f"{signer} won {doc['ocid']}: it cannot sign the contract as PPK too",
            party=signer,
            conflict="ppk_is_winner",
            rule_set=rule_set.id,
        )
