"""Jinja2 rendering with autoescaping, the visitor's language and cache headers.

Pages are rendered on the server so they work without JavaScript on a cheap
phone; only verification runs in the browser. Every page is a public read of
the log at some tree size, so responses may be cached briefly by browsers and
proxies (``max-age`` small, because new entries arrive); static assets carry a
version in their URL and are cached for a long time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.i18n import COOKIE, LANGUAGES, language_of, translator

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
PAGE_CACHE_CONTROL: Final = "public, max-age=10"
STATIC_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the visitor's language, remembering an explicit choice."""
    language = language_of(request)
    body = environment.get_template(template).render(
        request=request,
        lang=language,
        other_lang=next(code for code in LANGUAGES if code != language),
        t=translator(language),
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
    response.headers["Vary"] = "Cookie"
    response.headers["Content-Language"] = language
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response
