"""The interactive API page at ``/docs``, with Swagger UI served by Terang itself.

FastAPI's default page loads Swagger UI's script and stylesheet from a CDN and its
favicon from another site; a transparency service should not make its visitors'
browsers ask third parties for code. The same files, copied from npm with their
licence (``terang/static/swagger-ui/SOURCE.md``), are served from this app instead.
ReDoc (which would also come from a CDN) is not offered; ``/openapi.json`` is the
machine-readable description.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_PREFIX: Final = "/api-docs-assets"
ASSETS: Final = Path(__file__).parent / "static" / "swagger-ui"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def content_security_policy(html: str) -> str:
    """This origin only, plus the page's own inline start-up script by its hash: Swagger
    UI's bundle, stylesheet and the spec come from here; nothing else may run or load.
    (``'unsafe-inline'`` for styles: Swagger UI sets a few ``style`` attributes.)"""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


def install(app: FastAPI, *, favicon_url: str) -> None:
    """Serve ``/docs`` from local assets; ``app`` must be created with ``docs_url=None``."""
    app.mount(ASSETS_PREFIX, StaticFiles(directory=ASSETS), name="api-docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} — API",
        swagger_js_url=f"{ASSETS_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PREFIX}/swagger-ui.css",
        swagger_favicon_url=favicon_url,
        # Swagger UI would fetch a badge from validator.swagger.io for non-local hosts.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode()
    headers = {"Content-Security-Policy": content_security_policy(html)}

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)
