"""Contracts: signed by the PPK and countersigned by the vendor, amendments, milestones, payments.

One statement carries both signatures: the PPK (``procurement_officer``) signs the
ledger statement, and the body holds ``vendor_signature``, the winner's Ed25519
signature over the contract's terms (``contract_terms``: RFC 8785 JSON of the domain,
the statement type, the ocid and the body without ``vendor_signature``). The vendor
signs the terms on its own machine (``client.countersign``); the reducer checks the
countersignature against the winner's registered key, so a contract or amendment the
vendor did not agree to is never logged. Subject: the tender's ocid (one contract per
tender). Projection: ``procurement.contract`` → ocid.

* ``procurement.contract.signed``: ``contract`` (number), ``value`` (the award's
  value), ``start``, ``end`` (dates), ``milestones`` ``[{name, amount, due}]`` summing
  to the value, ``vendor_signature``. Only on an ``awarded`` tender.
* ``procurement.contract.amended``: ``amendment`` (next number), ``value`` (the new
  total), ``milestones`` (the new full list, summing to it; none below what was
  already requested on it), ``reason``, ``end``?, ``commitment``? and
  ``vendor_signature``. An increase needs budget room: it must be logged right after
  a ``budgeting.commitment.posted`` of exactly the increase, on the package's line,
  for this ocid, in the same batch (``client.amendment_batch``), named in
  ``commitment``; budgeting refuses the batch if the line lacks room. A decrease
  names no commitment and may not go below what was already requested; the unused
  commitment stays committed until the contract ends (completion or termination
  releases every commitment's unpaid rest); payments stay capped by the contract value.
* ``procurement.contract.payment_requested`` (the contract's vendor): ``request``
  (next number), ``milestone`` (1-based), ``amount``, ``invoice``? ``{name, sha256}``.
  At most what remains of the milestone (its amount less what was requested on it).
* ``procurement.contract.payment_rejected`` (PPK): ``request``, ``reason``: frees the
  requested amount.
* ``procurement.contract.paid`` (PPK): ``request``, ``payments`` (budgeting posting
  ids, 1-9). Logged right after those ``budgeting.payment.posted`` entries (the SP2D,
  signed by finance), in that order, in one batch (``client.payment_batch``): each on
  the package's line, against one of the contract's commitments (a request may span
  the original commitment and an amendment's), summing to the request's amount.
  Budgeting refuses a payment beyond the commitment or the cash allotment, which
  refuses the batch.
* ``procurement.contract.completed`` (PPK): ``handover_reference`` (the BAST, berita
  acara serah terima), ``handover_date``, ``document``? ``{name, sha256}``, ``note``?,
  ``releases``? Only once everything is paid (status ``paid``).
* ``procurement.contract.terminated`` (PPK): ``reason``, ``date``, ``document``?,
  ``releases``? Only while ``active``, with no payment request pending.

Both end the contract: nothing more is requested, paid or amended. Whatever the
contract's commitments still hold unpaid goes back to the budget line in the same
batch: one ``budgeting.commitment.released`` (finance) per commitment with an unpaid
rest, logged just before, in order, named in ``releases`` (``client.completion_batch``,
``client.termination_batch``); after them no commitment of the contract may hold
anything unpaid (``commitment_not_released``).

The contract's own state machine (``STATUSES``, ``TRANSITIONS``)::

    active ──paid in full──► paid ──completed──► completed
       │  (amended, payment_requested, payment_rejected, paid: active only)
       └──terminated──► terminated

Out-of-order steps are refused with ``transition_not_allowed`` naming the status and
the statement types allowed next. The tender document's ``contract.status`` follows
the contract's.

Every refusal raises, so the sequencer logs nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from budgeting import reducers as budget
from budgeting import statements as budget_statements
from budgeting.statements import parse_posting_id
from ledger.authority import KEY_NAMESPACE
from ledger.canonical import canonical_bytes
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, b64decode_strict, parse_time
from procurement import conflicts, fields
from procurement import lifecycle as lc
from procurement.errors import rejected, transition_not_allowed
from procurement.limits import (
    AMENDMENTS_MAX,
    COMMITMENTS_MAX,
    HANDOVER_REFERENCE_CHARS_MAX,
    MILESTONES_MAX,
    MULTI_YEAR_REFERENCE_CHARS_MAX,
    MULTI_YEAR_YEARS_MAX,
    NAME_CHARS_MAX,
    PAYMENTS_PER_REQUEST_MAX,
    REASON_CHARS_MAX,
    REQUESTS_MAX,
)
from procurement.namespaces import (
    ACTIVE,
    COMPLETED,
    CONTRACT_NAMESPACE,
    CONTRACT_STATUSES,
    PAID_IN_FULL,
    TERMINATED,
)
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook, RuleSet
from procurement.tender import _ocid

P = "procurement.contract."
SIGNED = P + "signed"
AMENDED = P + "amended"
PAYMENT_REQUESTED = P + "payment_requested"
PAYMENT_REJECTED = P + "payment_rejected"
PAID = P + "paid"
COMPLETED_TYPE = P + "completed"
TERMINATED_TYPE = P + "terminated"
STATUSES = CONTRACT_STATUSES
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    AMENDED: (frozenset({ACTIVE}), None),
    PAYMENT_REQUESTED: (frozenset({ACTIVE}), None),
    PAYMENT_REJECTED: (frozenset({ACTIVE}), None),
    PAID: (frozenset({ACTIVE}), None),
    COMPLETED_TYPE: (frozenset({PAID_IN_FULL}), COMPLETED),
    TERMINATED_TYPE: (frozenset({ACTIVE}), TERMINATED),
}
TERMS_DOMAIN = "terang.procurement.contract.v1"
MULTI_YEAR_TERMS_DOMAIN = "terang.procurement.multi_year.v1"
EARLIEST_ZONE = timezone(timedelta(hours=7), "WIB")
LATEST_ZONE = timezone(timedelta(hours=9), "WIT")
"""Indonesia's zones run from WIB (UTC+7) to WIT (UTC+9)."""


