"""Vendors (penyedia): self-registration, activation, sanctions.

Statement types (subject = the vendor id, which is the key id of the vendor's own
Ed25519 key):

* ``procurement.vendor.registered`` — self-signed by the vendor's new key. Body:
  ``public_key`` (base64, 32 bytes), ``name``, ``npwp`` (15 or 16 digits, usual
  punctuation allowed; stored normalised to digits), ``address``, ``qualification``
  (``mikro``, ``kecil``, ``menengah``, ``besar``). Registers the key in the ledger's
  key registry with the ``vendor`` role, so the vendor can sign later statements.
* ``procurement.vendor.activated`` — by a ``procurement_officer`` after verifying the
  papers. Body: ``note`` (optional).
* ``procurement.vendor.sanctioned`` — by a ``procurement_officer``. Body: ``kind``
  (``suspension`` or ``blacklist``), ``reason``, ``start``, ``end`` (UTC times; a
  blacklist needs an end, a suspension may leave it out: until lifted), ``reference``
  (optional: the decision letter).
* ``procurement.vendor.sanction_lifted`` — by a ``procurement_officer``. Body:
  ``sanction`` (its index in the vendor's list), ``reason``.

Guarantees: one vendor per key and per NPWP; a vendor may bid, ask or object only
while active and not under a sanction whose period covers the entry's logging time
(``eligible``); sanctions are never edited, only lifted by a later entry.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from ledger.authority import KEY_NAMESPACE
from ledger.errors import ClientError
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, b64encode, format_time, key_id_of, parse_time
from procurement import fields
from procurement.errors import rejected
from procurement.limits import (
    ADDRESS_CHARS_MAX,
    NAME_CHARS_MAX,
    REASON_CHARS_MAX,
    SANCTIONS_MAX,
)
from procurement.npwp import normalise
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook

VENDOR_NAMESPACE = "procurement.vendor"
NPWP_NAMESPACE = "procurement.npwp"
QUALIFICATIONS = frozenset({"mikro", "kecil", "menengah", "besar"})
SANCTION_KINDS = frozenset({"suspension", "blacklist"})

REGISTERED = "procurement.vendor.registered"
ACTIVATED = "procurement.vendor.activated"
SANCTIONED = "procurement.vendor.sanctioned"
SANCTION_LIFTED = "procurement.vendor.sanction_lifted"


def vendor_document(state: State, vendor_id: str) -> Document | None:
    return state.get(VENDOR_NAMESPACE, vendor_id)


def require_vendor(state: State, vendor_id: str) -> Document:
    doc = vendor_document(state, vendor_id)
    if doc is None:
        raise rejected("unknown_vendor", f"vendor {vendor_id} is not registered", vendor=vendor_id)
    return doc


def active_sanction(doc: Document, at: datetime) -> dict[str, Any] | None:
    """The first sanction in force at ``at`` (start <= at < end, not lifted), if any."""
    for sanction in doc["sanctions"]:
        if sanction["lifted_seq"] is not None:
            continue
        if parse_time(sanction["start"]) <= at and (
            sanction["end"] is None or at < parse_time(sanction["end"])
        ):
            return sanction  # type: ignore[no-any-return]
    return None


def require_eligible(state: State, vendor_id: str, at: datetime) -> Document:
    """The vendor's document if it may take part at ``at``; else ``vendor_not_eligible``."""
    doc = require_vendor(state, vendor_id)
    if doc["status"] != "active":
        raise rejected(
            "vendor_not_eligible",
            f"vendor {vendor_id} is {doc['status']}, not active: a procurement officer"
            f" activates a registered vendor (terang officer activate-vendor {vendor_id})",
            vendor=vendor_id,
            status=doc["status"],
        )
    sanction = active_sanction(doc, at)
    if sanction is not None:
        raise rejected(
            "vendor_not_eligible",
            f"vendor {vendor_id} is under a {sanction['kind']} from {sanction['start']}"
            f" until {sanction['end'] or 'lifted'}: {sanction['reason']}",
            vendor=vendor_id,
            status=sanction["kind"],
        )
    return doc


def _check_subject(statement: Statement) -> None:
    if not fields.HEX64.fullmatch(statement.subject):
        raise ClientError(
            "subject must be the vendor id (64 hex)", code="bad_subject", field="subject"
        )


