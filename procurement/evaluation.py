"""Evaluation, the winner, objections (sanggah) and the rounds an upheld objection reopens.

The steps after the opening, up to the award (``award``): the committee evaluates each
opened bid (pass/fail, a score and reasons), announces the best passing bid as the
winner, and the masa sanggah starts; a bidder may object, the committee answers each
objection; after an upheld one the officer reopens the evaluation, or the release phase
when bids waited for their shares. Every statement has the tender's ``ocid`` as subject,
and the reducers check in the order of ``tender``: body fields (422), the tender exists
(409 ``unknown_tender``), the signer may act, the state machine
(``lifecycle.check_transition``), time rules at the entry's ``logged_at``, then the domain
rules. The projection is the ``procurement.tender`` document, the bids' ``evaluation``
and one document per objection; bodies are in docs/procurement.md.
"""

from __future__ import annotations

from typing import Any

from ledger.state import Document, State
from ledger.statement import LoggedEntry, format_time, parse_time
from procurement import fields
from procurement import lifecycle as lc
from procurement.errors import rejected
from procurement.limits import OBJECTIONS_MAX, REASON_CHARS_MAX
from procurement.opening import is_late
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook
from procurement.tender import (
    COMMITTEE,
    DAY,
    OFFICER,
    VENDOR,
    _at,
    _ocid,
    _require_member_or_officer,
    prefetch_tender,
)

SCORE_MAX_HUNDREDTHS = 10_000
"""Scores are decimal strings from "0" to "100.00" (stored in hundredths)."""


def score_hundredths(value: Any, field: str) -> int:
    """``"87.5"`` → 8750; 0 to 100 with at most two decimals, no leading zeros."""
    if not isinstance(value, str) or not value.isascii() or len(value) > 6:
        raise fields.bad(field, 'must be a score such as "87.50" (0 to 100)')
    whole, _, fraction = value.partition(".")
    if (
        not whole.isdigit()
        or (len(whole) > 1 and whole[0] == "0")
        or ("." in value and not 1 <= len(fraction) <= 2)
        or (fraction and not fraction.isdigit())
    ):
        raise fields.bad(field, 'must be a score such as "87.50" (0 to 100)')
    hundredths = int(whole) * 100 + int(fraction.ljust(2, "0") or "0")
    if hundredths > SCORE_MAX_HUNDREDTHS:
        raise fields.bad(field, "must be at most 100")
    return hundredths


