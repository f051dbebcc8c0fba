"""Planning reducers: pure functions of (state, statement, seq), like budgeting's.

The server applies them inside the append transaction and the verifier replays them
offline; they read and write only ``State`` documents by (namespace, key), read no
clock and do no I/O. They read two other rooms' documents, never write them: the
signer's key (``registry.key``, for its roles) and budgeting's programme codes and
lines (``budgeting.programme``, ``budgeting.line``).

Projection (namespace → key → document):

* ``planning.area`` → kecamatan or desa code: kind, name, its kecamatan, registered seq.
* ``planning.seat`` → key id: the area the key is seated at (a desa for a proposer,
  a kecamatan for a kecamatan forum) and the seq.
* ``planning.proposal`` → proposal id: what was proposed (fiscal year, source, desa,
  kecamatan, sub kegiatan, volume, unit, estimate in sen, title, description), the
  proposer and ``submitted_seq``, the ``stage``, each forum's ``decisions``
  (``kecamatan``, ``kabupaten``, ``rkpd``: decision, seq, signer, reason, into),
  ``merged_into`` and ``merged_from``, the ``funding_lines`` and every ``steps``
  (seq, type, signer and what the step said), in log order.
* ``planning.line_proposals`` → budget line id: the proposals linked to the line, in the
  order they were linked (the way back from the money to the proposals).

Stages: ``awaiting_kecamatan`` (an usulan from a desa or a community) →
``awaiting_kabupaten`` (forwarded by its kecamatan's musrenbang; a pokok pikiran DPRD
starts here) → ``awaiting_bappeda`` (forwarded by the kabupaten forum) → ``accepted``
(into the RKPD); or ``rejected`` or ``merged`` at any forum, which close it.

Invariants held after every accepted statement (``check_proposal_invariants``):
the stage is the one its decisions imply; a closed proposal has exactly one closing
decision and ``merged_into`` is set iff it was merged; funding lines only on an
accepted proposal, none twice; bounded lists; every step's seq increases. Because a
merge's target must be open and a merged proposal is closed, ``merged_into`` links
never form a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from budgeting.errors import BadSubject
from budgeting.namespaces import NS_LINE, NS_PROGRAMME
from ledger.authority import KEY_NAMESPACE
from ledger.errors import InvariantBroken, TerangError
from ledger.kinds import KindRegistry, StatementKind
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement
from planning import statements as st
from planning.errors import (
    AlreadyDecided,
    AreaExists,
    FundingLineLinked,
    FundingLineMismatch,
    FundingLinesFull,
    LineProposalsFull,
    MergeAcross,
    MergeIntoItself,
    MergeTargetBehind,
    MergeTargetClosed,
    MergeTargetFull,
    NotAccepted,
    NotSeatedHere,
    ProposalClosed,
    ProposalExists,
    SeatExists,
    SourceRoleMismatch,
    UnknownArea,
    UnknownFundingLine,
    UnknownKey,
    UnknownProposal,
    UnknownSubKegiatan,
    WrongStage,
)
from planning.limits import (
    FUNDING_LINES_MAX,
    HISTORY_STEPS_MAX,
    LINE_PROPOSALS_MAX,
    MERGED_FROM_MAX,
)
from planning.stages import (
    ACCEPTED,
    AWAITING_KABUPATEN,
    AWAITING_KECAMATAN,
    CLOSED_STAGES,
    FORUM_NAMES,
    FORUMS,
    MERGED,
    NS_AREA,
    NS_LINE_PROPOSALS,
    NS_PROPOSAL,
    NS_SEAT,
    OPEN_STAGES,
    REJECTED,
    STAGES,
    Forum,
)

SOURCE_ROLES = {"desa": "desa_proposer", "community": "community_proposer", "pokir": "dprd"}


@dataclass(frozen=True)
class Context:
    """What a reducer knows besides the state: the entry's seq."""

    seq: int


def _rank(stage: str) -> int:
    return OPEN_STAGES.index(stage) if stage in OPEN_STAGES else -1


# -- areas and seats -----------------------------------------------------------------


