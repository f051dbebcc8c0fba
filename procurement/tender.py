"""Packages and the tender up to its opening: plan, announce, addenda, questions, close, open.

Also its end (cancelled, failed). The bids themselves are in ``bids``; evaluation, the
winner and objections (sanggah) in ``evaluation``; the award in ``award``. The helpers
those modules share (``_ocid``, ``_at``, ``_require_member_or_officer``, the role sets
and ``prefetch_tender``, the hint for every tender-subject statement) live here.

Every statement here has the tender's ``ocid`` as subject. Reducers check, in order:
body fields (422), the tender exists (409 ``unknown_tender``), the signer may act
(committee membership, bidder), the state machine (``lifecycle.check_transition``),
time rules at the entry's ``logged_at``, then the domain rules. A closing also carries
a time anchor when the log has a witness policy (``_time_anchor``, ``ledger.time_anchor``):
bids at or past its tree size are late (``is_late``), however ``logged_at`` dated them.
Bodies are in docs/procurement.md; the projection is one ``procurement.tender`` document per ocid,
plus one document per question.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from budgeting import reducers as budget
from budgeting.codes import parse_line_id
from ledger.authority import KEY_NAMESPACE, META_NAMESPACE, clock_is_simulated
from ledger.errors import ClientError
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, format_time, parse_time
from ledger.time_anchor import (
    WITNESS_POLICY_KEY,
    TimeAnchorRefused,
    check_anchor,
    witness_policy,
)
from procurement import conflicts, fields, items, opening, rup
from procurement import lifecycle as lc
from procurement.errors import rejected
from procurement.limits import (
    COMMITTEE_MEMBERS_MAX,
    LIST_ITEMS_MAX,
    NAME_CHARS_MAX,
    OBJECTIONS_MAX,
    QUESTIONS_MAX,
    REASON_CHARS_MAX,
    RUP_CODE_CHARS_MAX,
)
from procurement.namespaces import RUP_NAMESPACE
from procurement.registration import ProcurementKind
from procurement.rules import CATEGORIES, METHODS, RuleBook
from procurement.vendors import VENDOR_NAMESPACE, require_eligible

AWARD_CRITERIA = frozenset({"price_only", "rated"})
DAY = timedelta(days=1)


def _ocid(statement: Statement) -> str:
    if not fields.OCID_PATTERN.fullmatch(statement.subject):
        raise ClientError(
            f"subject must be an OCDS ocid matching {fields.OCID_PATTERN.pattern}",
            code="bad_subject",
            field="subject",
        )
    return statement.subject


def _at(entry: LoggedEntry) -> datetime:
    return parse_time(entry.logged_at, field="logged_at")


def _is_member(doc: Document, key_id: str) -> bool:
    return any(m["key_id"] == key_id for m in doc["committee"]["members"])


def _require_member_or_officer(state: State, doc: Document, signer: str) -> None:
    """Committee steps: a member of this tender's committee, or a procurement officer."""
    if _is_member(doc, signer):
        return
    key = state.get(KEY_NAMESPACE, signer)
    if key is None or "procurement_officer" not in key["roles"]:
        raise rejected(
            "not_committee_member",
            f"{signer} is not on the committee of {doc['ocid']}",
            signer=signer,
        )


# -- package ------------------------------------------------------------------------


