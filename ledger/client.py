"""Client side: send signed statements, fetch receipts and proofs, wait out push back.

Statements are built and signed before they reach this module (``ledger.signing``, no
I/O): private keys never leave the caller, and the server sees only the statement, the
signature and (through the registry) the public key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from ledger.errors import HELD_CODES, TerangError
from ledger.limits import (
    CLIENT_RETRIES_MAX,
    CONNECT_BACKOFF_S_MAX,
    PUSHBACK_WAIT_S_MAX,
    RETRY_AFTER_S_MAX,
)
from ledger.statement import SignedStatement

DEFAULT_TIMEOUT_S = 30.0
PUSHBACK_STATUSES = frozenset({429, 503})
"""The log says "not now" (a spent rate, a full queue, a database restart): retry."""
NOT_WAITED_OUT_CODES = HELD_CODES | {"storage_full"}
"""Push back that does not pass by itself (a restored log held read-only; the database's
disk full: the operator must act), so the caller hears of it at once instead of after
every resend."""


CONNECT_BACKOFF_S = 0.5


class ServiceUnreachable(TerangError):
    """No connection to the log after every resend (its address, or the service is down)."""

    http_status = 503
    code = "service_unreachable"


def retry_after_s(response: httpx.Response) -> float:
    """The wait a push-back answer asks for (``Retry-After`` seconds), capped; else 1 s."""
    raw = response.headers.get("retry-after", "")
    return float(min(int(raw), RETRY_AFTER_S_MAX)) if raw.isdigit() else 1.0


def _held(response: httpx.Response) -> bool:
    """Push back only the log's operator can lift: a hold (``ledger.rollback_guard``) or a
    full disk. Not waited out."""
    try:
        problem = response.json()
    except ValueError:
        return False
    return isinstance(problem, dict) and problem.get("code") in NOT_WAITED_OUT_CODES


class RemoteError(TerangError):
    """The server answered with a problem document.

    Its status and code are the server's answer, read off the wire, so they are given
    when the error is built (the client cannot know them as classes); the document
    itself is kept whole in ``problem_document``. Never rendered by this service."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(str(problem.get("detail", problem)), code=str(problem.get("code", "")))
        self.http_status = status
        self.problem_document = problem


class LedgerClient:
    """The write and proof API over HTTP, resending what the log pushed back.

    A 429/503 answer is waited out (its ``Retry-After``), up to ``PUSHBACK_WAIT_S_MAX``
    in all, and a request whose connection failed (the service restarting) is sent again
    with backoff, up to ``CLIENT_RETRIES_MAX`` times; the same signed statement is sent
    each time, so it is logged once.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )
        self._sleep = sleep

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        lost, waited_s = 0, 0.0  # each kind of failure has its own budget
        while True:
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if lost == CLIENT_RETRIES_MAX:
                    raise ServiceUnreachable(
                        f"cannot reach {self.http.base_url} after {lost + 1} tries ({exc}); "
                        "is `terang serve` running there? Check --url / TERANG_URL, or ask "
                        "the log's operator"
                    ) from exc
                self._sleep(min(CONNECT_BACKOFF_S * 2.0**lost, CONNECT_BACKOFF_S_MAX))
                lost += 1
                continue
            if response.status_code in PUSHBACK_STATUSES and not _held(response):
                wait_s = retry_after_s(response)
                if waited_s + wait_s <= PUSHBACK_WAIT_S_MAX:
                    self._sleep(wait_s)
                    waited_s += wait_s
                    continue
            return self._check(response)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LedgerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text, "code": "http_error"}
            raise RemoteError(response.status_code, problem)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """A read (``GET``), waited out and resent like every request here; a 4xx/5xx
        answer raises ``RemoteError`` with the problem document."""
        return self._send("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        """An idempotent store (``PUT``, e.g. a document under its SHA-256), resent
        like every request here."""
        return self._send("PUT", path, **kwargs)

    def check(self, response: httpx.Response) -> httpx.Response:
        """``response`` itself, or ``RemoteError`` with its problem document (for a
        caller that streams and must look at the status first)."""
        return self._check(response)

    def submit(self, signed: SignedStatement) -> dict[str, Any]:
        response = self._send("POST", "/api/v1/statements", json=signed.to_json())
        result: dict[str, Any] = response.json()
        return result

    def submit_batch(self, signed: Sequence[SignedStatement]) -> dict[str, Any]:
        response = self._send(
            "POST", "/api/v1/statements/batch", json={"statements": [s.to_json() for s in signed]}
        )
        result: dict[str, Any] = response.json()
        return result

    def checkpoint(self) -> str:
        return self._send("GET", "/log/checkpoint").text

    def origin(self) -> str:
        """The log's origin: the first line of its checkpoint (what statements are signed for).

        Taken from the server unverified: a wrong origin only makes the log refuse the
        statement, since no other log would accept a signature made for it either.
        """
        origin, _, _ = self.checkpoint().partition("\n")
        return origin

    def verifier_key(self) -> str:
        return self._send("GET", "/log/verifier-key").text.strip()

    def tlog_proof(self, seq: int, *, witnessed: bool = False) -> str:
        """The entry's tlog-proof against the latest checkpoint, or with ``witnessed``
        against the earliest one a quorum of the log's witnesses cosigned."""
        params = {"witnessed": "earliest"} if witnessed else None
        return self._send("GET", f"/api/v1/entries/{seq}/tlog-proof", params=params).text

    def entry(self, seq: int) -> dict[str, Any]:
        result: dict[str, Any] = self._send("GET", f"/api/v1/entries/{seq}").json()
        return result
