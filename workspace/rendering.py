"""The workspace's pages: the portal's rendering rules with the workspace's templates.

Reused from the portal: the language choice (``?lang=`` and its cookie), the
Content-Security-Policy and other page headers (everything from this origin, no
inline script or style), the number and time filters, the stylesheet. Its own: the
templates, the scripts under ``/kerja/static`` and ``Cache-Control: no-cache`` (a page
shows who holds which role now, and is reloaded after each signed statement).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal import formatting
from portal.assets import CachedStaticFiles, asset_url
from portal.i18n import COOKIE, LANGUAGES, language_of
from portal.rendering import PAGE_HEADERS, time_zone_of, url_with
from workspace.i18n import translator

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
STATIC_PREFIX: Final = "/kerja/static"
PAGE_CACHE_CONTROL: Final = "no-cache"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    number=formatting.number,
    rupiah=formatting.rupiah,
    moment=formatting.moment,
    short_hash=formatting.short_hash,
)


@cache
def script_url(name: str) -> str:
    """The cache-busting URL of the workspace's static file ``name``."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


environment.globals.update(asset=asset_url, script=script_url, url_with=url_with)


def static_app() -> CachedStaticFiles:
    return CachedStaticFiles(directory=STATIC)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` in the visitor's language, with the portal's page headers."""
    language = language_of(request)
    body = environment.get_template(template).render(
        request=request,
        lang=language,
        zone=time_zone_of(request),
        other_lang=next(code for code in LANGUAGES if code != language),
        t=translator(language),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
    response.headers["Vary"] = "Cookie"
    response.headers["Content-Language"] = language
    response.headers.update(PAGE_HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response
