"""A tender's stage timeline, from its documents alone, for every state the demo has.

What a reader relies on: exactly one stage is current and it is where the tender
really is (its state, not an old seq: a reopened evaluation goes back); every stage
before it is reached, none after it; a reached stage names the entry that reached it;
a cancelled or failed tender ends at the stage it stopped after, not on the road ahead.
"""

from __future__ import annotations

from typing import Any

import pytest

from portal.tender_stages import ROAD, stages

STEPS = (
    "package.created",
    "tender.announced",
    "tender.closed",
    "tender.opened",
    "tender.winner_announced",
    "tender.awarded",
)


def tender(state: str, steps: int, *, active: int = 2, evaluated: int = 0, **extra: int) -> Any:
    """A tender document that logged the first ``steps`` of ``STEPS`` at seqs 10, 20, ..."""
    seqs = {step: 10 * (i + 1) for i, step in enumerate(STEPS[:steps])}
    seqs.update({k.replace("_", ".", 1): v for k, v in extra.items()})
    return {
        "state": state,
        "seqs": seqs,
        "bids": {"active": active},
        "evaluation": {"round": 1, "evaluated": evaluated, "best": None},
    }


def contract(status: str, *, paid: tuple[int, ...] = (), ended: int | None = None) -> Any:
    return {
        "status": status,
        "signed_seq": 70,
        "requests": [{"status": "paid", "decided_seq": s} for s in paid]
        + [{"status": "rejected", "decided_seq": 999}],
        "ended": None if ended is None else {"seq": ended, "status": status},
    }


def current(found: tuple[Any, ...]) -> str:
    (only,) = [s for s in found if s.current]
    return str(only.key)


def test_the_road_is_in_order_with_one_current_stage() -> None:
    found = stages(tender("opened", 4))
    assert [s.key for s in found] == list(ROAD)
    assert current(found) == "opened"
    assert [s.reached for s in found] == [True] * 4 + [False] * 5
    assert [s.seq for s in found] == [10, 20, 30, 40, None, None, None, None, None]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (tender("planned", 1), "planned"),
        (tender("active", 2), "announced"),
        (tender("closed", 3), "closed"),
        (tender("opening", 3, tender_shares_released=35), "closed"),  # opening under way
        (tender("opened", 4, evaluated=1), "opened"),  # one bid of two evaluated
        (tender("opened", 4, evaluated=2), "evaluated"),
        (tender("opened", 4, active=0), "opened"),  # nothing to evaluate: not evaluated
        (tender("winner_announced", 5, evaluated=2), "winner_announced"),
        (tender("awarded", 6, evaluated=2), "awarded"),
    ],
)
def test_a_live_tender_is_where_its_state_says(doc: Any, expected: str) -> None:
    found = stages(doc)
    assert current(found) == expected
    index = ROAD.index(expected)
    assert all(s.reached == (i <= index) for i, s in enumerate(found))
    assert all(s.seq is None for s in found[index + 1 :])


def test_a_reopened_evaluation_goes_back_although_the_old_seq_remains() -> None:
    doc = tender("opened", 5, evaluated=0, tender_evaluation_reopened=55)
    found = stages(doc)
    assert current(found) == "opened"
    assert found[ROAD.index("winner_announced")].seq is None


def test_the_evaluation_stage_carries_the_seq_given() -> None:
    found = stages(tender("winner_announced", 5, evaluated=2), evaluated_seq=45)
    assert found[ROAD.index("evaluated")].seq == 45


@pytest.mark.parametrize(
    ("deal", "key", "seq"),
    [
        (contract("active", paid=(80,)), "contract_signed", 70),  # an advance paid
        (contract("paid", paid=(80, 90)), "paid", 90),  # the last payment paid it in full
        (contract("completed", paid=(80, 90), ended=95), "completed", 95),
        (contract("terminated", paid=(80,), ended=85), "terminated", 85),
    ],
)
def test_a_contract_moves_the_tender_past_its_award(deal: Any, key: str, seq: int) -> None:
    found = stages(tender("awarded", 6, evaluated=2), deal)
    assert current(found) == key
    assert found[-1].key in {"contract_end", key}
    assert next(s for s in found if s.current).seq == seq
    assert all(s.reached for s in found[: ROAD.index("contract_signed") + 1])
    assert found[ROAD.index("contract_signed")].seq == 70


def test_an_active_contract_shows_the_end_still_ahead() -> None:
    found = stages(tender("awarded", 6), contract("active"))
    assert found[-1].key == "contract_end" and not found[-1].reached


@pytest.mark.parametrize(
    ("doc", "last"),
    [
        (tender("cancelled", 1, tender_cancelled=15), "planned"),
        (tender("cancelled", 2, tender_cancelled=25), "announced"),
        (tender("failed", 4, tender_failed=45), "opened"),
        (tender("failed", 3, tender_failed=33), "closed"),
    ],
)
def test_a_stopped_tender_ends_where_it_stopped(doc: Any, last: str) -> None:
    found = stages(doc)
    state = doc["state"]
    assert [s.key for s in found] == [*ROAD[: ROAD.index(last) + 1], state]
    assert current(found) == state
    assert found[-1].seq == doc["seqs"][f"tender.{state}"]
    assert all(s.reached for s in found)
