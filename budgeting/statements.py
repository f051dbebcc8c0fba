"""Budgeting statement types and their bodies: strict parsers and builders.

Types (all signed by a key holding the ``finance`` role):

=================================  ===========================  ==========================
type                               subject                      what it does
=================================  ===========================  ==========================
``budgeting.structure.registered`` ``<kind>:<code>``            registers a fiscal year,
                                                                OPD, programme code,
                                                                account or funding source
``budgeting.appropriation.posted`` line id                      APBD murni (opens a line)
``budgeting.revision.posted``      line id                      APBD perubahan, ± on a line
``budgeting.shift.posted``         ``shift:<posting_id>``       pergeseran between lines
``budgeting.allotment.posted``     line id                      anggaran kas / SPD by month
``budgeting.commitment.posted``    line id                      a contract's commitment
``budgeting.commitment.released``  line id                      gives (part of) a
                                                                commitment's unpaid rest
                                                                back to the line
``budgeting.payment.posted``       line id                      SP2D (or a revenue receipt)
``budgeting.reversal.posted``      the reversed posting's       undoes one earlier posting
                                   subject
=================================  ===========================  ==========================

Every posting body carries a ``posting_id`` (1-120 of ``[A-Za-z0-9._:/-]``, unique
across all budgeting postings): the business key a finance system already has (DPA
row, SP2D number, contract number). Posting the same id twice is refused
(``duplicate_posting``), so a retry that was re-signed cannot double-post;
``posting_nonce`` derives the statement nonce from it, so a retry of the same
signed statement gets the ledger's idempotent first receipt.

Bodies are parsed strictly: unknown fields are refused, amounts are decimal strings
(``budgeting.money``), codes are parsed by ``budgeting.codes``. The builders
(``appropriation`` ... ``reversal``) produce bodies that their own parsers accept
(checked before returning), for the demo, the bulk importer and procurement.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nacl.signing import SigningKey

from budgeting.codes import (
    LineId,
    ProgrammeLevel,
    parse_account_code,
    parse_fiscal_year,
    parse_funding_source,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)
from budgeting.errors import BadBody, BadDate, BadSubject
from budgeting.limits import (
    DESCRIPTION_CHARS_MAX,
    DOCUMENT_CHARS_MAX,
    NAME_CHARS_MAX,
    POSTING_ID_CHARS_MAX,
    REFERENCE_CHARS_MAX,
    SHIFT_MOVES_MAX,
)
from budgeting.money import (
    format_amount,
    parse_nonzero_amount,
    parse_positive_amount,
)
from ledger.errors import InvariantBroken, require
from ledger.limits import COLUMN_CHARS, Limits
from ledger.signing import make_signed
from ledger.statement import SignedStatement

STRUCTURE = "budgeting.structure.registered"
APPROPRIATION = "budgeting.appropriation.posted"
REVISION = "budgeting.revision.posted"
SHIFT = "budgeting.shift.posted"
ALLOTMENT = "budgeting.allotment.posted"
COMMITMENT = "budgeting.commitment.posted"
PAYMENT = "budgeting.payment.posted"
REVERSAL = "budgeting.reversal.posted"
RELEASE = "budgeting.commitment.released"
POSTING_TYPES = (
    APPROPRIATION,
    REVISION,
    SHIFT,
    ALLOTMENT,
    COMMITMENT,
    PAYMENT,
    REVERSAL,
    RELEASE,
)

STRUCTURE_KINDS = ("fiscal_year", "opd", "programme", "account", "funding_source")
SHIFT_SUBJECT_PREFIX = "shift:"

MONTHS_PER_YEAR = 12
require(
    len(SHIFT_SUBJECT_PREFIX) + POSTING_ID_CHARS_MAX <= COLUMN_CHARS["subject_chars_max"],
    InvariantBroken("a shift's subject (prefix + posting id) must fit the subject column"),
)
POSTING_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._:/-]{{0,{POSTING_ID_CHARS_MAX - 1}}}$"
"""A posting id, as ``parse_posting_id`` checks it (also the OpenAPI's ``pattern``)."""
_POSTING_ID = re.compile(POSTING_ID_PATTERN[1:-1])
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f]")
"""A C0 control character (U+0000..U+001F): never in a text field of a body."""


# -- field helpers -------------------------------------------------------------------


def _fields(body: dict[str, Any], required: set[str], optional: set[str]) -> None:
    missing = sorted(required - body.keys())
    if missing:
        raise BadBody(f"body is missing {', '.join(missing)}", fields=missing)
    extra = sorted(body.keys() - required - optional)
    if extra:
        raise BadBody(f"body has unknown field(s) {', '.join(extra)}", fields=extra)


