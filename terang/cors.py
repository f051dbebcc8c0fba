"""Cross-origin reads of the public log: what lets a saved standalone verifier fetch a bundle.

The standalone verifier (``portal/standalone_verifier.py``) runs from the visitor's disk, an
opaque origin, and fetches the one URL they type; a browser hands it the response only if the
server says ``Access-Control-Allow-Origin``. Everything under ``/log/`` and ``/api/v1/`` that a
GET returns is public already (anyone may curl it), so those responses say ``*``.

Why this opens nothing else:

1. only GET and HEAD responses get the header, and only under the public read prefixes;
   portal pages, the docs and every write are as before;
2. ``*`` never covers a credentialed request (Fetch standard), and no read needs a cookie;
3. no preflight (OPTIONS) is answered, so a page of another origin still cannot send a POST
   with a JSON body through a visitor's browser (writes are signed statements anyway).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_READ_PREFIXES: Final = ("/log/", "/api/v1/")
READ_METHODS: Final = frozenset({"GET", "HEAD"})
ALLOW_ORIGIN: Final = (b"access-control-allow-origin", b"*")
# A page of another origin may read the size a response reflects (ledger.reads, rule 2).
EXPOSE_HEADERS: Final = (
    b"access-control-expose-headers",
    b"X-Terang-Tree-Size, Link, X-Terang-Truncated, X-Terang-Truncated-Ocids",
)


def is_public_read(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return scope.get("method") in READ_METHODS and path.startswith(PUBLIC_READ_PREFIXES)


class PublicReadCORS:
    """ASGI middleware: ``Access-Control-Allow-Origin: *`` on public reads (rules above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public_read(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), ALLOW_ORIGIN, EXPOSE_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_header)
