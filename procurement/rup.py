"""The procurement plan (RUP, Rencana Umum Pengadaan, as SiRUP publishes it) per OPD.

Before an OPD tenders anything it announces each planned procurement as a RUP item
(subject = its RUP code, SiRUP's *kode RUP*): the budget line it is paid from (which
names the OPD and the fiscal year), the package's name, its value, whether it is done
by a provider (``penyedia``: with a method and a category) or by the OPD itself
(``swakelola``), the PDN (produk dalam negeri) and UMK (usaha mikro dan kecil) flags and
the planned months of the selection start and of the contract. An item may be revised
(a new revision, with a reason) or withdrawn (with a reason); it is never deleted.

A package (``procurement.package.created``) citing ``rup_code`` is checked against the
item as it stood at the package's entry (``item_at``): published and not withdrawn, a
``penyedia`` item, of the same budget line, category and method, its value not below the
HPS. The package keeps the item as cited (``cited``), so its OCDS ``planning`` is true in
time. Once cited an item may still be revised, but not away from its packages
(``rup_cited``), and it may not be withdrawn. Under a rule set with ``rup_required``
every package must cite one (none of the shipped sets turns it on: packages logged
before RUP items existed carry codes no item was published for, kept as unchecked
labels, and must still replay as they were accepted).
Bodies and codes are in docs/procurement.md, "The procurement plan (RUP)".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from budgeting import reducers as budget
from budgeting.codes import parse_line_id
from ledger.errors import ClientError
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, parse_time
from procurement import fields
from procurement.errors import rejected
from procurement.limits import (
    NAME_CHARS_MAX,
    REASON_CHARS_MAX,
    RUP_CODE_CHARS_MAX,
    RUP_PACKAGES_MAX,
    RUP_REVISIONS_MAX,
)
from procurement.namespaces import RUP_NAMESPACE
from procurement.registration import ProcurementKind
from procurement.rules import CATEGORIES, METHODS, RuleBook

P = "procurement.rup."
PUBLISHED = P + "published"
REVISED = P + "revised"
WITHDRAWN = P + "withdrawn"
TYPES = ("penyedia", "swakelola")
MONTH_PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
ITEM_FIELDS = (
    "name",
    "value_sen",
    "procurement_type",
    "category",
    "method",
    "pdn",
    "umk",
    "selection_start",
    "contract_start",
)
"""What a revision may change (the budget line, hence OPD and year, never changes)."""


def _code(statement: Statement) -> str:
    code = statement.subject
    if (
        not isinstance(code, str)
        or not 1 <= len(code) <= RUP_CODE_CHARS_MAX
        or not fields.IDENTIFIER_PATTERN.fullmatch(code)
    ):
        raise ClientError(
            f"subject must be a RUP code of 1 to {RUP_CODE_CHARS_MAX} characters"
            f" matching {fields.IDENTIFIER_PATTERN.pattern}",
            code="bad_subject",
            field="subject",
        )
    return code


def _month(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not MONTH_PATTERN.fullmatch(value):
        raise fields.bad(field, "must be a month like 2026-03")
    return value


def _item(body: dict[str, Any], year: int) -> dict[str, Any]:
    """The item's fields from a published or revised body (checked, in wire order)."""
    name = fields.text(body, "name", NAME_CHARS_MAX)
    value = fields.amount(body, "value")
    kind = fields.choice(body, "procurement_type", TYPES)
    category = fields.choice(body, "category", CATEGORIES)
    if kind == "penyedia":
        method: str | None = fields.choice(body, "method", METHODS)
    elif "method" in body:
        raise fields.bad("method", "is for penyedia items only (swakelola has no method)")
    else:
        method = None
    pdn = fields.boolean(body, "pdn")
    umk = fields.boolean(body, "umk")
    selection = _month(body, "selection_start")
    contract = _month(body, "contract_start")
    if int(contract[:4]) != year:
        raise fields.bad("contract_start", f"must be a month of fiscal year {year}")
    if int(selection[:4]) not in (year - 1, year):
        raise fields.bad(
            "selection_start", f"must be in {year} or, for an early tender, in {year - 1}"
        )
    if selection > contract:
        raise fields.bad("selection_start", "must not be after contract_start")
    return {
        "name": name,
        "value_sen": value,
        "procurement_type": kind,
        "category": category,
        "method": method,
        "pdn": pdn,
        "umk": umk,
        "selection_start": selection,
        "contract_start": contract,
    }


ITEM_BODY_REQUIRED = frozenset(
    {
        "name",
        "value",
        "procurement_type",
        "category",
        "pdn",
        "umk",
        "selection_start",
        "contract_start",
    }
)
ITEM_BODY_OPTIONAL = frozenset({"method", "justification"})


