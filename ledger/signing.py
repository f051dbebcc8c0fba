"""Build and sign a statement locally: the one way every client, CLI, demo and test
makes a statement.

Pure (no I/O, no network): it lives apart from ``ledger.client``'s HTTP so that the
rooms' statement builders (``budgeting.statements``, ``procurement``) stay pure too.
The private key never leaves the caller.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from nacl.signing import SigningKey

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.statement import SignedStatement, Statement, format_time, sign_statement


def new_nonce() -> str:
    """128 random bits, URL-safe: collision-free idempotency keys without coordination."""
    return secrets.token_urlsafe(16)


def make_signed(
    key: SigningKey,
    statement_type: str,
    subject: str,
    body: dict[str, Any],
    *,
    at: datetime,
    origin: str,
    nonce: str | None = None,
    limits: Limits | None = None,
) -> SignedStatement:
    """Build, validate and sign a statement with ``key`` for the log ``origin``.

    ``at`` is the client's time. ``origin`` is the log's checkpoint origin line (the
    first line of ``/log/checkpoint``, or ``terang info``): the signature covers it,
    so the statement is valid in that log only.
    """
    raw = {
        "type": statement_type,
        "subject": subject,
        "signer": client_key_id(key),
        "time": format_time(at),
        "nonce": nonce or new_nonce(),
        "body": body,
    }
    statement = Statement.from_json(raw, limits or Limits())
    return sign_statement(statement, key, origin=origin)
