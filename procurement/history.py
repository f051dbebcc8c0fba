"""A tender's history: its own entries replayed through the same reducers, one moment each.

OCDS publishes one release per logged entry, and a release must say what was known at
its entry, not what is known now (issue 13). So the releases are not rendered from the
tender's projection documents, which hold only the latest state: the tender's entries
(subject = its ocid, in seq order) are replayed ONCE through the very reducers the
sequencer ran (``ledger.kinds``: ``procurement.tender``, ``bids``, ``award``,
``contracts``), into a fresh ``ReplayState``, and after each entry the caller sees the
tender's documents as that entry left them (``Moment``). Nothing is copied per entry:
a moment is a view of the live replay state, valid until the next entry is applied,
plus the keys that entry wrote, so a caller can rebuild only what changed.

What is replayed and what is looked up. The tender's OWN documents (``OWN_NAMESPACES``:
the tender, its bids, bid order, questions, objections and contract) start empty and are
written only by the replay, so they are exactly what the log's entries made of them at
each seq. The reducers also read documents of the REST of the log (signing keys, vendors,
budget lines, commitments and postings, the witness policy, document references): those
are read from ``world``, the service's current projection, and writes to them stay in
the replay. The log already decided each entry at its seq against the rest of the log
as it then was (and ``terang verify`` re-decides it over the whole log); the replay is
not a second verdict. It must only not refuse an entry because the rest of the log has
moved on since (a key revoked, a vendor sanctioned, a budget line spent, a commitment
released later), so ``AsAccepted`` answers the reducers' questions about the rest of the
log the way the log's verdict says they were answered (``AsAccepted`` lists each). None
of those answers is copied into anything OCDS publishes: the releases are a function of
the tender's entries (and of the vendors' names and NPWP, looked up as they are now).
An entry the replay still refuses is an ``InvariantBroken`` (a 500, never a silently
different release), as it means the reducers changed behind the log's back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from budgeting import reducers as budget
from ledger.authority import KEY_NAMESPACE
from ledger.errors import InvariantBroken, TerangError
from ledger.kinds import ROLES, Reducer
from ledger.limits import DATABASE_INTEGER_MAX
from ledger.state import Document, copy_document
from ledger.statement import LoggedEntry
from procurement import lifecycle as lc
from procurement.namespaces import CONTRACT_NAMESPACE
from procurement.vendors import VENDOR_NAMESPACE

OWN_NAMESPACES = frozenset(
    {
        lc.TENDER_NAMESPACE,
        lc.BID_NAMESPACE,
        lc.BID_ORDER_NAMESPACE,
        lc.QUESTION_NAMESPACE,
        lc.OBJECTION_NAMESPACE,
        CONTRACT_NAMESPACE,
    }
)
World = Callable[[str, str], Document | None]
"""The current document of (namespace, key) of the rest of the log, or None."""


class AsAccepted:
    """The rest of the log, as the tender's entries found it when the log accepted them.

    ``world`` is the current projection; each answer below is what the log's acceptance
    of the entry proves the answer was at its seq, where the current document may have
    moved on. Only gates read these answers; nothing of them reaches a release.

    * signing keys: not revoked (a key revoked later signed while it was valid) and
      holding every role (the log checked the role at the entry's seq);
    * vendors: active and not sanctioned (the bid and the question were accepted);
    * budget lines: room for any package (the package was accepted against the room then);
    * budget commitments: of the amount first committed (``amount_sen`` plus what was
      released since), never reversed, and nothing unpaid left (the award, the amendment
      and the end were accepted against them then);
    * the witness policy: the one in force at the closing is the one the anchor was
      checked under; it is read as it is now, and a policy replaced later is not
      replayed (``witness_policy`` has no history: see docs/procurement.md, OCDS).
    """

    def __init__(self, world: World) -> None:
        self.world = world

    def get(self, namespace: str, key: str) -> Document | None:
        found = self.world(namespace, key)
        if found is None:
            return None
        doc = copy_document(found)
        if namespace == KEY_NAMESPACE:
            doc["revoked_seq"] = None
            doc["roles"] = sorted(ROLES)
        elif namespace == VENDOR_NAMESPACE:
            doc["status"] = "active"
            doc["sanctions"] = []
        elif namespace == budget.NS_LINE:
            doc["available_sen"] = DATABASE_INTEGER_MAX
        elif namespace == budget.NS_COMMITMENT:
            # A release moves part of the amount to released_sen (a re-commit moves it
            # back): their sum is the amount the award or amendment committed.
            doc["amount_sen"] += doc.get("released_sen", 0)
            doc["released_sen"] = 0
            doc["reversed_by_seq"] = None
            doc["paid_sen"] = doc["amount_sen"]
        return doc  # type: ignore[no-any-return]


class ReplayState:
    """``ledger.state.State`` for one tender's replay: its own documents, written by the
    replay only, over ``AsAccepted`` for the rest of the log.

    ``written`` collects the own keys the current entry wrote (``begin`` clears it).
    ``own`` is read in place by ``Moment``: never change what it returns."""

    def __init__(self, world: World) -> None:
        self.own: dict[tuple[str, str], Document] = {}
        self.rest = AsAccepted(world)
        self.rest_written: dict[tuple[str, str], Document] = {}
        self.written: set[tuple[str, str]] = set()

    def get(self, namespace: str, key: str) -> Document | None:
        if namespace in OWN_NAMESPACES:
            found = self.own.get((namespace, key))
            return None if found is None else copy_document(found)
        staged = self.rest_written.get((namespace, key))
        if staged is not None:
            return copy_document(staged)  # type: ignore[no-any-return]
        return self.rest.get(namespace, key)

    def put(self, namespace: str, key: str, value: Document) -> None:
        if namespace in OWN_NAMESPACES:
            self.own[(namespace, key)] = value
            self.written.add((namespace, key))
        else:
            self.rest_written[(namespace, key)] = value


@dataclass
class Award:
    """One award as it went: each announced winner is an award (``pending``); an upheld
    objection's reopening, or the tender's end before the award, cancels it; the award
    makes it ``active``. A new round's winner is a new award beside the cancelled one."""

    number: int
    bidder: str
    price_sen: int
    status: str
    announced_at: str
    date: str | None = None
    cancelled_at: str | None = None
    cancel_reason: str | None = None
    """The reason the cancelling entry gave (the reopening's, or the tender's end's)."""


@dataclass
class Moment:
    """The tender right after one of its entries (a view: valid until the next entry)."""

    entry: LoggedEntry
    tender: Document
    bids: Mapping[str, Document]
    """Bid documents by bidder, in the order the bidders first bid."""
    changed_bidders: frozenset[str]
    """Bidders whose bid document this entry wrote."""
    contract: Document | None
    awards: Sequence[Award]
    times: Mapping[int, str]
    """The logging time of each of the tender's entries so far, by seq."""
    questions: Mapping[int, Document]
    """Question documents by number (``procurement.question``), as the entry left them."""
    objections: Mapping[int, Document]
    """Objection (sanggah) documents by number (``procurement.objection``)."""
    changed_questions: frozenset[int] = frozenset()
    changed_objections: frozenset[int] = frozenset()
    published: Mapping[str, str] = field(default_factory=dict)
    """sha256 → the logging time of the entry that first listed the document in the tender."""


def _track_awards(awards: list[Award], entry: LoggedEntry, tender: Document) -> None:
    kind = entry.signed.statement.type
    current = awards[-1] if awards else None
    if kind == lc.WINNER_ANNOUNCED_TYPE:
        winner = tender["winner"]
        awards.append(
            Award(
                number=len(awards) + 1,
                bidder=winner["bidder"],
                price_sen=winner["price_sen"],
                status="pending",
                announced_at=entry.logged_at,
            )
        )
    elif current is not None and current.status == "pending":
        if kind in (lc.EVALUATION_REOPENED, lc.RELEASE_REOPENED):
            current.status = "cancelled"
            current.cancelled_at = entry.logged_at
            current.cancel_reason = tender.get("reopen_reason")
        elif kind in (lc.CANCELLED_TYPE, lc.FAILED_TYPE):
            current.status = "cancelled"
            current.cancelled_at = entry.logged_at
            current.cancel_reason = tender["ended"]["reason"]
        elif kind == lc.AWARDED_TYPE:
            award = tender["award"]
            current.status = "active"
            current.price_sen = award["value_sen"]
            current.date = award["date"]


def replay(
    ocid: str,
    entries: Sequence[LoggedEntry],
    reducer: Callable[[str], Reducer],
    world: World,
) -> Iterator[Moment]:
    """Apply the tender's ``entries`` (seq order) once, yielding a ``Moment`` after each.

    ``reducer(type)``: the reducer the log registered for a statement type. Entries of
    types that write none of the tender's documents still yield a moment (their release
    says nothing changed)."""
    state = ReplayState(world)
    bids: dict[str, Document] = {}
    awards: list[Award] = []
    times: dict[int, str] = {}
    questions: dict[int, Document] = {}
    objections: dict[int, Document] = {}
    published: dict[str, str] = {}
    for entry in entries:
        times[entry.seq] = entry.logged_at
        state.written = set()
        try:
            reducer(entry.signed.statement.type)(state, entry)
        except TerangError as exc:
            raise InvariantBroken(
                f"replaying {ocid} for OCDS: entry {entry.seq} is refused ({exc.code}:"
                f" {exc.message}) although the log accepted it",
                seq=entry.seq,
            ) from exc
        changed = set()
        asked: set[int] = set()
        objected: set[int] = set()
        for namespace, key in state.written:
            if namespace == lc.BID_NAMESPACE:
                bid = state.own[(namespace, key)]
                bids[bid["bidder"]] = bid  # a dict keeps the first bid's position
                changed.add(bid["bidder"])
            elif namespace == lc.QUESTION_NAMESPACE:
                question = state.own[(namespace, key)]
                questions[question["number"]] = question
                asked.add(question["number"])
            elif namespace == lc.OBJECTION_NAMESPACE:
                objection = state.own[(namespace, key)]
                objections[objection["number"]] = objection
                objected.add(objection["number"])
        tender = state.own.get((lc.TENDER_NAMESPACE, ocid))
        if tender is None:
            raise InvariantBroken(f"replaying {ocid}: entry {entry.seq} left no tender")
        _track_awards(awards, entry, tender)
        for document in tender["documents"]:
            published.setdefault(document["sha256"], entry.logged_at)
        yield Moment(
            entry=entry,
            tender=tender,
            bids=bids,
            changed_bidders=frozenset(changed),
            contract=state.own.get((CONTRACT_NAMESPACE, ocid)),
            awards=awards,
            times=times,
            questions=questions,
            objections=objections,
            changed_questions=frozenset(asked),
            changed_objections=frozenset(objected),
            published=published,
        )