def reduce_evaluated(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"results"}))
    results = fields.items(statement.body, "results")
    parsed = []
    for index, item in enumerate(results):
        where = f"results[{index}]"
        result = fields.obj(item, where)
        fields.only_fields(result, frozenset({"bidder", "passed", "score", "reasons"}))
        parsed.append(
            (
                fields.hex64(result, "bidder"),
                fields.boolean(result, "passed"),
                score_hundredths(result.get("score"), f"{where}.score"),
                fields.text(result, "reasons"),
            )
        )
    doc = lc.require_tender(state, ocid)
    _require_member_or_officer(state, doc, statement.signer)
    lc.check_transition(doc, statement.type)
    evaluation = doc["evaluation"]
    for bidder, passed, score, reasons in parsed:
        key = lc.bid_key(ocid, bidder)
        bid = state.get(lc.BID_NAMESPACE, key)
        if bid is not None and (bid["status"] == "late" or is_late(doc, bid)):
            raise rejected(
                "bid_late",
                f"{bidder}'s bid is past the time anchor: it is never evaluated",
                bidder=bidder,
            )
        if bid is None or bid["status"] != "submitted":
            raise rejected("unknown_bid", f"{bidder} has no bid in {ocid}", bidder=bidder)
        current = bid.get("evaluation")
        if current is not None and current["round"] == evaluation["round"]:
            raise rejected("bid_evaluated", f"{bidder}'s bid is already evaluated")
        if passed and bid["validity"] != "valid":
            raise rejected(
                "invalid_bid_cannot_pass",
                f"{bidder}'s bid is {bid['validity']}; it cannot pass evaluation",
                bidder=bidder,
                validity=bid["validity"],
            )
        bid["evaluation"] = {
            "round": evaluation["round"],
            "passed": passed,
            "score_hundredths": score,
            "reasons": reasons,
            "seq": entry.seq,
        }
        state.put(lc.BID_NAMESPACE, key, bid)
        evaluation["evaluated"] += 1
        if passed:
            candidate = {
                "bidder": bidder,
                "price_sen": bid["opening"]["price_sen"],
                "score_hundredths": score,
                "bid_seq": bid["seq"],
            }
            if _better(doc["award_criteria"], candidate, evaluation["best"]):
                evaluation["best"] = candidate
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_winner_announced(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"winner"}))
    winner = fields.hex64(statement.body, "winner")
    doc = lc.require_tender(state, ocid)
    _require_member_or_officer(state, doc, statement.signer)
    target = lc.check_transition(doc, statement.type)
    evaluation = doc["evaluation"]
    if evaluation["evaluated"] != doc["bids"]["active"]:
        raise rejected(
            "evaluation_incomplete",
            f"{evaluation['evaluated']} of {doc['bids']['active']} bids are evaluated",
        )
    best = evaluation["best"]
    if best is None:
        raise rejected(
            "no_passing_bid", "no bid passed evaluation: the tender fails (tender gagal)"
        )
    if best["bidder"] != winner:
        raise rejected(
            "not_best_bid",
            f"under {doc['award_criteria']} the best passing bid is {best['bidder']}'s",
            best=best["bidder"],
        )
    end = _at(entry) + doc["schedule"]["objection_days"] * DAY
    doc["state"] = target
    doc["winner"] = {**best, "announced_seq": entry.seq}
    doc["objections"]["end"] = format_time(end)
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def reduce_objection_filed(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"objection"}))
    text = fields.text(statement.body, "objection")
    doc = lc.require_tender(state, ocid)
    bid = state.get(lc.BID_NAMESPACE, lc.bid_key(ocid, statement.signer))
    # A bidder judged late may object too: its receipt may prove the bid on time.
    if bid is None or bid["status"] not in ("submitted", "late"):
        raise rejected("not_bidder", "only a vendor whose bid was opened may object")
    lc.check_transition(doc, statement.type)
    if _at(entry) >= parse_time(doc["objections"]["end"]):
        raise rejected("objection_period_closed", f"masa sanggah ended {doc['objections']['end']}")
    objections = doc["objections"]
    if objections["filed"] >= OBJECTIONS_MAX:
        raise rejected("too_many_objections", f"at most {OBJECTIONS_MAX} objections")
    objections["filed"] += 1
    rule_set = rules.by_id(doc["rule_set"])
    state.put(
        lc.OBJECTION_NAMESPACE,
        lc.numbered_key(ocid, objections["filed"]),
        {
            "ocid": ocid,
            "number": objections["filed"],
            "round": doc["evaluation"]["round"],
            "filed_by": statement.signer,
            "objection": text,
            "filed_seq": entry.seq,
            "answer_due": format_time(_at(entry) + rule_set.objection_answer_days * DAY),
            "answer": None,
            "outcome": None,
            "answered_seq": None,
            "answered_late": None,
        },
    )
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_objection_answered(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    body = statement.body
    fields.only_fields(body, frozenset({"objection", "outcome", "answer"}))
    number = fields.integer(body, "objection", 1, OBJECTIONS_MAX)
    outcome = fields.choice(body, "outcome", frozenset({"upheld", "rejected"}))
    answer = fields.text(body, "answer")
    doc = lc.require_tender(state, ocid)
    _require_member_or_officer(state, doc, statement.signer)
    lc.check_transition(doc, statement.type)
    key = lc.numbered_key(ocid, number)
    objection = state.get(lc.OBJECTION_NAMESPACE, key)
    if objection is None:
        raise rejected("unknown_objection", f"{ocid} has no objection {number}")
    if objection["answered_seq"] is not None:
        raise rejected("objection_answered", f"objection {number} was answered already")
    # A late answer is still an answer (the alternative is a tender stuck forever);
    # it is flagged for auditors instead.
    late = _at(entry) > parse_time(objection["answer_due"])
    objection.update(answer=answer, outcome=outcome, answered_seq=entry.seq, answered_late=late)
    state.put(lc.OBJECTION_NAMESPACE, key, objection)
    doc["objections"]["answered"] += 1
    if outcome == "upheld":
        doc["objections"]["upheld"] += 1
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_evaluation_reopened(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"reason"}))
    reason = fields.text(statement.body, "reason", REASON_CHARS_MAX)
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    if doc["objections"]["upheld"] == 0:
        raise rejected(
            "no_upheld_objection", "evaluation is reopened only after an upheld objection"
        )
    _check_objections_answered(doc)
    doc["state"] = target
    _new_evaluation_round(doc)
    lc.note_event(doc, entry.seq, statement.type, reopen_reason=reason)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def reduce_release_reopened(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"reason"}))
    reason = fields.text(statement.body, "reason", REASON_CHARS_MAX)
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    if doc["objections"]["upheld"] == 0:
        raise rejected(
            "no_upheld_objection",
            "the release phase is reopened only after an upheld objection",
        )
    _check_objections_answered(doc)
    if not (doc.get("opening") or {}).get("unopened"):
        raise rejected(
            "nothing_to_release", "every bid had its k releases at the opening; nothing waits"
        )
    doc["state"] = target
    doc["release_reopened_at"] = entry.logged_at
    _new_evaluation_round(doc)
    lc.note_event(doc, entry.seq, statement.type, reopen_reason=reason)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def _new_evaluation_round(doc: Document) -> None:
    """After an upheld objection: a new evaluation round, no winner, objections settled."""
    doc["evaluation"] = {"round": doc["evaluation"]["round"] + 1, "evaluated": 0, "best": None}
    doc["winner"] = None
    doc["objections"] = {
        "end": None,
        "filed": doc["objections"]["filed"],
        "answered": doc["objections"]["answered"],
        "upheld": 0,
    }


