"""The portal's page routes: each reads a read model and renders one template."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ledger.service import Ledger
from portal import assets  # noqa: F401  (registers the ``asset`` template global)
from portal.rendering import render


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        checkpoint = ledger.latest_checkpoint()
        return render(
            request,
            "home.html",
            size=ledger.size(),
            checkpoint_note=checkpoint.note if checkpoint else None,
            verifier_key=ledger.verifier_key(),
        )

    return router
