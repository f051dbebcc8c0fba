"""Random transition sequences never reach an invalid state, and replay reproduces all.

Hypothesis draws sequences of lifecycle actions (valid or not, in any order, with the
clock moving); after each one we check that a refused action changed nothing, that an
accepted one followed an edge of ``lifecycle.TRANSITIONS``, and the projection's
invariants. At the end the whole log is replayed through the auditor's
``LogReplayer`` and must reproduce every projection document exactly.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from procurement_support import MemoryLog, Scenario

from audit.verifier import LogReplayer
from ledger.errors import TerangError
from ledger.keys import client_key_id
from procurement import lifecycle as lc

ACTIONS = (
    "announce",
    "bid",
    "replace",
    "withdraw",
    "confirm",
    "amend",
    "ask",
    "answer",
    "advance",
    "close",
    "release",
    "open",
    "evaluate",
    "winner",
    "object",
    "answer_objection",
    "reopen",
    "reopen_release",
    "award",
    "cancel",
    "fail",
)


def attempt(s: Scenario, action: str, rng: random.Random) -> None:
    log = s.log
    if action in ("cancel", "fail") and rng.random() < 0.8:
        return  # ending a tender is rare, or most sequences would end early
    vendor = rng.choice(s.vendors)
    tender = s.tender()
    if action == "announce":
        s.announce(days=rng.choice([7, 10]))
    elif action in ("bid", "replace"):
        s.bid(
            vendor,
            rng.choice([30_000_000_000, 42_000_000_000, 49_000_000_000, 55_000_000_000]),
            replace=action == "replace",
            addendum=tender["addenda"],
        )
    elif action == "withdraw":
        s.append(vendor, "procurement.bid.withdrawn", {})
    elif action == "confirm":
        s.append(vendor, "procurement.bid.confirmed", {"addendum": max(tender["addenda"], 1)})
    elif action == "amend":
        s.append(
            s.officer,
            "procurement.tender.amended",
            {"addendum": tender["addenda"] + 1, "description": "addendum"},
        )
    elif action == "ask":
        s.append(vendor, "procurement.tender.question_asked", {"question": "berapa unit?"})
    elif action == "answer":
        s.append(
            s.officer,
            "procurement.tender.question_answered",
            {"question": max(tender["questions"], 1), "answer": "sepuluh"},
        )
    elif action == "advance":
        log.clock.advance(rng.choice([3600, 86400, 3 * 86400, 6 * 86400]))
    elif action == "close":
        s.append(s.officer, "procurement.tender.closed", {})
    elif action == "release":
        s.release(rng.choice(s.members))
    elif action == "open":
        s.append(s.officer, "procurement.tender.opened", {})
    elif action == "evaluate":
        results = []
        for v in s.vendors:
            bid = log.state.get(lc.BID_NAMESPACE, lc.bid_key(s.ocid, client_key_id(v)))
            if bid is not None and bid["status"] == "submitted":
                passed = bid["validity"] == "valid" and rng.random() < 0.8
                results.append((v, passed, "80" if passed else "0"))
        s.evaluate(results or [(vendor, False, "0")])
    elif action == "winner":
        best = tender["evaluation"]["best"]
        winner = best["bidder"] if best and rng.random() < 0.9 else client_key_id(vendor)
        s.append(s.officer, "procurement.tender.winner_announced", {"winner": winner})
    elif action == "object":
        s.append(vendor, "procurement.tender.objection_filed", {"objection": "keberatan"})
    elif action == "answer_objection":
        s.append(
            s.officer,
            "procurement.tender.objection_answered",
            {
                "objection": max(tender["objections"]["filed"], 1),
                "outcome": rng.choice(["upheld", "rejected"]),
                "answer": "jawaban",
            },
        )
    elif action == "reopen":
        s.append(s.officer, "procurement.tender.evaluation_reopened", {"reason": "sanggah"})
    elif action == "reopen_release":
        s.append(s.officer, "procurement.tender.release_reopened", {"reason": "sanggah"})
    elif action == "award":
        log.append(s.award_statements(f"K-{len(log.entries)}"))
    elif action == "cancel":
        s.append(s.officer, "procurement.tender.cancelled", {"reason": "batal"})
    elif action == "fail":
        s.append(s.officer, "procurement.tender.failed", {"reason": "gagal"})


def check_invariants(s: Scenario) -> None:
    tender = s.tender()
    assert tender["state"] in lc.STATES
    bids = [
        doc
        for (namespace, key), doc in s.log.state.items()
        if namespace == lc.BID_NAMESPACE and key.startswith(s.ocid + "|")
    ]
    assert tender["bids"]["active"] == sum(b["status"] == "submitted" for b in bids)
    assert tender["bids"]["ever"] == len(bids)
    opened = [b for b in bids if b["opening"] is not None]
    if opened:
        # Invariant 7: nothing is opened before the closing entry.
        assert "tender.closed" in tender["seqs"]
        # Bids are decided only by the opening entry, never by a release.
        assert "tender.opened" in tender["seqs"]
        assert all(b["opening"]["result"] in ("opened", "unopenable") for b in opened)
        threshold = tender["committee"]["threshold"]
        members = [m["key_id"] for m in tender["committee"]["members"]]
        for b in opened:
            if b["opening"]["reason"] == "not_enough_shares":
                assert len(b["released"]) < threshold
                assert b["opening"]["missing_members"] == [
                    m for m in members if m not in b["released"]
                ]
            else:
                assert len(b["released"]) >= threshold
    if tender["state"] in (lc.OPENED, lc.WINNER_ANNOUNCED, lc.AWARDED):
        # After the opening, no active bid is left undecided.
        assert all(b["opening"] is not None for b in bids if b["status"] == "submitted")
    assert set(tender["released_by"]) <= {m["key_id"] for m in tender["committee"]["members"]}
    assert tender["evaluation"]["evaluated"] <= tender["bids"]["active"]
    if tender["state"] == lc.AWARDED:
        commitment = s.log.state.get("budgeting.commitment", tender["award"]["commitment"])
        assert commitment is not None
        assert commitment["amount_sen"] == tender["award"]["value_sen"]
        assert commitment["seq"] == tender["award"]["seq"] - 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.sampled_from(ACTIONS), min_size=5, max_size=45), st.integers(0, 2**32))
def test_random_sequences_keep_the_machine_valid_and_replayable(
    actions: list[str], seed: int
) -> None:
    rng = random.Random(seed)
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    # Bias towards progress: a sensible spine interleaved with the random actions.
    spine = [
        *("announce", "bid", "bid", "bid", "advance", "advance", "advance", "advance", "close"),
        *("release", "release", "open", "evaluate", "winner", "advance", "advance", "award"),
    ]
    for action in [*spine[: rng.randint(0, len(spine))], *actions]:
        before_state = s.tender()["state"]
        before = log.snapshot()
        size = len(log.entries)
        try:
            attempt(s, action, rng)
        except TerangError:
            assert log.snapshot() == before, action
            assert len(log.entries) == size
            continue
        after_state = s.tender()["state"]
        for entry in log.entries[size:]:
            statement_type = entry.signed.statement.type
            if statement_type in lc.TRANSITIONS and entry.signed.statement.subject == s.ocid:
                sources, target = lc.TRANSITIONS[statement_type]
                assert before_state in sources, (statement_type, before_state)
                assert after_state == (target or before_state)
        check_invariants(s)
    replayer = LogReplayer(log.kinds, log.limits, log.origin)
    for entry in log.entries:
        replayer.feed(entry.entry_bytes())
    assert dict(replayer.state.items()) == dict(log.state.items())


def test_every_state_names_its_next_steps() -> None:
    for state in lc.STATES:
        allowed = lc.allowed_next(state)
        assert (state in lc.FINAL_STATES) == (allowed == [])
    doc: dict[str, Any] = {"state": lc.AWARDED, "ocid": "ocds-abcdef-1"}
    try:
        lc.check_transition(doc, lc.CANCELLED_TYPE)
    except TerangError as error:
        assert error.details["allowed"] == []
    else:
        raise AssertionError("an awarded tender cannot be cancelled")
