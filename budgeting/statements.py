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
``budgeting.price_list.published`` the list's id (``SSH-2026``) adds items to a standard
                                                                price list's version, or
                                                                starts its next version
``budgeting.komponen.set``         line id                      sets the line's rincian
                                                                (its komponen), replacing
                                                                any earlier set
=================================  ===========================  ==========================

The last two are not postings: they move no amount, cannot be reversed (a price list
is superseded by its next version, a komponen set by the next set), and are not in
``POSTING_TYPES``; their ``posting_id`` is unique across all budgeting statements all
the same, so a re-signed retry cannot apply twice.

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
from budgeting.errors import BadBody, BadDate, BadSubject, KomponenTotalMismatch
from budgeting.limits import (
    AMOUNT_SEN_MAX,
    DESCRIPTION_CHARS_MAX,
    DOCUMENT_CHARS_MAX,
    KOMPONEN_PER_LINE_MAX,
    NAME_CHARS_MAX,
    POSTING_ID_CHARS_MAX,
    PRICE_ITEM_CODE_CHARS_MAX,
    PRICE_ITEMS_PER_STATEMENT_MAX,
    PRICE_LIST_ID_CHARS_MAX,
    PRICE_LIST_VERSIONS_MAX,
    REFERENCE_CHARS_MAX,
    SHIFT_MOVES_MAX,
    UNIT_CHARS_MAX,
    UNIT_PRICE_URAIAN_CHARS_MAX,
    VOLUME_DECIMALS_MAX,
    VOLUME_MAX,
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

PRICE_LIST = "budgeting.price_list.published"
KOMPONEN = "budgeting.komponen.set"
RINCIAN_TYPES = (PRICE_LIST, KOMPONEN)
"""Statement types about rincian and standard prices: not postings (no amount moves)."""
PRICE_KINDS = ("SSH", "HSPK", "ASB")
"""Standar Satuan Harga, Harga Satuan Pokok Kegiatan, Analisis Standar Belanja."""

STRUCTURE_KINDS = ("fiscal_year", "opd", "programme", "account", "funding_source")
SHIFT_SUBJECT_PREFIX = "shift:"

MONTHS_PER_YEAR = 12
require(
    len(SHIFT_SUBJECT_PREFIX) + POSTING_ID_CHARS_MAX <= COLUMN_CHARS["subject_chars_max"],
    InvariantBroken("a shift's subject (prefix + posting id) must fit the subject column"),
)
require(
    COLUMN_CHARS["subject_chars_max"] >= PRICE_LIST_ID_CHARS_MAX,
    InvariantBroken("a price list's id is a statement subject"),
)
PRICE_LIST_ID_PATTERN = rf"^[A-Z0-9][A-Za-z0-9._-]{{0,{PRICE_LIST_ID_CHARS_MAX - 1}}}$"
"""A price list's id (``SSH-2026``): no ``:``, so it is never a line id or a kind:code."""
_PRICE_LIST_ID = re.compile(PRICE_LIST_ID_PATTERN[1:-1])
_PRICE_ITEM_CODE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9.-]{{0,{PRICE_ITEM_CODE_CHARS_MAX - 1}}}")
_VOLUME = re.compile(rf"(0|[1-9][0-9]{{0,9}})(?:\.([0-9]{{1,{VOLUME_DECIMALS_MAX}}}))?")
VOLUME_SCALE = int(10**VOLUME_DECIMALS_MAX)
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


def parse_price_list_id(value: Any, *, field: str = "subject") -> str:
    if not isinstance(value, str) or not _PRICE_LIST_ID.fullmatch(value):
        raise BadSubject(
            f"{field} must be a price list id of 1 to {PRICE_LIST_ID_CHARS_MAX} characters"
            " of A-Z a-z 0-9 . _ - starting with a capital letter or digit, e.g. SSH-2026",
            subject=value if isinstance(value, str) else None,
        )
    return value


