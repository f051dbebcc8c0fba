"""Errors as pages: a bad link or an unknown record gets an HTML answer, not JSON.

The app's own handlers answer ``application/problem+json`` (right for the API). A
portal route raises a ``PageError`` instead; ``PortalRoute`` renders it as the
``error.html`` page in the visitor's language, with its class's status (400
``page_bad_request`` for a bad query parameter, 404 ``page_not_found`` for an unknown
record). Handlers read their query parameters themselves (``portal.params``) so
FastAPI's JSON 422 never reaches a visitor. A browser that asks for a path no route
has gets the HTML 404 too (``wants_page``, called by the app's 404 handler); API
clients keep problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ledger.errors import ClientError
from portal.rendering import render


class PageError(ClientError):
    """A page that cannot be shown: ``message`` is a catalogue key, formatted with
    ``params`` in the visitor's language.

    A ``ClientError`` like every refusal of the API (nothing was read or changed for
    it), so it has a stable ``code`` and its status comes from its class: raise
    ``PageNotFound`` or ``PageBadRequest`` (``not_found`` and ``bad_request`` build
    them). ``params`` are kept apart from ``details`` because a catalogue parameter may
    be called ``code`` (``error.unknown_opd``), which names the error's own code in
    ``TerangError``. A portal route renders it as HTML (``PortalRoute``); escaped
    anywhere else, the app's handler renders it as problem+json like any other error.
    """

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.params = params
        if params:  # a machine reading the problem+json sees what the page would say
            self.details["params"] = dict(params)


class PageNotFound(PageError):
    """404: the record the page is about does not exist (an unknown year, OPD, tender)."""

    http_status = 404
    code = "page_not_found"


class PageBadRequest(PageError):
    """400: a query parameter is malformed, repeated, out of range or missing its pair."""

    http_status = 400
    code = "page_bad_request"


def not_found(message: str = "error.not_found.detail", **params: str) -> PageNotFound:
    return PageNotFound(message, **params)


def bad_request(message: str, **params: str) -> PageBadRequest:
    return PageBadRequest(message, **params)


class PortalRoute(APIRoute):
    """An APIRoute whose ``PageError`` becomes the HTML error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except PageError as error:
                return render(
                    request,
                    "error.html",
                    status_code=error.http_status,
                    error_status=error.http_status,
                    error_message=error.message,
                    error_params=error.params,
                )

        return page_handler


NOT_PAGES: Final = ("/api/", "/log/", "/static/", "/api-docs-assets/", "/docs", "/openapi.json")
"""Paths of the API and files: their errors stay problem+json whatever the client accepts."""


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API): its 404 is the HTML error page."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith(NOT_PAGES) and "text/html" in accept


def not_found_page(request: Request) -> Response:
    return render(
        request,
        "error.html",
        status_code=404,
        error_status=404,
        error_message="error.not_found.detail",
        error_params={},
    )