def reduce_package_created(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"title", "budget_line", "category", "hps", "method"}),
        frozenset({"justification", "description", "rup_code", "items"}),
    )
    title = fields.text(body, "title", NAME_CHARS_MAX)
    line_text = body.get("budget_line")
    line = parse_line_id(line_text)
    category = fields.choice(body, "category", CATEGORIES)
    hps = fields.amount(body, "hps")
    method = fields.choice(body, "method", METHODS)
    justification = (
        fields.text(body, "justification", REASON_CHARS_MAX) if "justification" in body else None
    )
    description = fields.text(body, "description") if "description" in body else None
    rup_code = (
        fields.identifier(body, "rup_code", RUP_CODE_CHARS_MAX) if "rup_code" in body else None
    )
    package_items = items.package_items(body)
    if state.get(lc.TENDER_NAMESPACE, ocid) is not None:
        raise rejected("tender_exists", f"{ocid} already exists", ocid=ocid)
    line_doc = state.get(budget.NS_LINE, line.text)
    if line_doc is None:
        raise rejected("unknown_budget_line", f"budget line {line.text} has no appropriation")
    rule_set = rules.in_force(_at(entry))
    rule_set.check_method(method, category, hps, justification)
    if hps > line_doc["available_sen"]:
        raise rejected(
            "hps_above_available",
            f"HPS {fields.wire_amount(hps)} is above the available"
            f" {fields.wire_amount(line_doc['available_sen'])} on {line.text}",
            hps=fields.wire_amount(hps),
            available=fields.wire_amount(line_doc["available_sen"]),
        )
    cited = rup.cite(
        state,
        entry,
        ocid=ocid,
        rup_code=rup_code,
        budget_line=line.text,
        category=category,
        method=method,
        hps_sen=hps,
        required=rule_set.rup_required,
    )
    state.put(
        lc.TENDER_NAMESPACE,
        ocid,
        {
            "ocid": ocid,
            "state": lc.PLANNED,
            "title": title,
            "description": description,
            "budget_line": line.text,
            "year": line.year,
            "category": category,
            "hps_sen": hps,
            "method": method,
            "justification": justification,
            "rup_code": rup_code,
            **({"rup": cited} if cited is not None else {}),
            # Only a package that lists items has the key: a package logged before
            # items existed replays to the very document it was.
            **({"items": package_items} if package_items else {}),
            "rule_set": rule_set.id,
            "competitive": rule_set.methods[method].competitive,
            "planned_by": statement.signer,
            "created_at": entry.logged_at,
            "seqs": {"package.created": entry.seq},
            "last_seq": entry.seq,
            "documents": [],
            "schedule": None,
            "committee": {"members": [], "threshold": 0},
            "award_criteria": None,
            "addenda": 0,
            "questions": 0,
            "bids": {"active": 0, "ever": 0, "opened": 0, "unopenable": 0},
            "released_by": [],
            "evaluation": {"round": 0, "evaluated": 0, "best": None},
            "winner": None,
            "objections": {"end": None, "filed": 0, "answered": 0, "upheld": 0},
            "award": None,
            "ended": None,
        },
    )


def reduce_announced(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"documents", "clarification_end", "bid_deadline", "committee"}),
        frozenset({"award_criteria", "objection_days"}),
    )
    documents = fields.document_hashes(body, "documents", low=1)
    clarification_end = fields.moment(body, "clarification_end")
    deadline = fields.moment(body, "bid_deadline")
    committee = fields.obj(body.get("committee"), "committee")
    if set(committee) != {"members", "threshold"}:
        raise fields.bad("committee", "must be exactly {members, threshold}")
    members = fields.items(committee, "members", 2, COMMITTEE_MEMBERS_MAX)
    if not all(isinstance(m, str) and fields.HEX64.fullmatch(m) for m in members):
        raise fields.bad("committee.members", "must be key ids (64 hex)")
    if len(set(members)) != len(members):
        raise fields.bad("committee.members", "must not repeat a member")
    threshold = fields.integer(committee, "threshold", 2, len(members))
    criteria = (
        fields.choice(body, "award_criteria", AWARD_CRITERIA)
        if ("award_criteria" in body)
        else "price_only"
    )
    objection_days = (
        fields.integer(body, "objection_days", 1, 30) if "objection_days" in body else None
    )
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    if not doc["competitive"]:
        raise rejected(
            "method_not_competitive",
            f"{doc['method']} is not announced as a tender (no bids are invited)",
        )
    now = _at(entry)
    # A tender is judged under the rule set in force at its announcement: a package
    # planned under an earlier set is checked again under the new one (its method
    # must still be allowed at its HPS) and carries the new set from here on.
    rule_set = rules.in_force(now)
    if rule_set.id != doc["rule_set"]:
        rule_set.check_method(doc["method"], doc["category"], doc["hps_sen"], doc["justification"])
        doc["planned_rule_set"] = doc["rule_set"]
        doc["rule_set"] = rule_set.id
    window_days = rule_set.bid_window_days_min.get(doc["method"], 1)
    if deadline < now + window_days * DAY:
        raise rejected(
            "bid_window_too_short",
            f"{doc['method']} needs a bid window of at least {window_days} day(s);"
            f" the deadline {format_time(deadline)} is too close",
            days_min=window_days,
        )
    if not now < clarification_end <= deadline:
        raise rejected(
            "bad_schedule", "clarification_end must be after now and not after bid_deadline"
        )
    conflicts.check_committee(rule_set, state, doc, members)
    roster = []
    for member in members:
        key = state.get(KEY_NAMESPACE, member)
        if key is None or key["revoked_seq"] is not None:
            raise rejected("unknown_committee_member", f"{member} is not an active key")
        if "committee_member" not in key["roles"]:
            raise rejected("unknown_committee_member", f"{member} does not hold committee_member")
        if "x25519_public_key" not in key:
            raise rejected(
                "committee_member_without_box_key",
                f"{member} registered no x25519_public_key to receive sealed shares",
            )
        roster.append({"key_id": member, "x25519_public_key": key["x25519_public_key"]})
    doc.update(
        state=target,
        documents=documents,
        schedule={
            "announced_at": entry.logged_at,
            "clarification_end": format_time(clarification_end),
            "bid_deadline": format_time(deadline),
            "original_bid_deadline": format_time(deadline),
            "objection_days": objection_days or rule_set.objection_days_default,
        },
        committee={"members": roster, "threshold": threshold},
        award_criteria=criteria,
    )
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)
    lc.note_references(state, ocid, documents, entry.seq)