def _item_code(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _PRICE_ITEM_CODE.fullmatch(value):
        raise BadBody(
            f"{field} must be 1 to {PRICE_ITEM_CODE_CHARS_MAX} characters of A-Z a-z 0-9 . -",
            field=field,
        )
    return value


def _object(value: Any, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadBody(f"{where} must be an object", field=where)
    missing = sorted(required - value.keys())
    extra = sorted(value.keys() - required - optional)
    if missing or extra:
        wrong = ", ".join([*(f"missing {m}" for m in missing), *(f"unknown {x}" for x in extra)])
        raise BadBody(f"{where}: {wrong}", field=where)
    return value


def _item_text(item: dict[str, Any], where: str, field: str, chars_max: int) -> str:
    try:
        return _required_text(item, field, chars_max)
    except BadBody as exc:
        raise BadBody(
            exc.message.replace("body.", f"{where}.", 1), field=f"{where}.{field}"
        ) from exc


@dataclass(frozen=True)
class PriceItem:
    code: str
    uraian: str
    satuan: str
    unit_price_sen: int
    kind: str


@dataclass(frozen=True)
class PriceListBody:
    posting_id: str
    version: int
    name: str | None
    document: str | None
    items: tuple[PriceItem, ...]


def parse_price_list(body: dict[str, Any]) -> PriceListBody:
    _fields(body, {"posting_id", "version", "items"}, {"name", "document"})
    items = body["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= PRICE_ITEMS_PER_STATEMENT_MAX:
        raise BadBody(
            f"body.items must be a list of 1 to {PRICE_ITEMS_PER_STATEMENT_MAX} items",
            field="body.items",
        )
    parsed: list[PriceItem] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        where = f"body.items[{index}]"
        item = _object(raw, where, {"code", "uraian", "satuan", "unit_price", "kind"}, set())
        code = _item_code(item["code"], f"{where}.code")
        if code in seen:
            raise BadBody(f"{where}: item {code} appears twice", field=where)
        seen.add(code)
        if item["kind"] not in PRICE_KINDS:
            raise BadBody(
                f"{where}.kind must be one of {', '.join(PRICE_KINDS)}", field=f"{where}.kind"
            )
        parsed.append(
            PriceItem(
                code,
                _item_text(item, where, "uraian", UNIT_PRICE_URAIAN_CHARS_MAX),
                _item_text(item, where, "satuan", UNIT_CHARS_MAX),
                parse_positive_amount(item["unit_price"], field=f"{where}.unit_price"),
                item["kind"],
            )
        )
    return PriceListBody(
        parse_posting_id(body["posting_id"]),
        _int(body, "version", 1, PRICE_LIST_VERSIONS_MAX),
        _text(body, "name", NAME_CHARS_MAX, required=False),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
        tuple(parsed),
    )


def parse_volume(value: Any, *, field: str) -> int:
    """A komponen's volume in thousandths: a decimal string, more than 0, at most
    ``VOLUME_DECIMALS_MAX`` decimals (``"12"``, ``"2.5"``, ``"0.125"``)."""
    match = _VOLUME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadBody(
            f'{field} must be a decimal string like "12" or "2.5" (at most'
            f" {VOLUME_DECIMALS_MAX} decimals, no leading zeros)",
            field=field,
        )
    whole, fraction = match.groups()
    milli = int(whole) * VOLUME_SCALE + int((fraction or "").ljust(VOLUME_DECIMALS_MAX, "0"))
    if not 0 < milli <= VOLUME_MAX * VOLUME_SCALE:
        raise BadBody(f"{field} must be more than 0 and at most {VOLUME_MAX}", field=field)
    return milli


def komponen_total_sen(volume_milli: int, unit_price_sen: int) -> int | None:
    """volume × unit price in sen, or None when that is not a whole number of sen."""
    product = volume_milli * unit_price_sen
    return None if product % VOLUME_SCALE else product // VOLUME_SCALE


@dataclass(frozen=True)
class Komponen:
    uraian: str
    volume: str
    volume_milli: int
    satuan: str
    unit_price_sen: int
    total_sen: int
    price_list: str | None
    item: str | None
    reason: str | None


@dataclass(frozen=True)
class KomponenBody:
    posting_id: str
    komponen: tuple[Komponen, ...]
    document: str | None

    @property
    def total_sen(self) -> int:
        return sum(k.total_sen for k in self.komponen)


KOMPONEN_FIELDS = {"uraian", "volume", "satuan", "unit_price", "total"}


def parse_komponen(body: dict[str, Any]) -> KomponenBody:
    _fields(body, {"posting_id", "komponen"}, {"document"})
    komponen = body["komponen"]
    if not isinstance(komponen, list) or not 1 <= len(komponen) <= KOMPONEN_PER_LINE_MAX:
        raise BadBody(
            f"body.komponen must be a list of 1 to {KOMPONEN_PER_LINE_MAX} komponen",
            field="body.komponen",
        )
    parsed: list[Komponen] = []
    for index, raw in enumerate(komponen):
        where = f"body.komponen[{index}]"
        item = _object(raw, where, KOMPONEN_FIELDS, {"price_list", "item", "reason"})
        uraian = _item_text(item, where, "uraian", UNIT_PRICE_URAIAN_CHARS_MAX)
        volume_milli = parse_volume(item["volume"], field=f"{where}.volume")
        satuan = _item_text(item, where, "satuan", UNIT_CHARS_MAX)
        unit_price = parse_positive_amount(item["unit_price"], field=f"{where}.unit_price")
        total = parse_positive_amount(item["total"], field=f"{where}.total")
        if ("price_list" in item) != ("item" in item):
            raise BadBody(
                f"{where}: price_list and item come together (or neither, if not priced"
                " from a standard)",
                field=where,
            )
        price_list: str | None = None
        code: str | None = None
        if "price_list" in item:
            price_list = parse_price_list_id(item["price_list"], field=f"{where}.price_list")
            code = _item_code(item["item"], f"{where}.item")
        reason = (
            _item_text(item, where, "reason", DESCRIPTION_CHARS_MAX) if "reason" in item else None
        )
        expected = komponen_total_sen(volume_milli, unit_price)
        if expected != total:
            product = volume_milli * unit_price
            raise KomponenTotalMismatch(
                f"{where}: total {format_amount(total)} is not volume {item['volume']} ×"
                f" unit price {format_amount(unit_price)}"
                + (
                    f" = {format_amount(expected)}"
                    if expected is not None
                    else f" (= {product // VOLUME_SCALE}.{product % VOLUME_SCALE:03d} sen,"
                    " not a whole number of sen)"
                ),
                field=f"{where}.total",
                expected=None if expected is None else format_amount(expected),
            )
        parsed.append(
            Komponen(
                uraian,
                item["volume"],
                volume_milli,
                satuan,
                unit_price,
                total,
                price_list,
                code,
                reason,
            )
        )
    total_sen = sum(k.total_sen for k in parsed)
    if total_sen > AMOUNT_SEN_MAX:
        raise BadBody(
            f"body.komponen add up to more than the largest amount {format_amount(AMOUNT_SEN_MAX)}",
            field="body.komponen",
        )
    return KomponenBody(
        parse_posting_id(body["posting_id"]),
        tuple(parsed),
        _text(body, "document", DOCUMENT_CHARS_MAX, required=False),
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


def price_list(
    list_id: str,
    posting_id: str,
    version: int,
    items: list[PriceItem],
    *,
    name: str | None = None,
    document: str | None = None,
) -> Posting:
    """Items of ``version`` of a standard price list (the next version starts a new one)."""
    body: dict[str, Any] = {
        "posting_id": posting_id,
        "version": version,
        "items": [
            {
                "code": item.code,
                "uraian": item.uraian,
                "satuan": item.satuan,
                "unit_price": format_amount(item.unit_price_sen),
                "kind": item.kind,
            }
            for item in items
        ],
        **_optional(name=name, document=document),
    }
    parse_price_list(body)
    return Posting(PRICE_LIST, parse_price_list_id(list_id), body)


@dataclass(frozen=True)
class KomponenSpec:
    """One komponen as a builder takes it; the total is computed (volume × unit price)."""

    uraian: str
    volume: str
    satuan: str
    unit_price_sen: int
    price_list: str | None = None
    item: str | None = None
    reason: str | None = None


def volume_milli_floor(spec: KomponenSpec) -> int:
    return parse_volume(spec.volume, field="volume") * spec.unit_price_sen // VOLUME_SCALE


def komponen_set(
    line: str, posting_id: str, komponen: list[KomponenSpec], *, document: str | None = None
) -> Posting:
    """Set a line's rincian: its komponen, each total volume × unit price."""
    rows: list[dict[str, Any]] = []
    for spec in komponen:
        total = komponen_total_sen(parse_volume(spec.volume, field="volume"), spec.unit_price_sen)
        rows.append(
            {
                "uraian": spec.uraian,
                "volume": spec.volume,
                "satuan": spec.satuan,
                "unit_price": format_amount(spec.unit_price_sen),
                # Not whole sen: the floor, which the parser refuses, naming the product.
                "total": format_amount(
                    total if total is not None else max(1, volume_milli_floor(spec))
                ),
                **_optional(price_list=spec.price_list, item=spec.item, reason=spec.reason),
            }
        )
    body: dict[str, Any] = {
        "posting_id": posting_id,
        "komponen": rows,
        **_optional(document=document),
    }
    return _line_posting(KOMPONEN, parse_komponen, line, body)


def programme_level(code: str) -> ProgrammeLevel:
    return parse_programme_code(code).level
