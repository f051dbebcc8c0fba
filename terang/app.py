"""The FastAPI application: one composition root mounting every room's router."""

from __future__ import annotations

import html
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from audit import log_api, read_api
from budgeting import reducers as budgeting_reducers
from budgeting import report_router as budgeting_report_router
from budgeting import router as budgeting_router
from ledger import api as ledger_api
from ledger.errors import InvariantBroken, TerangError, Unavailable
from ledger.kinds import KindRegistry
from ledger.service import Ledger, default_kinds
from procurement import kinds as procurement_kinds
from procurement import router as procurement_router
from procurement import service as procurement_service

log = logging.getLogger("terang")
PROBLEM_JSON = "application/problem+json"


def all_kinds() -> KindRegistry:
    """Every statement type the deployment accepts: the ledger's and each module's."""
    registry = default_kinds()
    # -- budgeting (issue 4) --
    budgeting_reducers.register(registry)
    # -- procurement (issue 5) --
    procurement_kinds.register(registry)
    return registry


def problem_response(error: TerangError) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(error, Unavailable):
        headers["Retry-After"] = str(error.retry_after_s)
    if isinstance(error, InvariantBroken) or error.http_status >= 500:
        log.error("invariant broken: %s %s", error.code, error.message)
    return JSONResponse(
        error.problem(), status_code=error.http_status, media_type=PROBLEM_JSON, headers=headers
    )


def create_app(ledger: Ledger) -> FastAPI:
    app = FastAPI(
        title="Terang",
        version="0.1.0",
        description=(
            "Transparent e-budgeting and e-procurement ledger. Every statement is signed "
            "by its author, logged once in an append-only RFC 6962 Merkle log, and covered "
            "by signed C2SP checkpoints that anyone can verify. Errors are RFC 9457 "
            "problem documents with a stable `code`."
        ),
    )
    app.state.ledger = ledger

    @app.exception_handler(TerangError)
    async def _terang_error(_: Request, error: TerangError) -> JSONResponse:
        return problem_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        problem = TerangError(
            str(error.detail),
            code="not_found" if error.status_code == 404 else f"http_{error.status_code}",
        )
        problem.http_status = error.status_code
        return problem_response(problem)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return problem_response(InvariantBroken("internal error; it has been logged"))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        problem = TerangError(
            f"{where}: {first.get('msg', 'invalid request')}",
            code="invalid_request",
            errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in error.errors()],
        )
        problem.http_status = 422
        return problem_response(problem)

    app.include_router(ledger_api.build_router(ledger))
    app.include_router(log_api.build_router(ledger))
    app.include_router(read_api.build_router(ledger))
    app.include_router(budgeting_router.build_router(ledger))
    app.include_router(budgeting_report_router.build_router(ledger))
    # -- procurement (issue 5) --
    app.include_router(procurement_router.build_router(ledger))
    procurement_service.install(app, ledger)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def portal_home() -> HTMLResponse:
        checkpoint = ledger.latest_checkpoint()
        note = html.escape(checkpoint.note) if checkpoint else "(none yet)"
        size = ledger.size()
        return HTMLResponse(
            "<!doctype html><html lang=id><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            "<title>Terang — buku besar transparan</title></head><body><main>"
            "<h1>Terang</h1><p>Buku besar anggaran dan pengadaan yang dapat diverifikasi "
            "siapa saja. / A budget and procurement ledger anyone can verify.</p>"
            f"<p>Entri tercatat / entries logged: <strong>{size}</strong></p>"
            f"<h2>Checkpoint</h2><pre>{note}</pre>"
            f"<p>Verifier key: <code>{html.escape(ledger.verifier_key())}</code></p>"
            "<ul><li><a href='/log/checkpoint'>/log/checkpoint</a></li>"
            "<li><a href='/api/v1/entries'>/api/v1/entries</a></li>"
            "<li><a href='/docs'>API docs</a> (<a href='/openapi.json'>openapi.json</a>)</li>"
            "</ul></main></body></html>"
        )

    return app
