"""Bahasa Indonesia by default, English on request: the portal's two languages.

The language is chosen by ``?lang=`` (which also sets a cookie, so the choice
sticks while the visitor browses) or by that cookie; nothing else (not
Accept-Language) changes it, so a shared link shows the same page to everyone.
Messages live in one catalogue per language, keyed by a short id; a missing
translation falls back to Indonesian, and a test checks that both catalogues
have the same keys.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

LANGUAGES: Final = ("id", "en")
DEFAULT_LANGUAGE: Final = "id"
COOKIE: Final = "terang_lang"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "id": {
        "site.name": "Terang",
        "site.tagline": "Anggaran dan pengadaan daerah yang dapat diverifikasi siapa saja.",
        "nav.home": "Beranda",
        "nav.budget": "Anggaran",
        "nav.tenders": "Tender",
        "nav.vendors": "Penyedia",
        "nav.verify": "Verifikasi berkas",
        "nav.skip": "Langsung ke isi",
        "lang.switch": "English",
        "footer.api": "API terbuka",
        "footer.log": "Log transparansi",
        "footer.key": "Kunci verifikasi log",
        "home.entries": "Entri tercatat",
        "home.checkpoint": "Checkpoint terbaru",
        "home.no_checkpoint": "Belum ada checkpoint.",
    },
    "en": {
        "site.name": "Terang",
        "site.tagline": "Regional budgets and procurement that anyone can verify.",
        "nav.home": "Home",
        "nav.budget": "Budget",
        "nav.tenders": "Tenders",
        "nav.vendors": "Vendors",
        "nav.verify": "Verify a file",
        "nav.skip": "Skip to content",
        "lang.switch": "Bahasa Indonesia",
        "footer.api": "Open API",
        "footer.log": "Transparency log",
        "footer.key": "Log verifier key",
        "home.entries": "Entries logged",
        "home.checkpoint": "Latest checkpoint",
        "home.no_checkpoint": "No checkpoint yet.",
    },
}


def language_of(request: Request) -> str:
    """The language to render in: ``?lang=``, else the cookie, else Indonesian."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str) -> dict[str, str]:
    """The catalogue for ``language`` with Indonesian filling any gap."""
    merged = dict(CATALOGUE[DEFAULT_LANGUAGE])
    merged.update(CATALOGUE.get(language, {}))
    return merged
