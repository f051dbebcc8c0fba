"""The opening: every bid of a tender decided at once, at ``procurement.tender.opened``.

Why here and not at the k-th release: if a bid opened as soon as k members released
its share, the order of releases would decide which bids open. One member holding
k - 1 published shares plus its own can read every bid, release only a friend's share
and log ``opened``; an officer can log ``opened`` between a member's release batches.
The competitors' bids then stay sealed for ever. So:

1. ``opened`` is accepted only when every active bid has ``threshold`` accepted
   releases, or once the release window is over: ``release_window_hours`` of the
   tender's rule set (default ``RELEASE_WINDOW_HOURS_DEFAULT``) after the closing
   entry, or after the ``release_reopened`` entry that restarted the phase. Every
   member can release at any time in that window; a refused ``opened`` changes nothing.
2. At ``opened`` every active bid not yet opened is decided from ALL the shares
   released for it (``sealed.reconstruct_key``): format 2 shares are each checked on
   the committed polynomial when released, so any k give the same key; format 1
   shares must all agree (``sealed.combine_consistent``). The result never depends on
   who released first.
   Before that, a bid past the closing's time anchor (a witness policy is in force) is
   judged ``late`` (``judge_late``): kept, never opened, and owed no release.
3. A bid still short of k releases is ``unopenable`` (``not_enough_shares``) and lists
   ``missing_members``: the members who released nothing for it (accountability);
   the tender lists the same under ``opening.unopened``. An upheld objection lets the
   officer log ``procurement.tender.release_reopened``; releases continue and the next
   ``opened`` decides the bids that were short (opened bids keep their result).
4. Whatever the vendor sealed (bad key, content not matching its hash, malformed
   envelope of any kind) is that bid's result, never an error: one poisoned bid cannot
   block the opening of the others.

Nothing here reads a clock or a database: the entry's ``logged_at`` and the state
passed in decide everything, so replay gives the same results.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.state import Document, State
from ledger.statement import b64decode_strict, b64encode, format_time, parse_time
from procurement import lifecycle as lc
from procurement.errors import NotEnoughShares, OpeningFailed, rejected
from procurement.rules import RuleSet
from procurement.sealed import BID_FORMAT_SHAMIR, Share, open_envelope
from procurement.sealed import reconstruct_key as _reconstruct_key

NOT_ENOUGH_SHARES = NotEnoughShares.code


def is_late(doc: Document, bid: Document) -> bool:
    """A bid the closing's time anchor does not cover: logged at or past its tree size."""
    anchor = doc.get("time_anchor")
    return anchor is not None and bid["seq"] >= anchor["tree_size"]


def judge_late(bid: Document, doc: Document) -> None:
    """A bid past the closing's time anchor is kept but never opened or evaluated.

    Judged at the first release naming it, or at the opening for the bids nobody named
    (``open_tender``); it leaves the active bids, so no release is owed for it.
    """
    bid["status"] = "late"
    bid["validity"] = "late"
    bid["late"] = {"anchor_tree_size": doc["time_anchor"]["tree_size"]}
    doc["bids"]["active"] -= 1
    doc["bids"]["late"] = doc["bids"].get("late", 0) + 1


def release_window_end(doc: Document, rule_set: RuleSet) -> datetime:
    """When ``opened`` is accepted whatever was released: the window after the closing
    entry (or after the last ``release_reopened``)."""
    start = doc.get("release_reopened_at") or doc["closed_at"]
    return parse_time(start) + timedelta(hours=rule_set.release_window_hours)


def _active_bids(state: State, doc: Document) -> list[tuple[str, Document]]:
    """(key, bid) of every active bid of the tender, in the order vendors first bid."""
    found = []
    for number in range(1, doc["bids"]["ever"] + 1):
        order = state.get(lc.BID_ORDER_NAMESPACE, lc.numbered_key(doc["ocid"], number))
        if order is None:
            continue  # a tender from before the index: see docs/procurement.md
        key = lc.bid_key(doc["ocid"], order["bidder"])
        bid = state.get(lc.BID_NAMESPACE, key)
        if bid is not None and bid["status"] == "submitted":
            found.append((key, bid))
    return found


def open_tender(state: State, doc: Document, rule_set: RuleSet, at: datetime) -> None:
    """Decide every bid (rules 1-4 above) or refuse with ``not_enough_releases``."""
    members = [m["key_id"] for m in doc["committee"]["members"]]
    threshold = doc["committee"]["threshold"]
    bids = []
    for key, bid in _active_bids(state, doc):
        if is_late(doc, bid):
            judge_late(bid, doc)
            state.put(lc.BID_NAMESPACE, key, bid)
        else:
            bids.append((key, bid))
    short = [key for key, bid in bids if len(bid["released"]) < threshold]
    window_end = release_window_end(doc, rule_set)
    if short and at < window_end:
        raise rejected(
            "not_enough_releases",
            f"{len(short)} bid(s) have fewer than {threshold} releases; the opening waits"
            f" for them until the release window ends at {format_time(window_end)}",
            bids_short=len(short),
            release_window_end=format_time(window_end),
        )
    unopened = []
    for key, bid in bids:
        if bid["opening"] is not None and bid["opening"]["result"] == "opened":
            continue
        _decide(bid, doc, members, threshold, rule_set.performance_guarantee_below_hps_percent)
        if bid["opening"]["reason"] == NOT_ENOUGH_SHARES:
            unopened.append(
                {"bidder": bid["bidder"], "missing_members": bid["opening"]["missing_members"]}
            )
        state.put(lc.BID_NAMESPACE, key, bid)
    results = [bid["opening"]["result"] for _, bid in bids]
    doc["bids"]["opened"] = results.count("opened")
    doc["bids"]["unopenable"] = len(results) - doc["bids"]["opened"]
    doc["opening"] = {
        "release_window_end": format_time(window_end),
        "unopened": unopened,
    }


def _decide(
    bid: Document, doc: Document, members: list[str], threshold: int, guarantee_percent: int
) -> None:
    """Reconstruct, decrypt and judge one bid from all of its released shares."""
    shares = [
        Share(members.index(member) + 1, b64decode_strict(text, field="share"))
        for member, text in sorted(bid["released"].items())
    ]
    bid_format = bid.get("format", BID_FORMAT_SHAMIR)
    try:
        key = _reconstruct_key(bid_format, shares, threshold)
        envelope = open_envelope(
            key,
            b64decode_strict(bid["ciphertext"], field="ciphertext"),
            bid["content_sha256"],
            bid["ocid"],
            bid["bidder"],
            version=bid_format,
        )
    except OpeningFailed as failure:
        # The failure's code is the recorded reason: the same strings as before the
        # reasons became classes, so replayed logs project the same documents.
        bid["opening"] = {"result": "unopenable", "reason": failure.code, "key": None}
        if failure.code == NOT_ENOUGH_SHARES:
            bid["opening"]["missing_members"] = [m for m in members if m not in bid["released"]]
        bid["validity"] = "unopenable"
        return
    bid["opening"] = {
        "result": "opened",
        "reason": None,
        "key": b64encode(key),
        "price_sen": envelope.price_sen,
        "documents": envelope.documents,
    }
    hps = doc["hps_sen"]
    if bid["addendum"] != doc["addenda"]:
        bid["validity"] = "not_reconfirmed"
    elif envelope.price_sen > hps:
        bid["validity"] = "above_hps"
    else:
        bid["validity"] = "valid"
    if envelope.price_sen * 100 < hps * guarantee_percent:
        bid["flags"] = ["performance_guarantee_required"]
