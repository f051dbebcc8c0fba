"""Verifying in the browser: the keys a page trusts, and the drop-a-file page.

Every portal page carries a small JSON block (``templates/verify_data.html``,
included by ``base.html``) with this log's verifier key, the configured witnesses'
cosignature keys and the verification messages in the visitor's language;
``static/verify.js`` reads it to check a record's bundle when the visitor presses
Verify, and the result names the key it trusted so the visitor can compare it with
one published elsewhere. The keys are configuration, not data from the log, so a
page never asks the server it is checking which key to trust.

``/verifikasi`` lets anyone drop a downloaded bundle or receipt and check it with
no network request once the page has loaded (everything it needs is inline or in
the cached ``verify.js``), and lets them paste the key they trust instead.

Both run code this server serves, so both also show the SHA-256 of the verify.js
that ran beside the published hashes of the standalone verifier
(``portal/standalone_verifier.py``), which is offered for download at
``/verifikasi/terang-verifier.html`` with its hash at ``/log/verifier-html.sha256``
(``sha256sum -c`` format). The download is an attachment, never a page of this
origin: opened from the visitor's disk, it owes this server nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledger.reads import PublicLog
from portal import (
    assets,  # noqa: F401  (registers the ``asset`` template global)
    standalone_verifier,
)
from portal.rendering import PAGE_CACHE_CONTROL, environment, render

MESSAGE_PREFIX = "verify."
"""Catalogue keys verify.js renders (portal/i18n.py); only these go to the browser."""
DOWNLOAD_CACHE_CONTROL = "public, max-age=300"
"""The file keeps its URL across releases, so caches may keep it only briefly."""


def standalone_info() -> dict[str, str]:
    """Where the standalone verifier is and the hashes it is published under."""
    published = standalone_verifier.published()
    return {
        "url": standalone_verifier.DOWNLOAD_PATH,
        "hash_url": standalone_verifier.HASH_PATH,
        "html_sha256": published.html_sha256,
        "verify_js_sha256": published.verify_js_sha256,
    }


def verify_config(request: Request, messages: dict[str, str]) -> dict[str, Any]:
    """What verify.js needs on any page: the keys to trust, its messages, and the published
    hashes of the standalone verifier (to show beside the hash of the code that ran)."""
    ledger: PublicLog = request.app.state.ledger
    return {
        "verifier_key": ledger.verifier_key(),
        "witness_keys": ledger.witness_keys(),
        "messages": {k: v for k, v in messages.items() if k.startswith(MESSAGE_PREFIX)},
        "standalone": standalone_info(),
    }


environment.globals["verify_config"] = verify_config


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/verifikasi", response_class=HTMLResponse)
    def verify_page(request: Request) -> HTMLResponse:
        return render(
            request,
            "verify.html",
            verifier_key=ledger.verifier_key(),
            witness_keys=ledger.witness_keys(),
            standalone=standalone_info(),
        )

    @router.get(standalone_verifier.DOWNLOAD_PATH)
    def standalone_download() -> Response:
        # An attachment, so it is saved, not rendered as a page of this origin (where it would
        # be this server's page again); the CSP header repeats the file's own meta policy.
        return Response(
            standalone_verifier.built_file(),
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{standalone_verifier.HTML_NAME}"',
                "Cache-Control": DOWNLOAD_CACHE_CONTROL,
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": standalone_verifier.content_security_policy(),
            },
        )

    @router.get(standalone_verifier.HASH_PATH)
    def standalone_hash() -> Response:
        line = f"{standalone_verifier.published().html_sha256}  {standalone_verifier.HTML_NAME}\n"
        return Response(
            line,
            media_type="text/plain; charset=utf-8",
            headers={"Cache-Control": PAGE_CACHE_CONTROL},
        )

    return router