def reduce_amended(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"addendum", "description"}),
        frozenset({"documents", "bid_deadline", "clarification_end"}),
    )
    number = fields.integer(body, "addendum", 1, 1000)
    description = fields.text(body, "description")
    documents = fields.document_hashes(body, "documents")
    doc = lc.require_tender(state, ocid)
    lc.check_transition(doc, statement.type)
    now = _at(entry)
    schedule = doc["schedule"]
    deadline = parse_time(schedule["bid_deadline"])
    if now >= deadline:
        raise rejected("bid_deadline_passed", "an addendum must come before the deadline")
    if number != doc["addenda"] + 1:
        raise rejected("bad_addendum_number", f"the next addendum is number {doc['addenda'] + 1}")
    new_deadline = fields.moment(body, "bid_deadline") if "bid_deadline" in body else deadline
    if new_deadline < deadline:
        raise rejected(
            "deadline_shortened", "an addendum may extend the bid deadline, never shorten it"
        )
    clarification_end = (
        fields.moment(body, "clarification_end")
        if "clarification_end" in body
        else parse_time(schedule["clarification_end"])
    )
    rule_set = rules.by_id(doc["rule_set"])
    margin = rule_set.addendum_remaining_days_min * DAY
    extended = False
    if new_deadline < now + margin:
        # ProZorro's rule: bidders get a fair margin after any change to the documents.
        new_deadline = now + margin
        extended = True
    if clarification_end > new_deadline:
        raise rejected("bad_schedule", "clarification_end must not be after bid_deadline")
    schedule.update(
        bid_deadline=format_time(new_deadline), clarification_end=format_time(clarification_end)
    )
    doc["addenda"] = number
    doc["documents"] = [*doc["documents"], *documents][: LIST_ITEMS_MAX * 4]
    doc.setdefault("addenda_log", []).append(
        {
            "addendum": number,
            "seq": entry.seq,
            "description": description,
            "documents": documents,
            "bid_deadline": format_time(new_deadline),
            "deadline_extended_by_rule": extended,
            "bids_needing_confirmation": doc["bids"]["active"],
        }
    )
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)
    lc.note_references(state, ocid, documents, entry.seq)


