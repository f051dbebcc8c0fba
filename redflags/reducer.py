"""The ``redflags`` read model: flags recomputed at the entries that can change them.

Why a follower of procurement's statements rather than reducers of its own: the kind
registry gives each statement type one reducer, owned by the room that decides whether
it is accepted (``ledger.kinds.KindRegistry.register`` refuses a type twice), and a red
flag must never decide that. So this room registers a *follower*
(``KindRegistry.follow``, wired by ``redflags.kinds``): it runs after procurement's
reducer has accepted the entry, in the same staged state, so its rows commit with the
entry (live) and are written again identically by replay (``terang verify`` compares
them like any projection, ``terang rebuild-projections`` rebuilds them). A follower may
not refuse; one that raises is a bug, never a 409. The rejected alternatives: a
separate pass over the log after the fact (two code paths, rows that lag the log and
that ``verify`` would not cover), or flags inside procurement's documents (procurement
would own rules it has no business deciding, and every flag change would be a
procurement change).

Followed types and what each recomputes (everything else cannot change a flag):

* ``package.created``: RI-SPLIT for the package's OPD, account and category;
* ``tender.announced``, ``tender.amended``: R003 (the period and its dated minimum);
* ``tender.closed``: R018 (the tenderers are known);
* ``tender.opened``: R028, RI-HPS-BAND (prices are known from here on);
* ``tender.awarded``: the award rules (R024, R030, R035, R036, R058, RI-YEAR-END,
  RI-NEW-WINNER), RI-REPEAT-WINNER, R038's and R025's tallies, and R048's (the
  package's items, when it lists any, are the winner's);
* ``tender.failed``: R038's and R025's tallies (its bids were evaluated too);
* ``tender.cancelled``: the per-tender rules again (nothing is cleared by a
  cancellation; a flag raised stays, with the tender's final state beside it);
* ``contract.amended``: RI-AMEND-CEILING.

At each followed entry the per-tender rules (``rules.TENDER_RULES``) are judged again
from the tender's replayed state (the rules that read bids only at ``BID_TYPES``, the
only followed entries after which their facts can have changed: evaluation is not
followed, and an award or a failure always comes after the last one); a flag whose
result changed is rewritten, one no longer raised is kept with ``status: cleared`` (a
flag that was raised is history too). Unchanged flags are not rewritten, so their
``changed_seq`` stays the entry that last changed them.

Documents (namespace ``redflags.flag``, key ``<subject>|<rule>``; the subject is the
ocid, or ``opd:<code>`` / ``vendor:<key id>`` for R038, R025 and R048): the rule and its
version, the
status, the tender, OPD, year and vendors it concerns, its value, the figures it used
(``inputs``), the thresholds, and the seqs of the entries behind it. Running counts
live in ``redflags.tally``.

Cost per followed entry: the tender's own documents (one per bid, read through
``procurement.bid_order``) and a handful of flag and tally documents; nothing scans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.kinds import Reducer
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, parse_time
from procurement import lifecycle as lc
from procurement.namespaces import CONTRACT_NAMESPACE
from procurement.rules import RULES as PROCUREMENT_RULES
from procurement.rules import WIB
from procurement.vendors import VENDOR_NAMESPACE
from redflags import rules
from redflags.limits import TALLY_RECENT_MAX
from redflags.namespaces import FLAG_NAMESPACE, TALLY_NAMESPACE
from redflags.periods import PERIODS, PeriodBook
from redflags.rules import THRESHOLDS, BidFact, Flag, SmallPackage, TenderFacts, Thresholds

P = "procurement."
PACKAGE_CREATED = P + "package.created"
ANNOUNCED = P + "tender.announced"
AMENDED = P + "tender.amended"
CLOSED = P + "tender.closed"
OPENED = P + "tender.opened"
AWARDED = P + "tender.awarded"
FAILED = P + "tender.failed"
CANCELLED = P + "tender.cancelled"
CONTRACT_AMENDED = P + "contract.amended"
FOLLOWED_TYPES = (
    PACKAGE_CREATED,
    ANNOUNCED,
    AMENDED,
    CLOSED,
    OPENED,
    AWARDED,
    FAILED,
    CANCELLED,
    CONTRACT_AMENDED,
)


BID_TYPES = frozenset({CLOSED, OPENED, AWARDED, FAILED})
"""The followed types after which the bids' facts may differ from the last judgement:
the tenderers (closing), the prices (opening), the final evaluation (award, failure).
Bids are read only there: a bid document carries its ciphertext and shares, and
reading every bid at every followed entry made the follower a fifth of a replay."""
NO_BID_RULES = tuple(r for r in rules.TENDER_RULES if r not in rules.BID_RULES)
"""What the other followed types judge: the rules that read no bid."""


def prefetch(statement: Statement) -> list[tuple[str, str]]:
    """The flags the follower reads at ``statement`` that it names: its tender's flag of
    each rule judged there (``write_flag``). The bids in bid order, the tallies and the
    other tenders of a split are named by documents read first, so they are not here."""
    judged = rules.TENDER_RULES if statement.type in BID_TYPES else NO_BID_RULES
    if statement.type == AWARDED:  # the award counts its winner (``_follow_repeat_winner``)
        judged = (*judged, "RI-REPEAT-WINNER")
    return [(FLAG_NAMESPACE, flag_key(statement.subject, rule)) for rule in judged]


def flag_key(subject: str, rule: str) -> str:
    return f"{subject}|{rule}"


def budget_parts(budget_line: str) -> tuple[str, str]:
    """(OPD code, account code) of a budget line ``year:OPD:sub kegiatan:account:source``."""
    parts = budget_line.split(":")
    return parts[1], parts[3]


def make_follower(th: Thresholds = THRESHOLDS, periods: PeriodBook = PERIODS) -> Reducer:
    """The follower for ``FOLLOWED_TYPES`` (tests pass their own thresholds or periods)."""

    def follow(state: State, entry: LoggedEntry) -> None:
        statement = entry.signed.statement
        doc = state.get(lc.TENDER_NAMESPACE, statement.subject)
        if doc is None:
            return  # not a tender's entry (procurement refused it otherwise)
        kind = statement.type
        if kind == PACKAGE_CREATED:
            _follow_split(state, doc, entry, th)
        with_bids = kind in BID_TYPES
        facts = tender_facts(state, doc, periods, with_bids=with_bids)
        if kind == AWARDED:
            _follow_repeat_winner(state, doc, entry, th)
            _follow_r048(state, doc, entry, th)
        if kind in (AWARDED, FAILED):
            _follow_r038(state, doc, facts, entry, th)
            _follow_r025(state, doc, facts, entry, th)
        award_date = facts.awarded_at.astimezone(WIB).date() if facts.awarded_at else None
        found = rules.tender_flags(facts, award_date, th)
        judged = rules.TENDER_RULES if with_bids else NO_BID_RULES
        for rule in judged:
            write_flag(state, entry, found.get(rule), _tender_subject(doc), rule, doc["ocid"])

    return follow


# -- facts -----------------------------------------------------------------------------


def _time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def tender_bids(state: State, doc: Document) -> list[BidFact]:
    """Every bid ever made on the tender, in the order vendors first bid."""
    round_now = doc["evaluation"]["round"]
    found = []
    for number in range(1, doc["bids"]["ever"] + 1):
        order = state.get(lc.BID_ORDER_NAMESPACE, lc.numbered_key(doc["ocid"], number))
        if order is None:
            continue  # a tender from before the index (docs/procurement.md)
        bid = state.get(lc.BID_NAMESPACE, lc.bid_key(doc["ocid"], order["bidder"]))
        if bid is None:
            continue
        opening = bid.get("opening") or {}
        evaluation = bid.get("evaluation")
        current = evaluation is not None and evaluation["round"] == round_now
        found.append(
            BidFact(
                bidder=bid["bidder"],
                seq=int(bid["seq"]),
                logged_at=parse_time(bid["logged_at"]),
                status=bid["status"],
                price_sen=opening.get("price_sen") if opening.get("result") == "opened" else None,
                passed=bool(evaluation["passed"]) if current and evaluation else None,
                evaluation_seq=evaluation.get("seq") if current and evaluation else None,
            )
        )
    return found


def tender_facts(
    state: State, doc: Document, periods: PeriodBook = PERIODS, *, with_bids: bool = True
) -> TenderFacts:
    """What the rules read of one tender, from its replayed documents (without its bids
    when ``with_bids`` is false: the bid rules are then not judged, see ``BID_TYPES``)."""
    seqs = doc["seqs"]
    schedule = doc.get("schedule") or {}
    announced_at = _time(schedule.get("announced_at"))
    period_rule = periods.in_force(announced_at) if announced_at is not None else None
    opd, _ = budget_parts(doc["budget_line"])
    award = doc.get("award")
    winner = award["winner"] if award else None
    vendor = state.get(VENDOR_NAMESPACE, winner) if winner else None
    contract = state.get(CONTRACT_NAMESPACE, doc["ocid"]) if doc.get("contract") else None
    method_rule = PROCUREMENT_RULES.by_id(doc["rule_set"]).methods.get(doc["method"])
    ceiling = method_rule.value_max_sen.get(doc["category"]) if method_rule else None
    return TenderFacts(
        ocid=doc["ocid"],
        method=doc["method"],
        category=doc["category"],
        award_criteria=doc.get("award_criteria"),
        hps_sen=int(doc["hps_sen"]),
        state=doc["state"],
        year=int(doc["year"]),
        opd=opd,
        announced_at=announced_at,
        announced_seq=seqs.get("tender.announced"),
        bid_deadline=_time(schedule.get("bid_deadline")),
        amended_seq=seqs.get("tender.amended"),
        closed_seq=seqs.get("tender.closed"),
        opened_seq=seqs.get("tender.opened"),
        bids=tuple(tender_bids(state, doc)) if with_bids and "tender.closed" in seqs else (),
        awarded_seq=award["seq"] if award else None,
        awarded_at=_time(award["date"]) if award else None,
        winner=winner,
        winner_price_sen=(doc.get("winner") or {}).get("price_sen"),
        winner_bid_seq=(doc.get("winner") or {}).get("bid_seq"),
        winner_registered_at=_time(vendor["registered_at"]) if vendor else None,
        winner_registered_seq=vendor["registered_seq"] if vendor else None,
        minimum_period_days=(
            period_rule.minimum_days.get(doc["method"]) if period_rule is not None else None
        ),
        period_rule=period_rule.id if period_rule is not None else None,
        contract_value_sen=contract["value_sen"] if contract else None,
        contract_original_sen=contract["original_value_sen"] if contract else None,
        contract_amended_seqs=tuple(a["seq"] for a in contract["amendments"]) if contract else (),
        method_ceiling_sen=ceiling,
    )


# -- writing flags -----------------------------------------------------------------------


def _tender_subject(doc: Document) -> dict[str, Any]:
    opd, _ = budget_parts(doc["budget_line"])
    return {"ocid": doc["ocid"], "title": doc["title"], "opd": opd, "year": doc["year"]}


def write_flag(
    state: State,
    entry: LoggedEntry,
    flag: Flag | None,
    subject: dict[str, Any],
    rule: str,
    key_subject: str,
) -> None:
    """Raise, rewrite or clear the flag ``key_subject|rule`` (see the module docstring)."""
    key = flag_key(key_subject, rule)
    existing = state.get(FLAG_NAMESPACE, key)
    if flag is None:
        if existing is None or existing["status"] != "raised":
            return
        existing["status"] = "cleared"
        existing["cleared_seq"] = entry.seq
        existing["changed_seq"] = entry.seq
        state.put(FLAG_NAMESPACE, key, existing)
        return
    content = {
        "key": key,
        "rule": flag.rule,
        "rule_version": rules.RULES_VERSION,
        "status": "raised",
        "ocid": subject.get("ocid"),
        "title": subject.get("title"),
        "opd": subject.get("opd"),
        "year": subject.get("year"),
        "vendors": sorted(set(flag.vendors)),
        "value": flag.value,
        "inputs": flag.inputs,
        "thresholds": flag.thresholds,
        "seqs": sorted(set(flag.seqs)),
    }
    if existing is not None and existing["status"] == "raised":
        unchanged = all(existing.get(name) == value for name, value in content.items())
        if unchanged:
            return
        raised_seq = existing["raised_seq"]
    else:
        raised_seq = entry.seq
    state.put(
        FLAG_NAMESPACE,
        key,
        {**content, "raised_seq": raised_seq, "changed_seq": entry.seq, "cleared_seq": None},
    )


# -- cross-tender rules -----------------------------------------------------------------


def _follow_split(state: State, doc: Document, entry: LoggedEntry, th: Thresholds) -> None:
    """RI-SPLIT: remember the pengadaan langsung package, flag the group it completes."""
    if doc["method"] != "pengadaan_langsung":
        return
    rule = PROCUREMENT_RULES.by_id(doc["rule_set"]).methods.get("pengadaan_langsung")
    ceiling = rule.value_max_sen.get(doc["category"]) if rule else None
    if ceiling is None:
        return
    opd, account = budget_parts(doc["budget_line"])
    tally_key = f"split|{doc['year']}|{opd}|{account}|{doc['category']}"
    tally = state.get(TALLY_NAMESPACE, tally_key) or {"packages": []}
    known = [_package(p) for p in tally["packages"]]
    new = SmallPackage(doc["ocid"], int(doc["hps_sen"]), parse_time(entry.logged_at), entry.seq)
    tally["packages"].append(
        {"ocid": new.ocid, "hps_sen": new.hps_sen, "at": entry.logged_at, "seq": new.seq}
    )
    state.put(TALLY_NAMESPACE, tally_key, tally)
    group = rules.ri_split_group(new, known, ceiling, th)
    if group is None:
        return
    by_ocid = {p.ocid: p for p in [*known, new]}
    for member in group:
        member_doc = (
            doc if member.ocid == doc["ocid"] else state.get(lc.TENDER_NAMESPACE, member.ocid)
        )
        if member_doc is None:
            continue
        existing = state.get(FLAG_NAMESPACE, flag_key(member.ocid, "RI-SPLIT"))
        merged = {p.ocid: p for p in group}
        if existing is not None and existing["status"] == "raised":
            for item in existing["inputs"]["packages"]:
                if item["ocid"] in by_ocid:
                    merged.setdefault(item["ocid"], by_ocid[item["ocid"]])
        members = sorted(merged.values(), key=lambda p: (p.at, p.seq))
        flag = rules.ri_split_flag(members, ceiling, th)
        write_flag(state, entry, flag, _tender_subject(member_doc), "RI-SPLIT", member.ocid)


def _package(raw: Document) -> SmallPackage:
    return SmallPackage(raw["ocid"], int(raw["hps_sen"]), parse_time(raw["at"]), int(raw["seq"]))


def _follow_repeat_winner(state: State, doc: Document, entry: LoggedEntry, th: Thresholds) -> None:
    """RI-REPEAT-WINNER: count the award for its vendor at its OPD in its year."""
    winner = doc["award"]["winner"]
    opd, _ = budget_parts(doc["budget_line"])
    tally_key = f"winners|{doc['year']}|{opd}"
    tally = state.get(TALLY_NAMESPACE, tally_key) or {"awards": {}}
    awards = tally["awards"].setdefault(winner, [])
    if [doc["ocid"], entry.seq] not in awards:
        awards.append([doc["ocid"], entry.seq])
    state.put(TALLY_NAMESPACE, tally_key, tally)
    flag = rules.ri_repeat_winner(
        [(str(o), int(s)) for o, s in awards], winner, opd, int(doc["year"]), th
    )
    write_flag(state, entry, flag, _tender_subject(doc), "RI-REPEAT-WINNER", doc["ocid"])


def _follow_r038(
    state: State, doc: Document, facts: TenderFacts, entry: LoggedEntry, th: Thresholds
) -> None:
    """R038: add the tender's bids to its OPD's and each bidder's running counts."""
    tendered = [b for b in facts.bids if b.tendered]
    opd = facts.opd
    _r038_add(
        state,
        entry,
        f"opd:{opd}",
        {"opd": opd},
        len(tendered),
        sum(1 for b in tendered if b.disqualified),
        doc["ocid"],
        buyer=True,
        th=th,
    )
    for bid in tendered:
        _r038_add(
            state,
            entry,
            f"vendor:{bid.bidder}",
            {"vendors": [bid.bidder]},
            1,
            1 if bid.disqualified else 0,
            doc["ocid"],
            buyer=False,
            th=th,
        )


