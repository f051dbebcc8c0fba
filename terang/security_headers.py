"""``X-Content-Type-Options: nosniff`` on every response the app gives.

A plain ASGI middleware that only adds a header (it never changes a status or a body):
JSON, problem documents, ``/log/*`` tiles and checkpoints, pages and files all say
``nosniff``, so a browser never runs a tile or a JSON document as a script or a page
because it "looked like" one. A response that already says it (the portal's pages,
documents) is left as it is.

Cross-origin reads of the public API are ``terang.cors``'s; the CSP of ``/docs`` is set
by ``terang.api_docs`` (it hashes the page's one inline script), the portal's pages
carry their own (``portal.rendering``).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF: Final = (b"x-content-type-options", b"nosniff")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if all(name.lower() != NOSNIFF[0] for name, _ in headers):
                    headers.append(NOSNIFF)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