def reduce_question_asked(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"question"}))
    question = fields.text(statement.body, "question")
    doc = lc.require_tender(state, ocid)
    now = _at(entry)
    require_eligible(state, statement.signer, now)
    lc.check_transition(doc, statement.type)
    if now >= parse_time(doc["schedule"]["clarification_end"]):
        raise rejected(
            "clarification_closed",
            f"questions closed at {doc['schedule']['clarification_end']}",
        )
    if doc["questions"] >= QUESTIONS_MAX:
        raise rejected("too_many_questions", f"at most {QUESTIONS_MAX} questions per tender")
    doc["questions"] += 1
    state.put(
        lc.QUESTION_NAMESPACE,
        lc.numbered_key(ocid, doc["questions"]),
        {
            "ocid": ocid,
            "number": doc["questions"],
            "asked_by": statement.signer,
            "question": question,
            "asked_seq": entry.seq,
            "answer": None,
            "answered_seq": None,
            "answered_by": None,
        },
    )
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_question_answered(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"question", "answer"}))
    number = fields.integer(statement.body, "question", 1, QUESTIONS_MAX)
    answer = fields.text(statement.body, "answer")
    doc = lc.require_tender(state, ocid)
    _require_member_or_officer(state, doc, statement.signer)
    lc.check_transition(doc, statement.type)
    key = lc.numbered_key(ocid, number)
    question = state.get(lc.QUESTION_NAMESPACE, key)
    if question is None:
        raise rejected("unknown_question", f"{ocid} has no question {number}")
    if question["answered_seq"] is not None:
        raise rejected("question_answered", f"question {number} was answered already")
    question.update(answer=answer, answered_seq=entry.seq, answered_by=statement.signer)
    state.put(lc.QUESTION_NAMESPACE, key, question)
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_closed(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset(), frozenset({"time_anchor"}))
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    deadline = parse_time(doc["schedule"]["bid_deadline"])
    if _at(entry) < deadline:
        raise rejected(
            "deadline_not_reached",
            f"the bid deadline is {doc['schedule']['bid_deadline']}",
            bid_deadline=doc["schedule"]["bid_deadline"],
        )
    extra: dict[str, Any] = {"closed_at": entry.logged_at}
    anchor = _time_anchor(state, statement.body, deadline, entry.seq)
    if anchor is not None:
        extra["time_anchor"] = anchor
    doc["state"] = target
    lc.note_event(doc, entry.seq, statement.type, **extra)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def reduce_opened(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset())
    doc = lc.require_tender(state, ocid)
    _require_member_or_officer(state, doc, statement.signer)
    target = lc.check_transition(doc, statement.type)
    opening.open_tender(state, doc, rules.by_id(doc["rule_set"]), _at(entry))
    doc["state"] = target
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def reduce_ended(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"reason"}))
    reason = fields.text(statement.body, "reason", REASON_CHARS_MAX)
    doc = lc.require_tender(state, ocid)
    target = lc.check_transition(doc, statement.type)
    # "from": the state it ended in (read before the state changes).
    doc["ended"] = {"state": target, "reason": reason, "seq": entry.seq, "from": doc["state"]}
    doc["state"] = target
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def _time_anchor(
    state: State, body: dict[str, Any], deadline: datetime, seq: int
) -> Document | None:
    """The closing's time anchor, checked (``ledger.time_anchor``); None without a policy.

    With a witness policy in force the closing must carry a checkpoint cosigned by the
    quorum at or before ``deadline + grace``; every bid at or past its tree size is then
    judged late (``bids.is_late``). Without one the closing carries none, and the
    deadline rests on ``logged_at``: the operator's clock alone.
    """
    policy = witness_policy(state)
    if policy is None:
        if "time_anchor" in body:
            raise rejected(
                "no_witness_policy", "this log has no witness policy: a closing has no anchor"
            )
        return None
    if "time_anchor" not in body:
        if clock_is_simulated(state):
            return None  # a demo log: no witness can have cosigned its simulated past
        raise rejected(
            "time_anchor_required",
            "this log has a witness policy: the closing must carry a time anchor "
            "(a checkpoint cosigned by the quorum at or before the deadline plus grace)",
        )
    not_after = int(deadline.timestamp()) + policy.grace_s
    anchor = check_anchor(policy, body["time_anchor"], not_after)
    if anchor.tree_size > seq:
        raise TimeAnchorRefused(
            f"the anchor's tree size {anchor.tree_size} is beyond this entry ({seq})"
        )
    return {
        "tree_size": anchor.tree_size,
        "root_hash": anchor.root_hash.hex(),
        "cosigned_at": list(anchor.cosigned_at),
        "not_after": format_time(datetime.fromtimestamp(not_after, tz=deadline.tzinfo)),
        "quorum": policy.quorum,
        "policy_seq": policy.seq,
    }


