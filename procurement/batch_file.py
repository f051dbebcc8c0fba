"""A batch that two people sign: the procurement officer's part first, finance's next.

An award (``budgeting.commitment.posted`` then ``procurement.tender.awarded``) and a
payment (``budgeting.payment.posted`` ... then ``procurement.contract.paid``) are one
atomic batch signed by two roles: the PPK (``procurement_officer``) and BPKAD
(``finance``). Their keys live on different machines and never travel, so the officer
writes a **batch file**: its own statements signed, finance's as templates (type,
subject, body and the deterministic nonce, no signer). Finance reads the file, is shown
in plain words what it is asked to sign, signs its templates and submits the whole
batch; the sequencer logs all of it or none.

What this protects and what it cannot:

* Nothing in the file is trusted by the server: every statement is signed and checked
  as any other (a changed officer statement fails its signature; a changed template is
  what finance signs, and finance is shown it first).
* Finance signs only budgeting types (``FINANCE_TYPES``): a file cannot make it sign
  an award, a key registration or anything else of the officer's.
* The officer's statements carry the time they were signed; the log refuses a
  statement more than ``clock_skew_s_max`` (300 s) from its clock. So finance must
  submit within that window: ``read_batch_file`` says how old the file is, and the CLI
  refuses an expired file with a message telling finance to ask for a new one.

Format (JSON, ``format`` ``terang-batch/1``): ``origin`` (the log the statements are
for), ``what`` (``award`` or ``payment``), ``ocid``, ``created_at`` (UTC), ``items`` in
batch order, each ``{"signed": <signed statement>}`` or ``{"sign_as": "finance",
"type", "subject", "body", "nonce"}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from budgeting import statements as budget_statements
from ledger.errors import ClientError
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.signing import make_signed
from ledger.statement import SignedStatement, format_time, parse_time
from procurement.limits import (
    BATCH_FILE_BYTES_MAX,
    BATCH_ITEMS_MAX,
)

BATCH_FILE_FORMAT = "terang-batch/1"
FINANCE_TYPES = frozenset(
    {budget_statements.COMMITMENT, budget_statements.PAYMENT, budget_statements.RELEASE}
)
"""The only types finance signs from a batch file."""
WHATS = ("award", "payment")


class BadBatchFile(ClientError):
    """The batch file is not one this tool wrote, or is for another log."""

    code = "bad_batch_file"


@dataclass(frozen=True)
class Template:
    """A statement for finance to sign: everything but the signer, time and signature."""

    type: str
    subject: str
    body: dict[str, Any]
    nonce: str

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


@dataclass(frozen=True)
class BatchFile:
    origin: str
    what: str
    ocid: str
    created_at: datetime
    items: tuple[SignedStatement | Template, ...]

    @property
    def templates(self) -> list[Template]:
        return [i for i in self.items if isinstance(i, Template)]

    def signed_by(self, key_id: str) -> list[SignedStatement]:
        return [
            i for i in self.items if isinstance(i, SignedStatement) and i.statement.signer == key_id
        ]

    def age_s(self, now: datetime) -> float:
        return (now - self.created_at).total_seconds()

    def complete(
        self, finance: SigningKey, *, at: datetime, limits: Limits | None = None
    ) -> list[SignedStatement]:
        """The whole batch in order, finance's templates signed with ``finance``."""
        return [
            item.sign(finance, at=at, origin=self.origin, limits=limits)
            if isinstance(item, Template)
            else item
            for item in self.items
        ]


def split_batch(
    statements: Sequence[SignedStatement], placeholder: SigningKey
) -> tuple[SignedStatement | Template, ...]:
    """Turn what the client's batch builders made with ``placeholder`` standing in for
    finance's key into templates; the officer's statements stay as signed."""
    stand_in = client_key_id(placeholder)
    items: list[SignedStatement | Template] = []
    for signed in statements:
        statement = signed.statement
        if statement.signer != stand_in:
            items.append(signed)
            continue
        if statement.type not in FINANCE_TYPES:
            raise BadBatchFile(f"{statement.type} is not finance's to sign")
        items.append(Template(statement.type, statement.subject, statement.body, statement.nonce))
    return tuple(items)


def write_batch_file(path: Path, batch: BatchFile) -> None:
    document = {
        "format": BATCH_FILE_FORMAT,
        "origin": batch.origin,
        "what": batch.what,
        "ocid": batch.ocid,
        "created_at": format_time(batch.created_at),
        "items": [
            {"signed": item.to_json()}
            if isinstance(item, SignedStatement)
            else {
                "sign_as": "finance",
                "type": item.type,
                "subject": item.subject,
                "body": item.body,
                "nonce": item.nonce,
            }
            for item in batch.items
        ],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_batch_file(path: Path, limits: Limits) -> BatchFile:
    """Parse and check a batch file's shape (the signatures are the log's to check)."""
    try:
        if path.stat().st_size > BATCH_FILE_BYTES_MAX:
            raise BadBatchFile(f"{path.name} is larger than {BATCH_FILE_BYTES_MAX} bytes")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBatchFile(f"{path.name} cannot be read as a batch file: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != BATCH_FILE_FORMAT:
        raise BadBatchFile(f"{path.name} is not a {BATCH_FILE_FORMAT} file")
    for name in ("origin", "what", "ocid", "created_at"):
        if not isinstance(raw.get(name), str):
            raise BadBatchFile(f"{path.name}: {name} is missing or not a string")
    if raw["what"] not in WHATS:
        raise BadBatchFile(f"{path.name}: what must be one of {', '.join(WHATS)}")
    items_raw = raw.get("items")
    if not isinstance(items_raw, list) or not 1 <= len(items_raw) <= BATCH_ITEMS_MAX:
        raise BadBatchFile(f"{path.name}: items must be a list of 1 to {BATCH_ITEMS_MAX}")
    items: list[SignedStatement | Template] = []
    for index, item in enumerate(items_raw):
        where = f"{path.name}: items[{index}]"
        if isinstance(item, dict) and set(item) == {"signed"}:
            items.append(SignedStatement.from_json(item["signed"], limits))
            continue
        fields = {"sign_as", "type", "subject", "body", "nonce"}
        if not isinstance(item, dict) or set(item) != fields or item["sign_as"] != "finance":
            raise BadBatchFile(f'{where} must be {{"signed": ...}} or a finance template')
        if item["type"] not in FINANCE_TYPES:
            raise BadBatchFile(f"{where}: finance signs only {', '.join(sorted(FINANCE_TYPES))}")
        if not all(isinstance(item[n], str) for n in ("type", "subject", "nonce")) or not (
            isinstance(item["body"], dict)
        ):
            raise BadBatchFile(f"{where}: type, subject and nonce are strings, body an object")
        items.append(Template(item["type"], item["subject"], item["body"], item["nonce"]))
    return BatchFile(
        raw["origin"],
        raw["what"],
        raw["ocid"],
        parse_time(raw["created_at"], field="created_at"),
        tuple(items),
    )