def _check_objections_answered(doc: Document) -> None:
    objections = doc["objections"]
    if objections["answered"] != objections["filed"]:
        raise rejected(
            "objection_unanswered",
            f"{objections['filed'] - objections['answered']} objection(s) await an answer",
        )


def _better(criteria: str, candidate: dict[str, Any], best: dict[str, Any] | None) -> bool:
    """Lowest price (price_only) or highest score then lowest price (rated); ties: earlier bid."""
    if best is None:
        return True

    def rank(bid: dict[str, Any]) -> tuple[int, int, int]:
        score = -bid["score_hundredths"] if criteria == "rated" else 0
        return (score, bid["price_sen"], bid["bid_seq"])

    return rank(candidate) < rank(best)


REDUCERS = (
    ProcurementKind(
        lc.EVALUATED,
        COMMITTEE,
        reduce_evaluated,
        "evaluate bids: pass/fail, score and reasons",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.WINNER_ANNOUNCED_TYPE,
        COMMITTEE,
        reduce_winner_announced,
        "announce the winner; masa sanggah starts",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.OBJECTION_FILED,
        VENDOR,
        reduce_objection_filed,
        "a bidder files an objection (sanggah)",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.OBJECTION_ANSWERED,
        COMMITTEE,
        reduce_objection_answered,
        "answer an objection: upheld or rejected",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.EVALUATION_REOPENED,
        OFFICER,
        reduce_evaluation_reopened,
        "re-evaluate after an upheld objection",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.RELEASE_REOPENED,
        OFFICER,
        reduce_release_reopened,
        "after an upheld objection: let the missing share releases in, then open again",
        prefetch_tender,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
