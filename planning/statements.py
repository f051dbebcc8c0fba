"""Planning statement types and their bodies: strict parsers and builders.

Types (the roles are those of ``ledger.kinds.ROLES``; the reducers add the seat checks),
each with its subject and signer:

* ``planning.area.registered``, subject ``<kind>:<code>``, by ``bappeda``: registers a
  kecamatan or a desa/kelurahan.
* ``planning.seat.assigned``, subject a key id, by ``bappeda``: seats a proposer's key
  at its desa, a kecamatan forum's key at its kecamatan.
* ``planning.proposal.submitted``, subject the proposal id, by ``desa_proposer``,
  ``community_proposer`` or ``dprd``: an usulan, or a pokok pikiran DPRD (``pokir``).
* ``planning.kecamatan.decided``, by ``kecamatan_forum``: the musrenbang kecamatan
  forwards, merges or rejects a proposal.
* ``planning.kabupaten.decided``, by ``kabupaten_forum``: the same three decisions at
  the musrenbang kabupaten.
* ``planning.rkpd.decided``, by ``bappeda``: accepted into the RKPD, or rejected.
* ``planning.funding.linked``, by ``finance`` or ``bappeda``: links an accepted
  proposal to a budget line that funds it.

Bodies are parsed strictly (unknown fields refused); the estimate is a decimal amount
string (``budgeting.money``), the sub kegiatan a Permendagri 90/2019 code
(``budgeting.codes``), areas the Kemendagri wilayah codes: kecamatan ``32.04.05``,
desa or kelurahan ``32.04.05.2001`` (its first three parts are its kecamatan; the
fourth starts with 1 for a kelurahan, 2 for a desa). The builders produce bodies their
own parsers accept, with a nonce derived from what they say, so a retry of the same
step is the ledger's idempotent repeat and a different step is the reducer's to judge.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nacl.signing import SigningKey

from budgeting.codes import ProgrammeLevel, parse_line_id, parse_programme_code
from budgeting.errors import BadBody, BadSubject
from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.money import format_amount, parse_positive_amount
from ledger.canonical import canonical_bytes
from ledger.limits import Limits
from ledger.signing import make_signed
from ledger.statement import SignedStatement
from planning.errors import BadAreaCode
from planning.limits import (
    AREA_NAME_CHARS_MAX,
    DESCRIPTION_CHARS_MAX,
    PROPOSAL_ID_CHARS_MAX,
    REASON_CHARS_MAX,
    TITLE_CHARS_MAX,
    UNIT_CHARS_MAX,
    VOLUME_CHARS_MAX,
)

AREA = "planning.area.registered"
SEAT = "planning.seat.assigned"
PROPOSAL = "planning.proposal.submitted"
KECAMATAN_DECISION = "planning.kecamatan.decided"
KABUPATEN_DECISION = "planning.kabupaten.decided"
RKPD_DECISION = "planning.rkpd.decided"
FUNDING_LINK = "planning.funding.linked"
DECISION_TYPES = (KECAMATAN_DECISION, KABUPATEN_DECISION, RKPD_DECISION)
TYPES = (AREA, SEAT, PROPOSAL, *DECISION_TYPES, FUNDING_LINK)

AREA_KINDS = ("kecamatan", "desa")
SOURCES = ("desa", "community", "pokir")
"""Who proposes: the desa/kelurahan government, a community group, or DPRD (pokok pikiran)."""
FORUM_DECISIONS = ("forwarded", "merged", "rejected")
RKPD_DECISIONS = ("accepted", "rejected")

KECAMATAN_CODE_PATTERN = r"^[1-9][0-9]\.[0-9]{2}\.[0-9]{2}$"
DESA_CODE_PATTERN = r"^[1-9][0-9]\.[0-9]{2}\.[0-9]{2}\.[12][0-9]{3}$"
PROPOSAL_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._:/-]{{0,{PROPOSAL_ID_CHARS_MAX - 1}}}$"
_KECAMATAN = re.compile(KECAMATAN_CODE_PATTERN)
_DESA = re.compile(DESA_CODE_PATTERN)
_PROPOSAL_ID = re.compile(PROPOSAL_ID_PATTERN)
_VOLUME = re.compile(r"^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,3})?$")
_KEY_ID = re.compile(r"^[0-9a-f]{64}$")


# -- field helpers -------------------------------------------------------------------


def _fields(body: dict[str, Any], required: set[str], optional: set[str]) -> None:
    missing = sorted(required - body.keys())
    if missing:
        raise BadBody(f"body is missing {', '.join(missing)}", fields=missing)
    extra = sorted(body.keys() - required - optional)
    if extra:
        raise BadBody(f"body has unknown field(s) {', '.join(extra)}", fields=extra)


def _text(body: dict[str, Any], field: str, chars_max: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not 1 <= len(value) <= chars_max:
        raise BadBody(
            f"body.{field} must be a string of 1 to {chars_max} characters",
            field=f"body.{field}",
        )
    if value != value.strip():
        raise BadBody(f"body.{field} must not start or end with spaces", field=f"body.{field}")
    return value


def _optional_text(body: dict[str, Any], field: str, chars_max: int) -> str | None:
    return _text(body, field, chars_max) if field in body else None


def _choice(body: dict[str, Any], field: str, choices: tuple[str, ...]) -> str:
    value = body.get(field)
    if value not in choices:
        raise BadBody(f"body.{field} must be one of {', '.join(choices)}", field=f"body.{field}")
    return str(value)


def parse_kecamatan_code(value: Any, *, field: str = "kecamatan") -> str:
    if not isinstance(value, str) or not _KECAMATAN.fullmatch(value):
        raise BadAreaCode(
            f"{field} must be a kecamatan code like 32.04.05 (province, kabupaten, kecamatan)",
            field=field,
        )
    return value


def parse_desa_code(value: Any, *, field: str = "desa") -> str:
    if not isinstance(value, str) or not _DESA.fullmatch(value):
        raise BadAreaCode(
            f"{field} must be a desa/kelurahan code like 32.04.05.2001 (its kecamatan's code"
            " and four digits, 1xxx for a kelurahan, 2xxx for a desa)",
            field=field,
        )
    return value


def kecamatan_of(desa: str) -> str:
    """A desa's kecamatan: the first three parts of its code."""
    return desa.rsplit(".", 1)[0]


