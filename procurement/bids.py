"""Sealed bids: submission, replacement, withdrawal, re-confirmation, and the opening.

Statement types (subject = the tender's ocid):

* ``procurement.bid.submitted`` / ``procurement.bid.replaced`` (vendor): format 2
  (``"v": 2``) body ``ciphertext`` (base64, at most ``CIPHERTEXT_BYTES_MAX``),
  ``ciphertext_sha256``, ``content_sha256`` (of the envelope), ``addendum`` (the
  number of the last addendum the bid answers; 0 if none), ``commitments`` (k Feldman
  commitments) and ``shares``: one ``{member, sealed}`` per committee member, in
  committee order; format 1 (no ``v``, kept so older logs replay): no
  ``commitments``, shares ``{member, sealed, commitment}`` (``procurement.sealed``
  has both constructions).
* ``procurement.bid.withdrawn`` (vendor): body ``{}``.
* ``procurement.bid.confirmed`` (vendor): body ``addendum``: re-confirms the bid
  against an addendum published after it.
* ``procurement.tender.shares_released`` (committee member): body ``shares``:
  ``[{bidder, share}]`` (share: base64 of the 32 bytes opened from the sealed share).

Guarantees (checked here at the entry's logging time, so also on replay):

1. a bid statement is accepted only while the tender is ``active`` AND its logging
   time is before ``bid_deadline``: a late bid is refused even if nobody has logged
   the closing yet;
2. the logged ciphertext hashes to ``ciphertext_sha256``;
3. a share release is accepted only after the closing entry (states ``closed`` and
   ``opening``), only from a member of the tender's committee, only once per bid and
   member, and only if it checks against what the vendor signed (format 2: on the
   committed polynomial; format 1: its hash commitment);
4. (with a witness policy) a bid whose seq is at or past the tree size of the closing's
   time anchor (a checkpoint the witness quorum cosigned by deadline + grace) is judged
   ``late`` (``opening.judge_late``) at the first release naming it, or at the opening
   for those nobody named: kept, never opened or evaluated, however the operator's
   clock dated it;
5. a release opens nothing: every bid is decided at ``procurement.tender.opened``
   (``procurement.opening``), from all the shares released for it, so the order of
   releases cannot choose which bids open.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import ClientError
from ledger.state import Document, State
from ledger.statement import LoggedEntry, b64decode_strict, b64encode, parse_time
from procurement import conflicts, fields
from procurement import lifecycle as lc
from procurement.errors import rejected
from procurement.limits import (
    CIPHERTEXT_BYTES_MAX,
    COMMITTEE_MEMBERS_MAX,
    RELEASES_PER_STATEMENT_MAX,
)
from procurement.opening import is_late, judge_late
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook
from procurement.sealed import (
    BID_FORMAT_FELDMAN,
    BID_FORMAT_SHAMIR,
    POINT_BYTES,
    SEALED_SHARE_BYTES,
    SHARE_BYTES,
    Share,
    is_commitment,
    share_commitment,
    verify_share,
)
from procurement.tender import _at, _ocid, prefetch_tender
from procurement.vendors import VENDOR_NAMESPACE, require_eligible

BID_FIELDS = frozenset({"ciphertext", "ciphertext_sha256", "content_sha256", "addendum", "shares"})
BID_FIELDS_V2 = BID_FIELDS | {"v", "commitments"}


def _parse_bid_body(body: dict[str, Any]) -> dict[str, Any]:
    """A bid body of either format: 2 (``"v": 2``, Feldman ``commitments``, shares
    ``{member, sealed}``) or 1 (no ``v``; shares ``{member, sealed, commitment}``)."""
    bid_format = BID_FORMAT_FELDMAN if "v" in body else BID_FORMAT_SHAMIR
    if bid_format == BID_FORMAT_FELDMAN:
        fields.only_fields(body, BID_FIELDS_V2)
        fields.integer(body, "v", BID_FORMAT_FELDMAN, BID_FORMAT_FELDMAN)
    else:
        fields.only_fields(body, BID_FIELDS)
    ciphertext = fields.base64_bytes(body, "ciphertext", 41, CIPHERTEXT_BYTES_MAX)
    ciphertext_sha256 = fields.hex64(body, "ciphertext_sha256")
    content_sha256 = fields.hex64(body, "content_sha256")
    addendum = fields.integer(body, "addendum", 0, 1000)
    share_fields = (
        frozenset({"member", "sealed"})
        if bid_format == BID_FORMAT_FELDMAN
        else frozenset({"member", "sealed", "commitment"})
    )
    shares = []
    for index, item in enumerate(fields.items(body, "shares", 2, COMMITTEE_MEMBERS_MAX)):
        share = fields.obj(item, f"shares[{index}]")
        fields.only_fields(share, share_fields)
        parsed_share = {
            "member": fields.hex64(share, "member"),
            "sealed": b64encode(
                fields.base64_bytes(share, "sealed", SEALED_SHARE_BYTES, SEALED_SHARE_BYTES)
            ),
        }
        if bid_format == BID_FORMAT_SHAMIR:
            parsed_share["commitment"] = fields.hex64(share, "commitment")
        shares.append(parsed_share)
    commitments: list[str] = []
    if bid_format == BID_FORMAT_FELDMAN:
        for index, item in enumerate(fields.items(body, "commitments", 2, COMMITTEE_MEMBERS_MAX)):
            where = f"commitments[{index}]"
            point = fields.base64_bytes({where: item}, where, POINT_BYTES, POINT_BYTES)
            if not is_commitment(point):
                raise fields.bad(
                    f"commitments[{index}]",
                    "must be a point of edwards25519's prime-order subgroup (not the identity)",
                    code="bad_commitment",
                )
            commitments.append(b64encode(point))
    if fields.sha256_hex(ciphertext) != ciphertext_sha256:
        raise ClientError(
            "body.ciphertext does not hash to body.ciphertext_sha256",
            code="ciphertext_hash_mismatch",
            field="body.ciphertext",
        )
    parsed = {
        "format": bid_format,
        "ciphertext": body["ciphertext"],
        "ciphertext_sha256": ciphertext_sha256,
        "content_sha256": content_sha256,
        "addendum": addendum,
        "shares": shares,
    }
    if bid_format == BID_FORMAT_FELDMAN:
        parsed["commitments"] = commitments
    return parsed


def _check_bidding_open(doc: Document, entry: LoggedEntry, statement_type: str) -> None:
    lc.check_transition(doc, statement_type)
    deadline = doc["schedule"]["bid_deadline"]
    if _at(entry) >= parse_time(deadline):
        raise rejected(
            "bid_deadline_passed",
            f"the bid deadline was {deadline}; this entry is logged at {entry.logged_at}",
            bid_deadline=deadline,
            logged_at=entry.logged_at,
        )


def reduce_bid(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    parsed = _parse_bid_body(statement.body)
    doc = lc.require_tender(state, ocid)
    vendor = require_eligible(state, statement.signer, _at(entry))
    _check_bidding_open(doc, entry, statement.type)
    conflicts.check_bidder(rules.by_id(doc["rule_set"]), doc, statement.signer)
    key = lc.bid_key(ocid, statement.signer)
    bid = state.get(lc.BID_NAMESPACE, key)
    active = bid is not None and bid["status"] == "submitted"
    if statement.type == lc.BID_SUBMITTED and active:
        raise rejected("bid_exists", "this vendor already has a bid here; replace or withdraw it")
    if statement.type == lc.BID_REPLACED and not active:
        raise rejected("unknown_bid", "there is no bid of this vendor to replace")
    members = [m["key_id"] for m in doc["committee"]["members"]]
    if [s["member"] for s in parsed["shares"]] != members:
        raise rejected(
            "shares_not_for_committee",
            "body.shares must hold one share per committee member, in committee order",
            committee=members,
        )
    threshold = doc["committee"]["threshold"]
    if parsed["format"] == BID_FORMAT_FELDMAN and len(parsed["commitments"]) != threshold:
        raise rejected(
            "commitments_not_for_threshold",
            f"body.commitments must hold one commitment per coefficient: {threshold}",
            threshold=threshold,
        )
    if parsed["addendum"] != doc["addenda"]:
        raise rejected(
            "stale_addendum",
            f"the bid answers addendum {parsed['addendum']}; the latest is {doc['addenda']}",
        )
    if bid is None:
        doc["bids"]["ever"] += 1
        vendor["bids_submitted"] += 1
        state.put(VENDOR_NAMESPACE, statement.signer, vendor)
        # The opening visits every bid: this index is how it finds them (a tender
        # document listing every bidder would be rewritten by every bid).
        state.put(
            lc.BID_ORDER_NAMESPACE,
            lc.numbered_key(ocid, doc["bids"]["ever"]),
            {"ocid": ocid, "bidder": statement.signer, "seq": entry.seq},
        )
    if not active:
        doc["bids"]["active"] += 1
    state.put(
        lc.BID_NAMESPACE,
        key,
        {
            "ocid": ocid,
            "bidder": statement.signer,
            "status": "submitted",
            "seq": entry.seq,
            "first_seq": entry.seq if bid is None else bid["first_seq"],
            "version": 1 if bid is None else bid["version"] + 1,
            "logged_at": entry.logged_at,
            **parsed,
            "confirmed_seq": None,
            "released": {},
            "opening": None,
            "validity": "sealed",
            "flags": [],
            "evaluation": None,
        },
    )
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_withdrawn(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset())
    doc = lc.require_tender(state, ocid)
    key = lc.bid_key(ocid, statement.signer)
    bid = state.get(lc.BID_NAMESPACE, key)
    if bid is None or bid["status"] != "submitted":
        raise rejected("unknown_bid", "there is no bid of this vendor to withdraw")
    _check_bidding_open(doc, entry, statement.type)
    bid.update(status="withdrawn", withdrawn_seq=entry.seq)
    state.put(lc.BID_NAMESPACE, key, bid)
    doc["bids"]["active"] -= 1
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_confirmed(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"addendum"}))
    number = fields.integer(statement.body, "addendum", 1, 1000)
    doc = lc.require_tender(state, ocid)
    key = lc.bid_key(ocid, statement.signer)
    bid = state.get(lc.BID_NAMESPACE, key)
    if bid is None or bid["status"] != "submitted":
        raise rejected("unknown_bid", "there is no bid of this vendor to confirm")
    _check_bidding_open(doc, entry, statement.type)
    if number != doc["addenda"] or bid["addendum"] >= number:
        raise rejected(
            "nothing_to_confirm",
            f"the bid answers addendum {bid['addendum']}; the latest is {doc['addenda']}",
        )
    bid.update(addendum=number, confirmed_seq=entry.seq)
    state.put(lc.BID_NAMESPACE, key, bid)
    lc.save_tender(state, ocid, doc, entry.seq)


def reduce_shares_released(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    ocid = _ocid(statement)
    fields.only_fields(statement.body, frozenset({"shares"}))
    releases = []
    for index, item in enumerate(
        fields.items(statement.body, "shares", 1, RELEASES_PER_STATEMENT_MAX)
    ):
        release = fields.obj(item, f"shares[{index}]")
        fields.only_fields(release, frozenset({"bidder", "share"}))
        releases.append(
            (
                fields.hex64(release, "bidder"),
                fields.base64_bytes(release, "share", SHARE_BYTES, SHARE_BYTES),
            )
        )
    if len({bidder for bidder, _ in releases}) != len(releases):
        raise fields.bad("shares", "must not name a bidder twice")
    doc = lc.require_tender(state, ocid)
    members = [m["key_id"] for m in doc["committee"]["members"]]
    if statement.signer not in members:
        raise rejected(
            "not_committee_member", f"{statement.signer} is not on the committee of {ocid}"
        )
    target = lc.check_transition(doc, statement.type)
    x = members.index(statement.signer) + 1
    for bidder, share_bytes in releases:
        key = lc.bid_key(ocid, bidder)
        bid = state.get(lc.BID_NAMESPACE, key)
        if bid is not None and bid["status"] == "late":
            continue  # judged late already: kept, never opened
        if bid is None or bid["status"] != "submitted":
            raise rejected("unknown_bid", f"{bidder} has no bid in {ocid}", bidder=bidder)
        if is_late(doc, bid):
            judge_late(bid, doc)
            state.put(lc.BID_NAMESPACE, key, bid)
            continue
        if statement.signer in bid["released"]:
            raise rejected(
                "share_already_released",
                f"{statement.signer} already released its share of {bidder}'s bid",
            )
        if not _share_checks(bid, statement.signer, Share(x, share_bytes)):
            raise rejected(
                "share_mismatch",
                f"the share for {bidder}'s bid does not match the commitment the vendor signed",
                bidder=bidder,
            )
        # Nothing is opened here: the opening decides every bid at once, at
        # ``procurement.tender.opened`` (``procurement.opening``), so no member and
        # no officer can choose which bids open by the order of releases.
        bid["released"][statement.signer] = b64encode(share_bytes)
        state.put(lc.BID_NAMESPACE, key, bid)
    if statement.signer not in doc["released_by"]:
        doc["released_by"].append(statement.signer)
    doc["state"] = target
    lc.note_event(doc, entry.seq, statement.type)
    state.put(lc.TENDER_NAMESPACE, ocid, doc)


def _share_checks(bid: Document, member: str, share: Share) -> bool:
    """A released share against what the vendor signed: format 2, the Feldman check
    (on the committed polynomial); format 1, the per-member hash commitment."""
    if bid.get("format", BID_FORMAT_SHAMIR) == BID_FORMAT_FELDMAN:
        commitments = [b64decode_strict(c, field="commitment") for c in bid["commitments"]]
        # Each commitment was checked (``is_commitment``) when the bid was logged.
        return verify_share(share, commitments, commitments_checked=True)
    committed = bid["shares"][share.x - 1]["commitment"]
    return bool(share_commitment(bid["ocid"], bid["bidder"], member, share) == committed)


def _prefetch(statement: Any) -> list[tuple[str, str]]:
    keys = prefetch_tender(statement)
    shares = statement.body.get("shares")
    if statement.type == lc.SHARES_RELEASED and isinstance(shares, list):
        for item in shares[:RELEASES_PER_STATEMENT_MAX]:
            if isinstance(item, dict) and isinstance(item.get("bidder"), str):
                keys.append((lc.BID_NAMESPACE, lc.bid_key(statement.subject, item["bidder"])))
    return keys


VENDOR = frozenset({"vendor"})
REDUCERS = (
    ProcurementKind(lc.BID_SUBMITTED, VENDOR, reduce_bid, "submit a sealed bid", _prefetch),
    ProcurementKind(
        lc.BID_REPLACED,
        VENDOR,
        reduce_bid,
        "replace one's sealed bid before the deadline",
        _prefetch,
    ),
    ProcurementKind(
        lc.BID_WITHDRAWN,
        VENDOR,
        reduce_withdrawn,
        "withdraw one's bid before the deadline",
        _prefetch,
    ),
    ProcurementKind(
        lc.BID_CONFIRMED,
        VENDOR,
        reduce_confirmed,
        "re-confirm a bid after an addendum",
        _prefetch,
    ),
    ProcurementKind(
        lc.SHARES_RELEASED,
        frozenset({"committee_member"}),
        reduce_shares_released,
        "a committee member publishes its opened key shares, after the closing",
        _prefetch,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
