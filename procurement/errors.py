"""Procurement's stable error codes, in the order the reducers check them.

Every refusal is a ``ledger`` error (so the sequencer logs nothing and the HTTP layer
renders RFC 9457 problem+json) with a stable ``code``. Checks run in this order, and
the first failure wins:

1. body shape and field formats (``missing_field``, ``unknown_field``, ``bad_field``,
   ``bad_choice``, ``bad_amount``, ``bad_time``, ``bad_npwp``, ``bad_subject``) — 422;
2. the record exists (``unknown_vendor``, ``unknown_package``, ``unknown_tender``,
   ``unknown_bid``, ``unknown_question``) — 409, since the log could hold it later;
3. the signer may act on it (``not_committee_member``, ``not_bidder``,
   ``vendor_not_eligible``) — 409;
4. the state machine allows the step (``transition_not_allowed``, with ``state`` and
   ``allowed`` naming the current state and the statement types allowed next) — 409;
5. time rules at the entry's logging time (``bid_deadline_passed``,
   ``deadline_not_reached``, ``clarification_closed``, ``objection_period_closed``,
   ``objection_period_open``) — 409;
6. domain rules (``method_not_allowed``, ``justification_required``, ``above_hps``,
   ``share_mismatch``, ``award_without_commitment``, ...) — 409.
"""

from __future__ import annotations

from typing import Any

from ledger.kinds import Rejected


def rejected(code: str, message: str, **details: Any) -> Rejected:
    return Rejected(message, code=code, **details)


def transition_not_allowed(
    statement_type: str, state: str, allowed: list[str], subject: str
) -> Rejected:
    return Rejected(
        f"{statement_type} is not allowed while {subject} is {state!r}; allowed next: "
        + (", ".join(allowed) if allowed else "nothing (final state)"),
        code="transition_not_allowed",
        state=state,
        allowed=allowed,
    )
