"""Client side of procurement: what a vendor's, member's or officer's machine runs.

Keys never leave the caller: these helpers build bodies and sign statements locally
(``ledger.signing.make_signed``); the server sees public keys, signatures, sealed
shares and ciphertexts only.

* vendor: ``registration``, ``seal_bid`` (format 2: deal Feldman shares, derive the
  key, encrypt, seal, publish the commitments; ``procurement.sealed``) and
  ``bid_statement``;
* committee member: ``release_shares`` (open its sealed shares after the closing,
  checking each against the vendor's commitments, either format);
* anyone: ``iter_bids`` (every bid of a tender, following the read API's pages: the
  release and the opening need all of them) and ``open_bid`` (reconstruct from
  released shares, decrypt, check);
* officer with a finance colleague: ``award_batch`` (commitment + award, one batch),
  ``payment_batch``, ``completion_batch`` and ``termination_batch`` (the releases of
  what the contract leaves unpaid, then its end, one batch);
* anyone: ``upload_document`` (bytes a logged tender names) and ``download_documents``
  (every document of a tender, each checked against its logged SHA-256).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from budgeting import limits as budget_limits
from budgeting import statements as budget_statements
from budgeting.money import parse_amount
from ledger.client import LedgerClient
from ledger.errors import ClientError, VerificationError
from ledger.keys import client_key_id, read_secret_file, write_secret_file
from ledger.limits import Limits
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64decode_strict, b64encode
from procurement import lifecycle as lc
from procurement.errors import CiphertextHashMismatch, ShareMismatch
from procurement.fields import sha256_hex, wire_amount
from procurement.limits import (
    DOWNLOAD_BYTES_MAX,
)
from procurement.sealed import (
    BID_FORMAT_FELDMAN,
    BID_FORMAT_SHAMIR,
    OpenedEnvelope,
    Share,
    bid_key_from_secret,
    deal,
    encrypt,
    envelope_bytes,
    new_salt,
    open_envelope,
    open_sealed_share,
    reconstruct_key,
    seal_share,
    share_commitment,
    verify_share,
)

BOX_KEY_PREFIX = "terang-x25519-v1:"


def load_box_key(path: Path) -> PrivateKey:
    """A committee member's X25519 key file (one line, mode 0600)."""
    text = read_secret_file(path)
    if not text.startswith(BOX_KEY_PREFIX):
        raise ClientError(f"{path} is not a Terang X25519 key", code="key_file")
    raw = b64decode_strict(text[len(BOX_KEY_PREFIX) :], field="box key")
    if len(raw) != 32:
        raise ClientError(f"{path}: an X25519 key is 32 bytes", code="key_file")
    return PrivateKey(raw)


def write_box_key(path: Path, key: PrivateKey) -> None:
    """Create the key file with mode 0600; never overwrites."""
    write_secret_file(path, BOX_KEY_PREFIX + b64encode(bytes(key)))


def registration(
    key: SigningKey,
    name: str,
    npwp: str,
    address: str,
    qualification: str,
    *,
    at: datetime,
    origin: str,
) -> SignedStatement:
    vendor_id = client_key_id(key)
    body = {
        "public_key": b64encode(bytes(key.verify_key)),
        "name": name,
        "npwp": npwp,
        "address": address,
        "qualification": qualification,
    }
    return make_signed(key, "procurement.vendor.registered", vendor_id, body, at=at, origin=origin)


@dataclass(frozen=True)
class SealedBid:
    body: dict[str, Any]
    key: bytes
    """The bid key: the vendor may keep it to prove its own bid; never send it."""
    envelope: bytes


