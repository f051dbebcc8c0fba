"""The service log's line for an error answered as a problem: it says what happened.

One function for every layer that answers a problem document (the app's handlers in
``terang.app.problem_response``, the limits in front of it in
``terang.limits_middleware``), so the line depends on the error alone, never on which
layer refused. By the error's class, first match wins:

1. ``StorageFull``: ERROR ``storage full: <code> <message>``. Not a bug, but it does not
   pass by itself: the operator frees space, so it is a line to alert on.
2. any other ``Unavailable`` answered 5xx (503 ``unavailable``, ``database_unavailable``,
   ``heavy_reads_busy``, the rollback holds): WARNING ``push back: <code> <message>``.
   Load and a database restart are normal operation; an alert on "invariant broken"
   must not fire for them.
3. ``TooManyRequests`` (429): no line. It is aimed at one client or signer that spent
   its rate, so a line per refusal would let that client write the service log at the
   rate it is refused; ``/metrics`` counts the 429s by route.
4. ``InvariantBroken``, or any other error answered 5xx (a class with no status of its
   own, which only a fault gets to the HTTP layer): ERROR ``invariant broken: <code>
   <message>``, the line to page someone on.
5. everything else, a 4xx refusal: no line (the access log has the request).
"""

from __future__ import annotations

import logging

from ledger.errors import InvariantBroken, StorageFull, TerangError, Unavailable

log = logging.getLogger("terang")


def log_problem(error: TerangError) -> None:
    """Log ``error`` by the rules of the module docstring (at most one line)."""
    if isinstance(error, StorageFull):
        log.error("storage full: %s %s", error.code, error.message)
    elif isinstance(error, Unavailable):
        if error.http_status >= 500:
            log.warning("push back: %s %s", error.code, error.message)
    elif isinstance(error, InvariantBroken) or error.http_status >= 500:
        log.error("invariant broken: %s %s", error.code, error.message)
