"""Errors as pages: a bad link or an unknown record gets an HTML answer, not JSON.

The app's own handlers answer ``application/problem+json`` (right for the API). A
portal route raises ``PageError`` instead; ``PortalRoute`` renders it as the
``error.html`` page in the visitor's language, with the status it names (400 for a
bad query parameter, 404 for an unknown record). Handlers read their query
parameters themselves (``portal.params``) so FastAPI's JSON 422 never reaches a
visitor.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

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
