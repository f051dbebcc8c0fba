"""The workspace's pages (``/kerja``): the key, the authority's, the officer's, the
vendor's (registration, sealed bids) and the committee's (box key, share release) forms.

Every page is a shell rendered from public reads (who holds which role, who activates
vendors) plus the scripts that do the work in the browser: ``keys.js`` makes, keeps,
backs up and restores the person's key, ``canonical.js`` writes a statement's RFC 8785
bytes, ``workspace.js`` turns a form into a statement, shows it in plain words, signs
it and sends it to ``POST /api/v1/statements``. The page hands the scripts what they
need in a ``workspace-config`` JSON element (inert: no inline script runs): the log's
origin (the signature covers it), the region's zone and the messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ledger.errors import InvariantBroken, require
from ledger.kinds import ROLES
from ledger.region_time import zone_info
from ledger.service import Ledger
from portal.formatting import MONTHS
from portal.i18n import language_of
from portal.rendering import time_zone_of
from portal.routing import PortalRoute
from procurement.limits import TEXT_CHARS_MAX as NOTE_CHARS_MAX
from procurement.vendors import ACTIVATED, QUALIFICATIONS
from procurement.vendors import REDUCERS as VENDOR_TABLE
from workspace import reads
from workspace.i18n import script_messages
from workspace.limits import (
    BACKUP_PASSPHRASE_CHARS_MIN,
    BACKUP_PBKDF2_ITERATIONS_MAX,
    BACKUP_PBKDF2_ITERATIONS_MIN,
    KEY_NAME_CHARS_MAX,
    RELEASES_SENT_MAX,
)
from workspace.rendering import render

ROLE_ORDER: Final = (
    "authority",
    "finance",
    "procurement_officer",
    "committee_member",
    "vendor",
    "auditor",
    "tender_closer",
    "head_of_region",
    "desa_proposer",
    "community_proposer",
    "kecamatan_forum",
    "kabupaten_forum",
    "bappeda",
    "dprd",
)
"""The roles as the forms list them (every role of ``ledger.kinds.ROLES``)."""
QUALIFICATION_ORDER: Final = ("mikro", "kecil", "menengah", "besar")
ACTIVATOR_ROLE: Final = "procurement_officer"
"""The role that signs ``procurement.vendor.activated`` (checked against its kind below)."""

require(
    set(ROLE_ORDER) == ROLES and set(QUALIFICATION_ORDER) == QUALIFICATIONS,
    InvariantBroken("the forms must list every role and every qualification"),
)
require(
    [kind.roles for kind in VENDOR_TABLE if kind.type == ACTIVATED] == [{ACTIVATOR_ROLE}],
    InvariantBroken("the vendor page must name the role that activates vendors"),
)


def script_config(request: Request, ledger: Ledger) -> dict[str, Any]:
    """What the scripts need, as JSON in the page."""
    language = language_of(request)
    zone = time_zone_of(request)
    # Indonesia's zones keep one offset all year (no daylight saving): the scripts add it.
    offset = datetime.now(zone_info(zone)).utcoffset()
    return {
        "origin": ledger.origin,
        "lang": language,
        "zone": zone,
        "zone_offset_minutes": 0 if offset is None else int(offset.total_seconds() // 60),
        "months": list(MONTHS[language]),
        "backup": {
            "iterations": BACKUP_PBKDF2_ITERATIONS_MIN,
            "iterations_max": BACKUP_PBKDF2_ITERATIONS_MAX,
            "passphrase_chars_min": BACKUP_PASSPHRASE_CHARS_MIN,
        },
        "releases_max": RELEASES_SENT_MAX,
        "messages": script_messages(language),
    }


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    def page(request: Request, template: str, **context: Any) -> HTMLResponse:
        with ledger.reads.snapshot(request) as snap:
            registry = reads.registry(snap.conn)
            demo = reads.is_demo(snap.conn)
            size = snap.tree_size
        return render(
            request,
            template,
            config=script_config(request, ledger),
            registry=registry,
            demo=demo,
            size=size,
            roles=ROLE_ORDER,
            qualifications=QUALIFICATION_ORDER,
            activator_role=ACTIVATOR_ROLE,
            name_chars_max=KEY_NAME_CHARS_MAX,
            passphrase_chars_min=BACKUP_PASSPHRASE_CHARS_MIN,
            note_chars_max=NOTE_CHARS_MAX,
            **context,
        )

    @router.get("/kerja", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return page(request, "home.html", section="home")

    @router.get("/kerja/otoritas", response_class=HTMLResponse)
    def authority(request: Request) -> HTMLResponse:
        return page(request, "authority.html", section="authority")

    @router.get("/kerja/pejabat", response_class=HTMLResponse)
    def officer(request: Request) -> HTMLResponse:
        with ledger.reads.snapshot(request) as snap:
            waiting = reads.vendors_waiting(snap.conn)
        return page(request, "officer.html", section="officer", waiting=waiting)

    @router.get("/kerja/penyedia", response_class=HTMLResponse)
    def vendor(request: Request) -> HTMLResponse:
        with ledger.reads.snapshot(request) as snap:
            tenders = reads.open_tenders(snap.conn)
        return page(request, "vendor.html", section="vendor", tenders=tenders)

    @router.get("/kerja/panitia", response_class=HTMLResponse)
    def committee(request: Request) -> HTMLResponse:
        with ledger.reads.snapshot(request) as snap:
            tenders = reads.committee_tenders(snap.conn)
        return page(request, "committee.html", section="committee", tenders=tenders)

    return router