def prefetch_tender(statement: Statement) -> list[tuple[str, str]]:
    keys = [(lc.TENDER_NAMESPACE, statement.subject)]
    if statement.type == lc.CLOSED_TYPE:
        keys.append((META_NAMESPACE, WITNESS_POLICY_KEY))
    if statement.type.startswith("procurement.bid.") or statement.type == lc.OBJECTION_FILED:
        keys.append((lc.BID_NAMESPACE, lc.bid_key(statement.subject, statement.signer)))
        keys.append((VENDOR_NAMESPACE, statement.signer))
    if statement.type == lc.QUESTION_ASKED:  # the asker must be an eligible vendor
        keys.append((VENDOR_NAMESPACE, statement.signer))
    body = statement.body
    # An answer names its question or objection by number; the reducer reads that one.
    for answered, field, namespace, number_max in (
        (lc.QUESTION_ANSWERED, "question", lc.QUESTION_NAMESPACE, QUESTIONS_MAX),
        (lc.OBJECTION_ANSWERED, "objection", lc.OBJECTION_NAMESPACE, OBJECTIONS_MAX),
    ):
        number: Any = body.get(field)
        if (
            statement.type == answered
            and type(number) is int
            and 1 <= number <= number_max  # bounded: a hint never formats a huge number
        ):
            keys.append((namespace, lc.numbered_key(statement.subject, number)))
    if statement.type == lc.PACKAGE_CREATED and isinstance(body.get("budget_line"), str):
        keys.append((budget.NS_LINE, body["budget_line"]))
    if statement.type == lc.PACKAGE_CREATED and isinstance(body.get("rup_code"), str):
        keys.append((RUP_NAMESPACE, body["rup_code"]))
    committee: Any = body.get("committee")
    if statement.type == lc.ANNOUNCED and isinstance(committee, dict):
        members: Any = committee.get("members")
        if isinstance(members, list):  # each member's key is checked for its role
            for member in members[:COMMITTEE_MEMBERS_MAX]:
                if isinstance(member, str):  # its key (the role) and any bid of it (conflicts)
                    keys.append((KEY_NAMESPACE, member))
                    keys.append((lc.BID_NAMESPACE, lc.bid_key(statement.subject, member)))
    results: Any = body.get("results")
    if statement.type == lc.EVALUATED and isinstance(results, list):  # each result's bid
        keys.extend(
            (lc.BID_NAMESPACE, lc.bid_key(statement.subject, r["bidder"]))
            for r in results
            if isinstance(r, dict) and isinstance(r.get("bidder"), str)
        )
    documents: Any = body.get("documents")
    if statement.type in (lc.ANNOUNCED, lc.AMENDED) and isinstance(documents, list):
        keys.extend(
            (lc.DOCUMENT_NAMESPACE, d["sha256"])
            for d in documents
            if isinstance(d, dict) and isinstance(d.get("sha256"), str)
        )
    return keys


OFFICER = frozenset({"procurement_officer"})
COMMITTEE = frozenset({"procurement_officer", "committee_member"})
CLOSER = frozenset({"tender_closer"})
"""The role of the server's closer key (``procurement.closer``): closing and nothing else."""
VENDOR = frozenset({"vendor"})
REDUCERS = (
    ProcurementKind(
        lc.PACKAGE_CREATED,
        OFFICER,
        reduce_package_created,
        "plan a package (RUP item) against a budget line",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.ANNOUNCED,
        OFFICER,
        reduce_announced,
        "announce the tender: documents, schedule, committee",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.AMENDED,
        OFFICER,
        reduce_amended,
        "publish an addendum (bidders re-confirm; deadline may extend)",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.QUESTION_ASKED,
        VENDOR,
        reduce_question_asked,
        "a vendor asks a clarification question (aanwijzing)",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.QUESTION_ANSWERED,
        COMMITTEE,
        reduce_question_answered,
        "answer a clarification question",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.CLOSED_TYPE,
        COMMITTEE | CLOSER,
        reduce_closed,
        "close bidding at or after the deadline",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.OPENED_TYPE,
        COMMITTEE,
        reduce_opened,
        "open every bid: once each has k releases, or after the release window",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.CANCELLED_TYPE,
        OFFICER,
        reduce_ended,
        "cancel the tender, with a reason",
        prefetch_tender,
    ),
    ProcurementKind(
        lc.FAILED_TYPE,
        OFFICER,
        reduce_ended,
        "declare the tender failed (tender gagal), with a reason",
        prefetch_tender,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