def reduce_area(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_area(statement.body)
    if statement.subject != body.subject:
        raise BadSubject(f"subject must be {body.subject}", subject=statement.subject)
    existing = state.get(NS_AREA, body.code)
    if existing is not None:
        raise AreaExists(
            f"{existing['kind']} {body.code} is already registered (seq"
            f" {existing['registered_seq']})",
            area=body.code,
        )
    if body.kind == "desa":
        _require_area(state, body.kecamatan, "kecamatan")
    state.put(
        NS_AREA,
        body.code,
        {
            "kind": body.kind,
            "code": body.code,
            "name": body.name,
            "kecamatan": body.kecamatan,
            "registered_seq": ctx.seq,
        },
    )


def _require_area(state: State, code: str, kind: str) -> Document:
    found = state.get(NS_AREA, code)
    if found is None or found["kind"] != kind:
        raise UnknownArea(f"{kind} {code} is not registered", area=code, kind=kind)
    return found


def reduce_seat(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_seat(statement.body)
    key_id = st.parse_key_subject(statement.subject)
    if state.get(KEY_NAMESPACE, key_id) is None:
        raise UnknownKey(f"key {key_id} is not registered", key_id=key_id)
    existing = state.get(NS_SEAT, key_id)
    if existing is not None:
        raise SeatExists(
            f"key {key_id} is already seated at {existing['area']} (seq {existing['seq']})",
            key_id=key_id,
            area=existing["area"],
        )
    _require_area(state, body.area, body.kind)
    state.put(NS_SEAT, key_id, {"key_id": key_id, "area": body.area, "seq": ctx.seq})


def _seated_at(state: State, signer: str, area: str) -> bool:
    seat = state.get(NS_SEAT, signer)
    return seat is not None and seat["area"] == area


def _roles(state: State, signer: str) -> list[str]:
    key = state.get(KEY_NAMESPACE, signer)
    return [] if key is None else list(key["roles"])


# -- proposals -----------------------------------------------------------------------


def _step(ctx: Context, statement: Statement, **said: Any) -> Document:
    return {"seq": ctx.seq, "type": statement.type, "signer": statement.signer, **said}


def reduce_proposal(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_proposal(statement.body)
    proposal_id = st.parse_proposal_id(statement.subject)
    existing = state.get(NS_PROPOSAL, proposal_id)
    if existing is not None:
        raise ProposalExists(
            f"proposal {proposal_id} was already submitted at seq {existing['submitted_seq']}",
            proposal=proposal_id,
            seq=existing["submitted_seq"],
        )
    _require_area(state, body.desa, "desa")
    if state.get(NS_PROGRAMME, body.sub_kegiatan) is None:
        raise UnknownSubKegiatan(
            f"sub kegiatan {body.sub_kegiatan} is not registered in the budget's programme codes",
            sub_kegiatan=body.sub_kegiatan,
        )
    role = SOURCE_ROLES[body.source]
    if role not in _roles(state, statement.signer):
        raise SourceRoleMismatch(
            f"a proposal from source {body.source} is signed by a key holding {role}",
            source=body.source,
            role=role,
        )
    if body.source != "pokir" and not _seated_at(state, statement.signer, body.desa):
        raise NotSeatedHere(
            f"the signer is not seated at desa {body.desa}; a proposer proposes for its own"
            " desa or kelurahan",
            area=body.desa,
        )
    doc: Document = {
        "proposal_id": proposal_id,
        "fiscal_year": body.fiscal_year,
        "source": body.source,
        "desa": body.desa,
        "kecamatan": body.kecamatan,
        "sub_kegiatan": body.sub_kegiatan,
        "volume": body.volume,
        "unit": body.unit,
        "estimate_sen": body.estimate_sen,
        "title": body.title,
        "description": body.description,
        "proposer": statement.signer,
        "submitted_seq": ctx.seq,
        "stage": AWAITING_KABUPATEN if body.source == "pokir" else AWAITING_KECAMATAN,
        "decisions": dict.fromkeys(FORUM_NAMES),
        "merged_into": None,
        "merged_from": [],
        "funding_lines": [],
        "steps": [_step(ctx, statement)],
    }
    check_proposal_invariants(doc)
    state.put(NS_PROPOSAL, proposal_id, doc)


def _proposal(state: State, proposal_id: str, *, field: str = "subject") -> Document:
    found = state.get(NS_PROPOSAL, proposal_id)
    if found is None:
        raise UnknownProposal(f"no proposal {proposal_id}", proposal=proposal_id, field=field)
    return found


def reduce_decision(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_decision(statement.type, statement.body)
    proposal_id = st.parse_proposal_id(statement.subject)
    forum = FORUMS[statement.type]
    doc = _proposal(state, proposal_id)
    earlier = doc["decisions"][forum.name]
    if earlier is not None:
        raise AlreadyDecided(
            f"the {forum.name} forum already decided {earlier['decision']} on proposal"
            f" {proposal_id} at seq {earlier['seq']}",
            proposal=proposal_id,
            seq=earlier["seq"],
        )
    if doc["stage"] in CLOSED_STAGES:
        raise ProposalClosed(
            f"proposal {proposal_id} is {doc['stage']}; no forum takes it up again",
            proposal=proposal_id,
            stage=doc["stage"],
        )
    if doc["stage"] != forum.awaits:
        raise WrongStage(
            f"proposal {proposal_id} is {doc['stage']}, not {forum.awaits}: the {forum.name}"
            " forum cannot decide on it now",
            proposal=proposal_id,
            stage=doc["stage"],
        )
    if forum.name == "kecamatan" and not _seated_at(state, statement.signer, doc["kecamatan"]):
        raise NotSeatedHere(
            f"the signer is not seated at kecamatan {doc['kecamatan']}, the proposal's",
            area=doc["kecamatan"],
        )
    target: Document | None = None
    if body.decision == "merged" and body.into is not None:
        target = _merge_target(state, doc, body.into, forum)
    decided: Document = {
        "decision": body.decision,
        "seq": ctx.seq,
        "signer": statement.signer,
        "reason": body.reason,
        "into": body.into,
    }
    doc["decisions"][forum.name] = decided
    if body.decision in ("forwarded", "accepted"):
        doc["stage"] = forum.forwards_to
    elif body.decision == "rejected":
        doc["stage"] = REJECTED
    else:
        doc["stage"] = MERGED
        doc["merged_into"] = body.into
    said = {"decision": body.decision, "reason": body.reason, "into": body.into}
    doc["steps"].append(_step(ctx, statement, **said))
    check_proposal_invariants(doc)
    if target is not None:
        target["merged_from"].append(proposal_id)
        target["steps"].append(_step(ctx, statement, absorbed=proposal_id, reason=body.reason))
        check_proposal_invariants(target)
        state.put(NS_PROPOSAL, target["proposal_id"], target)
    state.put(NS_PROPOSAL, proposal_id, doc)


def _merge_target(state: State, doc: Document, into: str, forum: Forum) -> Document:
    proposal_id = doc["proposal_id"]
    if into == proposal_id:
        raise MergeIntoItself(f"proposal {proposal_id} cannot be merged into itself")
    target = _proposal(state, into, field="body.into")
    if target["stage"] in CLOSED_STAGES:
        raise MergeTargetClosed(
            f"proposal {into} is {target['stage']}: merge into an open proposal",
            into=into,
            stage=target["stage"],
        )
    if target["fiscal_year"] != doc["fiscal_year"] or (
        forum.name == "kecamatan" and target["kecamatan"] != doc["kecamatan"]
    ):
        raise MergeAcross(
            f"proposal {into} is of fiscal year {target['fiscal_year']}, kecamatan"
            f" {target['kecamatan']}; a kecamatan merges only its own proposals of one year,"
            " a kabupaten forum those of one year",
            into=into,
        )
    if _rank(target["stage"]) < _rank(forum.awaits):
        raise MergeTargetBehind(
            f"proposal {into} is {target['stage']}: it has not reached the {forum.name} forum",
            into=into,
            stage=target["stage"],
        )
    if len(target["merged_from"]) >= MERGED_FROM_MAX:
        raise MergeTargetFull(
            f"proposal {into} already absorbs {MERGED_FROM_MAX} proposals, the most it may",
            into=into,
        )
    return target


def reduce_funding(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_funding(statement.body)
    proposal_id = st.parse_proposal_id(statement.subject)
    doc = _proposal(state, proposal_id)
    if doc["stage"] != ACCEPTED:
        raise NotAccepted(
            f"proposal {proposal_id} is {doc['stage']}; only a proposal accepted into the"
            " RKPD is linked to the budget",
            proposal=proposal_id,
            stage=doc["stage"],
        )
    line = state.get(NS_LINE, body.line)
    if line is None:
        raise UnknownFundingLine(f"budget line {body.line} has no postings", line=body.line)
    if line["year"] != doc["fiscal_year"] or line["sub_kegiatan"] != doc["sub_kegiatan"]:
        raise FundingLineMismatch(
            f"budget line {body.line} is of fiscal year {line['year']}, sub kegiatan"
            f" {line['sub_kegiatan']}; proposal {proposal_id} is of {doc['fiscal_year']},"
            f" {doc['sub_kegiatan']}",
            line=body.line,
            proposal=proposal_id,
        )
    if body.line in doc["funding_lines"]:
        raise FundingLineLinked(
            f"budget line {body.line} is already linked to proposal {proposal_id}",
            line=body.line,
        )
    if len(doc["funding_lines"]) >= FUNDING_LINES_MAX:
        raise FundingLinesFull(
            f"proposal {proposal_id} already has {FUNDING_LINES_MAX} funding lines, the most"
            " it may",
            proposal=proposal_id,
        )
    funded = state.get(NS_LINE_PROPOSALS, body.line) or {"line_id": body.line, "proposals": []}
    if len(funded["proposals"]) >= LINE_PROPOSALS_MAX:
        raise LineProposalsFull(
            f"budget line {body.line} already funds {LINE_PROPOSALS_MAX} proposals, the most"
            " it may",
            line=body.line,
        )
    doc["funding_lines"].append(body.line)
    doc["steps"].append(_step(ctx, statement, line=body.line, reason=body.note))
    check_proposal_invariants(doc)
    funded["proposals"].append(proposal_id)
    if len(set(funded["proposals"])) != len(funded["proposals"]):
        raise InvariantBroken(f"line {body.line}: a proposal is listed twice")
    state.put(NS_PROPOSAL, proposal_id, doc)
    state.put(NS_LINE_PROPOSALS, body.line, funded)


# -- invariants ----------------------------------------------------------------------


def expected_stage(doc: Document) -> str:
    """The stage a proposal's decisions imply (its source decides where it started)."""
    stage = AWAITING_KABUPATEN if doc["source"] == "pokir" else AWAITING_KECAMATAN
    for statement_type, forum in FORUMS.items():
        decided = doc["decisions"][forum.name]
        if decided is None:
            continue
        if stage != forum.awaits:
            raise InvariantBroken(
                f"proposal {doc['proposal_id']}: {statement_type} decided while {stage}"
            )
        if decided["decision"] == "rejected":
            stage = REJECTED
        elif decided["decision"] == "merged":
            stage = MERGED
        else:
            stage = forum.forwards_to
    return stage


def check_proposal_invariants(doc: Document) -> None:
    """Raise ``InvariantBroken`` unless the proposal's documented invariants hold."""
    where = f"proposal {doc['proposal_id']}"
    if doc["stage"] not in STAGES:
        raise InvariantBroken(f"{where}: unknown stage {doc['stage']}")
    if doc["stage"] != expected_stage(doc):
        raise InvariantBroken(f"{where}: the stage is not the one its decisions imply")
    if (doc["merged_into"] is not None) != (doc["stage"] == MERGED):
        raise InvariantBroken(f"{where}: merged_into is set iff the proposal is merged")
    if doc["merged_into"] == doc["proposal_id"]:
        raise InvariantBroken(f"{where}: merged into itself")
    if doc["funding_lines"] and doc["stage"] != ACCEPTED:
        raise InvariantBroken(f"{where}: funding lines on a proposal not accepted")
    if len(set(doc["funding_lines"])) != len(doc["funding_lines"]):
        raise InvariantBroken(f"{where}: a funding line is linked twice")
    if len(doc["funding_lines"]) > FUNDING_LINES_MAX or len(doc["merged_from"]) > MERGED_FROM_MAX:
        raise InvariantBroken(f"{where}: a list is beyond its bound")
    if len(doc["steps"]) > HISTORY_STEPS_MAX:
        raise InvariantBroken(f"{where}: more steps than a proposal can hold")
    seqs = [step["seq"] for step in doc["steps"]]
    if seqs != sorted(set(seqs)) or seqs[0] != doc["submitted_seq"]:
        raise InvariantBroken(f"{where}: steps are not in log order from the submission")


# -- kinds ---------------------------------------------------------------------------

StatementReducer = Callable[[State, Statement, Context], None]

REDUCERS: dict[str, StatementReducer] = {
    st.AREA: reduce_area,
    st.SEAT: reduce_seat,
    st.PROPOSAL: reduce_proposal,
    st.KECAMATAN_DECISION: reduce_decision,
    st.KABUPATEN_DECISION: reduce_decision,
    st.RKPD_DECISION: reduce_decision,
    st.FUNDING_LINK: reduce_funding,
}
ROLES = {
    st.AREA: frozenset({"bappeda"}),
    st.SEAT: frozenset({"bappeda"}),
    st.PROPOSAL: frozenset(SOURCE_ROLES.values()),
    st.KECAMATAN_DECISION: frozenset({"kecamatan_forum"}),
    st.KABUPATEN_DECISION: frozenset({"kabupaten_forum"}),
    st.RKPD_DECISION: frozenset({"bappeda"}),
    st.FUNDING_LINK: frozenset({"finance", "bappeda"}),
}
DESCRIPTIONS = {
    st.AREA: "register a kecamatan or a desa/kelurahan for planning",
    st.SEAT: "seat a proposer's key at its desa, a kecamatan forum's key at its kecamatan",
    st.PROPOSAL: "an usulan from a desa, kelurahan or community, or a pokok pikiran DPRD",
    st.KECAMATAN_DECISION: "musrenbang kecamatan: forward, merge or reject a proposal",
    st.KABUPATEN_DECISION: "musrenbang kabupaten: forward, merge or reject a proposal",
    st.RKPD_DECISION: "Bappeda: accept a proposal into the RKPD, or reject it",
    st.FUNDING_LINK: "link a proposal accepted into the RKPD to a budget line that funds it",
}


def apply_statement(state: State, statement: Statement, ctx: Context) -> None:
    """Apply one planning statement (its signature and role already checked)."""
    REDUCERS[statement.type](state, statement, ctx)


def _entry_reducer(reducer: StatementReducer) -> Callable[[State, LoggedEntry], None]:
    def reduce(state: State, entry: LoggedEntry) -> None:
        reducer(state, entry.signed.statement, Context(entry.seq))

    return reduce


def _prefetch(statement: Statement) -> Iterable[tuple[str, str]]:
    body = statement.body
    keys: list[tuple[str, str]] = [(KEY_NAMESPACE, statement.signer), (NS_SEAT, statement.signer)]
    if statement.type == st.AREA:
        if isinstance(body.get("code"), str):
            keys.append((NS_AREA, body["code"]))
            keys.append((NS_AREA, st.kecamatan_of(body["code"])))
    elif statement.type == st.SEAT:
        keys += [(KEY_NAMESPACE, statement.subject), (NS_SEAT, statement.subject)]
        if isinstance(body.get("area"), str):
            keys.append((NS_AREA, body["area"]))
    else:
        keys.append((NS_PROPOSAL, statement.subject))
        for field, namespace in (
            ("desa", NS_AREA),
            ("sub_kegiatan", NS_PROGRAMME),
            ("into", NS_PROPOSAL),
            ("line", NS_LINE),
            ("line", NS_LINE_PROPOSALS),
        ):
            if isinstance(body.get(field), str):
                keys.append((namespace, body[field]))
    return keys


def prefetch(statement: Statement) -> Iterable[tuple[str, str]]:
    """The state keys a planning statement will read; a hint, never an error."""
    try:
        return _prefetch(statement)
    except TerangError:
        return []


KINDS = tuple(
    StatementKind(
        statement_type,
        ROLES[statement_type],
        _entry_reducer(reducer),
        DESCRIPTIONS[statement_type],
        prefetch=prefetch,
    )
    for statement_type, reducer in REDUCERS.items()
)


def register(registry: KindRegistry) -> None:
    """Add the planning statement kinds to ``registry`` (the composition root calls it)."""
    for kind in KINDS:
        registry.register(kind)
