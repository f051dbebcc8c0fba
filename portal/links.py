"""The portal's URLs for records, and the public API URLs a page links to.

One place builds them, so a page, its tests and ``docs/portal.md`` agree. Record ids
are quoted as path segments; the characters they may hold (``:``, ``.``, ``-``, ``_``)
stay readable.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, urlencode

_SAFE: Final = ":.-_"
OCID: Final = re.compile(r"ocds-[a-z0-9]{6}-[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
"""An OCDS ocid as procurement accepts it (``procurement.router.OCID``)."""
HEX64: Final = re.compile(r"[0-9a-f]{64}")
LINE_ID: Final = re.compile(r"[0-9]{4}(:[^:/?#]{1,40}){4}")
"""The shape of a budget line id (``budgeting.codes.parse_line_id`` checks the rest)."""


def tender(ocid: str) -> str:
    return "/tender/" + quote(ocid, safe=_SAFE)


def vendor(vendor_id: str) -> str:
    return "/penyedia/" + quote(vendor_id, safe=_SAFE)


def line(line_id: str) -> str:
    return "/anggaran/baris/" + quote(line_id, safe=_SAFE)


def proposals(**params: str | None) -> str:
    query = [(k, v) for k, v in params.items() if v]
    return "/perencanaan" + ("?" + urlencode(query) if query else "")


def proposal(proposal_id: str) -> str:
    return "/perencanaan/usulan/" + quote(proposal_id, safe=_SAFE + "/")


def trace_line(line_id: str) -> str:
    """The trace page of a budget line (``portal.pages_trace``)."""
    return "/jejak/baris/" + quote(line_id, safe=_SAFE)


def trace_proposal(proposal_id: str) -> str:
    """The trace page of a planning proposal (``portal.pages_trace``)."""
    return "/jejak/usulan/" + quote(proposal_id, safe=_SAFE + "/")


def explorer(year: int, **params: str | None) -> str:
    query = [("year", str(year))] + [(k, v) for k, v in params.items() if v]
    return "/anggaran?" + urlencode(query)


def bundle(subject: str) -> str:
    """The record's proof bundle (``audit.read_api``): what verify.js checks."""
    return "/api/v1/records/" + quote(subject, safe=_SAFE) + "/bundle"


def proof(seq: int) -> str:
    return f"/api/v1/proofs/inclusion?seq={seq}"


def subject(value: str) -> str | None:
    """The page of an entry's subject, when the portal has one."""
    if OCID.fullmatch(value):
        return tender(value)
    if LINE_ID.fullmatch(value):
        return line(value)
    return None