def seal_bid(
    ocid: str,
    bidder: str,
    price_sen: int,
    committee: Sequence[Mapping[str, str]],
    threshold: int,
    *,
    documents: Sequence[Mapping[str, str]] = (),
    addendum: int = 0,
) -> SealedBid:
    """The body of a format-2 bid statement for ``committee`` (the tender's
    ``committee.members``): Feldman shares of a fresh secret, the key derived from it."""
    envelope = envelope_bytes(
        ocid, bidder, price_sen, [dict(d) for d in documents], new_salt(), version=2
    )
    dealing = deal(threshold, len(committee))
    key = bid_key_from_secret(dealing.secret)
    ciphertext = encrypt(key, envelope)
    sealed = []
    for member, share in zip(committee, dealing.shares, strict=True):
        box_key = b64decode_strict(member["x25519_public_key"], field="x25519_public_key")
        sealed.append({"member": member["key_id"], "sealed": b64encode(seal_share(box_key, share))})
    body = {
        "v": BID_FORMAT_FELDMAN,
        "ciphertext": b64encode(ciphertext),
        "ciphertext_sha256": sha256_hex(ciphertext),
        "content_sha256": sha256_hex(envelope),
        "addendum": addendum,
        "commitments": [b64encode(c) for c in dealing.commitments],
        "shares": sealed,
    }
    return SealedBid(body, key, envelope)


def bid_format(bid: Mapping[str, Any]) -> int:
    """A bid document's ``format``, or a bid body's ``v`` (absent: format 1)."""
    found: int = bid.get("format", bid.get("v", BID_FORMAT_SHAMIR))
    return found


def share_is_committed(bid: Mapping[str, Any], member_key_id: str, share: Share) -> bool:
    """The public check of a released share, by the bid's format (what the reducer does)."""
    if bid_format(bid) == BID_FORMAT_FELDMAN:
        commitments = [b64decode_strict(c, field="commitment") for c in bid["commitments"]]
        return verify_share(share, commitments)
    committed = bid["shares"][share.x - 1]["commitment"]
    return bool(share_commitment(bid["ocid"], bid["bidder"], member_key_id, share) == committed)


def bid_statement(
    key: SigningKey,
    ocid: str,
    sealed: SealedBid,
    *,
    at: datetime,
    origin: str,
    replace: bool = False,
    limits: Limits | None = None,
) -> SignedStatement:
    statement_type = lc.BID_REPLACED if replace else lc.BID_SUBMITTED
    return make_signed(key, statement_type, ocid, sealed.body, at=at, origin=origin, limits=limits)


BIDS_PATH = "/api/v1/procurement/tenders/{ocid}/bids"
BIDS_PAGE_ITEMS = 1000
"""Bids asked for per page (the server's ``BIDS_PAGE_ITEMS_MAX``)."""


