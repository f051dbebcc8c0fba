"""OCDS 1.1 releases (one per logged event) and compiled records, from the ledger.

Pure functions of (tender document, the tender's entries, bid documents, vendor
documents): the router reads them and passes them in; nothing here does I/O. Each
logged entry about an ocid becomes one release with ``id = "<ocid>-<seq>"``, ``date`` =
the entry's logging time, and the tag its event implies (``TAGS``). A record's
``compiledRelease`` is the current projection rendered as one release (tag
``compiled``).

Amounts: OCDS ``Value.amount`` is a JSON number. Terang keeps sen as integers and
writes the number as whole rupiah when it has no sen, else with two decimals; every
amount Terang handles is below 2^53 sen, so the number is exact in every JSON reader.

Mappings (Perpres 16/2018 → OCDS codelists):

* methods: tender, tender_cepat → ``open``; seleksi → ``selective``;
  pengadaan_langsung, penunjukan_langsung → ``limited``; e_purchasing → ``direct``;
  the Indonesian name goes to ``procurementMethodDetails``;
* categories: goods → ``goods``, works → ``works``, consulting and other_services →
  ``services`` (consulting also in ``additionalProcurementCategories``: ``consultingServices``);
* tender status: planned → ``planning``; active → ``active``; closed .. winner_announced
  → ``active``; awarded → ``complete``; cancelled → ``cancelled``; failed → ``unsuccessful``;
* contract status: active and paid (in full, awaiting handover) → ``active``; completed
  and terminated → ``terminated`` (OCDS: "in force, and has now come to a close", for
  either reason); the end is told in ``description``, its document (the BAST:
  ``completionCertificate``; a termination letter: ``cancellationDetails``) in
  ``documents``, and after a termination unpaid milestones are ``notMet`` (partly paid:
  ``partiallyMet``).
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from procurement import lifecycle as lc
from procurement.fields import wire_amount

OCDS_VERSION = "1.1"
BID_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
PUBLISHER = {"name": "Terang"}
CURRENCY = "IDR"

CONTRACT_SIGNED = "procurement.contract.signed"
CONTRACT_AMENDED = "procurement.contract.amended"
PAYMENT_REQUESTED = "procurement.contract.payment_requested"
PAYMENT_REJECTED = "procurement.contract.payment_rejected"
CONTRACT_PAID = "procurement.contract.paid"
CONTRACT_COMPLETED = "procurement.contract.completed"
CONTRACT_TERMINATED = "procurement.contract.terminated"
TAGS: dict[str, list[str]] = {
    lc.PACKAGE_CREATED: ["planning"],
    lc.ANNOUNCED: ["tender"],
    lc.AMENDED: ["tenderAmendment"],
    lc.QUESTION_ASKED: ["tenderUpdate"],
    lc.QUESTION_ANSWERED: ["tenderUpdate"],
    lc.BID_SUBMITTED: ["tenderUpdate"],
    lc.BID_REPLACED: ["tenderUpdate"],
    lc.BID_WITHDRAWN: ["tenderUpdate"],
    lc.BID_CONFIRMED: ["tenderUpdate"],
    lc.CLOSED_TYPE: ["tenderUpdate"],
    lc.SHARES_RELEASED: ["tenderUpdate"],
    lc.OPENED_TYPE: ["tenderUpdate"],
    lc.EVALUATED: ["tenderUpdate"],
    lc.WINNER_ANNOUNCED_TYPE: ["award"],
    lc.OBJECTION_FILED: ["awardUpdate"],
    lc.OBJECTION_ANSWERED: ["awardUpdate"],
    lc.EVALUATION_REOPENED: ["awardCancellation"],
    lc.RELEASE_REOPENED: ["awardCancellation"],
    lc.AWARDED_TYPE: ["awardUpdate"],
    lc.CANCELLED_TYPE: ["tenderCancellation"],
    lc.FAILED_TYPE: ["tenderUpdate"],
    CONTRACT_SIGNED: ["contract"],
    CONTRACT_AMENDED: ["contractAmendment"],
    PAYMENT_REQUESTED: ["implementation"],
    PAYMENT_REJECTED: ["implementation"],
    CONTRACT_PAID: ["implementation"],
    CONTRACT_COMPLETED: ["contractTermination"],
    CONTRACT_TERMINATED: ["contractTermination"],
}
METHOD = {
    "tender": "open",
    "tender_cepat": "open",
    "seleksi": "selective",
    "pengadaan_langsung": "limited",
    "penunjukan_langsung": "limited",
    "e_purchasing": "direct",
}
CATEGORY = {
    "goods": "goods",
    "works": "works",
    "consulting": "services",
    "other_services": "services",
}
STATUS = {
    lc.PLANNED: "planning",
    lc.ACTIVE: "active",
    lc.CLOSED: "active",
    lc.OPENING: "active",
    lc.OPENED: "active",
    lc.WINNER_ANNOUNCED: "active",
    lc.AWARDED: "complete",
    lc.CANCELLED: "cancelled",
    lc.FAILED: "unsuccessful",
}
CRITERIA = {"price_only": "priceOnly", "rated": "ratedCriteria", None: "priceOnly"}
CONTRACT_STATUS = {
    "active": "active",
    "paid": "active",
    "completed": "terminated",
    "terminated": "terminated",
}
ENDING_DOCUMENT_TYPE = {"completed": "completionCertificate", "terminated": "cancellationDetails"}


def codelist(name: str) -> frozenset[str]:
    """Codes of one official codelist (``procurement/data/ocds/codelists/<name>.csv``)."""
    path = resources.files("procurement") / "data" / "ocds" / "codelists" / f"{name}.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def amount(sen: int) -> int | float:
    whole, cents = divmod(sen, 100)
    return whole if cents == 0 else float(Decimal(sen) / 100)


def value(sen: int) -> dict[str, Any]:
    return {"amount": amount(sen), "currency": CURRENCY}


def _buyer(tender: Mapping[str, Any]) -> dict[str, Any]:
    opd = tender["budget_line"].split(":")[1]
    return {"id": f"ID-OPD-{opd}", "name": f"OPD {opd}"}


def _party(vendor_id: str, vendors: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    vendor = vendors.get(vendor_id)
    party: dict[str, Any] = {
        "id": vendor_id,
        "name": vendor["name"] if vendor else vendor_id,
        "roles": ["tenderer"],
    }
    if vendor:
        party["identifier"] = {
            "scheme": "ID-NPWP",
            "id": vendor["npwp"],
            "legalName": vendor["name"],
        }
        party["address"] = {"streetAddress": vendor["address"], "countryName": "Indonesia"}
    return party


def _org_ref(vendor_id: str, vendors: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    vendor = vendors.get(vendor_id)
    return {"id": vendor_id, "name": vendor["name"] if vendor else vendor_id}


def _tender_section(tender: Mapping[str, Any], bids: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    section: dict[str, Any] = {
        "id": tender["ocid"],
        "title": tender["title"],
        "status": STATUS[tender["state"]],
        "value": value(tender["hps_sen"]),
        "procurementMethod": METHOD[tender["method"]],
        "procurementMethodDetails": tender["method"],
        "mainProcurementCategory": CATEGORY[tender["category"]],
        "awardCriteria": CRITERIA[tender["award_criteria"]],
        "submissionMethod": ["electronicSubmission"],
    }
    if tender["category"] == "consulting":
        section["additionalProcurementCategories"] = ["consultingServices"]
    if tender["justification"]:
        section["procurementMethodRationale"] = tender["justification"]
    if tender["description"]:
        section["description"] = tender["description"]
    schedule = tender["schedule"]
    if schedule:
        section["tenderPeriod"] = {
            "startDate": schedule["announced_at"],
            "endDate": schedule["bid_deadline"],
        }
        section["enquiryPeriod"] = {
            "startDate": schedule["announced_at"],
            "endDate": schedule["clarification_end"],
        }
        section["hasEnquiries"] = tender["questions"] > 0
        section["documents"] = [
            {
                "id": doc["sha256"],
                "documentType": "biddingDocuments",
                "title": doc["name"],
                "description": f"SHA-256 {doc['sha256']}",
            }
            for doc in tender["documents"]
        ]
        section["amendments"] = [
            {
                "id": str(item["addendum"]),
                "date": schedule["announced_at"],
                "description": item["description"],
            }
            for item in tender.get("addenda_log", [])
        ]
    if tender["state"] not in (lc.PLANNED, lc.ACTIVE):
        submitted = [b for b in bids if b["status"] == "submitted"]
        section["numberOfTenderers"] = len(submitted)
    return section


def _bid_status(bid: Mapping[str, Any]) -> str:
    if bid["status"] == "withdrawn":
        return "withdrawn"
    if bid["status"] == "late":
        return "disqualified"  # outside the witnesses' time anchor: never opened
    if bid["opening"] is None:
        return "pending"
    return "valid" if bid["validity"] == "valid" else "disqualified"


def _bids_section(
    bids: Sequence[Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
    detail_bidders: Collection[str] | None = None,
) -> dict[str, Any]:
    """Statistics over every bid; details of every bid, or only of ``detail_bidders``."""
    details = []
    for bid in bids:
        if detail_bidders is not None and bid["bidder"] not in detail_bidders:
            continue
        detail: dict[str, Any] = {
            "id": f"{bid['ocid']}-bid-{bid['bidder'][:16]}",
            "date": bid["logged_at"],
            "status": _bid_status(bid),
            "tenderers": [_org_ref(bid["bidder"], vendors)],
        }
        opening = bid["opening"]
        if opening is not None and opening["result"] == "opened":
            detail["value"] = value(opening["price_sen"])
        details.append(detail)
    submitted = [b for b in bids if b["status"] == "submitted"]
    statistics = [
        {"id": "1", "measure": "bids", "value": len(submitted)},
        {
            "id": "2",
            "measure": "validBids",
            "value": sum(b["validity"] == "valid" for b in submitted),
        },
        {
            "id": "3",
            "measure": "disqualifiedBids",
            "value": sum(b["opening"] is not None and b["validity"] != "valid" for b in submitted),
        },
    ]
    section: dict[str, Any] = {"statistics": statistics}
    if details:
        section["details"] = details
    return section


def _awards(
    tender: Mapping[str, Any], vendors: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    winner = tender["winner"]
    award = tender["award"]
    if winner is None and award is None:
        return []
    bidder = award["winner"] if award else winner["bidder"]
    price = award["value_sen"] if award else winner["price_sen"]
    entry: dict[str, Any] = {
        "id": f"{tender['ocid']}-award-1",
        "status": "active" if award else "pending",
        "value": value(price),
        "suppliers": [_org_ref(bidder, vendors)],
    }
    if award:
        entry["date"] = award["date"]
    return [entry]


def _day(day: str) -> str:
    return f"{day}T00:00:00Z"


def _milestone_status(milestone: Mapping[str, Any], terminated: bool) -> str:
    if milestone["paid_sen"] == milestone["amount_sen"]:
        return "met"
    if not terminated:
        return "scheduled"
    return "partiallyMet" if milestone["paid_sen"] else "notMet"


def _ending(section: dict[str, Any], ended: Mapping[str, Any]) -> None:
    """How the contract ended: ``description`` and the ending document, if any."""
    if ended["status"] == "completed":
        section["description"] = (
            f"Completed: handover (BAST) {ended['handover_reference']} on {ended['date']}"
        )
    else:
        section["description"] = f"Terminated on {ended['date']}: {ended['reason']}"
    document = ended.get("document")
    if document is not None:
        section["documents"] = [
            {
                "id": document["sha256"],
                "documentType": ENDING_DOCUMENT_TYPE[ended["status"]],
                "title": document["name"],
                "description": f"SHA-256 {document['sha256']}",
                "datePublished": ended["at"],
            }
        ]


def _contracts(
    tender: Mapping[str, Any],
    contract: Mapping[str, Any],
    vendors: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The contract (``procurement.contract``), its amendments and its paid requests."""
    ocid = tender["ocid"]
    section: dict[str, Any] = {
        "id": f"{ocid}-contract-1",
        "awardID": f"{ocid}-award-1",
        "title": contract["contract"],
        "status": CONTRACT_STATUS[contract["status"]],
        "value": value(contract["value_sen"]),
        "period": {"startDate": _day(contract["start"]), "endDate": _day(contract["end"])},
        "dateSigned": contract["signed_at"],
        "milestones": [
            {
                "id": str(index),
                "title": milestone["name"],
                "type": "payment",
                "dueDate": _day(milestone["due"]),
                "status": _milestone_status(milestone, contract["status"] == "terminated"),
            }
            for index, milestone in enumerate(contract["milestones"], start=1)
        ],
    }
    ended = contract.get("ended")
    if ended is not None:
        _ending(section, ended)
    if contract["amendments"]:
        section["amendments"] = [
            {
                "id": str(a["amendment"]),
                "date": a["date"],
                "rationale": a["reason"],
                "description": f"value {wire_amount(a['value_before_sen'])} ->"
                f" {wire_amount(a['value_sen'])}",
            }
            for a in contract["amendments"]
        ]
    transactions = [
        {
            "id": f"{ocid}-payment-{r['request']}",
            "value": value(r["amount_sen"]),
            "payee": _org_ref(contract["vendor"], vendors),
            "payer": {"id": tender["planned_by"], "name": "PPK"},
        }
        for r in contract["requests"]
        if r["status"] == "paid"
    ]
    if transactions:
        section["implementation"] = {"transactions": transactions}
    return [section]


