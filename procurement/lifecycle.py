"""The tender state machine: states, which statement types each allows, and the check.

A tender (one OCDS contracting process, subject = its ``ocid``) is in exactly one of
``STATES``. ``TRANSITIONS`` maps each statement type to the states it may be applied
in and the state it leads to (``None``: stays). Everything else is refused with
``transition_not_allowed``, naming the current state and the types allowed next.

::

    planned ─announced─► active ─closed─► closed ─shares_released─► opening ─opened─►
    opened ─(evaluated…)─ winner_announced ─awarded─► awarded
        ▲                        │
        └──evaluation_reopened───┘ (after an upheld objection)
    winner_announced ─release_reopened─► opening (after an upheld objection: the
        bids left unopened take their missing releases, then ``opened`` again)
    closed ─opened─► opened (no release at all: only once the release window is over)
    cancelled: from any state before awarded;  failed: from closed .. winner_announced

Inside ``active`` the clock decides the rest: questions before ``clarification_end``,
bids before ``bid_deadline`` (the entry's logging time, never the closing entry),
closing at or after it.
"""

from __future__ import annotations

from typing import Any

from ledger.state import Document, State
from procurement.errors import rejected, transition_not_allowed

TENDER_NAMESPACE = "procurement.tender"
BID_NAMESPACE = "procurement.bid"
QUESTION_NAMESPACE = "procurement.question"
OBJECTION_NAMESPACE = "procurement.objection"
DOCUMENT_NAMESPACE = "procurement.document"
BID_ORDER_NAMESPACE = "procurement.bid_order"
"""Key ``ocid|000001``…: the n-th vendor to bid on the tender (so the opening finds every bid)."""

PLANNED = "planned"
ACTIVE = "active"
CLOSED = "closed"
OPENING = "opening"
OPENED = "opened"
WINNER_ANNOUNCED = "winner_announced"
AWARDED = "awarded"
CANCELLED = "cancelled"
FAILED = "failed"
STATES = (
    PLANNED,
    ACTIVE,
    CLOSED,
    OPENING,
    OPENED,
    WINNER_ANNOUNCED,
    AWARDED,
    CANCELLED,
    FAILED,
)
FINAL_STATES = frozenset({AWARDED, CANCELLED, FAILED})

P = "procurement."
PACKAGE_CREATED = P + "package.created"
ANNOUNCED = P + "tender.announced"
QUESTION_ASKED = P + "tender.question_asked"
QUESTION_ANSWERED = P + "tender.question_answered"
AMENDED = P + "tender.amended"
BID_SUBMITTED = P + "bid.submitted"
BID_REPLACED = P + "bid.replaced"
BID_WITHDRAWN = P + "bid.withdrawn"
BID_CONFIRMED = P + "bid.confirmed"
CLOSED_TYPE = P + "tender.closed"
SHARES_RELEASED = P + "tender.shares_released"
OPENED_TYPE = P + "tender.opened"
EVALUATED = P + "tender.evaluated"
WINNER_ANNOUNCED_TYPE = P + "tender.winner_announced"
OBJECTION_FILED = P + "tender.objection_filed"
OBJECTION_ANSWERED = P + "tender.objection_answered"
EVALUATION_REOPENED = P + "tender.evaluation_reopened"
RELEASE_REOPENED = P + "tender.release_reopened"
AWARDED_TYPE = P + "tender.awarded"
CANCELLED_TYPE = P + "tender.cancelled"
FAILED_TYPE = P + "tender.failed"

_BEFORE_AWARD = frozenset({PLANNED, ACTIVE, CLOSED, OPENING, OPENED, WINNER_ANNOUNCED})
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    ANNOUNCED: (frozenset({PLANNED}), ACTIVE),
    QUESTION_ASKED: (frozenset({ACTIVE}), None),
    QUESTION_ANSWERED: (frozenset({ACTIVE}), None),
    AMENDED: (frozenset({ACTIVE}), None),
    BID_SUBMITTED: (frozenset({ACTIVE}), None),
    BID_REPLACED: (frozenset({ACTIVE}), None),
    BID_WITHDRAWN: (frozenset({ACTIVE}), None),
    BID_CONFIRMED: (frozenset({ACTIVE}), None),
    CLOSED_TYPE: (frozenset({ACTIVE}), CLOSED),
    SHARES_RELEASED: (frozenset({CLOSED, OPENING}), OPENING),
    OPENED_TYPE: (frozenset({CLOSED, OPENING}), OPENED),
    EVALUATED: (frozenset({OPENED}), None),
    WINNER_ANNOUNCED_TYPE: (frozenset({OPENED}), WINNER_ANNOUNCED),
    OBJECTION_FILED: (frozenset({WINNER_ANNOUNCED}), None),
    OBJECTION_ANSWERED: (frozenset({WINNER_ANNOUNCED}), None),
    EVALUATION_REOPENED: (frozenset({WINNER_ANNOUNCED}), OPENED),
    RELEASE_REOPENED: (frozenset({WINNER_ANNOUNCED}), OPENING),
    AWARDED_TYPE: (frozenset({WINNER_ANNOUNCED}), AWARDED),
    CANCELLED_TYPE: (_BEFORE_AWARD, CANCELLED),
    FAILED_TYPE: (frozenset({CLOSED, OPENING, OPENED, WINNER_ANNOUNCED}), FAILED),
}


def allowed_next(state: str) -> list[str]:
    """Statement types that may be applied to a tender in ``state``, sorted."""
    return sorted(t for t, (sources, _) in TRANSITIONS.items() if state in sources)


def check_transition(doc: Document, statement_type: str) -> str:
    """The state after ``statement_type``, or ``transition_not_allowed``."""
    sources, target = TRANSITIONS[statement_type]
    if doc["state"] not in sources:
        raise transition_not_allowed(
            statement_type, doc["state"], allowed_next(doc["state"]), doc["ocid"]
        )
    return target or doc["state"]


def require_tender(state: State, ocid: str) -> Document:
    doc = state.get(TENDER_NAMESPACE, ocid)
    if doc is None:
        raise rejected("unknown_tender", f"no tender {ocid}", ocid=ocid)
    return doc


def bid_key(ocid: str, bidder: str) -> str:
    return f"{ocid}|{bidder}"


def numbered_key(ocid: str, number: int) -> str:
    return f"{ocid}|{number:06d}"


def note_event(doc: Document, entry_seq: int, statement_type: str, **extra: Any) -> None:
    """Remember the seq of each lifecycle step (bounded: one per type, last wins)."""
    doc["seqs"][statement_type.removeprefix(P)] = entry_seq
    doc["last_seq"] = entry_seq
    doc.update(extra)


def save_tender(state: State, ocid: str, doc: Document, entry_seq: int) -> None:
    """Store a tender changed by an entry that is not a lifecycle step (a bid, a
    question, an answer, a score, an objection): only its ``last_seq`` moves."""
    doc["last_seq"] = entry_seq
    state.put(TENDER_NAMESPACE, ocid, doc)


def note_references(state: State, ocid: str, documents: list[dict[str, str]], seq: int) -> None:
    """Remember each newly referenced document hash with its first reference.

    ``procurement.documents`` stores bytes only under a hash noted here. Later
    references add nothing: the bytes, and so the permission to store them, are the same.
    """
    for doc in documents:
        if state.get(DOCUMENT_NAMESPACE, doc["sha256"]) is None:
            state.put(
                DOCUMENT_NAMESPACE,
                doc["sha256"],
                {"sha256": doc["sha256"], "name": doc["name"], "ocid": ocid, "seq": seq},
            )
