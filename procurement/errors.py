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

A bid that cannot be opened is not a refusal of the entry: ``OpeningFailed`` and its
subclasses (below) are the *result* the opening records for that one bid
(``opening.reason``), and what the client library raises when anyone re-opens a bid.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import VerificationError
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


# -- a bid that cannot be opened (procurement.sealed, procurement.opening) -------------


class OpeningFailed(VerificationError):
    """A bid that cannot be opened; its ``code`` is the stable reason the opening records.

    A ``VerificationError``, not a ``ClientError``: nobody's request is wrong. What the
    vendor sealed, or the shares released for it, failed a cryptographic or structural
    check (a key that opens nothing, a hash that does not match, an envelope that does
    not parse). The reducer catches it and records ``code`` as the bid's
    ``opening.reason`` (``procurement.opening``), so it never refuses an entry and is
    never served over HTTP; ``procurement.client.open_bid`` raises it to whoever
    re-opens a bid from the log, and the CLI reports it as ``error[<code>]``.

    One subclass per reason, grouped by stage (the shares, the ciphertext, the
    envelope), so each reason is a class whose code cannot be misspelt at a raise.
    """

    @property
    def reason(self) -> str:
        """The code, under the name the opening's document gives it (``opening.reason``)."""
        return self.code


class NotEnoughShares(OpeningFailed):
    """Fewer distinct released shares than the committee's threshold k."""

    code = "not_enough_shares"


class BadShare(OpeningFailed):
    """A format-2 share that is not a canonical scalar (the reducer refuses those at
    release, so only a bid document edited outside the log gets here)."""

    code = "bad_share"


class InconsistentShares(OpeningFailed):
    """Format 1: the released shares do not lie on one polynomial (the vendor's sealing)."""

    code = "inconsistent_shares"


class ShareMismatch(OpeningFailed):
    """Client side: a released share does not check against its bid's commitments (the
    reducer refuses such a release with the 409 of the same code)."""

    code = "share_mismatch"


class CiphertextHashMismatch(OpeningFailed):
    """Client side: the bid's ciphertext does not hash to its logged ``ciphertext_sha256``."""

    code = "ciphertext_hash_mismatch"


class DecryptionFailed(OpeningFailed):
    """The key reconstructed from the shares does not open the ciphertext (Poly1305)."""

    code = "decryption_failed"


class ContentMismatch(OpeningFailed):
    """The decrypted envelope does not hash to the bid's logged ``content_sha256``."""

    code = "content_mismatch"


class BadEnvelope(OpeningFailed):
    """The decrypted envelope is malformed in any way (not canonical JSON, wrong fields,
    types or version, a price that is not an amount)."""

    code = "bad_envelope"


class WrongBinding(OpeningFailed):
    """The envelope names another tender or bidder than the bid it was logged as."""

    code = "wrong_binding"