def _text(body: dict[str, Any], field: str, chars_max: int, *, required: bool) -> str | None:
    value = body.get(field)
    if value is None and not required and field not in body:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= chars_max:
        raise BadBody(
            f"body.{field} must be a string of 1 to {chars_max} characters",
            field=f"body.{field}",
        )
    if value != value.strip() or _CONTROL_CHARACTER.search(value) is not None:
        raise BadBody(
            f"body.{field} must not start or end with spaces or hold control characters",
            field=f"body.{field}",
        )
    return value


def _required_text(body: dict[str, Any], field: str, chars_max: int) -> str:
    value = _text(body, field, chars_max, required=True)
    if value is None:  # unreachable: required
        raise BadBody(f"body.{field} is required", field=f"body.{field}")
    return value


def parse_posting_id(value: Any, *, field: str = "body.posting_id") -> str:
    if not isinstance(value, str) or not _POSTING_ID.fullmatch(value):
        raise BadBody(
            f"{field} must be 1 to {POSTING_ID_CHARS_MAX} characters of A-Z a-z 0-9 . _ : / -"
            " starting with a letter or digit",
            field=field,
        )
    return value


def parse_date(value: Any, *, field: str = "body.date") -> date:
    """A calendar date ``YYYY-MM-DD`` (the value date of a contract or an SP2D)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise BadDate(f"{field} must be a date like 2026-03-15", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadDate(f"{field} {value!r} is not a calendar date", field=field) from exc


def _int(body: dict[str, Any], field: str, low: int, high: int) -> int:
    value = body.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadBody(
            f"body.{field} must be an integer from {low} to {high}", field=f"body.{field}"
        )
    return value


# -- parsed bodies -------------------------------------------------------------------


@dataclass(frozen=True)
class StructureBody:
    kind: str
    code: str
    name: str

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.code}"


def parse_structure(body: dict[str, Any]) -> StructureBody:
    _fields(body, {"kind", "code", "name"}, set())
    kind = body["kind"]
    if kind not in STRUCTURE_KINDS:
        raise BadBody(f"body.kind must be one of {', '.join(STRUCTURE_KINDS)}", field="body.kind")
    code = body["code"]
    if kind == "fiscal_year":
        parse_fiscal_year(code)
    elif kind == "opd":
        parse_opd_code(code)
    elif kind == "programme":
        parse_programme_code(code)
    elif kind == "account":
        parse_account_code(code)
    else:
        parse_funding_source(code)
    return StructureBody(kind, code, _required_text(body, "name", NAME_CHARS_MAX))


@dataclass(frozen=True)
class AmountBody:
    """Appropriation (amount > 0) and revision (amount ≠ 0, signed)."""

    posting_id: str
    amount_sen: int
    description: str | None
    document: str | None


def parse_appropriation(body: dict[str, Any]) -> AmountBody:
    _fields(body, {"posting_id", "amount"}, {"description", "document"})
    return AmountBody(
        parse_posting_id(body["posting_id"]),
        parse_positive_amount(body["amount"], field="body.amount"),
        _text(body, "description", DESCRIPTION_CHARS_MAX, required=False),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
    )


def parse_revision(body: dict[str, Any]) -> AmountBody:
    _fields(body, {"posting_id", "amount"}, {"description", "document"})
    return AmountBody(
        parse_posting_id(body["posting_id"]),
        parse_nonzero_amount(body["amount"], field="body.amount"),
        _text(body, "description", DESCRIPTION_CHARS_MAX, required=False),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class ShiftBody:
    posting_id: str
    moves: tuple[tuple[LineId, int], ...]
    description: str | None
    document: str | None


def parse_shift(body: dict[str, Any]) -> ShiftBody:
    _fields(body, {"posting_id", "moves"}, {"description", "document"})
    moves = body["moves"]
    if not isinstance(moves, list) or not 2 <= len(moves) <= SHIFT_MOVES_MAX:
        raise BadBody(
            f"body.moves must be a list of 2 to {SHIFT_MOVES_MAX} moves", field="body.moves"
        )
    parsed: list[tuple[LineId, int]] = []
    seen: set[str] = set()
    for index, move in enumerate(moves):
        where = f"body.moves[{index}]"
        if not isinstance(move, dict) or set(move) != {"line", "amount"}:
            raise BadBody(f'{where} must be {{"line": ..., "amount": ...}}', field=where)
        line = parse_line_id(move["line"])
        if line.text in seen:
            raise BadBody(f"{where}: line {line.text} appears twice", field=where)
        seen.add(line.text)
        parsed.append((line, parse_nonzero_amount(move["amount"], field=f"{where}.amount")))
    return ShiftBody(
        parse_posting_id(body["posting_id"]),
        tuple(parsed),
        _text(body, "description", DESCRIPTION_CHARS_MAX, required=False),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class AllotmentBody:
    posting_id: str
    months: tuple[tuple[int, int], ...]
    """(month 1-12, signed sen), months strictly increasing."""
    document: str | None


def parse_allotment(body: dict[str, Any]) -> AllotmentBody:
    _fields(body, {"posting_id", "months"}, {"document"})
    months = body["months"]
    if not isinstance(months, list) or not 1 <= len(months) <= MONTHS_PER_YEAR:
        raise BadBody(
            f"body.months must be a list of 1 to {MONTHS_PER_YEAR} items", field="body.months"
        )
    parsed: list[tuple[int, int]] = []
    for index, item in enumerate(months):
        where = f"body.months[{index}]"
        if not isinstance(item, dict) or set(item) != {"month", "amount"}:
            raise BadBody(f'{where} must be {{"month": 1-12, "amount": ...}}', field=where)
        month = _int(item, "month", 1, MONTHS_PER_YEAR)
        if parsed and month <= parsed[-1][0]:
            raise BadBody(f"{where}: months must be strictly increasing", field=where)
        parsed.append((month, parse_nonzero_amount(item["amount"], field=f"{where}.amount")))
    return AllotmentBody(
        parse_posting_id(body["posting_id"]),
        tuple(parsed),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class CommitmentBody:
    posting_id: str
    amount_sen: int
    date: date
    contract_reference: str
    ocid: str | None
    vendor: str | None
    description: str | None


COMMITMENT_OPTIONAL = {"ocid", "vendor", "description"}


def parse_commitment(body: dict[str, Any]) -> CommitmentBody:
    _fields(body, {"posting_id", "amount", "date", "contract_reference"}, COMMITMENT_OPTIONAL)
    return CommitmentBody(
        parse_posting_id(body["posting_id"]),
        parse_positive_amount(body["amount"], field="body.amount"),
        parse_date(body["date"]),
        _required_text(body, "contract_reference", REFERENCE_CHARS_MAX),
        _text(body, "ocid", REFERENCE_CHARS_MAX, required=False),
        _text(body, "vendor", NAME_CHARS_MAX, required=False),
        _text(body, "description", DESCRIPTION_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class PaymentBody:
    posting_id: str
    amount_sen: int
    date: date
    commitment: str | None
    document: str | None
    description: str | None


def parse_payment(body: dict[str, Any]) -> PaymentBody:
    _fields(body, {"posting_id", "amount", "date"}, {"commitment", "document", "description"})
    commitment = body.get("commitment")
    return PaymentBody(
        parse_posting_id(body["posting_id"]),
        parse_positive_amount(body["amount"], field="body.amount"),
        parse_date(body["date"]),
        None if "commitment" not in body else parse_posting_id(commitment, field="body.commitment"),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
        _text(body, "description", DESCRIPTION_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class ReleaseBody:
    posting_id: str
    commitment: str
    amount_sen: int
    reason: str
    document: str | None


def parse_release(body: dict[str, Any]) -> ReleaseBody:
    _fields(body, {"posting_id", "commitment", "amount", "reason"}, {"document"})
    return ReleaseBody(
        parse_posting_id(body["posting_id"]),
        parse_posting_id(body["commitment"], field="body.commitment"),
        parse_positive_amount(body["amount"], field="body.amount"),
        _required_text(body, "reason", DESCRIPTION_CHARS_MAX),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
    )


@dataclass(frozen=True)
class ReversalBody:
    posting_id: str
    reverses_seq: int
    reason: str


def parse_reversal(body: dict[str, Any]) -> ReversalBody:
    _fields(body, {"posting_id", "reverses_seq", "reason"}, set())
    return ReversalBody(
        parse_posting_id(body["posting_id"]),
        _int(body, "reverses_seq", 1, 2**53 - 1),
        _required_text(body, "reason", DESCRIPTION_CHARS_MAX),
    )


def check_line_subject(subject: str) -> LineId:
    """The subject of a single-line posting is the line id, in its canonical form."""
    line = parse_line_id(subject)
    if line.text != subject:  # cannot differ today; kept for when ids gain aliases
        raise BadSubject(f"subject must be the line id {line.text}", subject=subject)
    return line


def shift_subject(posting_id: str) -> str:
    return SHIFT_SUBJECT_PREFIX + posting_id


# -- builders (what clients sign) ----------------------------------------------------


@dataclass(frozen=True)
class Posting:
    """A statement ready to sign: type, subject, body, and its deterministic nonce."""

    type: str
    subject: str
    body: dict[str, Any]

    @property
    def key(self) -> str:
        """What makes it unique: the posting id, or the structure's subject."""
        return str(self.body.get("posting_id", self.subject))

    @property
    def nonce(self) -> str:
        return posting_nonce(self.type, self.key)

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


