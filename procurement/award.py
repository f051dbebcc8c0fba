"""Award: the winner gets the contract, and the budget line is committed atomically.

``procurement.tender.awarded`` (procurement officer), subject the ocid, body
``winner`` (vendor id), ``value`` (rupiah decimal string), ``commitment`` (the
budgeting posting id). It must be logged in ONE batch right after the
``budgeting.commitment.posted`` it names (``client.award_batch`` builds the pair):
the commitment's reducer (budgeting) refuses it if the line lacks room, which
refuses the whole batch, so an award without its commitment can never be logged.

Checks, in order: body; tender exists; state ``winner_announced``; masa sanggah over
(``objection_period_open``); every objection answered (``objection_unanswered``) and
none upheld (``objection_upheld``); winner and value are the announced winner's
(``not_winner``, ``award_value_mismatch``); the commitment exists, is the entry just
before this one, is on the package's budget line, for this ocid, and of the award's
value (``award_without_commitment``, ``commitment_mismatch``).
"""

from __future__ import annotations

from typing import Any

from budgeting import reducers as budget
from budgeting.statements import parse_posting_id
from ledger.state import State
from ledger.statement import LoggedEntry, Statement, parse_time
from procurement import fields
from procurement import lifecycle as lc
from procurement.errors import rejected
from procurement.evaluation import _check_objections_answered
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook
from procurement.tender import _at, _ocid, prefetch_tender
from procurement.vendors import VENDOR_NAMESPACE


def reduce_awarded(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(body, frozenset({"winner", "value", "commitment"}))
    winner = fields.hex64(body, "winner")
    value = fields.amount(body, "value")
    posting_id = parse_posting_id(body.get("commitment"), field="body.commitment")
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    objections = doc["objections"]
    if _at(entry) < parse_time(objections["end"]):
        raise rejected(
            "objection_period_open",
            f"masa sanggah runs until {objections['end']}",
            objection_end=objections["end"],
        )
    _check_objections_answered(doc)
    if objections["upheld"]:
        raise rejected(
            "objection_upheld",
            "an objection was upheld: reopen the evaluation or declare the tender failed",
        )
    if doc["winner"]["bidder"] != winner:
        raise rejected("not_winner", f"the announced winner is {doc['winner']['bidder']}")
    if doc["winner"]["price_sen"] != value:
        raise rejected(
            "award_value_mismatch",
            f"the winning bid is {fields.wire_amount(doc['winner']['price_sen'])}",
        )
    commitment = state.get(budget.NS_COMMITMENT, posting_id)
    if commitment is None or commitment["seq"] != entry.seq - 1:
        raise rejected(
            "award_without_commitment",
            f"the award must follow its budgeting.commitment.posted {posting_id} in the same batch",
        )
    if (
        commitment["line_id"] != doc["budget_line"]
        or commitment["amount_sen"] != value
        or commitment["ocid"] != ocid
        or commitment["reversed_by_seq"] is not None
    ):
        raise rejected(
            "commitment_mismatch",
            "the commitment must be on the package's budget line, for this ocid, of the"
            " award's value",
            budget_line=doc["budget_line"],
        )
    bid = state.get(lc.BID_NAMESPACE, lc.bid_key(ocid, winner))
    flags = [] if bid is None else bid["flags"]
    doc["state"] = target
    doc["award"] = {
        "winner": winner,
        "value_sen": value,
        "commitment": posting_id,
        "commitment_seq": commitment["seq"],
        "seq": entry.seq,
        "date": entry.logged_at,
        "performance_guarantee_required": "performance_guarantee_required" in flags,
    }
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)
    vendor = state.get(VENDOR_NAMESPACE, winner)
    if vendor is not None:
        vendor["awards_won"] += 1
        state.put(VENDOR_NAMESPACE, winner, vendor)


def _prefetch(statement: Statement) -> list[tuple[str, str]]:
    keys = prefetch_tender(statement)
    winner: Any = statement.body.get("winner")
    if isinstance(winner, str):
        keys.append((lc.BID_NAMESPACE, lc.bid_key(statement.subject, winner)))
        keys.append((VENDOR_NAMESPACE, winner))
    posting: Any = statement.body.get("commitment")
    if isinstance(posting, str):
        keys.append((budget.NS_COMMITMENT, posting))
    return keys


REDUCERS = (
    ProcurementKind(
        lc.AWARDED_TYPE,
        frozenset({"procurement_officer"}),
        reduce_awarded,
        "award the tender; logged right after its budget commitment, in one batch",
        _prefetch,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