def _at(entry: LoggedEntry) -> datetime:
    return parse_time(entry.logged_at, field="logged_at")


def _check_rules(rules: RuleBook, entry: LoggedEntry, item: dict[str, Any], body: Any) -> None:
    """A penyedia item's method must be one the rules in force allow at its value."""
    if item["method"] is None:
        return
    justification = (
        fields.text(body, "justification", REASON_CHARS_MAX) if "justification" in body else None
    )
    rules.in_force(_at(entry)).check_method(
        item["method"], item["category"], item["value_sen"], justification
    )


def item_at(doc: Document, seq: int) -> dict[str, Any] | None:
    """The item as it stood just before entry ``seq`` (None: not published, or withdrawn
    by then). The live check and a replay of an old entry read the same answer."""
    found: dict[str, Any] | None = None
    for step in doc["history"]:
        if step["seq"] >= seq:
            break
        if step["type"] == "withdrawn":
            return None
        found = step["item"]
    return found


def _require(state: State, code: str) -> Document:
    doc = state.get(RUP_NAMESPACE, code)
    if doc is None:
        raise rejected("unknown_rup", f"no RUP item {code} was published", rup_code=code)
    if doc["state"] == "withdrawn":
        raise rejected("rup_withdrawn", f"RUP item {code} was withdrawn", rup_code=code)
    return doc


def _note(doc: Document, entry: LoggedEntry, kind: str, **extra: Any) -> None:
    if len(doc["history"]) >= RUP_REVISIONS_MAX:
        raise rejected(
            "rup_revisions_full",
            f"RUP item {doc['code']} has {RUP_REVISIONS_MAX} steps; publish a new item",
            revisions_max=RUP_REVISIONS_MAX,
        )
    doc["history"].append({"seq": entry.seq, "at": entry.logged_at, "type": kind, **extra})
    doc["last_seq"] = entry.seq