def allowed_next(status: str) -> list[str]:
    """Statement types the contract's state machine allows in ``status``, sorted."""
    return sorted(t for t, (sources, _) in TRANSITIONS.items() if status in sources)


def check_transition(contract: Document, statement_type: str) -> str:
    """The contract's status after ``statement_type``, or ``transition_not_allowed``."""
    sources, target = TRANSITIONS[statement_type]
    status = contract["status"]
    if status not in sources:
        raise transition_not_allowed(
            statement_type, status, allowed_next(status), f"the contract of {contract['ocid']}"
        )
    return target or status


def _sync_tender(state: State, contract: Document, seq: int) -> None:
    """The tender document shows the contract's status (read models list it)."""
    tender = lc.require_tender(state, contract["ocid"])
    tender["contract"] = {**tender["contract"], "status": contract["status"]}
    tender["last_seq"] = seq
    state.put(lc.TENDER_NAMESPACE, contract["ocid"], tender)


def contract_terms(statement_type: str, ocid: str, body: dict[str, Any]) -> bytes:
    """What the vendor signs: the statement's type, ocid and body minus the signature."""
    terms = {k: v for k, v in body.items() if k != "vendor_signature"}
    return canonical_bytes(
        {"domain": TERMS_DOMAIN, "type": statement_type, "ocid": ocid, "body": terms}
    )


def _date(body: dict[str, Any], field: str) -> date:
    return budget_statements.parse_date(body.get(field), field=f"body.{field}")


def _milestones(body: dict[str, Any]) -> list[dict[str, Any]]:
    parsed = []
    for index, item in enumerate(fields.items(body, "milestones", 1, MILESTONES_MAX)):
        where = f"milestones[{index}]"
        milestone = fields.obj(item, where)
        fields.only_fields(milestone, frozenset({"name", "amount", "due"}))
        parsed.append(
            {
                "name": fields.text(milestone, "name", NAME_CHARS_MAX),
                "amount_sen": fields.amount(milestone, "amount"),
                "due": _date(milestone, "due").isoformat(),
            }
        )
    return parsed


def _check_milestones_sum(milestones: list[dict[str, Any]], value: int) -> None:
    total = sum(m["amount_sen"] for m in milestones)
    if total != value:
        raise rejected(
            "milestones_mismatch",
            f"milestones sum to {fields.wire_amount(total)}, not the value"
            f" {fields.wire_amount(value)}",
        )


def _check_countersignature(state: State, statement: Statement, vendor: str) -> None:
    raw = fields.base64_bytes(statement.body, "vendor_signature", 64, 64)
    key = state.get(KEY_NAMESPACE, vendor)
    if key is None:
        raise rejected("unknown_vendor", f"vendor {vendor} has no registered key")
    try:
        VerifyKey(b64decode_strict(key["public_key"], field="public_key")).verify(
            contract_terms(statement.type, statement.subject, statement.body), raw
        )
    except BadSignatureError:
        raise rejected(
            "bad_vendor_signature",
            f"body.vendor_signature is not {vendor}'s signature over these terms",
            vendor=vendor,
        ) from None


