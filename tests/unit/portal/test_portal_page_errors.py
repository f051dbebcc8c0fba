"""A page that cannot be shown is a ClientError with a stable code, rendered as HTML.

The visitor sees the error page in their language with the status of the error's
class; an integrator who meets one outside a portal route gets the same code as
problem+json. Checked on a bare app whose only routes raise, so no ledger is needed.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from markupsafe import escape

import portal.assets  # noqa: F401  (registers the templates' asset() global)
from ledger.errors import ClientError, TerangError
from ledger.region_time import TIME_ZONE_DEFAULT
from portal.i18n import translator
from portal.routing import (
    PageBadRequest,
    PageError,
    PageNotFound,
    PortalRoute,
    bad_request,
    not_found,
)
from terang.app import problem_response


def _app() -> FastAPI:
    pages = APIRouter(route_class=PortalRoute)

    @pages.get("/opd")
    def unknown_opd() -> None:
        raise not_found("error.unknown_opd", code="9.99.0.00.0.00.99.0000")

    @pages.get("/nothing")
    def nothing() -> None:
        raise not_found()

    @pages.get("/limit")
    def bad_limit() -> None:
        raise bad_request("error.param.range", name="limit", low="1", high="100")

    api = APIRouter()  # a plain route: not a page

    @api.get("/api/escaped")
    def escaped() -> None:
        raise not_found("error.unknown_opd", code="1.02")

    app = FastAPI()
    # What the page frame reads from the served ledger (ledger.reads.PublicLog: the
    # verifier's keys, the zone).
    app.state.ledger = SimpleNamespace(
        verifier_key=lambda: "terang.example+00000000+AAAA",
        witness_keys=list,
        time_zone=TIME_ZONE_DEFAULT,
    )
    app.include_router(pages)
    app.include_router(api)

    @app.exception_handler(TerangError)
    async def _terang_error(_: Request, error: TerangError) -> JSONResponse:
        return problem_response(error)

    return app


def test_page_errors_are_client_errors_whose_class_gives_status_and_code() -> None:
    for error, cls, status, code in [
        (not_found(), PageNotFound, 404, "page_not_found"),
        (bad_request("error.param.invalid", name="q"), PageBadRequest, 400, "page_bad_request"),
    ]:
        assert type(error) is cls
        assert isinstance(error, PageError)
        assert isinstance(error, ClientError)
        assert isinstance(error, TerangError)
        assert (error.http_status, error.code) == (status, code)
        assert (cls.http_status, cls.code) == (status, code)  # from the class, not the instance
        assert "http_status" not in vars(error)


def test_a_catalogue_parameter_named_code_does_not_change_the_error_code() -> None:
    error = not_found("error.unknown_opd", code="1.02")
    assert error.code == "page_not_found"
    assert error.params == {"code": "1.02"}
    assert error.problem() == {
        "type": "https://terang.dev/problems/page-not-found",
        "title": "page_not_found",
        "status": 404,
        "detail": "error.unknown_opd",
        "code": "page_not_found",
        "details": {"params": {"code": "1.02"}},
    }
    assert "details" not in not_found().problem()


@pytest.mark.parametrize(
    ("path", "status", "key", "params"),
    [
        ("/opd", 404, "error.unknown_opd", {"code": "9.99.0.00.0.00.99.0000"}),
        ("/nothing", 404, "error.not_found.detail", {}),
        ("/limit", 400, "error.param.range", {"name": "limit", "low": "1", "high": "100"}),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_portal_route_renders_the_html_error_page(
    path: str, status: int, key: str, params: dict[str, str], language: str
) -> None:
    with TestClient(_app()) as client:
        response = client.get(path, params={"lang": language})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == language
    expected = escape(translator(language)[key].format(**params))  # as Jinja escapes
    assert f'<p id="error-message">{expected}</p>' in response.text
    assert "page_not_found" not in response.text and "page_bad_request" not in response.text


def test_escaped_from_a_plain_route_it_is_problem_json_with_its_code() -> None:
    """Before the family, a PageError outside a portal route was a 500 "unexpected"."""
    with TestClient(_app()) as client:
        response = client.get("/api/escaped")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "page_not_found"
    assert response.json()["details"] == {"params": {"code": "1.02"}}