def reduce_published(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    code = _code(statement)
    fields.only_fields(
        body,
        ITEM_BODY_REQUIRED | {"opd", "budget_line", "fiscal_year"},
        ITEM_BODY_OPTIONAL,
    )
    line = parse_line_id(body.get("budget_line"))
    opd = fields.identifier(body, "opd", 64)
    if opd != line.opd.text:
        raise fields.bad("opd", f"must be the budget line's OPD {line.opd.text}")
    year = fields.integer(body, "fiscal_year", 2000, 2200)
    if year != line.year:
        raise fields.bad("fiscal_year", f"must be the budget line's year {line.year}")
    item = _item(body, year)
    if state.get(RUP_NAMESPACE, code) is not None:
        raise rejected("rup_exists", f"RUP item {code} is already published", rup_code=code)
    if state.get(budget.NS_LINE, line.text) is None:
        raise rejected("unknown_budget_line", f"budget line {line.text} has no appropriation")
    _check_rules(rules, entry, item, body)
    doc: Document = {
        "code": code,
        "state": "published",
        "opd": opd,
        "budget_line": line.text,
        "year": year,
        **item,
        "revision": 0,
        "published_by": statement.signer,
        "published_at": entry.logged_at,
        "published_seq": entry.seq,
        "last_seq": entry.seq,
        "packages": [],
        "cited_hps_max_sen": 0,
        "history": [],
        "withdrawn": None,
    }
    _note(doc, entry, "published", revision=0, item=item)
    state.put(RUP_NAMESPACE, code, doc)


def reduce_revised(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    code = _code(statement)
    fields.only_fields(body, ITEM_BODY_REQUIRED | {"reason"}, ITEM_BODY_OPTIONAL)
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    doc = _require(state, code)
    item = _item(body, doc["year"])
    if all(item[f] == doc[f] for f in ITEM_FIELDS):
        raise rejected("rup_unchanged", f"the revision changes nothing in RUP item {code}")
    if doc["packages"]:
        for field in ("procurement_type", "category", "method"):
            if item[field] != doc[field]:
                raise rejected(
                    "rup_cited",
                    f"RUP item {code} is cited by {len(doc['packages'])} package(s):"
                    f" its {field} cannot change",
                    field=field,
                    packages=doc["packages"],
                )
        if item["value_sen"] < doc["cited_hps_max_sen"]:
            raise rejected(
                "rup_cited",
                f"RUP item {code} is cited by a package of HPS"
                f" {fields.wire_amount(doc['cited_hps_max_sen'])}: its value cannot go below",
                field="value",
                packages=doc["packages"],
            )
    _check_rules(rules, entry, item, body)
    revision = doc["revision"] + 1
    _note(doc, entry, "revised", revision=revision, reason=reason, item=item)
    doc.update(item, revision=revision)
    state.put(RUP_NAMESPACE, code, doc)


def reduce_withdrawn(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    code = _code(statement)
    fields.only_fields(body, frozenset({"reason"}))
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    doc = _require(state, code)
    if doc["packages"]:
        raise rejected(
            "rup_cited",
            f"RUP item {code} is cited by {len(doc['packages'])} package(s):"
            " it cannot be withdrawn",
            packages=doc["packages"],
        )
    _note(doc, entry, "withdrawn", reason=reason)
    doc["state"] = "withdrawn"
    doc["withdrawn"] = {"seq": entry.seq, "at": entry.logged_at, "reason": reason}
    state.put(RUP_NAMESPACE, code, doc)


def cite(
    state: State,
    entry: LoggedEntry,
    *,
    ocid: str,
    rup_code: str | None,
    budget_line: str,
    category: str,
    method: str,
    hps_sen: int,
    required: bool,
) -> dict[str, Any] | None:
    """Check a package's ``rup_code`` against the item as it stood at ``entry`` and
    record the citation; the item as cited (for the package's document), or None when
    the package cites no published item."""
    if rup_code is None:
        if required:
            raise rejected(
                "rup_required", "the rules in force need the package to cite its RUP item"
            )
        return None
    doc = state.get(RUP_NAMESPACE, rup_code)
    if doc is None:
        if required:
            raise rejected(
                "unknown_rup", f"no RUP item {rup_code} was published", rup_code=rup_code
            )
        return None  # a label only: no item was published under this code
    item = item_at(doc, entry.seq)
    if item is None:
        withdrawn = doc["withdrawn"] is not None and doc["withdrawn"]["seq"] < entry.seq
        raise rejected(
            "rup_withdrawn" if withdrawn else "unknown_rup",
            f"RUP item {rup_code} is {'withdrawn' if withdrawn else 'not published'}",
            rup_code=rup_code,
        )
    if item["procurement_type"] != "penyedia":
        raise rejected(
            "rup_swakelola",
            f"RUP item {rup_code} is swakelola: the OPD does it itself, it is not tendered",
            rup_code=rup_code,
        )
    for field, wanted in (
        ("budget_line", budget_line),
        ("category", category),
        ("method", method),
    ):
        planned = doc[field] if field == "budget_line" else item[field]
        if planned != wanted:
            raise rejected(
                "rup_mismatch",
                f"the package's {field} {wanted} is not RUP item {rup_code}'s {planned}",
                field=field,
                rup=planned,
                package=wanted,
            )
    if hps_sen > item["value_sen"]:
        raise rejected(
            "hps_above_rup",
            f"HPS {fields.wire_amount(hps_sen)} is above RUP item {rup_code}'s value"
            f" {fields.wire_amount(item['value_sen'])}",
            hps=fields.wire_amount(hps_sen),
            rup_value=fields.wire_amount(item["value_sen"]),
        )
    revision = max(
        (s["revision"] for s in doc["history"] if s["seq"] < entry.seq and "revision" in s),
        default=0,
    )
    if ocid not in doc["packages"]:
        if len(doc["packages"]) >= RUP_PACKAGES_MAX:
            raise rejected(
                "rup_packages_full",
                f"RUP item {rup_code} is cited by {RUP_PACKAGES_MAX} packages already",
                packages_max=RUP_PACKAGES_MAX,
            )
        doc["packages"].append(ocid)
        doc["cited_hps_max_sen"] = max(doc["cited_hps_max_sen"], hps_sen)
        doc["last_seq"] = max(doc["last_seq"], entry.seq)
        state.put(RUP_NAMESPACE, rup_code, doc)
    return {
        "code": rup_code,
        "opd": doc["opd"],
        "revision": revision,
        "published_at": doc["published_at"],
        **item,
    }


def prefetch(statement: Statement) -> list[tuple[str, str]]:
    keys = [(RUP_NAMESPACE, statement.subject)]
    line = statement.body.get("budget_line")
    if statement.type == PUBLISHED and isinstance(line, str):
        keys.append((budget.NS_LINE, line))
    return keys


OFFICER = frozenset({"procurement_officer"})
REDUCERS = (
    ProcurementKind(
        PUBLISHED,
        OFFICER,
        reduce_published,
        "publish a RUP item (SiRUP): the OPD's planned procurement on a budget line",
        prefetch,
    ),
    ProcurementKind(REVISED, OFFICER, reduce_revised, "revise a RUP item, with a reason", prefetch),
    ProcurementKind(
        WITHDRAWN,
        OFFICER,
        reduce_withdrawn,
        "withdraw a RUP item that no package cites, with a reason",
        prefetch,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