def _require_contract(state: State, ocid: str) -> Document:
    doc = state.get(CONTRACT_NAMESPACE, ocid)
    if doc is None:
        raise rejected("unknown_contract", f"{ocid} has no signed contract", ocid=ocid)
    return doc


def _check_commitment(
    state: State, entry: LoggedEntry, tender: Document, posting_id: str, amount: int
) -> dict[str, Any]:
    commitment = state.get(budget.NS_COMMITMENT, posting_id)
    if commitment is None or commitment["seq"] != entry.seq - 1:
        raise rejected(
            "amendment_without_commitment",
            f"an increase must follow its budgeting.commitment.posted {posting_id} in the"
            " same batch",
        )
    if (
        commitment["line_id"] != tender["budget_line"]
        or commitment["amount_sen"] != amount
        or commitment["ocid"] != tender["ocid"]
    ):
        raise rejected(
            "commitment_mismatch",
            "the commitment must be on the package's budget line, for this ocid, of the"
            f" increase {fields.wire_amount(amount)}",
            budget_line=tender["budget_line"],
        )
    return commitment


# -- the fiscal year and multi-year contracts (kontrak tahun jamak) -----------------


def fiscal_year_of(tender: Document) -> int:
    """The package's fiscal year: its budget line's year (``budgeting.codes``)."""
    return int(tender["year"])


def signed_within_year(logged_at: datetime, year: int) -> bool:
    """Whether a contract logged at ``logged_at`` was signed within fiscal ``year``.

    The fiscal year runs 1 January to 31 December (UU 17/2003 art. 4) in the region's
    own zone. The log does not record the region's zone (``ledger.region_time`` is a
    deployment setting, and replay must not depend on one), so the signing day is
    taken as whatever day it was anywhere in Indonesia: inside the year if its date in
    WIT (UTC+9) is not before 1 January and its date in WIB (UTC+7) is not after
    31 December. A contract signed within the year in the region's zone is never
    refused; at the turn of the year two hours' slack remain (a WIT region's signing at
    00:30 on 1 January is still 31 December in WIB).
    """
    latest = logged_at.astimezone(LATEST_ZONE).date()
    earliest = logged_at.astimezone(EARLIEST_ZONE).date()
    return latest >= date(year, 1, 1) and earliest <= date(year, 12, 31)


def multi_year_terms(
    ocid: str,
    budget_line: str,
    contract: str,
    value: str,
    start: str,
    end: str,
    approval: dict[str, Any],
) -> bytes:
    """What the approver signs: the contract's identity, value and period, and the references."""
    references = {k: v for k, v in approval.items() if k != "approver_signature"}
    return canonical_bytes(
        {
            "domain": MULTI_YEAR_TERMS_DOMAIN,
            "ocid": ocid,
            "budget_line": budget_line,
            "contract": contract,
            "value": value,
            "start": start,
            "end": end,
            "approval": references,
        }
    )


def _parse_multi_year(body: dict[str, Any]) -> dict[str, Any] | None:
    if "multi_year" not in body:
        return None
    raw = fields.obj(body["multi_year"], "multi_year")
    fields.only_fields(
        raw,
        frozenset({"approval", "approver", "approver_signature"}),
        frozenset({"dprd_agreement"}),
    )
    parsed = {
        "approval": fields.text(raw, "approval", MULTI_YEAR_REFERENCE_CHARS_MAX),
        "approver": fields.hex64(raw, "approver"),
        "approver_signature": fields.base64_bytes(raw, "approver_signature", 64, 64),
    }
    if "dprd_agreement" in raw:
        parsed["dprd_agreement"] = fields.text(
            raw, "dprd_agreement", MULTI_YEAR_REFERENCE_CHARS_MAX
        )
    return parsed