def _follow_r025(
    state: State, doc: Document, facts: TenderFacts, entry: LoggedEntry, th: Thresholds
) -> None:
    """R025: add the tender's valid bids (opened, not disqualified) to each bidder's
    counts of valid and winning bids, and judge each of those bidders again."""
    for bid in facts.bids:
        if not bid.tendered or bid.price_sen is None or bid.disqualified:
            continue
        won = facts.awarded and bid.bidder == facts.winner
        tally_key = f"r025|vendor:{bid.bidder}"
        tally = state.get(TALLY_NAMESPACE, tally_key) or {"valid": 0, "won": 0, "recent": []}
        tally["valid"] += 1
        tally["won"] += 1 if won else 0
        tally["recent"] = [*tally["recent"], [doc["ocid"], entry.seq]][-TALLY_RECENT_MAX:]
        state.put(TALLY_NAMESPACE, tally_key, tally)
        counts = rules.WinTally(tally["valid"], tally["won"])
        ratio = rules.r025_excessive_unsuccessful_bids(counts, th)
        flag = None
        if ratio is not None:
            flag = Flag(
                "R025",
                rules.ratio_text(ratio),
                {
                    "of": "tenderer",
                    "valid_bids": counts.valid,
                    "winning_bids": counts.won,
                    "ratio": rules.ratio_text(ratio),
                    "recent_ocids": [o for o, _ in tally["recent"]],
                },
                tuple(int(s) for _, s in tally["recent"]),
                th.as_json("r025_valid_bids_min", "r025_ratio_max"),
                (bid.bidder,),
            )
        subject_doc = {"ocid": None, "title": None, "opd": None, "year": None}
        write_flag(state, entry, flag, subject_doc, "R025", f"vendor:{bid.bidder}")