def iter_bids(
    client: LedgerClient, ocid: str, *, page_items: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every bid document of the tender, in bidder order, page after page until the
    server's ``next_after`` is null: none is left out, however many there are.
    ``page_items`` defaults to ``BIDS_PAGE_ITEMS``.

    Each page is read at its own tree size; a bid that exists throughout appears
    exactly once (after the closing no bid is added or removed)."""
    after = ""
    while True:
        params: dict[str, str | int] = {"limit": page_items or BIDS_PAGE_ITEMS}
        if after:
            params["after"] = after
        page = client.get(BIDS_PATH.format(ocid=ocid), params=params).json()
        yield from page["items"]
        next_after = page["next_after"]
        if next_after is None:
            return
        if next_after <= after:  # a cursor must move forward, or the loop never ends
            raise VerificationError(
                f"the server's next_after {next_after!r} does not follow {after!r}",
                code="bad_cursor",
            )
        after = next_after


def release_shares(
    member_key_id: str, box_key: PrivateKey, ocid: str, bids: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, str]], list[str]]:
    """Open this member's shares of ``bids`` (bid documents from the read API).

    Returns the releases (``[{bidder, share}]``) and the bidders whose sealed share
    could not be opened or does not match the vendor's commitment (the vendor's
    fault: with too few good shares, that bid stays unopened and invalid).
    """
    releases: list[dict[str, str]] = []
    bad: list[str] = []
    for bid in bids:
        if bid["status"] != "submitted" or member_key_id in bid["released"]:
            continue
        members = [s["member"] for s in bid["shares"]]
        if member_key_id not in members:
            continue
        x = members.index(member_key_id) + 1
        entry = bid["shares"][x - 1]
        try:
            opened = open_sealed_share(box_key, b64decode_strict(entry["sealed"], field="sealed"))
        except ClientError:
            bad.append(bid["bidder"])
            continue
        if not share_is_committed({"ocid": ocid, **bid}, member_key_id, Share(x, opened)):
            bad.append(bid["bidder"])
            continue
        releases.append({"bidder": bid["bidder"], "share": b64encode(opened)})
    return releases, bad


def open_bid(bid: Mapping[str, Any], threshold: int) -> OpenedEnvelope:
    """Anyone: reconstruct the key from a bid's released shares, decrypt and check it.

    Raises a ``procurement.errors.OpeningFailed``, whose ``code`` is the reason, in the
    order checked: ``share_mismatch``, then ``not_enough_shares``, ``bad_share`` or
    ``inconsistent_shares``, then ``ciphertext_hash_mismatch``, ``decryption_failed``,
    ``content_mismatch``, ``bad_envelope`` and ``wrong_binding``.
    """
    members = [s["member"] for s in bid["shares"]]
    shares = [
        Share(members.index(member) + 1, b64decode_strict(text, field="share"))
        for member, text in sorted(bid["released"].items())
    ]
    version = bid_format(bid)
    for share, member in zip(shares, sorted(bid["released"]), strict=True):
        if not share_is_committed(bid, member, share):
            raise ShareMismatch(f"{member}'s released share does not check", member=member)
    key = reconstruct_key(version, shares, threshold)
    ciphertext = b64decode_strict(bid["ciphertext"], field="ciphertext")
    if sha256_hex(ciphertext) != bid["ciphertext_sha256"]:
        raise CiphertextHashMismatch("the ciphertext is not the logged one")
    return open_envelope(
        key, ciphertext, bid["content_sha256"], bid["ocid"], bid["bidder"], version=version
    )


def award_batch(
    officer: SigningKey,
    finance: SigningKey,
    tender: Mapping[str, Any],
    posting_id: str,
    *,
    at: datetime,
    origin: str,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """``[budgeting.commitment.posted, procurement.tender.awarded]``: submit as one batch."""
    winner = tender["winner"]
    if winner is None:
        raise ClientError(f"{tender['ocid']} has no announced winner", code="no_winner")
    value = winner["price_sen"]
    posting = budget_statements.commitment(
        tender["budget_line"],
        posting_id,
        value,
        at.date(),
        f"award {tender['ocid']}",
        ocid=tender["ocid"],
        vendor=winner["bidder"],
        description=tender["title"][:200],
    )
    award = make_signed(
        officer,
        lc.AWARDED_TYPE,
        tender["ocid"],
        {"winner": winner["bidder"], "value": wire_amount(value), "commitment": posting_id},
        at=at,
        origin=origin,
        limits=limits,
    )
    return [posting.sign(finance, at=at, origin=origin, limits=limits), award]


# -- contracts ----------------------------------------------------------------------


def countersign(vendor: SigningKey, statement_type: str, ocid: str, body: Mapping[str, Any]) -> str:
    """The vendor's signature over a contract or amendment body (run on its machine)."""
    from procurement.contracts import contract_terms

    terms = contract_terms(statement_type, ocid, dict(body))
    return b64encode(vendor.sign(terms).signature)


def milestone(name: str, amount_sen: int, due: str) -> dict[str, str]:
    return {"name": name, "amount": wire_amount(amount_sen), "due": due}


def contract_body(
    contract: str,
    value_sen: int,
    start: str,
    end: str,
    milestones: Sequence[Mapping[str, str]],
) -> dict[str, Any]:
    """The terms of ``procurement.contract.signed`` (the vendor countersigns them)."""
    return {
        "contract": contract,
        "value": wire_amount(value_sen),
        "start": start,
        "end": end,
        "milestones": [dict(m) for m in milestones],
    }


def multi_year_approval(
    approver: SigningKey,
    ocid: str,
    budget_line: str,
    terms: Mapping[str, Any],
    approval: str,
    dprd_agreement: str | None = None,
) -> dict[str, Any]:
    """``body.multi_year`` of a kontrak tahun jamak: the approver (``head_of_region``)
    signs the contract's identity, value and period and the references (run on its
    machine); add it to the terms before the vendor countersigns them."""
    from procurement.contracts import multi_year_terms

    references: dict[str, Any] = {"approval": approval, "approver": client_key_id(approver)}
    if dprd_agreement is not None:
        references["dprd_agreement"] = dprd_agreement
    signed = multi_year_terms(
        ocid,
        budget_line,
        terms["contract"],
        terms["value"],
        terms["start"],
        terms["end"],
        references,
    )
    return {**references, "approver_signature": b64encode(approver.sign(signed).signature)}