def _check_multi_year(
    state: State,
    rule_set: RuleSet,
    statement: Statement,
    tender: Document,
    approval: dict[str, Any],
    start: date,
    end: date,
) -> dict[str, Any]:
    """The approval of a kontrak tahun jamak, checked; what the contract document keeps."""
    approver = approval["approver"]
    key = state.get(KEY_NAMESPACE, approver)
    allowed = sorted(rule_set.multi_year_approver_roles)
    if (
        key is None
        or key["revoked_seq"] is not None
        or not set(key["roles"]) & rule_set.multi_year_approver_roles
    ):
        raise rejected(
            "multi_year_approver_not_allowed",
            f"{approver} may not approve a multi-year contract under {rule_set.id}"
            + (f" (an active key holding {', '.join(allowed)})" if allowed else " (none may)"),
            approver=approver,
            allowed_roles=allowed,
            rule_set=rule_set.id,
        )
    year = fiscal_year_of(tender)
    if end.year == year:
        raise rejected(
            "bad_multi_year_approval",
            f"the contract ends within fiscal year {year}: it is not a multi-year contract",
        )
    if end.year - year + 1 > MULTI_YEAR_YEARS_MAX:
        raise rejected(
            "bad_multi_year_approval",
            f"a multi-year contract spans at most {MULTI_YEAR_YEARS_MAX} fiscal years",
        )
    if rule_set.multi_year_dprd_agreement_required and "dprd_agreement" not in approval:
        raise rejected(
            "bad_multi_year_approval",
            f"under {rule_set.id} a multi-year approval cites the DPRD's agreement"
            " (body.multi_year.dprd_agreement)",
        )
    body = statement.body
    wire = body["multi_year"]
    terms = multi_year_terms(
        statement.subject,
        tender["budget_line"],
        body["contract"],
        body["value"],
        body["start"],
        body["end"],
        wire,
    )
    try:
        VerifyKey(b64decode_strict(key["public_key"], field="public_key")).verify(
            terms, approval["approver_signature"]
        )
    except BadSignatureError:
        raise rejected(
            "bad_multi_year_approval",
            f"body.multi_year.approver_signature is not {approver}'s signature over this"
            " contract's identity, value, period and references",
            approver=approver,
        ) from None
    return {
        "approval": approval["approval"],
        "dprd_agreement": approval.get("dprd_agreement"),
        "approver": approver,
        "years": [year, end.year],
    }


def _check_fiscal_year(
    state: State,
    rule_set: RuleSet,
    entry: LoggedEntry,
    tender: Document,
    start: date,
    end: date,
    approval: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """Signing and period within the package's fiscal year, or an approved multi-year."""
    statement = entry.signed.statement
    if not rule_set.contract_fiscal_year_check:
        if approval is not None:
            raise rejected(
                "bad_multi_year_approval",
                f"{rule_set.id} models no multi-year approval: body.multi_year is not accepted",
                rule_set=rule_set.id,
            )
        return None
    year = fiscal_year_of(tender)
    logged_at = parse_time(entry.logged_at, field="logged_at")
    if not signed_within_year(logged_at, year):
        raise rejected(
            "contract_signed_outside_fiscal_year",
            f"the package is charged to fiscal year {year}; a contract logged at"
            f" {entry.logged_at} is signed outside it",
            fiscal_year=year,
            logged_at=entry.logged_at,
        )
    if start.year != year:
        raise rejected(
            "contract_period_outside_fiscal_year",
            f"the contract must start within fiscal year {year}, not on {start.isoformat()}",
            fiscal_year=year,
        )
    if end.year != year and approval is None:
        raise rejected(
            "contract_period_outside_fiscal_year",
            f"the contract runs to {end.isoformat()}, past fiscal year {year}: only a"
            " multi-year contract (kontrak tahun jamak) with its approval (body.multi_year)"
            " may",
            fiscal_year=year,
        )
    if approval is None:
        return None
    return _check_multi_year(state, rule_set, statement, tender, approval, start, end)


def reduce_signed(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"contract", "value", "start", "end", "milestones", "vendor_signature"}),
        frozenset({"multi_year"}),
    )
    number = fields.identifier(body, "contract", 100)
    value = fields.amount(body, "value")
    start = _date(body, "start")
    end = _date(body, "end")
    milestones = _milestones(body)
    approval = _parse_multi_year(body)
    fields.base64_bytes(body, "vendor_signature", 64, 64)
    tender = lc.require_tender(state, ocid)
    if tender["state"] != lc.AWARDED:
        raise rejected(
            "tender_not_awarded",
            f"a contract is signed only after the award; {ocid} is {tender['state']!r}",
            state=tender["state"],
        )
    if state.get(CONTRACT_NAMESPACE, ocid) is not None:
        raise rejected("contract_exists", f"{ocid} already has a contract")
    award = tender["award"]
    if value != award["value_sen"]:
        raise rejected(
            "contract_value_mismatch",
            f"the contract value must be the award's {fields.wire_amount(award['value_sen'])}",
        )
    if end < start:
        raise rejected("bad_schedule", "the contract must not end before it starts")
    _check_milestones_sum(milestones, value)
    conflicts.check_contract_signer(
        rules.by_id(tender["rule_set"]), tender, statement.signer, award["winner"]
    )
    multi_year = _check_fiscal_year(
        state, rules.in_force(parse_time(entry.logged_at)), entry, tender, start, end, approval
    )
    _check_countersignature(state, statement, award["winner"])
    for milestone in milestones:
        milestone.update(requested_sen=0, paid_sen=0)
    state.put(
        CONTRACT_NAMESPACE,
        ocid,
        {
            "ocid": ocid,
            "contract": number,
            "vendor": award["winner"],
            "budget_line": tender["budget_line"],
            "status": "active",
            "value_sen": value,
            "original_value_sen": value,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "milestones": milestones,
            "commitments": [award["commitment"]],
            "amendments": [],
            "requests": [],
            "requested_sen": 0,
            "paid_sen": 0,
            "signed_by": statement.signer,
            "signed_seq": entry.seq,
            "signed_at": entry.logged_at,
            "released_sen": 0,
            "ended": None,
            "last_seq": entry.seq,
            **({"multi_year": multi_year} if multi_year is not None else {}),
        },
    )
    tender["contract"] = {"contract": number, "seq": entry.seq, "status": ACTIVE}
    tender["last_seq"] = entry.seq
    state.put(lc.TENDER_NAMESPACE, ocid, tender)


