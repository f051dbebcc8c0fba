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
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from budgeting.money import format_amount
from ledger.region_time import TIME_ZONE_DEFAULT
from portal import charts, formatting, links
from portal.i18n import COOKIE, LANGUAGES, language_of, translator
from portal.scripts_mixed import mixed_scripts

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
PAGE_CACHE_CONTROL: Final = "public, max-age=10"
STATIC_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""Everything from this origin only: no CDN, no third-party request, no inline script
or style (bars and charts are ``<meter>`` and SVG attributes, not ``style=``)."""
PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

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
    rupiah_short=formatting.rupiah_short,
    pct=formatting.percent,
    date=formatting.date,
    moment=formatting.moment,
    short_hash=formatting.short_hash,
    amount=format_amount,
)
environment.globals.update(
    month_name=formatting.month_name,
    meter_value=formatting.percent_value,
    monthly_chart=charts.monthly_chart,
    opd_chart=charts.opd_chart,
    subject_url=links.subject,
    url_for_explorer=links.explorer,
    url_for_tender=links.tender,
    url_for_vendor=links.vendor,
    url_for_line=links.line,
    url_for_proposal=links.proposal,
    url_for_proposals=links.proposals,
    url_for_trace_line=links.trace_line,
    url_for_trace_proposal=links.trace_proposal,
    mixed_scripts=mixed_scripts,
)


def url_with(request: Request, **changes: str | int | None) -> str:
    """This page's path and query with ``changes`` applied (``None`` or ``""`` removes a
    parameter): the links of filters, pagination and the language switch."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


def asset_exists(name: str) -> bool:
    """Whether static file ``name`` is installed (verify.js may land after the pages)."""
    return (STATIC / name).is_file()


environment.globals["url_with"] = url_with
environment.globals["asset_exists"] = asset_exists


def time_zone_of(request: Request) -> str:
    """The deployment's zone (``Settings.time_zone``), from the ledger the app serves."""
    ledger = getattr(request.app.state, "ledger", None)
    return TIME_ZONE_DEFAULT if ledger is None else str(ledger.time_zone)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the visitor's language and the region's time zone
    (``zone``, which the ``date`` and ``moment`` filters take), remembering an explicit
    choice of language."""
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
