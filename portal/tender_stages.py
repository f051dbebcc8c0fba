"""A tender's stages as a visual timeline: where it is on the road from plan to payment.

``stages`` is pure (no clock, no database): it reads the tender document (its
``state``, the ``seqs`` each lifecycle step noted, its evaluation and bids counts)
and, once signed, the contract document. The rules, in order:

1. The road is ``ROAD``: planned, announced, closed, opened, evaluated, winner
   announced, awarded, contract signed, then one last stage named by how the contract
   ended (``paid`` in full, ``completed`` or ``terminated``; ``contract_end`` before).
2. The current stage is the last one reached. A live tender's state says which
   (``opening``, a sealed opening under way, is still ``closed``; ``opened`` with every
   active bid evaluated in this round is ``evaluated``; a contract's status moves past
   ``awarded``). A reopened evaluation or release moves the current stage back: the
   state is the truth, a stage's old seq is not.
3. A cancelled or failed tender stops at the last stage whose step it logged, and a
   ``stopped`` stage (cancelled or failed) follows it as the current one; the road
   after it is not drawn (it will not be travelled).
4. A reached stage carries the seq of the entry that reached it when one is known
   (the page shows that entry's time); the stages after the current one carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from procurement import lifecycle as lc
from procurement import namespaces as ct

ROAD: Final = (
    "planned",
    "announced",
    "closed",
    "opened",
    "evaluated",
    "winner_announced",
    "awarded",
    "contract_signed",
    "contract_end",
)
STEP_OF: Final = {
    "planned": "package.created",
    "announced": "tender.announced",
    "closed": "tender.closed",
    "opened": "tender.opened",
    "winner_announced": "tender.winner_announced",
    "awarded": "tender.awarded",
}
"""The ``seqs`` key (``lifecycle.note_event``) of the step that reaches each stage; the
evaluation has many entries and the contract's stages are in its own document."""
_CURRENT_OF_STATE: Final = {
    lc.PLANNED: "planned",
    lc.ACTIVE: "announced",
    lc.CLOSED: "closed",
    lc.OPENING: "closed",
    lc.OPENED: "opened",
    lc.WINNER_ANNOUNCED: "winner_announced",
    lc.AWARDED: "awarded",
}
_END_OF_STATUS: Final = {
    ct.PAID_IN_FULL: "paid",
    ct.COMPLETED: "completed",
    ct.TERMINATED: "terminated",
}


@dataclass(frozen=True)
class Stage:
    key: str
    """A ``ROAD`` name; the last one is ``paid``/``completed``/``terminated`` once the
    contract ended; ``cancelled``/``failed`` for where a stopped tender stopped."""
    reached: bool
    current: bool
    seq: int | None
    """The entry that reached the stage, when known (its time is the stage's date)."""


def _evaluation_complete(tender: dict[str, Any]) -> bool:
    evaluation = tender.get("evaluation") or {}
    active = int(tender["bids"]["active"])
    return active > 0 and int(evaluation.get("evaluated", 0)) == active


def _contract_stage(contract: dict[str, Any] | None) -> tuple[str, int | None]:
    """The contract's end stage's name and seq (``contract_end``, ``None`` while active)."""
    if contract is None or contract["status"] == ct.ACTIVE:
        return "contract_end", None
    ended = contract.get("ended")
    if ended is not None:
        return _END_OF_STATUS[contract["status"]], int(ended["seq"])
    paid = [int(r["decided_seq"]) for r in contract.get("requests", ()) if r["status"] == "paid"]
    return _END_OF_STATUS[contract["status"]], max(paid) if paid else None


def _stopped_at(seqs: dict[str, int], stop_seq: int) -> int:
    """The index in ``ROAD`` of the last stage a stopped tender logged (planned at least)."""
    reached = [
        index
        for index, key in enumerate(ROAD)
        if key in STEP_OF and seqs.get(STEP_OF[key], stop_seq + 1) < stop_seq
    ]
    return max(reached, default=0)


def stages(
    tender: dict[str, Any],
    contract: dict[str, Any] | None = None,
    evaluated_seq: int | None = None,
) -> tuple[Stage, ...]:
    """The tender's stages in order, exactly one of them current (rules 1-4).

    ``evaluated_seq`` is the seq of the evaluation's last entry, when the caller knows
    it (the tender document counts evaluated bids but keeps no seq for them).
    """
    seqs: dict[str, int] = {k: int(v) for k, v in tender.get("seqs", {}).items()}
    state = tender["state"]
    end_key, end_seq = _contract_stage(contract)
    known: dict[str, int | None] = {key: seqs.get(step) for key, step in STEP_OF.items()}
    known["evaluated"] = evaluated_seq
    known["contract_signed"] = None if contract is None else int(contract["signed_seq"])
    known["contract_end"] = end_seq
    if state in (lc.CANCELLED, lc.FAILED):
        stop_seq = seqs.get(f"tender.{state}", 0)
        at = _stopped_at(seqs, stop_seq)
        road = [Stage(key, reached=True, current=False, seq=known[key]) for key in ROAD[: at + 1]]
        return (*road, Stage(state, reached=True, current=True, seq=stop_seq or None))
    current_key = _CURRENT_OF_STATE[state]
    if state == lc.OPENED and _evaluation_complete(tender):
        current_key = "evaluated"
    if state == lc.AWARDED and contract is not None:
        current_key = "contract_signed" if contract["status"] == ct.ACTIVE else "contract_end"
    current = ROAD.index(current_key)
    return tuple(
        Stage(
            end_key if key == "contract_end" else key,
            reached=index <= current,
            current=index == current,
            seq=known[key] if index <= current else None,
        )
        for index, key in enumerate(ROAD)
    )