def contract_statement(
    officer: SigningKey,
    ocid: str,
    body: Mapping[str, Any],
    vendor_signature: str,
    *,
    at: datetime,
    origin: str,
    limits: Limits | None = None,
) -> SignedStatement:
    from procurement.contracts import SIGNED

    full = {**body, "vendor_signature": vendor_signature}
    return make_signed(officer, SIGNED, ocid, full, at=at, origin=origin, limits=limits)


def amendment_body(
    amendment: int,
    value_sen: int,
    milestones: Sequence[Mapping[str, str]],
    reason: str,
    *,
    end: str | None = None,
    commitment: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amendment": amendment,
        "value": wire_amount(value_sen),
        "milestones": [dict(m) for m in milestones],
        "reason": reason,
    }
    if end is not None:
        body["end"] = end
    if commitment is not None:
        body["commitment"] = commitment
    return body


def amendment_batch(
    officer: SigningKey,
    finance: SigningKey,
    contract: Mapping[str, Any],
    body: Mapping[str, Any],
    vendor_signature: str,
    *,
    at: datetime,
    origin: str,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """``[commitment (increase only), procurement.contract.amended]``: one batch."""
    from procurement.contracts import AMENDED

    ocid = contract["ocid"]
    statements: list[SignedStatement] = []
    if "commitment" in body:
        increase = _sen(body["value"]) - contract["value_sen"]
        posting = budget_statements.commitment(
            contract["budget_line"],
            body["commitment"],
            increase,
            at.date(),
            f"{contract['contract']} amendment {body['amendment']}",
            ocid=ocid,
            vendor=contract["vendor"],
        )
        statements.append(posting.sign(finance, at=at, origin=origin, limits=limits))
    full = {**body, "vendor_signature": vendor_signature}
    statements.append(
        make_signed(officer, AMENDED, ocid, full, at=at, origin=origin, limits=limits)
    )
    return statements


def _sen(amount: str) -> int:
    from budgeting.money import parse_positive_amount

    return parse_positive_amount(amount, field="amount")


def payment_request(
    vendor: SigningKey,
    ocid: str,
    request: int,
    milestone_number: int,
    amount_sen: int,
    *,
    at: datetime,
    origin: str,
    invoice: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> SignedStatement:
    from procurement.contracts import PAYMENT_REQUESTED

    body: dict[str, Any] = {
        "request": request,
        "milestone": milestone_number,
        "amount": wire_amount(amount_sen),
    }
    if invoice is not None:
        body["invoice"] = dict(invoice)
    return make_signed(vendor, PAYMENT_REQUESTED, ocid, body, at=at, origin=origin, limits=limits)


def _unpaid_sen(commitment: Mapping[str, Any]) -> int:
    """What a commitment has left to pay, from the public API's document or the
    projection's (the public one carries rupiah strings; issue 12 found the client
    crashing with ``KeyError: 'amount_sen'`` on it)."""
    if "amount_sen" in commitment:
        return int(commitment["amount_sen"]) - int(commitment["paid_sen"])
    return parse_amount(commitment["amount"], field="amount") - parse_amount(
        commitment["paid"], field="paid"
    )


def payment_batch(
    officer: SigningKey,
    finance: SigningKey,
    contract: Mapping[str, Any],
    request: int,
    posting_id: str,
    commitments: Mapping[str, Mapping[str, Any]],
    *,
    at: datetime,
    origin: str,
    document: str | None = None,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """``[budgeting.payment.posted (SP2D) ..., procurement.contract.paid]``: one batch.

    ``commitments`` maps the contract's commitment posting ids to their budgeting
    documents, as ``GET /api/v1/budget/commitments/{posting_id}`` returns them
    (``amount`` and ``paid`` in rupiah) or as the projection holds them (``amount_sen``
    and ``paid_sen``); the amount is paid from them in order, as far as each has room
    (the budgeting payments are ``posting_id``, then ``posting_id-2``, ...).
    """
    from procurement.contracts import PAID

    left = contract["requests"][request - 1]["amount_sen"]
    statements: list[SignedStatement] = []
    ids: list[str] = []
    for commitment_id in contract["commitments"]:
        doc = commitments.get(commitment_id)
        room = left if doc is None else _unpaid_sen(doc)
        part = min(left, room)
        if part <= 0:
            continue
        payment_id = posting_id if not ids else f"{posting_id}-{len(ids) + 1}"
        posting = budget_statements.payment(
            contract["budget_line"],
            payment_id,
            part,
            at.date(),
            commitment=commitment_id,
            document=document or f"SP2D {posting_id}",
            description=f"{contract['contract']} request {request}"[:500],
        )
        statements.append(posting.sign(finance, at=at, origin=origin, limits=limits))
        ids.append(payment_id)
        left -= part
        if left == 0:
            break
    if left:
        raise ClientError("the contract's commitments have no room left", code="no_room")
    paid = make_signed(
        officer,
        PAID,
        contract["ocid"],
        {"request": request, "payments": ids},
        at=at,
        origin=origin,
        limits=limits,
    )
    return [*statements, paid]


def _release_statements(
    finance: SigningKey,
    contract: Mapping[str, Any],
    commitments: Mapping[str, Mapping[str, Any]],
    posting_id: str,
    reason: str,
    *,
    at: datetime,
    origin: str,
    document: str | None,
    limits: Limits | None,
) -> tuple[list[SignedStatement], list[str]]:
    """One ``budgeting.commitment.released`` per contract commitment with an unpaid rest
    (``posting_id``, then ``posting_id-2``, ...), each releasing all of that rest."""
    statements: list[SignedStatement] = []
    ids: list[str] = []
    for commitment_id in contract["commitments"]:
        doc = commitments[commitment_id]
        if doc.get("reversed_by_seq") is not None:
            continue
        unpaid = doc["amount_sen"] - doc["paid_sen"]
        if unpaid <= 0:
            continue
        release_id = posting_id if not ids else f"{posting_id}-{len(ids) + 1}"
        posting = budget_statements.release(
            contract["budget_line"],
            release_id,
            commitment_id,
            unpaid,
            f"{contract['contract']}: {reason}"[: budget_limits.DESCRIPTION_CHARS_MAX],
            document=document,
        )
        statements.append(posting.sign(finance, at=at, origin=origin, limits=limits))
        ids.append(release_id)
    return statements, ids


def completion_batch(
    officer: SigningKey,
    finance: SigningKey,
    contract: Mapping[str, Any],
    commitments: Mapping[str, Mapping[str, Any]],
    handover_reference: str,
    handover_date: str,
    *,
    posting_id: str,
    at: datetime,
    origin: str,
    document: Mapping[str, str] | None = None,
    note: str | None = None,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """``[budgeting.commitment.released ..., procurement.contract.completed]``: one batch.

    ``commitments`` maps the contract's commitment posting ids to their budgeting
    documents (amount and paid); what they still hold unpaid (a contract that cost less
    than committed) is released, one posting per commitment.
    """
    from procurement.contracts import COMPLETED_TYPE

    releases, ids = _release_statements(
        finance,
        contract,
        commitments,
        posting_id,
        f"selesai, BAST {handover_reference}",
        at=at,
        origin=origin,
        document=handover_reference[: budget_limits.DOCUMENT_CHARS_MAX],
        limits=limits,
    )
    body: dict[str, Any] = {
        "handover_reference": handover_reference,
        "handover_date": handover_date,
    }
    if note is not None:
        body["note"] = note
    ending = _ending(
        officer, COMPLETED_TYPE, contract, body, document, ids, at=at, origin=origin, limits=limits
    )
    return [*releases, ending]


def termination_batch(
    officer: SigningKey,
    finance: SigningKey,
    contract: Mapping[str, Any],
    commitments: Mapping[str, Mapping[str, Any]],
    reason: str,
    termination_date: str,
    *,
    posting_id: str,
    at: datetime,
    origin: str,
    document: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """``[budgeting.commitment.released ..., procurement.contract.terminated]``: one batch;
    the unpaid rest of every commitment of the contract goes back to the line."""
    from procurement.contracts import TERMINATED_TYPE

    releases, ids = _release_statements(
        finance,
        contract,
        commitments,
        posting_id,
        f"putus kontrak: {reason}",
        at=at,
        origin=origin,
        document=None if document is None else document["name"][:200],
        limits=limits,
    )
    body: dict[str, Any] = {"reason": reason, "date": termination_date}
    ending = _ending(
        officer, TERMINATED_TYPE, contract, body, document, ids, at=at, origin=origin, limits=limits
    )
    return [*releases, ending]


def _ending(
    officer: SigningKey,
    statement_type: str,
    contract: Mapping[str, Any],
    body: dict[str, Any],
    document: Mapping[str, str] | None,
    release_ids: list[str],
    *,
    at: datetime,
    origin: str,
    limits: Limits | None,
) -> SignedStatement:
    """The completion or termination statement: ``body`` plus its optional document and
    the releases just before it in the batch."""
    if document is not None:
        body["document"] = dict(document)
    if release_ids:
        body["releases"] = release_ids
    return make_signed(
        officer, statement_type, contract["ocid"], body, at=at, origin=origin, limits=limits
    )


# -- documents ----------------------------------------------------------------------

DOCUMENTS_PATH = "/api/v1/procurement/documents/"
DOWNLOAD_CHUNK_BYTES = 1024 * 1024


def upload_document(client: LedgerClient, content: bytes) -> dict[str, Any]:
    """Store ``content`` under its SHA-256 (``PUT /documents/{sha256}``); a logged
    announcement or addendum must name that hash, else 409 ``unknown_document``."""
    response = client.put(
        DOCUMENTS_PATH + sha256_hex(content),
        content=content,
        headers={"content-type": "application/octet-stream"},
    )
    result: dict[str, Any] = response.json()
    return result


@dataclass(frozen=True)
class DownloadedDocument:
    """One document of a tender: ``verified`` (the file holds the logged bytes),
    ``mismatch`` (the bytes served are not the logged ones; nothing written) or
    ``missing`` (the service has no bytes for it yet)."""

    name: str
    sha256: str
    status: str
    file: str | None
    received_sha256: str | None
    size_bytes: int


def document_file_name(name: str, sha256: str) -> str:
    """A local file name for a logged document: the hash's first 12 hex digits, then the
    logged name with anything that could leave the directory replaced."""
    safe = "".join(c if c.isprintable() and c not in '/\\:*?"<>|' else "_" for c in name)
    return f"{sha256[:12]}-{safe.strip(' .') or 'document'}"[:255]


def download_documents(
    client: LedgerClient, ocid: str, directory: Path, *, bytes_max: int = DOWNLOAD_BYTES_MAX
) -> list[DownloadedDocument]:
    """Download every document the tender's log names (announcement and addenda) into
    ``directory``, checking each one's SHA-256 against the logged value.

    Only bytes that match are written under the document's name; a mismatch leaves no
    file behind. The service's word is not taken: the logged hash is the reference.
    """
    documents = client.get(f"/api/v1/procurement/tenders/{ocid}").json()["tender"]["documents"]
    directory.mkdir(parents=True, exist_ok=True)
    results: list[DownloadedDocument] = []
    seen: set[str] = set()
    for logged in documents:
        sha256 = logged["sha256"]
        if sha256 in seen:
            continue
        seen.add(sha256)
        results.append(_download_one(client, logged["name"], sha256, directory, bytes_max))
    return results


def _download_one(
    client: LedgerClient, name: str, sha256: str, directory: Path, bytes_max: int
) -> DownloadedDocument:
    final = directory / document_file_name(name, sha256)
    partial = directory / f".{sha256}.part"
    digest = hashlib.sha256()
    size = 0
    with client.http.stream("GET", DOCUMENTS_PATH + sha256) as response:
        if response.status_code == 404:
            response.read()
            if response.json().get("code") == "document_not_uploaded":
                return DownloadedDocument(name, sha256, "missing", None, None, 0)
        if response.status_code >= 400:
            response.read()
            client.check(response)
        with partial.open("wb") as out:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
                size += len(chunk)
                if size > bytes_max:
                    break
                digest.update(chunk)
                out.write(chunk)
    received = digest.hexdigest() if size <= bytes_max else None
    if received != sha256:
        partial.unlink(missing_ok=True)
        return DownloadedDocument(name, sha256, "mismatch", None, received, size)
    os.replace(partial, final)
    return DownloadedDocument(name, sha256, "verified", str(final), received, size)