def _follow_r048(state: State, doc: Document, entry: LoggedEntry, th: Thresholds) -> None:
    """R048: add the awarded package's item classifications to the winner's, and judge
    the winner again. A package without items (every package logged before items
    existed) adds nothing and writes nothing, so an old log replays to the same rows.

    The tally keeps, per first-level classification, the first award that brought it
    (ocid, the award's seq, the package's seq: the entry that lists the item): the
    flag's evidence, bounded by the number of first-level codes (100 at two digits)."""
    package_items = doc.get("items") or []
    winner = doc["award"]["winner"]
    if not package_items or winner is None:
        return
    tally_key = f"r048|vendor:{winner}"
    tally = state.get(TALLY_NAMESPACE, tally_key) or {"awards": 0, "divisions": {}}
    if doc["ocid"] in tally.get("ocids", []):
        return  # one award per tender: never counted twice
    tally["awards"] += 1
    tally["ocids"] = [*tally.get("ocids", []), doc["ocid"]][-TALLY_RECENT_MAX:]
    package_seq = int(doc["seqs"]["package.created"])
    for item in package_items:
        code = str(item["classification"]["id"])
        division = code[: th.r048_digits]
        tally["divisions"].setdefault(
            division,
            {"code": code, "ocid": doc["ocid"], "award_seq": entry.seq, "package_seq": package_seq},
        )
    state.put(TALLY_NAMESPACE, tally_key, tally)
    divisions = tally["divisions"]
    variety = rules.r048_heterogeneous_supplier([d["code"] for d in divisions.values()], th)
    flag = None
    if variety is not None:
        flag = Flag(
            "R048",
            str(variety),
            {
                "of": "supplier",
                "scheme": "KBLI",
                "variety": variety,
                "awards_with_items": tally["awards"],
                "classifications": [
                    {"division": name, "code": d["code"], "ocid": d["ocid"]}
                    for name, d in sorted(divisions.items())
                ],
            },
            tuple(
                seq
                for d in divisions.values()
                for seq in (int(d["award_seq"]), int(d["package_seq"]))
            ),
            th.as_json("r048_variety_min", "r048_digits"),
            (winner,),
        )
    subject_doc = {"ocid": None, "title": None, "opd": None, "year": None}
    write_flag(state, entry, flag, subject_doc, "R048", f"vendor:{winner}")