def compiled_release(
    tender: Mapping[str, Any],
    bids: Sequence[Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
    *,
    release_id: str,
    date: str,
    tag: list[str],
    contract: Mapping[str, Any] | None = None,
    detail_bidders: Collection[str] | None = None,
) -> dict[str, Any]:
    """A full release of the tender's current state.

    With ``detail_bidders``, the bid details, tenderers and parties are only those
    bidders' (the bid statistics and ``numberOfTenderers`` still count every bid).
    """
    buyer = _buyer(tender)
    parties = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
    seen = set()
    for bid in bids:
        if bid["bidder"] not in seen and (
            detail_bidders is None or bid["bidder"] in detail_bidders
        ):
            seen.add(bid["bidder"])
            parties.append(_party(bid["bidder"], vendors))
    release: dict[str, Any] = {
        "ocid": tender["ocid"],
        "id": release_id,
        "date": date,
        "tag": tag,
        "initiationType": "tender",
        "language": "id",
        "parties": parties,
        "buyer": buyer,
        "planning": {
            "budget": {
                "id": tender["budget_line"],
                "description": f"APBD {tender['year']} {tender['budget_line']}",
                "amount": value(tender["hps_sen"]),
            }
        },
        "tender": _tender_section(tender, bids),
    }
    if bids and tender["state"] not in (lc.PLANNED,):
        release["bids"] = _bids_section(bids, vendors, detail_bidders)
        if seen:
            release["tender"]["tenderers"] = [_org_ref(b, vendors) for b in sorted(seen)]
    awards = _awards(tender, vendors)
    if awards:
        release["awards"] = awards
    if contract is not None:
        release["contracts"] = _contracts(tender, contract, vendors)
    return release


BID_EVENTS = frozenset({lc.BID_SUBMITTED, lc.BID_REPLACED, lc.BID_WITHDRAWN, lc.BID_CONFIRMED})


def touched_bidders(entry: Mapping[str, Any]) -> set[str]:
    """The bidders whose bid one logged event changed (``entry``: type, signer, body)."""
    body = entry.get("body") or {}
    if entry["type"] in BID_EVENTS:
        return {entry["signer"]}
    items: Any = []
    if entry["type"] == lc.SHARES_RELEASED:
        items = body.get("shares", [])
    elif entry["type"] == lc.EVALUATED:
        items = body.get("results", [])
    return {i["bidder"] for i in items if isinstance(i, dict) and isinstance(i.get("bidder"), str)}


def event_release(
    tender: Mapping[str, Any],
    entry: Mapping[str, Any],
    bids: Sequence[Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
    contract: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The release for one logged event: the event's own tag, the tender as it now is.

    A release names its event (``id``, ``date``, ``tag``) and carries the sections that
    event touched; fields later events changed are shown as they are now (the log
    entry itself is the exact record of the event). Of the bids it details only those
    its event touched (``touched_bidders``), with their parties; the statistics count
    every bid. OCDS merges releases' ``bids.details``, ``parties`` and ``tenderers`` by
    ``id``, so the releases still add up to every bid, and a record grows linearly with
    its bids: with every bid in every release, the record of a tender with 1,000 bids
    was 383 MB and took 2 GB to build (bench/procurement_bench.py).
    """
    tag = TAGS.get(entry["type"], ["tenderUpdate"])
    touched = touched_bidders(entry)
    if entry["type"] == lc.OPENED_TYPE:
        # The opening decides every active bid at once.
        touched |= {b["bidder"] for b in bids if b["status"] == "submitted"}
    if tag[0].startswith(("award", "contract")) or tag == ["implementation"]:
        award = tender["award"]
        winner = award["winner"] if award else (tender["winner"] or {}).get("bidder")
        if winner:
            touched.add(winner)  # the award's supplier, referenced from the awards
    full = compiled_release(
        tender,
        [b for b in bids if b["seq"] <= entry["seq"] or b["first_seq"] <= entry["seq"]],
        vendors,
        release_id=f"{tender['ocid']}-{entry['seq']}",
        date=entry["logged_at"],
        tag=tag,
        contract=contract
        if contract is not None and entry["seq"] >= contract["signed_seq"]
        else None,
        detail_bidders=touched,
    )
    keep = {"ocid", "id", "date", "tag", "initiationType", "language", "parties", "buyer"}
    if tag == ["planning"]:
        keep |= {"planning"}
        full["tender"] = {"id": tender["ocid"], "status": "planning", "title": tender["title"]}
        keep |= {"tender"}
    elif tag[0].startswith("tender"):
        keep |= {"tender", "bids"}
    elif tag[0].startswith("contract") or tag == ["implementation"]:
        keep |= {"awards", "contracts"}
    else:
        keep |= {"tender", "bids", "awards"}
    return {k: v for k, v in full.items() if k in keep}


def release_package(
    releases: Iterable[dict[str, Any]], *, uri: str, published: str
) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": PUBLISHER,
        "extensions": [BID_EXTENSION],
        "releases": list(releases),
    }


def record_package(
    records: Iterable[dict[str, Any]], *, uri: str, published: str
) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": PUBLISHER,
        "extensions": [BID_EXTENSION],
        "records": list(records),
    }


def record(
    tender: Mapping[str, Any],
    entries: Sequence[Mapping[str, Any]],
    bids: Sequence[Mapping[str, Any]],
    vendors: Mapping[str, Mapping[str, Any]],
    contract: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    releases = [event_release(tender, e, bids, vendors, contract) for e in entries]
    last = (
        entries[-1] if entries else {"seq": tender["last_seq"], "logged_at": tender["created_at"]}
    )
    return {
        "ocid": tender["ocid"],
        "releases": releases,
        "compiledRelease": compiled_release(
            tender,
            bids,
            vendors,
            release_id=f"{tender['ocid']}-compiled-{last['seq']}",
            date=last["logged_at"],
            tag=["compiled"],
            contract=contract,
        ),
    }
