"""Static assets served by the app itself (no CDN), with content-versioned URLs.

Each asset's URL carries a short hash of its bytes (``/static/site.css?v=ab12cd34``),
so browsers may cache it for a year and still see a new version at once.
"""

from __future__ import annotations

import hashlib
from functools import cache

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from portal.rendering import STATIC, STATIC_CACHE_CONTROL, environment

STATIC_PREFIX = "/static"


@cache
def asset_url(name: str) -> str:
    """The cache-busting URL of static file ``name`` (its bytes hashed once per process)."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


class CachedStaticFiles(StaticFiles):
    """StaticFiles with long-lived caching and a no-sniff header."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = STATIC_CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_app() -> CachedStaticFiles:
    return CachedStaticFiles(directory=STATIC)


environment.globals["asset"] = asset_url
