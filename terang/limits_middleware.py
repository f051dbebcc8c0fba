"""What one anonymous client may cost the service: limits around the whole app (ASGI).

A plain ASGI middleware (no routes, no error handlers of its own in ``terang.app``), so
it sees every request before the app does. For each HTTP request, in order (the first
refusal wins; every refusal is an RFC 9457 problem document):

1. **Rate per client** (IP address; behind a proxy, uvicorn's ``--forwarded-allow-ips``
   decides whose X-Forwarded-For is believed): GET and HEAD spend
   ``client_read_requests_per_min_max``, other methods
   ``client_write_requests_per_min_max`` (429 ``too_many_requests`` + Retry-After); a
   POST of statements is turned away unread when the client's
   ``client_statements_per_min_max`` is spent (the write API spends it once parsed).
2. **Body size**: a declared ``Content-Length`` over the path's limit is refused before
   a byte is read (413 ``request_too_large``); a chunked body (or one longer than it
   said) is counted as it arrives and refused as soon as it passes the limit: the rest
   is never read, and the connection is closed. The limit is ``request_body_bytes_max``,
   or ``document_bytes_max`` for document uploads.
3. **Body time**: the whole body must arrive within ``request_body_read_ms_max`` of the
   request's start (408 ``request_timeout``, connection closed), so a client trickling
   a body (slowloris) cannot hold a worker; idle connections between requests are
   closed by uvicorn after ``keep_alive_s_max`` (``terang serve``).
4. **Heavy reads** (bulk OCDS, reports, record bundles, exports, pages of more than
   ``light_page_items_max`` items): at most ``heavy_reads_max`` are served at once and
   ``heavy_reads_queued_max`` wait, each at most ``heavy_read_wait_ms_max``; past that,
   503 ``heavy_reads_busy`` + Retry-After. Light reads (``/log/checkpoint``, tiles,
   proofs, one entry) never wait behind them for a worker thread or a connection.

Why here and not in each route: the body must be limited before any route reads it
(a route that called ``request.body()`` on a 256 MiB chunked body held all of it), and
the heavy-read gate must hold a request before it takes one of the worker threads that
light reads need.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Final
from urllib.parse import parse_qs

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.errors import (
    PayloadTooLarge,
    RequestTimeout,
    TerangError,
    Unavailable,
)
from ledger.limits import Limits
from ledger.ratelimit import RateLimits
from terang.problem_log import log_problem

PROBLEM_JSON: Final = "application/problem+json"
READ_METHODS: Final = frozenset({"GET", "HEAD"})
HEAVY_PATH_PREFIXES: Final = (
    "/api/v1/procurement/ocds/",  # OCDS packages: a tender's, or a year's in bulk
    "/api/v1/budget/reports/",  # LRA and monthly realisation reports
)
HEAVY_PATH_SUFFIXES: Final = (
    "/bundle",  # a record's full proof bundle (audit.read_api)
    ".csv",  # portal exports
    ".xlsx",
)
HEAVY_READ_RETRY_AFTER_S: Final = 2
STATEMENTS_PATH: Final = "/api/v1/statements"


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def is_heavy_read(scope: Scope, light_page_items_max: int) -> bool:
    """Whether a request is a heavy read (docstring, 4)."""
    if scope["method"] not in READ_METHODS:
        return False
    path: str = scope["path"]
    if path.startswith(HEAVY_PATH_PREFIXES) or path.endswith(HEAVY_PATH_SUFFIXES):
        return True
    query = scope.get("query_string", b"")
    if b"limit=" not in query:
        return False
    limits = parse_qs(query.decode("latin-1")).get("limit", [])
    return any(v.isascii() and v.isdigit() and int(v) > light_page_items_max for v in limits)


class HeavyReads:
    """The gate of heavy reads: ``running_max`` at once, ``queued_max`` waiting."""

    def __init__(self, running_max: int, queued_max: int, wait_s: float) -> None:
        self.running_max = running_max
        self.queued_max = queued_max
        self.wait_s = wait_s
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _gate(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; a test client may start a new loop.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop, self.waiting = asyncio.Semaphore(self.running_max), loop, 0
        return self._semaphore

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        gate = self._gate()
        if gate.locked():
            if self.waiting >= self.queued_max:
                raise _busy(f"{self.running_max} heavy reads are running, {self.waiting} waiting")
            self.waiting += 1
            try:
                await asyncio.wait_for(gate.acquire(), self.wait_s)
            except TimeoutError:
                raise _busy(f"no turn for a heavy read within {self.wait_s:g} s") from None
            finally:
                self.waiting -= 1
        else:
            await gate.acquire()
        try:
            yield
        finally:
            gate.release()


def _busy(why: str) -> Unavailable:
    return Unavailable(
        f"too many heavy reads at once ({why}); retry later",
        code="heavy_reads_busy",
        retry_after_s=HEAVY_READ_RETRY_AFTER_S,
    )


class LimitsMiddleware:
    """The limits of the module docstring, around ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Limits,
        rate_limits: RateLimits,
        body_bytes_max_for: Callable[[str], int],
    ) -> None:
        self.app = app
        self.limits = limits
        self.rate_limits = rate_limits
        self.body_bytes_max_for = body_bytes_max_for
        self.heavy_reads = HeavyReads(
            limits.heavy_reads_max,
            limits.heavy_reads_queued_max,
            limits.heavy_read_wait_ms_max / 1000,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._charge_client(scope)
            body_bytes_max = self.body_bytes_max_for(scope["path"])
            self._check_declared_length(scope, body_bytes_max)
        except TerangError as error:  # refused unread: a body may follow, so close then
            await _send_problem(
                scope, receive, send, error, close=scope["method"] not in READ_METHODS
            )
            return
        if is_heavy_read(scope, self.limits.light_page_items_max):
            try:
                async with self.heavy_reads.turn():
                    await self._guarded(scope, receive, send, body_bytes_max)
            except Unavailable as error:
                if error.code != "heavy_reads_busy":
                    raise
                await _send_problem(scope, receive, send, error)
            return
        await self._guarded(scope, receive, send, body_bytes_max)

    def _charge_client(self, scope: Scope) -> None:
        rates = self.rate_limits
        client = client_address(scope)
        if scope["method"] in READ_METHODS:
            rates.client_reads.take(client)
            return
        rates.client_writes.take(client)
        if scope["path"].startswith(STATEMENTS_PATH):
            # What a batch costs is known only once it is read; a client that could not
            # pay for one statement is turned away before its body is read at all.
            rates.client_statements.check(client)

    def _check_declared_length(self, scope: Scope, body_bytes_max: int) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > body_bytes_max:
                raise _too_large(body_bytes_max)

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, body_bytes_max: int
    ) -> None:
        """Run the app with its body counted and timed. Once a body broke a limit, the
        client gets that problem, whatever the app made of the error (a route with a
        pydantic body would call it a parse error), and the connection is closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.request_body_read_ms_max / 1000
        received = 0
        body_done = False
        broken: TerangError | None = None
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, body_done, broken
            if body_done or broken is not None:
                return await receive()  # disconnect listeners: no deadline after the body
            remaining_s = deadline - loop.time()
            try:
                if remaining_s <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), remaining_s)
            except TimeoutError:
                broken = _timed_out(self.limits.request_body_read_ms_max)
                raise broken from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > body_bytes_max:
                    broken = _too_large(body_bytes_max)
                    raise broken
                body_done = not message.get("more_body", False)
            return message

        async def answering_send(message: Message) -> None:
            nonlocal answered
            if broken is None:
                answered = answered or message["type"] == "http.response.start"
                await send(message)
            elif not answered:  # the app's answer to the broken body is replaced by ours
                answered = True
                await _send_problem(scope, receive, send, broken, close=True)

        try:
            await self.app(scope, limited_receive, answering_send)
        except TerangError:
            if broken is None or answered:
                raise
            answered = True
            await _send_problem(scope, receive, send, broken, close=True)


def _too_large(body_bytes_max: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"request body is over {body_bytes_max} bytes",
        code="request_too_large",
        limit_bytes=body_bytes_max,
    )


def _timed_out(read_ms_max: int) -> RequestTimeout:
    return RequestTimeout(
        f"the request body did not arrive within {read_ms_max} ms",
        code="request_timeout",
        limit_ms=read_ms_max,
    )


async def _send_problem(
    scope: Scope, receive: Receive, send: Send, error: TerangError, *, close: bool = False
) -> None:
    headers: dict[str, str] = {}
    if isinstance(error, Unavailable):
        headers["Retry-After"] = str(error.retry_after_s)
    log_problem(error)  # the line the app's own answers get (heavy_reads_busy: push back)
    if close:
        headers["Connection"] = "close"
    response = JSONResponse(
        error.problem(), status_code=error.http_status, media_type=PROBLEM_JSON, headers=headers
    )
    await response(scope, receive, send)


def install(app: Any, limits: Limits, rate_limits: RateLimits, document_bytes_max: int) -> None:
    """Wrap ``app`` (a FastAPI app): document uploads may be as large as documents."""

    def body_bytes_max_for(path: str) -> int:
        if path.startswith(DOCUMENTS_PREFIX):
            return max(document_bytes_max, limits.request_body_bytes_max)
        return limits.request_body_bytes_max

    app.add_middleware(
        LimitsMiddleware,
        limits=limits,
        rate_limits=rate_limits,
        body_bytes_max_for=body_bytes_max_for,
    )


DOCUMENTS_PREFIX: Final = "/api/v1/procurement/documents/"
