"""NPWP (Nomor Pokok Wajib Pajak, the Indonesian tax number): format check and normal form.

Two formats are in use:

* the 15-digit NPWP, usually written ``99.999.999.9-999.999`` (2 digits, 3, 3, 1 check
  digit, then a 3-digit tax office code and a 3-digit branch code);
* the 16-digit NPWP introduced by PMK 112/2022 (a NIK for residents, or ``0`` followed
  by the 15-digit number for others), usually written without punctuation, sometimes
  as ``0999.999.999.9-999.999`` or in groups of four.

``normalise`` accepts exactly those spellings (digits only, or the usual punctuation in
its usual places) and returns the bare digits. It checks format only: whether a number
was issued is for the tax office (DJP) to say, not for a ledger.
"""

from __future__ import annotations

import re

from ledger.errors import ClientError
from procurement.limits import (
    NPWP_CHARS_MAX,
)

_SPELLINGS = (
    re.compile(r"[0-9]{15}"),
    re.compile(r"[0-9]{16}"),
    re.compile(r"[0-9]{2}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}\.[0-9]{3}"),
    re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}\.[0-9]{3}"),
    re.compile(r"[0-9]{4}([ .][0-9]{4}){3}"),
)


class BadNpwp(ClientError):
    code = "bad_npwp"


def normalise(value: object) -> str:
    """The NPWP's digits (15 or 16), or ``BadNpwp``."""
    if not isinstance(value, str) or len(value) > NPWP_CHARS_MAX or not value.isascii():
        raise BadNpwp(
            "body.npwp must be a string of at most 24 ASCII characters", field="body.npwp"
        )
    if not any(p.fullmatch(value) for p in _SPELLINGS):
        raise BadNpwp(
            "body.npwp must be 15 digits (99.999.999.9-999.999) or 16 digits, "
            "with or without the usual punctuation",
            field="body.npwp",
        )
    digits = "".join(c for c in value if c.isdigit())
    if set(digits) == {"0"}:
        raise BadNpwp("body.npwp cannot be all zeros", field="body.npwp")
    return digits


def display(digits: str) -> str:
    """The usual written form: 15 digits punctuated, 16 digits bare."""
    if len(digits) == 15:
        d = digits
        return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"
    return digits
