"""The FastAPI application: one composition root mounting every room's router."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from audit import read_api, trace_api
from budgeting import reducers as budgeting_reducers
from budgeting import report_router as budgeting_report_router
from budgeting import router as budgeting_router
from ledger import api as ledger_api
from ledger import log_api, storage
from ledger.errors import (
    ClientError,
    DatabaseUnavailable,
    InvariantBroken,
    RoutingRefusal,
    StorageFull,
    TerangError,
    Unavailable,
)
from ledger.http_problems import GENERAL_PROBLEMS, INVALID_REQUEST, PROBLEM_JSON, SCHEMA_COMPONENTS
from ledger.kinds import KindRegistry
from ledger.reads import TreeSizeHeader
from ledger.service import Ledger, default_kinds
from planning import reducers as planning_reducers
from planning import router as planning_router
from portal import assets as portal_assets
from portal import pages as portal_pages
from portal import pages_verify as portal_pages_verify
from portal import routing as portal_routing
from procurement import closer as procurement_closer
from procurement import kinds as procurement_kinds
from procurement import router as procurement_router
from procurement.documents import DocumentLimits
from redflags import kinds as redflags_kinds
from redflags import router as redflags_router
from terang import api_docs, health, limits_middleware, metrics
from terang.cors import PublicReadCORS
from terang.problem_log import log_problem
from terang.security_headers import SecurityHeadersMiddleware
from workspace import pages as workspace_pages
from workspace import rendering as workspace_rendering

log = logging.getLogger("terang")
GZIP_MINIMUM_BYTES = 500
# How long a client waits before retrying while the database is out of reach: a
# PostgreSQL restart or a promoted standby takes seconds, not minutes.
DATABASE_RETRY_AFTER_S = 2
# A full disk does not pass by itself: someone has to free space or grow the volume.
STORAGE_FULL_RETRY_AFTER_S = 30


def all_kinds() -> KindRegistry:
    """Every statement type the deployment accepts: the ledger's and each module's."""
    registry = default_kinds()
    # -- budgeting (issue 4) --
    budgeting_reducers.register(registry)
    # -- procurement (issue 5) --
    procurement_kinds.register(registry)
    # -- planning (issue 15 item 1): e-musrenbang → RKPD --
    planning_reducers.register(registry)
    # -- red flags (issue 13): a read model following procurement's kinds --
    redflags_kinds.register(registry)
    return registry


def problem_response(error: TerangError, headers: dict[str, str] | None = None) -> JSONResponse:
    """``error`` as RFC 9457 problem+json with its class's status, ``Retry-After`` for push
    back, and the one log line that says what happened (``terang.problem_log``: push
    back is a warning, a full disk and a broken invariant are errors, refusals nothing)."""
    headers = dict(headers or {})
    if isinstance(error, Unavailable):
        headers["Retry-After"] = str(error.retry_after_s)
    log_problem(error)
    return JSONResponse(
        error.problem(), status_code=error.http_status, media_type=PROBLEM_JSON, headers=headers
    )


# FastAPI's own description of a failed parameter check; the app never serves it.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


class TerangApp(FastAPI):
    """The app, with an OpenAPI that describes the problems it really serves."""

    def openapi(self) -> dict[str, Any]:
        """FastAPI's schema, made exact about errors (``ledger.http_problems``, rule 2).

        Every 4xx/5xx is ``application/problem+json``: FastAPI's automatic 422 (a
        parameter that failed its declared constraint) is replaced by the problem the
        validation handler serves, and the ``Problem`` schema is the one component for
        every error body (with ``JsonValue``, the JSON a signed statement may carry).
        """
        if self.openapi_schema is not None:
            return self.openapi_schema
        schema = super().openapi()
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                automatic = responses.get("422", {}).get("content", {}).get("application/json")
                if automatic is not None:
                    responses["422"] = INVALID_REQUEST
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in _FASTAPI_VALIDATION_SCHEMAS:
            components.pop(name, None)
        components.update(SCHEMA_COMPONENTS)
        self.openapi_schema = schema
        return schema


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route serves at this path, for a 405's ``Allow`` (RFC 9110 15.5.6).

    Starlette's 405 names only the first route that matched the path, and none at all
    once a router is included; a path served by two routes (GET and PUT of a document)
    must list both. So each method is tried against the app's routes as a request of
    that method would be.
    """
    allowed = []
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def create_app(ledger: Ledger) -> FastAPI:
    app = TerangApp(
        title="Terang",
        docs_url=None,  # served by terang.api_docs from local files, not a CDN
        redoc_url=None,
        version="0.1.0",
        # Problems any operation may answer (size limits, rate limits, push back).
        responses=GENERAL_PROBLEMS,
        description=(
            "Transparent e-budgeting and e-procurement ledger. Every statement is signed "
            "by its author, logged once in an append-only RFC 6962 Merkle log, and covered "
            "by signed C2SP checkpoints that anyone can verify. Errors are RFC 9457 "
            "problem documents with a stable `code`."
        ),
    )
    app.state.ledger = ledger
    # Pages, JSON and tiles travel compressed to clients that ask (Accept-Encoding: gzip):
    # the portal's heaviest page drops from 164 KB to about 34 KB on a slow phone
    # connection, for about 2 ms of CPU (bench/results/portal.json). Bytes that clients
    # hash (documents, tiles, entries) are unchanged once the client decodes them.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6)
    # What one anonymous client may cost (rates, body size and time, heavy reads), then
    # nosniff and cross-origin reads on whatever answers, the limits' refusals included.
    limits_middleware.install(
        app, ledger.limits, ledger.rate_limits, DocumentLimits.from_env().document_bytes_max
    )
    app.add_middleware(SecurityHeadersMiddleware)
    # X-Terang-Tree-Size on every read a snapshot of the read side fed (ledger.reads).
    app.add_middleware(TreeSizeHeader)
    # Public reads may be fetched by pages of any origin, such as the standalone verifier
    # opened from a visitor's disk (terang/cors.py says why that opens nothing else).
    app.add_middleware(PublicReadCORS)
    # Outermost, so it times and counts every answer, refusals by the limits included.
    app.state.metrics = metrics.Metrics(ledger)
    app.add_middleware(metrics.MetricsMiddleware, metrics=app.state.metrics)

    @app.exception_handler(TerangError)
    async def _terang_error(_: Request, error: TerangError) -> JSONResponse:
        return problem_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404 and portal_routing.wants_page(request):
            return portal_routing.not_found_page(request)  # a browser: the HTML 404 page
        problem = RoutingRefusal(str(error.detail), status=error.status_code)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = allowed_methods(app, request)
        return problem_response(problem, headers)

    @app.exception_handler(DBAPIError)
    async def _database_error(_: Request, error: DBAPIError) -> JSONResponse:
        # The engine could not be reached or dropped the connection: push back. Any
        # other database error (a constraint, a bad statement) is a bug, logged in full.
        # A full disk is checked first: SQLite reports it as an OperationalError too.
        if storage.is_storage_full(error.orig):
            return problem_response(
                StorageFull(
                    "the database's disk is full; nothing was changed and everything "
                    "acknowledged before is kept; retry the same statement once the "
                    "operator has freed space",
                    retry_after_s=STORAGE_FULL_RETRY_AFTER_S,
                )
            )
        if storage.database_unavailable(error):
            return problem_response(
                DatabaseUnavailable(
                    "the database cannot be reached right now; nothing was changed, "
                    "retry shortly (the operator sees this in the service log)",
                    retry_after_s=DATABASE_RETRY_AFTER_S,
                )
            )
        log.exception("unexpected database error", exc_info=error)
        return problem_response(InvariantBroken("internal error; it has been logged"))

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(_: Request, error: PoolTimeout) -> JSONResponse:
        # Every pooled connection stayed busy for pool_timeout: load, not a bug. The
        # operator sizes the pool (TERANG_DB_POOL_SIZE, TERANG_DB_MAX_OVERFLOW).
        return problem_response(
            DatabaseUnavailable(
                "every database connection is busy; nothing was changed, retry shortly",
                retry_after_s=DATABASE_RETRY_AFTER_S,
            )
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return problem_response(InvariantBroken("internal error; it has been logged"))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem_response(
            ClientError(  # 422 invalid_request
                f"{where}: {first.get('msg', 'invalid request')}",
                errors=[
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in error.errors()
                ],
            )
        )

    app.include_router(health.build_router(ledger))
    app.include_router(metrics.build_router(app.state.metrics))
    app.include_router(ledger_api.build_router(ledger))
    app.include_router(log_api.build_router(ledger))
    app.include_router(read_api.build_router(ledger))
    app.include_router(trace_api.build_router(ledger))
    app.include_router(budgeting_router.build_router(ledger))
    app.include_router(budgeting_report_router.build_router(ledger))
    app.include_router(planning_router.build_router(ledger))
    # -- procurement (issue 5) --
    app.include_router(procurement_router.build_router(ledger))
    procurement_closer.install(app, ledger)
    # -- red flags (issue 13) --
    app.include_router(redflags_router.build_router(ledger))

    # -- public portal (issue 6): server-rendered pages and their static assets --
    app.include_router(portal_pages.build_router(ledger))
    app.include_router(portal_pages_verify.build_router(ledger))
    app.mount(portal_assets.STATIC_PREFIX, portal_assets.static_app(), name="static")
    # -- workspace (issue 12): pages where keys live in the browser and sign there --
    app.include_router(workspace_pages.build_router(ledger))
    app.mount(
        workspace_rendering.STATIC_PREFIX,
        workspace_rendering.static_app(),
        name="workspace-static",
    )
    api_docs.install(app, favicon_url=portal_assets.asset_url("favicon.svg"))

    return app