def parse_proposal_id(value: Any, *, field: str = "subject") -> str:
    if not isinstance(value, str) or not _PROPOSAL_ID.fullmatch(value):
        raise BadBody(
            f"{field} must be a proposal id: 1 to {PROPOSAL_ID_CHARS_MAX} characters of"
            " A-Z a-z 0-9 . _ : / - starting with a letter or digit",
            field=field,
        )
    return value


def parse_volume(value: Any) -> str:
    if (
        not isinstance(value, str)
        or len(value) > VOLUME_CHARS_MAX
        or not _VOLUME.fullmatch(value)
        or not any(ch in "123456789" for ch in value)
    ):
        raise BadBody(
            "body.volume must be a decimal string above 0 with up to 3 decimals, like 1250 or 2.5",
            field="body.volume",
        )
    return value


def _fiscal_year(body: dict[str, Any]) -> int:
    value = body.get("fiscal_year")
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not FISCAL_YEAR_MIN <= value <= FISCAL_YEAR_MAX
    ):
        raise BadBody(
            f"body.fiscal_year must be a year from {FISCAL_YEAR_MIN} to {FISCAL_YEAR_MAX}",
            field="body.fiscal_year",
        )
    return value


# -- parsed bodies -------------------------------------------------------------------


@dataclass(frozen=True)
class AreaBody:
    kind: str
    code: str
    name: str

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def kecamatan(self) -> str:
        return self.code if self.kind == "kecamatan" else kecamatan_of(self.code)


def parse_area(body: dict[str, Any]) -> AreaBody:
    _fields(body, {"kind", "code", "name"}, set())
    kind = _choice(body, "kind", AREA_KINDS)
    if kind == "kecamatan":
        code = parse_kecamatan_code(body["code"], field="body.code")
    else:
        code = parse_desa_code(body["code"], field="body.code")
    return AreaBody(kind, code, _text(body, "name", AREA_NAME_CHARS_MAX))


@dataclass(frozen=True)
class SeatBody:
    area: str
    """A desa code (for a proposer's key) or a kecamatan code (for a forum's key)."""

    @property
    def kind(self) -> str:
        return "desa" if _DESA.fullmatch(self.area) else "kecamatan"


def parse_seat(body: dict[str, Any]) -> SeatBody:
    _fields(body, {"area"}, set())
    area = body["area"]
    if not isinstance(area, str) or not (_DESA.fullmatch(area) or _KECAMATAN.fullmatch(area)):
        raise BadAreaCode(
            "body.area must be a desa/kelurahan code (32.04.05.2001) or a kecamatan code"
            " (32.04.05)",
            field="body.area",
        )
    return SeatBody(area)


def parse_key_subject(subject: str) -> str:
    if not _KEY_ID.fullmatch(subject):
        raise BadSubject("subject must be the seated key's id (hex SHA-256)", subject=subject)
    return subject


@dataclass(frozen=True)
class ProposalBody:
    fiscal_year: int
    source: str
    desa: str
    sub_kegiatan: str
    volume: str
    unit: str
    estimate_sen: int
    title: str
    description: str

    @property
    def kecamatan(self) -> str:
        return kecamatan_of(self.desa)


PROPOSAL_FIELDS = {
    "fiscal_year",
    "source",
    "desa",
    "sub_kegiatan",
    "volume",
    "unit",
    "estimate",
    "title",
    "description",
}


