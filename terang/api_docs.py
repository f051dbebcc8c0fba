"""The interactive API page at ``/docs``, with Swagger UI served by Terang itself.

FastAPI's default page loads Swagger UI's script and stylesheet from a CDN and its
favicon from another site; a transparency service should not make its visitors'
browsers ask third parties for code. The same files, copied from npm with their
licence (``terang/static/swagger-ui/SOURCE.md``), are served from this app instead.
ReDoc (which would also come from a CDN) is not offered; ``/openapi.json`` is the
machine-readable description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_PREFIX: Final = "/api-docs-assets"
ASSETS: Final = Path(__file__).parent / "static" / "swagger-ui"


def install(app: FastAPI, *, favicon_url: str) -> None:
    """Serve ``/docs`` from local assets; ``app`` must be created with ``docs_url=None``."""
    app.mount(ASSETS_PREFIX, StaticFiles(directory=ASSETS), name="api-docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PREFIX}/swagger-ui.css",
            swagger_favicon_url=favicon_url,
            # Swagger UI would fetch a badge from validator.swagger.io for non-local hosts.
            swagger_ui_parameters={"validatorUrl": None},
        )