def posting_nonce(statement_type: str, unique_key: str) -> str:
    """A nonce derived from what makes a posting unique: a retry signs the same nonce."""
    digest = hashlib.sha256(f"{statement_type}\x00{unique_key}".encode()).hexdigest()
    return "b-" + digest[:40]


def _optional(**fields: str | None) -> dict[str, str]:
    return {name: value for name, value in fields.items() if value is not None}


def _line_posting(
    statement_type: str, parse: Callable[[dict[str, Any]], object], line: str, body: dict[str, Any]
) -> Posting:
    """A posting about one budget line, its body checked by the reducer's own parser first."""
    parse(body)
    return Posting(statement_type, check_line_subject(line).text, body)


def _amount_change(
    statement_type: str,
    parse: Callable[[dict[str, Any]], object],
    line: str,
    posting_id: str,
    amount_sen: int,
    description: str | None,
    document: str | None,
) -> Posting:
    """An appropriation or a revision: the same body, told apart by type."""
    body = {
        "posting_id": posting_id,
        "amount": format_amount(amount_sen),
        **_optional(description=description, document=document),
    }
    return _line_posting(statement_type, parse, line, body)


def structure(kind: str, code: str, name: str) -> Posting:
    body = {"kind": kind, "code": code, "name": name}
    parsed = parse_structure(body)
    return Posting(STRUCTURE, parsed.subject, body)