def parse_proposal(body: dict[str, Any]) -> ProposalBody:
    _fields(body, PROPOSAL_FIELDS, set())
    return ProposalBody(
        fiscal_year=_fiscal_year(body),
        source=_choice(body, "source", SOURCES),
        desa=parse_desa_code(body["desa"], field="body.desa"),
        sub_kegiatan=parse_programme_code(body["sub_kegiatan"], ProgrammeLevel.SUB_KEGIATAN).text,
        volume=parse_volume(body["volume"]),
        unit=_text(body, "unit", UNIT_CHARS_MAX),
        estimate_sen=parse_positive_amount(body["estimate"], field="body.estimate"),
        title=_text(body, "title", TITLE_CHARS_MAX),
        description=_text(body, "description", DESCRIPTION_CHARS_MAX),
    )


@dataclass(frozen=True)
class DecisionBody:
    decision: str
    reason: str | None
    into: str | None
    """The proposal merged into (``merged`` only)."""


def parse_decision(statement_type: str, body: dict[str, Any]) -> DecisionBody:
    """A forum's decision. ``merged`` needs ``into`` and a reason; ``rejected`` a reason;
    ``forwarded`` and ``accepted`` may carry one (a note)."""
    choices = RKPD_DECISIONS if statement_type == RKPD_DECISION else FORUM_DECISIONS
    decision = _choice(body, "decision", choices)
    if decision == "merged":
        _fields(body, {"decision", "into", "reason"}, set())
        into = parse_proposal_id(body["into"], field="body.into")
        return DecisionBody(decision, _text(body, "reason", REASON_CHARS_MAX), into)
    if decision == "rejected":
        _fields(body, {"decision", "reason"}, set())
        return DecisionBody(decision, _text(body, "reason", REASON_CHARS_MAX), None)
    _fields(body, {"decision"}, {"reason"})
    return DecisionBody(decision, _optional_text(body, "reason", REASON_CHARS_MAX), None)


@dataclass(frozen=True)
class FundingBody:
    line: str
    note: str | None


def parse_funding(body: dict[str, Any]) -> FundingBody:
    _fields(body, {"line"}, {"note"})
    line = parse_line_id(body["line"])
    return FundingBody(line.text, _optional_text(body, "note", REASON_CHARS_MAX))


# -- builders (what clients sign) ----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A planning statement ready to sign: type, subject, body, and its derived nonce."""

    type: str
    subject: str
    body: dict[str, Any]

    @property
    def nonce(self) -> str:
        """From what the statement says: re-signing the same step gives the same nonce
        (the ledger answers a retry with its first receipt); any other step differs."""
        said = canonical_bytes({"type": self.type, "subject": self.subject, "body": self.body})
        return "p-" + hashlib.sha256(said).hexdigest()[:40]

    def sign(
        self, key: SigningKey, *, at: datetime, origin: str, limits: Limits | None = None
    ) -> SignedStatement:
        return make_signed(
            key,
            self.type,
            self.subject,
            self.body,
            at=at,
            origin=origin,
            nonce=self.nonce,
            limits=limits,
        )


def area(kind: str, code: str, name: str) -> Step:
    body = {"kind": kind, "code": code, "name": name}
    return Step(AREA, parse_area(body).subject, body)


def seat(key_id: str, area_code: str) -> Step:
    body = {"area": area_code}
    parse_seat(body)
    return Step(SEAT, parse_key_subject(key_id), body)


def proposal(
    proposal_id: str,
    *,
    fiscal_year: int,
    desa: str,
    sub_kegiatan: str,
    volume: str,
    unit: str,
    estimate_sen: int,
    title: str,
    description: str,
    source: str = "desa",
) -> Step:
    body: dict[str, Any] = {
        "fiscal_year": fiscal_year,
        "source": source,
        "desa": desa,
        "sub_kegiatan": sub_kegiatan,
        "volume": volume,
        "unit": unit,
        "estimate": format_amount(estimate_sen),
        "title": title,
        "description": description,
    }
    parse_proposal(body)
    return Step(PROPOSAL, parse_proposal_id(proposal_id), body)


def decision(
    statement_type: str,
    proposal_id: str,
    verdict: str,
    *,
    reason: str | None = None,
    into: str | None = None,
) -> Step:
    body: dict[str, Any] = {"decision": verdict}
    if into is not None:
        body["into"] = into
    if reason is not None:
        body["reason"] = reason
    parse_decision(statement_type, body)
    return Step(statement_type, parse_proposal_id(proposal_id), body)


def funding(proposal_id: str, line: str, *, note: str | None = None) -> Step:
    body: dict[str, Any] = {"line": line}
    if note is not None:
        body["note"] = note
    parse_funding(body)
    return Step(FUNDING_LINK, parse_proposal_id(proposal_id), body)