def reduce_amended(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"amendment", "value", "milestones", "reason", "vendor_signature"}),
        frozenset({"end", "commitment"}),
    )
    number = fields.integer(body, "amendment", 1, AMENDMENTS_MAX)
    value = fields.amount(body, "value")
    milestones = _milestones(body)
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    end = _date(body, "end") if "end" in body else None
    posting_id = (
        parse_posting_id(body["commitment"], field="body.commitment")
        if "commitment" in body
        else None
    )
    fields.base64_bytes(body, "vendor_signature", 64, 64)
    contract = _require_contract(state, ocid)
    tender = lc.require_tender(state, ocid)
    check_transition(contract, statement.type)
    if number != len(contract["amendments"]) + 1:
        raise rejected(
            "bad_amendment_number",
            f"the next amendment is number {len(contract['amendments']) + 1}",
        )
    _check_milestones_sum(milestones, value)
    for index, old in enumerate(contract["milestones"]):
        if old["requested_sen"] == 0:
            continue
        if index >= len(milestones) or milestones[index]["amount_sen"] < old["requested_sen"]:
            raise rejected(
                "milestone_below_requested",
                f"milestone {index + 1} has {fields.wire_amount(old['requested_sen'])}"
                " requested already; an amendment may not drop or shrink it below that",
                milestone=index + 1,
            )
    if end is not None and end.isoformat() < contract["start"]:
        raise rejected("bad_schedule", "the contract must not end before it starts")
    if end is not None and rules.in_force(parse_time(entry.logged_at)).contract_fiscal_year_check:
        last_year = (contract.get("multi_year") or {}).get("years", [tender["year"]])[-1]
        if end.year > last_year:
            raise rejected(
                "contract_period_outside_fiscal_year",
                f"an amendment may not move the end to {end.isoformat()}, past fiscal year"
                f" {last_year} (the contract's last approved year)",
                fiscal_year=last_year,
            )
    change = value - contract["value_sen"]
    if change > 0:
        if posting_id is None:
            raise rejected(
                "amendment_without_commitment",
                f"an increase of {fields.wire_amount(change)} needs a budget commitment"
                " logged just before it (body.commitment)",
            )
        _check_commitment(state, entry, tender, posting_id, change)
    elif posting_id is not None:
        raise rejected("unexpected_commitment", "only an increase in value comes with a commitment")
    _check_countersignature(state, statement, contract["vendor"])
    for index, milestone in enumerate(milestones):
        old = contract["milestones"][index] if index < len(contract["milestones"]) else None
        milestone["requested_sen"] = 0 if old is None else old["requested_sen"]
        milestone["paid_sen"] = 0 if old is None else old["paid_sen"]
    contract["amendments"].append(
        {
            "amendment": number,
            "seq": entry.seq,
            "date": entry.logged_at,
            "reason": reason,
            "value_before_sen": contract["value_sen"],
            "value_sen": value,
            "change_sen": change,
            "commitment": posting_id,
        }
    )
    if posting_id is not None:
        contract["commitments"].append(posting_id)
    contract["value_sen"] = value
    contract["milestones"] = milestones
    if end is not None:
        contract["end"] = end.isoformat()
    contract["last_seq"] = entry.seq
    state.put(CONTRACT_NAMESPACE, ocid, contract)


