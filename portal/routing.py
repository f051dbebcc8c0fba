"""Errors as pages: a bad link or an unknown record gets an HTML answer, not JSON.

The app's own handlers answer ``application/problem+json`` (right for the API). A
portal route raises ``PageError`` instead; ``PortalRoute`` renders it as the
``error.html`` page in the visitor's language, with the status it names (400 for a
bad query parameter, 404 for an unknown record). Handlers read their query
parameters themselves (``portal.params``) so FastAPI's JSON 422 never reaches a
visitor. A browser that asks for a path no route has gets the HTML 404 too
(``wants_page``, called by the app's 404 handler); API clients keep problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.routing import APIRoute

from portal.rendering import render


class PageError(Exception):
    """A page that cannot be shown: ``message`` is a catalogue key, formatted with
    ``params`` in the visitor's language."""

    def __init__(self, status_code: int, message: str, **params: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.params = params


def not_found(message: str = "error.not_found.detail", **params: str) -> PageError:
    return PageError(404, message, **params)


def bad_request(message: str, **params: str) -> PageError:
    return PageError(400, message, **params)


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
                    status_code=error.status_code,
                    error_status=error.status_code,
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