def _r038_add(
    state: State,
    entry: LoggedEntry,
    subject: str,
    about: dict[str, Any],
    submitted: int,
    disqualified: int,
    ocid: str,
    *,
    buyer: bool,
    th: Thresholds,
) -> None:
    tally_key = f"r038|{subject}"
    tally = state.get(TALLY_NAMESPACE, tally_key) or {
        "processes": 0,
        "submitted": 0,
        "disqualified": 0,
        "recent": [],
    }
    tally["processes"] += 1
    tally["submitted"] += submitted
    tally["disqualified"] += disqualified
    tally["recent"] = [*tally["recent"], [ocid, entry.seq]][-TALLY_RECENT_MAX:]
    state.put(TALLY_NAMESPACE, tally_key, tally)
    counts = rules.DisqualifiedTally(tally["processes"], tally["submitted"], tally["disqualified"])
    ratio = rules.r038_excessive_disqualified(counts, buyer=buyer, th=th)
    flag = None
    if ratio is not None:
        flag = Flag(
            "R038",
            rules.ratio_text(ratio),
            {
                "of": "buyer" if buyer else "tenderer",
                "contracting_processes": counts.processes,
                "submitted_bids": counts.submitted,
                "disqualified_bids": counts.disqualified,
                "ratio": rules.ratio_text(ratio),
                "recent_ocids": [o for o, _ in tally["recent"]],
            },
            tuple(int(s) for _, s in tally["recent"]),
            th.as_json(
                "r038_ratio_min",
                "r038_buyer_processes_min" if buyer else "r038_tenderer_bids_min",
            ),
            tuple(about.get("vendors", ())),
        )
    subject_doc = {"ocid": None, "title": None, "opd": about.get("opd"), "year": None}
    write_flag(state, entry, flag, subject_doc, "R038", subject)