def reduce_payment_requested(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body, frozenset({"request", "milestone", "amount"}), frozenset({"invoice", "description"})
    )
    number = fields.integer(body, "request", 1, REQUESTS_MAX)
    milestone_number = fields.integer(body, "milestone", 1, MILESTONES_MAX)
    amount = fields.amount(body, "amount")
    invoice = None
    if "invoice" in body:
        invoice = fields.document_hashes({"invoice": [body["invoice"]]}, "invoice", low=1)[0]
    description = fields.text(body, "description") if "description" in body else None
    contract = _require_contract(state, ocid)
    if statement.signer != contract["vendor"]:
        raise rejected("not_contract_vendor", "only the contract's vendor requests payment")
    check_transition(contract, statement.type)
    if number != len(contract["requests"]) + 1:
        raise rejected(
            "bad_request_number", f"the next request is number {len(contract['requests']) + 1}"
        )
    if milestone_number > len(contract["milestones"]):
        raise rejected("unknown_milestone", f"the contract has no milestone {milestone_number}")
    milestone = contract["milestones"][milestone_number - 1]
    remaining = milestone["amount_sen"] - milestone["requested_sen"]
    if amount > remaining:
        raise rejected(
            "request_exceeds_milestone",
            f"milestone {milestone_number} has {fields.wire_amount(remaining)} left to request",
            remaining=fields.wire_amount(remaining),
        )
    milestone["requested_sen"] += amount
    contract["requested_sen"] += amount
    contract["requests"].append(
        {
            "request": number,
            "milestone": milestone_number,
            "amount_sen": amount,
            "invoice": invoice,
            "description": description,
            "status": "pending",
            "requested_seq": entry.seq,
            "requested_at": entry.logged_at,
            "decided_seq": None,
            "payment": None,
            "reason": None,
        }
    )
    contract["last_seq"] = entry.seq
    state.put(CONTRACT_NAMESPACE, ocid, contract)


def _pending_request(contract: Document, number: int) -> dict[str, Any]:
    if number > len(contract["requests"]):
        raise rejected("unknown_request", f"the contract has no payment request {number}")
    request: dict[str, Any] = contract["requests"][number - 1]
    if request["status"] != "pending":
        raise rejected(
            "request_not_pending", f"payment request {number} is {request['status']} already"
        )
    return request


