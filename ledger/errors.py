"""One root exception for Terang, with families by where the fault lies.

Every error carries a stable machine-readable ``code`` and a human ``message``;
the HTTP layer renders it once as RFC 9457 ``application/problem+json`` using
``http_status`` and ``type_uri``. Families:

* ``ClientError`` (4xx): the request or statement is wrong; nothing was changed.
* ``Unavailable`` (503 + Retry-After): push back, try again later; ``TooManyRequests``
  (429 + Retry-After) when the push is aimed at one client or signer.
* ``VerificationError``: data failed a cryptographic or structural check; it carries
  the evidence (what was expected and what was found).
* ``InvariantBroken`` (500): a bug or a tampered database; always logged.
"""

from __future__ import annotations

from typing import Any

TYPE_URI_BASE = "https://terang.dev/problems/"


class TerangError(Exception):
    """Root of every Terang error."""

    http_status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details

    @property
    def type_uri(self) -> str:
        return TYPE_URI_BASE + self.code.replace("_", "-")

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        doc: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.code,
            "status": self.http_status,
            "detail": self.message,
            "code": self.code,
        }
        if self.details:
            doc["details"] = self.details
        return doc


class ClientError(TerangError):
    """The caller sent something wrong. Nothing was changed."""

    http_status = 422
    code = "invalid_request"


class NotFound(ClientError):
    http_status = 404
    code = "not_found"


class Conflict(ClientError):
    http_status = 409
    code = "conflict"


class RoutingRefusal(ClientError):
    """The web framework refused the request before any Terang code ran: no such path
    (404 ``not_found``), a method the path does not allow (405 ``http_405``), and the
    like (``http_<status>``).

    The one Terang error (with ``ledger.client.RemoteError``) whose status is not its
    class's: the status is the framework's, an open set Terang does not choose (any
    ``HTTPException`` Starlette or FastAPI raises), so it is given once, when the error
    is built, and never changed after. A class per status would either miss the ones
    the framework adds or guess them; the code names the status instead."""

    def __init__(self, message: str, *, status: int, **details: Any) -> None:
        super().__init__(
            message, code="not_found" if status == 404 else f"http_{status}", **details
        )
        self.http_status = status


class Forbidden(ClientError):
    http_status = 403
    code = "forbidden"


class PayloadTooLarge(ClientError):
    http_status = 413
    code = "payload_too_large"


class Unavailable(TerangError):
    """Push back: the service cannot take this now. Retry after ``retry_after_s``."""

    http_status = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after_s: int = 1, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after_s = retry_after_s


class DatabaseUnavailable(Unavailable):
    """Push back: the database cannot be reached now (a restart, a failover, a lost link).

    An outage of the engine below is not a broken invariant: the request changed nothing
    (a write's transaction was rolled back or never began), so the client retries after
    ``retry_after_s``, with the same signer and nonce for a write, and is logged at most
    once. Alerts on ``invariant_broken`` therefore do not fire on every database blip.
    """

    code = "database_unavailable"


class StorageFull(Unavailable):
    """Push back: the database's disk is full (SQLite ``SQLITE_FULL``, PostgreSQL SQLSTATE
    53100 ``disk_full``).

    The write's transaction was rolled back by the engine, so nothing of it is in the log
    and everything acknowledged before stays; the same signed statement is logged once
    when retried after the operator frees space. Unlike a restart this does not pass by
    itself: it is logged as an error ("storage full") for the operator to act on, and
    ``retry_after_s`` is longer than a database blip's.
    """

    code = "storage_full"


class TooManyRequests(Unavailable):
    """Push back aimed at one client or signer that spent its rate (429 + Retry-After).

    A subclass of ``Unavailable`` because the answer is the same ("not now, retry
    after"); only the status says whose fault the waiting is.
    """

    http_status = 429
    code = "too_many_requests"


class RequestTimeout(ClientError):
    """The client took too long to send its request (408); nothing was changed."""

    http_status = 408
    code = "request_timeout"


class VerificationError(TerangError):
    """Bad data from somewhere: a proof, signature, hash or format failed to check."""

    http_status = 422
    code = "verification_failed"


class FormatError(VerificationError):
    """A signed or hashed format could not be parsed strictly."""

    code = "malformed"


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof does not verify."""

    code = "bad_proof"


class SignatureError(VerificationError):
    """A signature does not verify under the expected key."""

    code = "bad_signature"


class InvariantBroken(TerangError):
    """Something that must never happen did: a bug, or a database changed behind our back."""

    http_status = 500
    code = "invariant_broken"


class BadSetting(TerangError):
    """A setting (an environment variable or option) the service cannot start with.

    Raised at start-up, never for a request: the operator fixes the named setting.
    """

    code = "bad_setting"


def require(condition: bool, error: TerangError) -> None:
    """Raise ``error`` unless ``condition`` holds. Unlike ``assert``, survives ``python -O``."""
    if not condition:
        raise error


class LogBehindPublished(Unavailable):
    """503: a checkpoint signed by this log is ahead of this database; writes are held."""

    code = "log_behind_published"


class LogDisagreesWithPublished(LogBehindPublished):
    """503: a checkpoint signed by this log has another root than this database at its size."""

    code = "log_disagrees_with_published"


HELD_CODES = frozenset({LogBehindPublished.code, LogDisagreesWithPublished.code})
"""Codes of a hold only the operator can lift (clients do not wait them out)."""