def appropriation(
    line: str,
    posting_id: str,
    amount_sen: int,
    *,
    description: str | None = None,
    document: str | None = None,
) -> Posting:
    return _amount_change(
        APPROPRIATION, parse_appropriation, line, posting_id, amount_sen, description, document
    )


def revision(
    line: str,
    posting_id: str,
    amount_sen: int,
    *,
    description: str | None = None,
    document: str | None = None,
) -> Posting:
    return _amount_change(
        REVISION, parse_revision, line, posting_id, amount_sen, description, document
    )


def shift(
    posting_id: str,
    moves: list[tuple[str, int]],
    *,
    description: str | None = None,
    document: str | None = None,
) -> Posting:
    body: dict[str, Any] = {
        "posting_id": posting_id,
        "moves": [{"line": line, "amount": format_amount(sen)} for line, sen in moves],
        **_optional(description=description, document=document),
    }
    parse_shift(body)
    return Posting(SHIFT, shift_subject(posting_id), body)


def allotment(
    line: str, posting_id: str, months: list[tuple[int, int]], *, document: str | None = None
) -> Posting:
    body: dict[str, Any] = {
        "posting_id": posting_id,
        "months": [{"month": month, "amount": format_amount(sen)} for month, sen in months],
        **_optional(document=document),
    }
    return _line_posting(ALLOTMENT, parse_allotment, line, body)


def commitment(
    line: str,
    posting_id: str,
    amount_sen: int,
    value_date: date,
    contract_reference: str,
    *,
    ocid: str | None = None,
    vendor: str | None = None,
    description: str | None = None,
) -> Posting:
    """A commitment from a contract; procurement builds its commitments here."""
    body = {
        "posting_id": posting_id,
        "amount": format_amount(amount_sen),
        "date": value_date.isoformat(),
        "contract_reference": contract_reference,
        **_optional(ocid=ocid, vendor=vendor, description=description),
    }
    return _line_posting(COMMITMENT, parse_commitment, line, body)


def payment(
    line: str,
    posting_id: str,
    amount_sen: int,
    value_date: date,
    *,
    commitment: str | None = None,
    document: str | None = None,
    description: str | None = None,
) -> Posting:
    body = {
        "posting_id": posting_id,
        "amount": format_amount(amount_sen),
        "date": value_date.isoformat(),
        **_optional(commitment=commitment, document=document, description=description),
    }
    return _line_posting(PAYMENT, parse_payment, line, body)


def release(
    line: str,
    posting_id: str,
    commitment: str,
    amount_sen: int,
    reason: str,
    *,
    document: str | None = None,
) -> Posting:
    """Give ``amount_sen`` of a commitment's unpaid rest back to its line (a terminated
    contract, or what a completed contract left unpaid); procurement builds these."""
    body = {
        "posting_id": posting_id,
        "commitment": commitment,
        "amount": format_amount(amount_sen),
        "reason": reason,
        **_optional(document=document),
    }
    return _line_posting(RELEASE, parse_release, line, body)


def reversal(subject: str, posting_id: str, reverses_seq: int, reason: str) -> Posting:
    body: dict[str, Any] = {
        "posting_id": posting_id,
        "reverses_seq": reverses_seq,
        "reason": reason,
    }
    parse_reversal(body)
    return Posting(REVERSAL, subject, body)


def programme_level(code: str) -> ProgrammeLevel:
    return parse_programme_code(code).level