def reduce_payment_rejected(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(body, frozenset({"request", "reason"}))
    number = fields.integer(body, "request", 1, REQUESTS_MAX)
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    contract = _require_contract(state, ocid)
    check_transition(contract, statement.type)
    request = _pending_request(contract, number)
    request.update(status="rejected", decided_seq=entry.seq, reason=reason)
    contract["milestones"][request["milestone"] - 1]["requested_sen"] -= request["amount_sen"]
    contract["requested_sen"] -= request["amount_sen"]
    contract["last_seq"] = entry.seq
    state.put(CONTRACT_NAMESPACE, ocid, contract)


def reduce_paid(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(body, frozenset({"request", "payments"}))
    number = fields.integer(body, "request", 1, REQUESTS_MAX)
    raw = fields.items(body, "payments", 1, PAYMENTS_PER_REQUEST_MAX)
    posting_ids = [parse_posting_id(p, field=f"body.payments[{i}]") for i, p in enumerate(raw)]
    contract = _require_contract(state, ocid)
    check_transition(contract, statement.type)
    request = _pending_request(contract, number)
    total = _adjacent_postings_sen(
        state,
        entry,
        contract,
        posting_ids,
        kind="payment",
        posting_type=budget_statements.PAYMENT,
        field="payments",
    )
    if total != request["amount_sen"]:
        raise rejected(
            "payment_mismatch",
            f"the payments sum to {fields.wire_amount(total)}, not the request's"
            f" {fields.wire_amount(request['amount_sen'])}",
        )
    if contract["paid_sen"] + request["amount_sen"] > contract["value_sen"]:
        raise rejected("payment_exceeds_contract", "payments may not exceed the contract value")
    request.update(status="paid", decided_seq=entry.seq, payment=posting_ids)
    contract["milestones"][request["milestone"] - 1]["paid_sen"] += request["amount_sen"]
    contract["paid_sen"] += request["amount_sen"]
    contract["last_seq"] = entry.seq
    if contract["paid_sen"] == contract["value_sen"]:
        contract["status"] = PAID_IN_FULL
        _sync_tender(state, contract, entry.seq)
    state.put(CONTRACT_NAMESPACE, ocid, contract)


def _adjacent_postings_sen(
    state: State,
    entry: LoggedEntry,
    contract: Document,
    posting_ids: list[str],
    *,
    kind: Literal["payment", "release"],
    posting_type: str,
    field: str,
) -> int:
    """The ``posting_type`` entries named in ``body.<field>`` must be the entries just
    before this one, in order, each on the contract's line against one of its
    commitments. Returns their sum. Refuses with ``<kind>_without_posting`` or
    ``<kind>_mismatch``."""
    total = 0
    for offset, posting_id in enumerate(reversed(posting_ids), start=1):
        used = state.get(budget.NS_POSTING_ID, posting_id)
        if used is None or used["seq"] != entry.seq - offset or used["type"] != posting_type:
            raise rejected(
                f"{kind}_without_posting",
                f"the {posting_type} entries named in body.{field} must come just before"
                " this one, in that order, in the same batch",
                **{kind: posting_id},
            )
        posting = state.get(budget.NS_POSTING, budget.seq_key(used["seq"]))
        if (
            posting is None
            or posting["line_id"] != contract["budget_line"]
            or posting["commitment"] not in contract["commitments"]
        ):
            raise rejected(
                f"{kind}_mismatch",
                f"{kind} {posting_id} must be on the package's line, against one of the"
                " contract's commitments",
                commitments=contract["commitments"],
            )
        total += posting["amount_sen"]
    return total


def _release_ids(body: dict[str, Any]) -> list[str]:
    if "releases" not in body:
        return []
    raw = fields.items(body, "releases", 1, COMMITMENTS_MAX)
    return [parse_posting_id(p, field=f"body.releases[{i}]") for i, p in enumerate(raw)]


def _ending_document(body: dict[str, Any]) -> dict[str, str] | None:
    if "document" not in body:
        return None
    return fields.document_hashes({"document": [body["document"]]}, "document", low=1)[0]


def _check_releases(
    state: State, entry: LoggedEntry, contract: Document, posting_ids: list[str]
) -> int:
    """The releases named must be the entries just before this one, in order, each on the
    contract's line against one of its commitments; after them no commitment of the
    contract holds anything unpaid. Returns the amount released."""
    total = _adjacent_postings_sen(
        state,
        entry,
        contract,
        posting_ids,
        kind="release",
        posting_type=budget_statements.RELEASE,
        field="releases",
    )
    for commitment_id in contract["commitments"]:
        commitment = state.get(budget.NS_COMMITMENT, commitment_id)
        if commitment is None or commitment["reversed_by_seq"] is not None:
            continue
        unpaid = commitment["amount_sen"] - commitment["paid_sen"]
        if unpaid:
            raise rejected(
                "commitment_not_released",
                f"commitment {commitment_id} still holds {fields.wire_amount(unpaid)} unpaid:"
                " release it (budgeting.commitment.released) just before, in the same batch",
                commitment=commitment_id,
                unpaid=fields.wire_amount(unpaid),
            )
    return total


def _end(
    state: State,
    entry: LoggedEntry,
    contract: Document,
    status: str,
    ended: dict[str, Any],
    posting_ids: list[str],
) -> None:
    released = _check_releases(state, entry, contract, posting_ids)
    contract["status"] = status
    contract["released_sen"] = contract.get("released_sen", 0) + released
    contract["ended"] = {
        **ended,
        "status": status,
        "seq": entry.seq,
        "at": entry.logged_at,
        "signed_by": entry.signed.statement.signer,
        "releases": posting_ids,
        "released_sen": released,
    }
    contract["last_seq"] = entry.seq
    state.put(CONTRACT_NAMESPACE, contract["ocid"], contract)
    _sync_tender(state, contract, entry.seq)
    document = ended.get("document")
    if document is not None:
        lc.note_references(state, contract["ocid"], [document], entry.seq)


def reduce_completed(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    """Handover (BAST) after the last payment: the contract is completed."""
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(
        body,
        frozenset({"handover_reference", "handover_date"}),
        frozenset({"document", "note", "releases"}),
    )
    reference = fields.text(body, "handover_reference", HANDOVER_REFERENCE_CHARS_MAX)
    handover = _date(body, "handover_date")
    document = _ending_document(body)
    note = fields.text(body, "note", REASON_CHARS_MAX) if "note" in body else None
    posting_ids = _release_ids(body)
    contract = _require_contract(state, ocid)
    target = check_transition(contract, statement.type)
    if handover.isoformat() < contract["start"]:
        raise rejected("bad_schedule", "the handover cannot be before the contract starts")
    ended = {
        "date": handover.isoformat(),
        "handover_reference": reference,
        "document": document,
        "note": note,
        "reason": None,
    }
    _end(state, entry, contract, target, ended, posting_ids)


def reduce_terminated(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    """Early termination (pemutusan kontrak), with a reason; no payment follows."""
    statement = entry.signed.statement
    body = statement.body
    ocid = _ocid(statement)
    fields.only_fields(body, frozenset({"reason", "date"}), frozenset({"document", "releases"}))
    reason = fields.text(body, "reason", REASON_CHARS_MAX)
    day = _date(body, "date")
    document = _ending_document(body)
    posting_ids = _release_ids(body)
    contract = _require_contract(state, ocid)
    target = check_transition(contract, statement.type)
    pending = [r["request"] for r in contract["requests"] if r["status"] == "pending"]
    if pending:
        raise rejected(
            "payment_request_pending",
            f"decide payment request(s) {', '.join(map(str, pending))} first (paid or"
            " rejected): a terminated contract pays nothing more",
            requests=pending,
        )
    if day.isoformat() < contract["start"]:
        raise rejected("bad_schedule", "a contract cannot be terminated before it starts")
    ended = {
        "date": day.isoformat(),
        "handover_reference": None,
        "document": document,
        "note": None,
        "reason": reason,
    }
    _end(state, entry, contract, target, ended, posting_ids)


def _prefetch(statement: Statement) -> list[tuple[str, str]]:
    keys = [(CONTRACT_NAMESPACE, statement.subject), (lc.TENDER_NAMESPACE, statement.subject)]
    multi_year: Any = statement.body.get("multi_year")
    if isinstance(multi_year, dict) and isinstance(multi_year.get("approver"), str):
        keys.append((KEY_NAMESPACE, multi_year["approver"]))
    posting: Any = statement.body.get("commitment")
    if isinstance(posting, str):
        keys.append((budget.NS_COMMITMENT, posting))
    for field in ("payments", "releases"):
        named: Any = statement.body.get(field)
        if isinstance(named, list):
            keys.extend((budget.NS_POSTING_ID, p) for p in named if isinstance(p, str))
    document: Any = statement.body.get("document")  # an ending's handover document
    if isinstance(document, dict) and isinstance(document.get("sha256"), str):
        keys.append((lc.DOCUMENT_NAMESPACE, document["sha256"]))
    return keys


OFFICER = frozenset({"procurement_officer"})


REDUCERS = (
    ProcurementKind(
        SIGNED,
        OFFICER,
        reduce_signed,
        "the PPK signs the contract of an awarded tender; the body carries the vendor's"
        " countersignature (and a multi-year contract its approval)",
        _prefetch,
    ),
    ProcurementKind(
        AMENDED,
        OFFICER,
        reduce_amended,
        "amend a contract (countersigned); an increase follows its budget commitment",
        _prefetch,
    ),
    ProcurementKind(
        PAYMENT_REQUESTED,
        frozenset({"vendor"}),
        reduce_payment_requested,
        "the vendor requests payment of (part of) a milestone",
        _prefetch,
    ),
    ProcurementKind(
        PAYMENT_REJECTED,
        OFFICER,
        reduce_payment_rejected,
        "the PPK rejects a payment request, with a reason",
        _prefetch,
    ),
    ProcurementKind(
        PAID,
        OFFICER,
        reduce_paid,
        "a payment request is paid: logged right after its budgeting payment (SP2D)",
        _prefetch,
    ),
    ProcurementKind(
        COMPLETED_TYPE,
        OFFICER,
        reduce_completed,
        "the contract is completed at handover (BAST), after the last payment; the unpaid"
        " rest of its commitments is released just before",
        _prefetch,
    ),
    ProcurementKind(
        TERMINATED_TYPE,
        OFFICER,
        reduce_terminated,
        "the contract is terminated early, with a reason; the unpaid"
        " rest of its commitments is released just before",
        _prefetch,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