def reduce_registered(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    fields.only_fields(body, frozenset({"public_key", "name", "npwp", "address", "qualification"}))
    public_key = fields.base64_bytes(body, "public_key", 32, 32)
    name = fields.text(body, "name", NAME_CHARS_MAX)
    npwp = normalise(body.get("npwp"))
    address = fields.text(body, "address", ADDRESS_CHARS_MAX)
    qualification = fields.choice(body, "qualification", QUALIFICATIONS)
    vendor_id = key_id_of(public_key)
    if statement.subject != vendor_id or statement.signer != vendor_id:
        raise ClientError(
            "subject and signer must both be the key id of body.public_key",
            code="bad_subject",
            field="subject",
        )
    if vendor_document(state, vendor_id) is not None:
        raise rejected("vendor_exists", f"vendor {vendor_id} is already registered")
    holder = state.get(NPWP_NAMESPACE, npwp)
    if holder is not None:
        raise rejected(
            "npwp_registered",
            f"NPWP {npwp} is already registered to vendor {holder['vendor_id']}",
            vendor=holder["vendor_id"],
        )
    if state.get(KEY_NAMESPACE, vendor_id) is None:
        # SPEC: ledger.authority key document; the registry then knows the vendor's key.
        state.put(
            KEY_NAMESPACE,
            vendor_id,
            {
                "key_id": vendor_id,
                "public_key": b64encode(public_key),
                "name": name,
                "roles": ["vendor"],
                "registered_seq": entry.seq,
                "revoked_seq": None,
            },
        )
    state.put(NPWP_NAMESPACE, npwp, {"vendor_id": vendor_id})
    state.put(
        VENDOR_NAMESPACE,
        vendor_id,
        {
            "vendor_id": vendor_id,
            "name": name,
            "npwp": npwp,
            "address": address,
            "qualification": qualification,
            "status": "registered",
            "registered_seq": entry.seq,
            "registered_at": entry.logged_at,
            "activated_seq": None,
            "activated_by": None,
            "sanctions": [],
            "bids_submitted": 0,
            "awards_won": 0,
        },
    )


def reduce_activated(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    _check_subject(statement)
    fields.only_fields(statement.body, frozenset(), frozenset({"note"}))
    if "note" in statement.body:
        fields.text(statement.body, "note")
    doc = require_vendor(state, statement.subject)
    if doc["status"] == "active":
        raise rejected("vendor_already_active", f"vendor {statement.subject} is already active")
    doc["status"] = "active"
    doc["activated_seq"] = entry.seq
    doc["activated_by"] = statement.signer
    state.put(VENDOR_NAMESPACE, statement.subject, doc)


def reduce_sanctioned(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    _check_subject(statement)
    fields.only_fields(
        body, frozenset({"kind", "reason", "start"}), frozenset({"end", "reference"})
    )
    kind = fields.choice(body, "kind", SANCTION_KINDS)
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    start = fields.moment(body, "start")
    end: datetime | None = None
    if "end" in body:
        end = fields.moment(body, "end")
        if end <= start:
            raise fields.bad("end", "must be after body.start")
    elif kind == "blacklist":
        raise fields.bad("end", "is required for a blacklist (a blacklist has a period)")
    reference = fields.text(body, "reference", NAME_CHARS_MAX) if "reference" in body else None
    doc = require_vendor(state, statement.subject)
    if len(doc["sanctions"]) >= SANCTIONS_MAX:
        raise rejected("too_many_sanctions", f"a vendor holds at most {SANCTIONS_MAX} sanctions")
    doc["sanctions"].append(
        {
            "kind": kind,
            "reason": reason,
            "start": format_time(start),
            "end": None if end is None else format_time(end),
            "reference": reference,
            "seq": entry.seq,
            "by": statement.signer,
            "lifted_seq": None,
            "lift_reason": None,
        }
    )
    state.put(VENDOR_NAMESPACE, statement.subject, doc)


def reduce_sanction_lifted(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    _check_subject(statement)
    fields.only_fields(body, frozenset({"sanction", "reason"}))
    index = fields.integer(body, "sanction", 0, SANCTIONS_MAX - 1)
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    doc = require_vendor(state, statement.subject)
    if index >= len(doc["sanctions"]):
        raise rejected("unknown_sanction", f"vendor has no sanction {index}")
    sanction = doc["sanctions"][index]
    if sanction["lifted_seq"] is not None:
        raise rejected("sanction_already_lifted", f"sanction {index} was lifted already")
    sanction["lifted_seq"] = entry.seq
    sanction["lift_reason"] = reason
    state.put(VENDOR_NAMESPACE, statement.subject, doc)


def _prefetch(statement: Statement) -> list[tuple[str, str]]:
    keys = [(VENDOR_NAMESPACE, statement.subject)]
    npwp = statement.body.get("npwp")
    if isinstance(npwp, str):
        with contextlib.suppress(ClientError):
            keys.append((NPWP_NAMESPACE, normalise(npwp)))
    return keys


OFFICER = frozenset({"procurement_officer"})
REDUCERS = (
    ProcurementKind(
        REGISTERED,
        frozenset({"vendor"}),
        reduce_registered,
        "a vendor registers itself with its own key",
        _prefetch,
        self_signed=True,
    ),
    ProcurementKind(ACTIVATED, OFFICER, reduce_activated, "activate a vendor", _prefetch),
    ProcurementKind(
        SANCTIONED, OFFICER, reduce_sanctioned, "suspend or blacklist a vendor", _prefetch
    ),
    ProcurementKind(SANCTION_LIFTED, OFFICER, reduce_sanction_lifted, "lift a sanction", _prefetch),
)
"""This module's statement types (``procurement.registration``): one row each."""
