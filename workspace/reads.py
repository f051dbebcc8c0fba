"""What the workspace's pages read: the key registry and the log's set-up, from the
public projections (the same rows ``/api/v1/projections`` serves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ledger.authority import CLOCK_KEY, KEY_NAMESPACE, META_NAMESPACE
from procurement import reads
from procurement.npwp import display as npwp_display
from procurement.vendors import VENDOR_NAMESPACE
from workspace.limits import (
    COMMITTEE_TENDERS_SHOWN_MAX,
    KEYS_SHOWN_MAX,
    OPEN_TENDERS_SHOWN_MAX,
    VENDORS_WAITING_SHOWN_MAX,
)


@dataclass(frozen=True)
class RegisteredKey:
    key_id: str
    name: str
    roles: tuple[str, ...]
    registered_seq: int
    revoked_seq: int | None


@dataclass(frozen=True)
class Registry:
    keys: tuple[RegisteredKey, ...]
    truncated: bool

    def holders(self, role: str) -> tuple[RegisteredKey, ...]:
        """Keys not revoked that hold ``role`` now."""
        return tuple(k for k in self.keys if role in k.roles and k.revoked_seq is None)


def _key(doc: dict[str, Any]) -> RegisteredKey:
    revoked = doc.get("revoked_seq")
    return RegisteredKey(
        key_id=str(doc["key_id"]),
        name=str(doc["name"]),
        roles=tuple(sorted(doc.get("roles", ()))),
        registered_seq=int(doc["registered_seq"]),
        revoked_seq=None if revoked is None else int(revoked),
    )


def registry(conn: Connection) -> Registry:
    """The registered keys, shown in registration order: at most ``KEYS_SHOWN_MAX``, the
    first in key-id order (``truncated`` says more exist)."""
    found: list[RegisteredKey] = []
    truncated = False
    for _, doc in reads.scan(conn, KEY_NAMESPACE, ""):
        if len(found) == KEYS_SHOWN_MAX:
            truncated = True
            break
        found.append(_key(doc))
    return Registry(tuple(sorted(found, key=lambda k: k.registered_seq)), truncated)


def is_demo(conn: Connection) -> bool:
    """Whether the log declared a simulated clock (``terang demo``'s logs do)."""
    return reads.document(conn, META_NAMESPACE, CLOCK_KEY) is not None


@dataclass(frozen=True)
class TenderDocument:
    name: str
    sha256: str


@dataclass(frozen=True)
class OpenTender:
    ocid: str
    title: str
    hps_sen: int
    bid_deadline: str | None
    documents: tuple[TenderDocument, ...]


def open_tenders(conn: Connection) -> tuple[OpenTender, ...]:
    """Tenders taking bids now (state ``active``), at most ``OPEN_TENDERS_SHOWN_MAX``."""
    page = reads.find_tenders(
        conn, reads.TenderFilter(state="active"), limit=OPEN_TENDERS_SHOWN_MAX
    )
    return tuple(
        OpenTender(
            ocid=str(doc["ocid"]),
            title=str(doc["title"]),
            hps_sen=int(doc["hps_sen"]),
            bid_deadline=(doc.get("schedule") or {}).get("bid_deadline"),
            documents=tuple(
                TenderDocument(str(d["name"]), str(d["sha256"])) for d in doc["documents"]
            ),
        )
        for doc in page.items
    )


@dataclass(frozen=True)
class CommitteeTender:
    ocid: str
    title: str
    state: str
    bid_deadline: str | None
    members: tuple[str, ...]
    """The committee's key ids, in committee order (member i gets x = i)."""
    threshold: int
    released_by: tuple[str, ...]
    """Members who released shares so far (after the closing)."""


COMMITTEE_STATES = ("active", "closed", "opening")
"""The stages in which a committee member has something to see or do: bids coming in,
shares to release after the closing, the opening under way."""


def committee_tenders(conn: Connection) -> tuple[CommitteeTender, ...]:
    """Tenders in ``COMMITTEE_STATES``, at most ``COMMITTEE_TENDERS_SHOWN_MAX`` of each
    stage, with their committees (the page's script keeps those naming its key)."""
    found: list[CommitteeTender] = []
    for state in COMMITTEE_STATES:
        page = reads.find_tenders(
            conn, reads.TenderFilter(state=state), limit=COMMITTEE_TENDERS_SHOWN_MAX
        )
        for doc in page.items:
            committee = doc.get("committee") or {}
            found.append(
                CommitteeTender(
                    ocid=str(doc["ocid"]),
                    title=str(doc["title"]),
                    state=state,
                    bid_deadline=(doc.get("schedule") or {}).get("bid_deadline"),
                    members=tuple(str(m["key_id"]) for m in committee.get("members", ())),
                    threshold=int(committee.get("threshold", 0)),
                    released_by=tuple(str(m) for m in doc.get("released_by", ())),
                )
            )
    return tuple(found)


@dataclass(frozen=True)
class WaitingVendor:
    vendor_id: str
    name: str
    npwp: str
    """As usually written (``01.234.567.8-901.000``)."""
    address: str
    qualification: str
    registered_at: str


@dataclass(frozen=True)
class Waiting:
    vendors: tuple[WaitingVendor, ...]
    truncated: bool


def vendors_waiting(conn: Connection) -> Waiting:
    """Vendors registered and not yet activated, in vendor-id order, at most
    ``VENDORS_WAITING_SHOWN_MAX`` (``truncated`` says when more are waiting, or when the
    scan's bound stopped it first)."""
    found: list[WaitingVendor] = []
    last_key = None
    for key, doc in reads.scan(conn, VENDOR_NAMESPACE, ""):
        last_key = key
        if doc["status"] != "registered":
            continue
        if len(found) == VENDORS_WAITING_SHOWN_MAX:
            return Waiting(tuple(found), True)
        found.append(
            WaitingVendor(
                vendor_id=str(doc["vendor_id"]),
                name=str(doc["name"]),
                npwp=npwp_display(str(doc["npwp"])),
                address=str(doc["address"]),
                qualification=str(doc["qualification"]),
                registered_at=str(doc["registered_at"]),
            )
        )
    more = last_key is not None and reads.scan_bound_reached(conn, VENDOR_NAMESPACE, "", last_key)
    return Waiting(tuple(found), more)
