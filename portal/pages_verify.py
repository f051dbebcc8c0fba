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
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ledger.service import Ledger
from portal import assets  # noqa: F401  (registers the ``asset`` template global)
from portal.rendering import environment, render

MESSAGE_PREFIX = "verify."
"""Catalogue keys verify.js renders (portal/i18n.py); only these go to the browser."""


def witness_keys(ledger: Ledger) -> list[str]:
    """The cosignature/v1 verifier keys of the witnesses this log asks (TERANG_WITNESSES)."""
    if ledger.witnesses is None:
        return []
    return [endpoint.key for endpoint in ledger.witnesses.witnesses]


def verify_config(request: Request, messages: dict[str, str]) -> dict[str, Any]:
    """What verify.js needs on any page: the keys to trust and its messages."""
    ledger: Ledger = request.app.state.ledger
    return {
        "verifier_key": ledger.verifier_key(),
        "witness_keys": witness_keys(ledger),
        "messages": {k: v for k, v in messages.items() if k.startswith(MESSAGE_PREFIX)},
    }


environment.globals["verify_config"] = verify_config


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/verifikasi", response_class=HTMLResponse)
    def verify_page(request: Request) -> HTMLResponse:
        return render(
            request,
            "verify.html",
            verifier_key=ledger.verifier_key(),
            witness_keys=witness_keys(ledger),
        )

    return router
