"""OCDS 1.1 releases (one per logged entry) and records, true in time. Pure: no I/O.

Each entry about an ocid becomes one release with ``id = "<ocid>-<seq>"``, ``date`` = the
entry's logging time and the tag its event implies (``TAGS``). A release is rendered from
the tender AS THAT ENTRY LEFT IT: the router replays the tender's entries through the
log's own reducers (``procurement.history.replay``) and hands each ``Moment`` to
``Releases``, which renders the whole tender (``Releases.full``) and publishes what
changed since the previous release (``changes``), so that merging the releases with
the OCDS merge rules gives the tender at every entry; the record's ``compiledRelease``
is the whole tender after the last one. Awards are the awards as they went
(``history.Award``: a cancelled one stays beside the next); bids that failed the opening
or the evaluation are ``disqualified`` (``bid_status``).

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
  ``partiallyMet``); the contract completion extension's ``implementation`` fields give
  the end day and what was paid in all;
* parties: the OPD is buyer and procuring entity (and payer from the first payment); a
  bidder is a tenderer from its first bid, a supplier from the entry that makes its
  award ``active``, a payee from its first payment;
* when: every date that says something happened is the logging time of the entry that
  did it (``Moment.times``), so a release never names a later fact. The whole table:
  docs/procurement.md, "The OCDS mapping".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from ledger.errors import InvariantBroken
from procurement import lifecycle as lc
from procurement.fields import wire_amount
from procurement.history import Award, Moment
from procurement.items import ocds_item

OCDS_VERSION = "1.1"
BID_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
ENQUIRY_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/"
    "v1.1.5/extension.json"
)
"""``tender.enquiries``: the questions of the penjelasan (aanwijzing) and their answers."""
COMPLETION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_contract_completion_extension/master/extension.json"
)
"""``implementation.endDate``, ``endDateDetails`` and ``finalValue`` of an ended contract.
The extension has no release tag: its ``master`` is the version the registry lists."""
EXTENSIONS = (BID_EXTENSION, ENQUIRY_EXTENSION, COMPLETION_EXTENSION)
OPD_SCHEME = "ID-OPD"
"""The buyer's ``identifier.scheme``: the OPD's code in the Permendagri 90/2019
classification, as the budget line names it. No org-id.guide list covers Indonesian
regional bodies, and the code is unique within one pemda (one log), not across pemda."""
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".html": "text/html",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
"""A document's ``format`` (IANA media type) from the extension of the name the log
holds; a fixed table, not the host's ``mimetypes`` (whose answers differ by machine, and a
release must be recomputable anywhere). Another extension: no ``format``."""
PUBLISHER = {"name": "Terang"}
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
"""The data's license (a package's ``license``): CC0 1.0. Public procurement records of a
public body, published so that anyone may reuse them without asking."""
PUBLICATION_POLICY = """\
Terang OCDS publication policy

What: every contracting process (tender, ocid) of this Terang ledger, as OCDS 1.1
releases and records, with the bid extension (bids.details, bids.statistics) and the
enquiry extension (tender.enquiries: the questions and answers) and the contract
completion extension (an ended contract's end date and final value).

When: live. A release is published the moment its log entry is logged: one release per
entry about the ocid, with the entry's logging time as its date. Releases are never
changed or withdrawn: the log is append-only, and every release is a pure function of
the tender's log entries (replayed through the same reducers that accepted them), so
anyone holding the log can recompute and check every package.

Truth in time: each release says what was known at its entry, never later facts. An
award overturned after an upheld objection stays, cancelled, beside the next one; bids
that failed the opening or the evaluation are disqualified.

Not published: the contents of sealed bids before the opening, personal data beyond
the vendors' registered names, NPWP and addresses, and who asked a question in the
penjelasan (the questions and answers are published, not their authors).

Paging: bulk packages by fiscal year, in ocid order; links.next is the next page.
The log size a response reflects is in the X-Terang-Tree-Size header.

License: CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/).
"""
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


def _buyer_party(
    tender: Mapping[str, Any], opds: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The OPD whose budget line funds the package: buyer and procuring entity. Its name
    is the one its ``budgeting.structure.registered`` entry logged (registered once, and
    before any line of it, so before the package); the log holds no address of it."""
    opd = tender["budget_line"].split(":")[1]
    found = opds.get(opd)
    name = found["name"] if found else f"OPD {opd}"
    return {
        "id": f"ID-OPD-{opd}",
        "name": name,
        "identifier": {"scheme": OPD_SCHEME, "id": opd, "legalName": name},
    }


def _planning(tender: Mapping[str, Any]) -> dict[str, Any]:
    """The budget line, and the RUP item the package cited AS IT CITED IT (the package's
    own document keeps it: a later revision of the item does not reach back): its value
    as the budget, its name and flags as the rationale, its planned months as
    milestones (the first day of the month, 00:00 UTC: that day in every Indonesian zone)."""
    budget: dict[str, Any] = {
        "id": tender["budget_line"],
        "description": f"APBD {tender['year']} {tender['budget_line']}",
        "amount": value(tender["hps_sen"]),
    }
    planning: dict[str, Any] = {"budget": budget}
    item = tender.get("rup")
    if item is None:
        return planning
    budget["amount"] = value(item["value_sen"])
    budget["description"] += f"; RUP {item['code']} revisi {item['revision']}"
    flags = [
        "produk dalam negeri (PDN)" if item["pdn"] else None,
        "usaha mikro dan kecil (UMK)" if item["umk"] else None,
    ]
    planning["rationale"] = (
        f"RUP {item['code']} ({item['opd']}): {item['name']}; {item['procurement_type']}"
        + "".join(f"; {flag}" for flag in flags if flag)
    )
    planning["milestones"] = [
        {
            "id": f"rup-{item['code']}-{kind}",
            "title": title,
            "type": milestone_type,
            "description": f"{title}: {month} (RUP {item['code']})",
            "dueDate": f"{month}-01T00:00:00Z",
            "status": "scheduled",
        }
        for kind, title, milestone_type, month in (
            ("selection", "Rencana mulai pemilihan", "preProcurement", item["selection_start"]),
            ("contract", "Rencana mulai kontrak", "approval", item["contract_start"]),
        )
    ]
    return planning


def _ref(party: Mapping[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


def document_format(name: str) -> str | None:
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower()) if dot > 0 else None


def _document(
    document: Mapping[str, str], document_type: str, published: str, links: Links
) -> dict[str, Any]:
    """A stored document (``{name, sha256}``): served at ``/documents/{sha256}``."""
    found: dict[str, Any] = {
        "id": document["sha256"],
        "documentType": document_type,
        "title": document["name"],
        "description": f"SHA-256 {document['sha256']}",
    }
    if links.documents is not None:
        found["url"] = links.documents + document["sha256"]
    media_type = document_format(document["name"])
    if media_type is not None:
        found["format"] = media_type
    found["datePublished"] = published
    return found


def _note(id_: str, document_type: str, title: str, text: str, published: str) -> dict[str, Any]:
    """A document that is only the text the log holds (a reason, an objection): no url."""
    return {
        "id": id_,
        "documentType": document_type,
        "title": title,
        "description": text,
        "datePublished": published,
    }


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


@dataclass(frozen=True)
class Links:
    """The absolute URLs a release names, from the request (``router``): ``documents``
    is the prefix of ``GET /documents/{sha256}``; None: documents carry no ``url``."""

    documents: str | None = None


NO_LINKS = Links()


def _ending_note(tender: Mapping[str, Any], times: Mapping[int, str]) -> dict[str, Any]:
    ended = tender["ended"]
    title = "Tender cancelled" if ended["state"] == lc.CANCELLED else "Tender failed (gagal)"
    return _note(
        f"{tender['ocid']}-ended",
        "cancellationDetails",
        title,
        ended["reason"],
        times[ended["seq"]],
    )


def _tender_section(
    tender: Mapping[str, Any],
    submitted: int,
    *,
    buyer: Mapping[str, Any],
    moment: Moment,
    links: Links,
) -> dict[str, Any]:
    times = moment.times
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
        "procuringEntity": _ref(buyer),
    }
    if tender["category"] == "consulting":
        section["additionalProcurementCategories"] = ["consultingServices"]
    if tender["justification"]:
        section["procurementMethodRationale"] = tender["justification"]
    if tender["description"]:
        section["description"] = tender["description"]
    if tender.get("items"):  # a package logged before items existed has none
        section["items"] = [ocds_item(item, CURRENCY, amount) for item in tender["items"]]
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
        amendments = [
            {
                "id": str(item["addendum"]),
                "date": times[item["seq"]],
                "description": item["description"],
            }
            for item in tender.get("addenda_log", [])
        ]
        if amendments:  # an empty array merges to nothing: it is left out
            section["amendments"] = amendments
    documents = [
        _document(doc, "biddingDocuments", moment.published[doc["sha256"]], links)
        for doc in tender["documents"]
    ]
    if tender["ended"] is not None:
        documents.append(_ending_note(tender, times))
    if documents:
        section["documents"] = documents
    if tender["state"] not in (lc.PLANNED, lc.ACTIVE):
        section["numberOfTenderers"] = submitted
    return section


def bid_status(bid: Mapping[str, Any]) -> str:
    """The bid extension's ``bidStatus`` of one bid document as it stands.

    A bid that failed evaluation is ``disqualified`` like one whose opening did not
    verify; one that passed (or is not evaluated yet) after a valid opening is ``valid``.
    """
    if bid["status"] == "withdrawn":
        return "withdrawn"
    if bid["status"] == "late":
        return "disqualified"  # outside the witnesses' time anchor: never opened
    if bid["opening"] is None:
        return "pending"
    if bid["validity"] != "valid":
        return "disqualified"
    evaluation = bid.get("evaluation")
    if evaluation is not None and not evaluation["passed"]:
        return "disqualified"
    return "valid"


def bid_detail(bid: Mapping[str, Any], vendors: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "id": f"{bid['ocid']}-bid-{bid['bidder'][:16]}",
        "date": bid["logged_at"],
        "status": bid_status(bid),
        "tenderers": [_org_ref(bid["bidder"], vendors)],
    }
    opening = bid["opening"]
    if opening is not None and opening["result"] == "opened":
        detail["value"] = value(opening["price_sen"])
    return detail


def bid_statistics(statuses: Mapping[str, int]) -> list[dict[str, Any]]:
    """``bids.statistics`` from the count of bids per ``bid_status``: ``bids`` counts every
    bid received and not withdrawn (late ones too), ``validBids`` and ``disqualifiedBids``
    the bid statistics codelist's measures of those statuses."""
    received = sum(n for status, n in statuses.items() if status != "withdrawn")
    return [
        {"id": "1", "measure": "bids", "value": received},
        {"id": "2", "measure": "validBids", "value": statuses.get("valid", 0)},
        {"id": "3", "measure": "disqualifiedBids", "value": statuses.get("disqualified", 0)},
    ]


def award_id(ocid: str, award: Award) -> str:
    return f"{ocid}-award-{award.number}"


OUTCOME = {"upheld": "Upheld", "rejected": "Rejected"}


def _enquiry(question: Mapping[str, Any], times: Mapping[int, str]) -> dict[str, Any]:
    """A question of the penjelasan as an enquiry (the enquiry extension). Its author is
    not named: who asks tells competitors who is interested before the deadline."""
    found: dict[str, Any] = {
        "id": str(question["number"]),
        "date": times[question["asked_seq"]],
        "description": question["question"],
    }
    if question["answered_seq"] is not None:
        found["answer"] = question["answer"]
        found["dateAnswered"] = times[question["answered_seq"]]
    return found


def _objection_notes(
    objection: Mapping[str, Any], times: Mapping[int, str]
) -> list[dict[str, Any]]:
    """An objection (sanggah) as the award's ``complaints`` documents: the objection from
    its filing, the committee's decision from its answer."""
    number = objection["number"]
    prefix = f"{objection['ocid']}-sanggah-{number}"
    notes = [
        _note(
            prefix,
            "complaints",
            f"Sanggah {number}",
            objection["objection"],
            times[objection["filed_seq"]],
        )
    ]
    if objection["answered_seq"] is not None:
        late = " (answered late)" if objection["answered_late"] else ""
        notes.append(
            _note(
                f"{prefix}-answer",
                "complaints",
                f"Sanggah {number}: {OUTCOME[objection['outcome']]}{late}",
                objection["answer"],
                times[objection["answered_seq"]],
            )
        )
    return notes


def _awards(
    ocid: str,
    awards: Sequence[Award],
    vendors: Mapping[str, Mapping[str, Any]],
    objections: Mapping[int, Sequence[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Every award as it went (``history.Award``): a cancelled one stays beside the next,
    with the reason in a ``cancellationDetails`` document; ``objections``: the complaints
    documents of each award's objections, by award number."""
    found = []
    for award in awards:
        entry: dict[str, Any] = {
            "id": award_id(ocid, award),
            "status": award.status,
            "value": value(award.price_sen),
            "suppliers": [_org_ref(award.bidder, vendors)],
        }
        if award.date is not None:
            entry["date"] = award.date
        documents = list(objections.get(award.number, ()))
        if award.cancelled_at is not None and award.cancel_reason is not None:
            documents.append(
                _note(
                    f"{entry['id']}-cancelled",
                    "cancellationDetails",
                    "Award cancelled",
                    award.cancel_reason,
                    award.cancelled_at,
                )
            )
        if documents:
            entry["documents"] = documents
        found.append(entry)
    return found


def _day(day: str) -> str:
    return f"{day}T00:00:00Z"


def _milestone_status(milestone: Mapping[str, Any], terminated: bool) -> str:
    if milestone["paid_sen"] == milestone["amount_sen"]:
        return "met"
    if not terminated:
        return "scheduled"
    return "partiallyMet" if milestone["paid_sen"] else "notMet"


def _milestone(
    index: int, milestone: Mapping[str, Any], terminated: bool, met_at: Mapping[int, str]
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(index),
        "title": milestone["name"],
        "type": "payment",
        "dueDate": _day(milestone["due"]),
        "status": _milestone_status(milestone, terminated),
    }
    if found["status"] == "met" and index in met_at:
        found["dateMet"] = met_at[index]
    return found


def _ending(section: dict[str, Any], ended: Mapping[str, Any], links: Links) -> None:
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
            _document(document, ENDING_DOCUMENT_TYPE[ended["status"]], ended["at"], links)
        ]


def _contracts(
    tender: Mapping[str, Any],
    contract: Mapping[str, Any],
    vendors: Mapping[str, Mapping[str, Any]],
    *,
    moment: Moment,
    buyer: Mapping[str, Any],
    links: Links,
) -> list[dict[str, Any]]:
    """The contract (``procurement.contract``), its amendments and its paid requests:
    each a transaction dated at its ``paid`` entry, from the buyer to the vendor; a
    milestone is ``met`` at the payment that completed it (``dateMet``)."""
    ocid = tender["ocid"]
    awards = moment.awards
    times = moment.times
    active = [a for a in awards if a.status == "active"]
    met_at: dict[int, str] = {}
    for r in contract["requests"]:
        if r["status"] == "paid":  # in seq order: the last payment on a milestone wins
            met_at[r["milestone"]] = times[r["decided_seq"]]
    section: dict[str, Any] = {
        "id": f"{ocid}-contract-1",
        "awardID": award_id(ocid, active[-1] if active else awards[-1]),
        "title": contract["contract"],
        "status": CONTRACT_STATUS[contract["status"]],
        "value": value(contract["value_sen"]),
        "period": {"startDate": _day(contract["start"]), "endDate": _day(contract["end"])},
        "dateSigned": contract["signed_at"],
        "milestones": [
            _milestone(index, milestone, contract["status"] == "terminated", met_at)
            for index, milestone in enumerate(contract["milestones"], start=1)
        ],
    }
    ended = contract.get("ended")
    if ended is not None:
        _ending(section, ended, links)
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
            "date": times[r["decided_seq"]],
            "value": value(r["amount_sen"]),
            "payer": _ref(buyer),
            "payee": _org_ref(contract["vendor"], vendors),
        }
        for r in contract["requests"]
        if r["status"] == "paid"
    ]
    implementation: dict[str, Any] = {}
    if transactions:
        implementation["transactions"] = transactions
    if ended is not None:
        # The contract completion extension: how it ended, and what it paid in all.
        implementation["endDate"] = _day(ended["date"])
        implementation["endDateDetails"] = section["description"]
        implementation["finalValue"] = value(contract["paid_sen"])
    if implementation:
        section["implementation"] = implementation
    return [section]


RELEASE_FIELDS = ("ocid", "id", "date", "tag", "initiationType")
"""Fields every release carries (the release schema requires them); the rest of a
release is only what its entry changed."""


class Releases:
    """One tender's releases, built incrementally from its replay (``history.replay``).

    ``full(moment)`` renders the whole tender as the moment shows it; ``release(moment)``
    is the event's release: the fields ``RELEASE_FIELDS`` and what changed since the
    previous release (``changes``), so that merging the releases in order (OCDS merge
    rules: objects field by field, arrays of objects by ``id``, other arrays whole) gives
    the full rendering at every entry, and a release stays the size of its change: with
    every bid in every release the record of a tender with 1,000 bids was 383 MB
    (bench/procurement_bench.py). The per-bid arrays (``bids.details``, the bidders'
    ``parties``, ``tender.tenderers``) are not diffed: the replay says which bids the
    entry wrote (``Moment.changed_bidders``), so only those are rendered again and
    compared, and a release costs what its entry changed; diffing every bid at every
    entry made the 1,000-bid record quadratic (10 s of its 11).
    """

    def __init__(
        self,
        ocid: str,
        vendors: Mapping[str, Mapping[str, Any]],
        *,
        opds: Mapping[str, Mapping[str, Any]] | None = None,
        links: Links = NO_LINKS,
    ) -> None:
        self.ocid = ocid
        self.vendors = vendors
        self.opds: Mapping[str, Mapping[str, Any]] = {} if opds is None else opds
        self.links = links
        self.special: dict[str, tuple[str, ...]] = {}
        """Bidders with roles beyond ``tenderer`` (``supplier``, ``payee``)."""
        self.role_changes: list[str] = []
        """Bidders (not fresh) whose roles the last moment changed."""
        self.enquiries: dict[int, dict[str, Any]] = {}
        self.objections: dict[int, list[dict[str, Any]]] = {}
        self.objection_award: dict[int, int] = {}
        """Objection number → the number of the award it was filed against."""
        self.opened_at: str | None = None
        self.details: dict[str, dict[str, Any]] = {}
        self.parties: dict[str, dict[str, Any]] = {}
        self.tenderers: dict[str, dict[str, str]] = {}
        self.statuses: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.submitted: set[str] = set()
        self.previous: dict[str, Any] = {}
        self.last: Moment | None = None
        self.changed_details: list[dict[str, Any]] = []
        """What the last moment changed in ``bids.details`` (new or changed bids)."""
        self.fresh: list[str] = []
        """The bidders the last moment saw first (new parties and tenderers)."""

    def _take(self, moment: Moment) -> None:
        self.changed_details = []
        self.fresh = []
        changed = moment.changed_bidders
        # In the bids' order (the order they first bid), walking every bid only when
        # one entry wrote several (the opening, a share release, an evaluation).
        ordered = list(changed) if len(changed) <= 1 else [b for b in moment.bids if b in changed]
        for bidder in ordered:
            bid = moment.bids[bidder]
            status = bid_status(bid)
            old = self.statuses.get(bidder)
            if old is not None:
                self.counts[old] -= 1
            self.statuses[bidder] = status
            self.counts[status] = self.counts.get(status, 0) + 1
            if bid["status"] == "submitted":
                self.submitted.add(bidder)
            else:
                self.submitted.discard(bidder)
            detail = bid_detail(bid, self.vendors)
            earlier = self.details.get(bidder)
            if earlier is None:
                self.changed_details.append(detail)
            elif earlier != detail:
                self.changed_details.append(_with_required(detail, changes(earlier, detail)))
            self.details[bidder] = detail
            if bidder not in self.parties:
                self.parties[bidder] = _party(bidder, self.vendors)
                self.tenderers[bidder] = _org_ref(bidder, self.vendors)
                self.fresh.append(bidder)
        self._take_roles(moment)
        for number in sorted(moment.changed_questions):
            self.enquiries[number] = _enquiry(moment.questions[number], moment.times)
        for number in sorted(moment.changed_objections):
            if number not in self.objection_award and moment.awards:
                self.objection_award[number] = moment.awards[-1].number
            self.objections[number] = _objection_notes(moment.objections[number], moment.times)
        if self.opened_at is None and moment.entry.signed.statement.type == lc.OPENED_TYPE:
            self.opened_at = moment.entry.logged_at
        self.last = moment

    def _take_roles(self, moment: Moment) -> None:
        """``supplier`` from the entry that makes a bidder's award ``active``, ``payee``
        from the first payment to the contract's vendor."""
        self.role_changes = []
        special: dict[str, set[str]] = {}
        for award in moment.awards:
            if award.status == "active":
                special.setdefault(award.bidder, set()).add("supplier")
        contract = moment.contract
        if contract is not None and contract["paid_sen"] > 0:
            special.setdefault(contract["vendor"], set()).add("payee")
        found: dict[str, tuple[str, ...]] = {
            b: tuple(r for r in ("supplier", "payee") if r in held) for b, held in special.items()
        }
        for bidder in sorted(set(self.special) | set(found)):
            roles = ["tenderer", *found.get(bidder, ())]
            party = self.parties.get(bidder)
            if party is None:  # every award and contract names a bidder: never seen
                raise InvariantBroken(f"{self.ocid}: {bidder} has a role but never bid")
            if party["roles"] != roles:
                self.parties[bidder] = {**party, "roles": roles}
                if bidder not in self.fresh:
                    self.role_changes.append(bidder)
        self.special = found

    def full(self, moment: Moment, *, release_id: str, tag: list[str]) -> dict[str, Any]:
        """The whole tender at ``moment`` as one release (the compiled release's shape)."""
        if self.last is not moment:
            self._take(moment)
        tender = moment.tender
        buyer = _buyer_party(tender, self.opds)
        contract = moment.contract
        buyer_roles = ["buyer", "procuringEntity"]
        if contract is not None and contract["paid_sen"] > 0:
            buyer_roles.append("payer")
        release: dict[str, Any] = {
            "ocid": self.ocid,
            "id": release_id,
            "date": moment.entry.logged_at,
            "tag": tag,
            "initiationType": "tender",
            "language": "id",
            "parties": [{**buyer, "roles": buyer_roles}, *self.parties.values()],
            "buyer": _ref(buyer),
            "planning": _planning(tender),
            "tender": _tender_section(
                tender, len(self.submitted), buyer=buyer, moment=moment, links=self.links
            ),
        }
        section = release["tender"]
        if self.enquiries:
            section["enquiries"] = list(self.enquiries.values())
        if self.opened_at is not None:
            period = {"startDate": self.opened_at}
            if tender["award"] is not None:
                period["endDate"] = tender["award"]["date"]
            section["awardPeriod"] = period
        if self.details and tender["state"] != lc.PLANNED:
            release["bids"] = {
                "statistics": bid_statistics(self.counts),
                "details": list(self.details.values()),
            }
            release["tender"]["tenderers"] = list(self.tenderers.values())
        if moment.awards:
            by_award: dict[int, list[dict[str, Any]]] = {}
            for number, notes in self.objections.items():
                by_award.setdefault(self.objection_award.get(number, 0), []).extend(notes)
            release["awards"] = _awards(self.ocid, moment.awards, self.vendors, by_award)
        if contract is not None:
            release["contracts"] = _contracts(
                tender, contract, self.vendors, moment=moment, buyer=buyer, links=self.links
            )
        return release

    def release(self, moment: Moment) -> dict[str, Any]:
        """The release of ``moment``'s entry: its own id, date and tag, and what changed."""
        entry = moment.entry
        tag = TAGS.get(entry.signed.statement.type, ["tenderUpdate"])
        full = self.full(moment, release_id=f"{self.ocid}-{entry.seq}", tag=tag)
        # Everything but the per-bid arrays is diffed with the previous release.
        lean = {k: v for k, v in full.items() if k not in RELEASE_FIELDS}
        parties = lean.pop("parties")
        lean["buyer_party"] = parties[0]
        if "bids" in lean:
            lean["bids"] = {k: v for k, v in lean["bids"].items() if k != "details"}
        lean["tender"] = {k: v for k, v in lean["tender"].items() if k != "tenderers"}
        changed = changes(self.previous, lean)
        self.previous = lean
        new_parties = [self.parties[b] for b in self.fresh]
        new_parties += [{"id": b, "roles": self.parties[b]["roles"]} for b in self.role_changes]
        if "buyer_party" in changed:
            new_parties.insert(0, parties[0])
            del changed["buyer_party"]
        if new_parties:
            changed["parties"] = new_parties
        # (Copies: what ``changes`` returns may be the very objects kept in ``previous``.)
        if self.changed_details and "bids" in full:
            changed["bids"] = {**changed.get("bids", {}), "details": self.changed_details}
        if self.fresh and "tenderers" in full["tender"]:
            changed["tender"] = {
                **changed.get("tender", {"id": full["tender"]["id"]}),
                "tenderers": [self.tenderers[b] for b in self.fresh],
            }
        return {**{k: full[k] for k in RELEASE_FIELDS}, **changed}


_SAME = object()
REQUIRED = ("id", "awardID")
"""What the release schema requires of an object whenever it appears (``tender.id``, an
award's or a bid's ``id``, a contract's ``id`` and ``awardID``): a change to an object
carries them along unchanged."""


def _with_required(after: Mapping[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    return {**{k: after[k] for k in REQUIRED if k in after}, **found}


def _is_id_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _change(before: Any, after: Any) -> Any:
    """What to publish so that merging it onto ``before`` gives ``after`` (``_SAME``: nothing)."""
    if before is after:
        return _SAME
    if isinstance(before, dict) and isinstance(after, dict):
        found = changes(before, after)
        return _with_required(after, found) if found else _SAME
    if isinstance(before, list) and isinstance(after, list) and _is_id_list(after):
        if before and not _is_id_list(before):
            return after
        earlier = {item["id"]: item for item in before}
        if not earlier.keys() <= {item["id"] for item in after}:
            raise InvariantBroken("an OCDS array item disappeared: merging cannot remove it")
        items = []
        for item in after:
            old = earlier.get(item["id"])
            if old is None:
                items.append(item)
            elif old is not item:
                diff = changes(old, item)
                if diff:
                    items.append(_with_required(item, diff))
        return items if items else _SAME
    return _SAME if before == after else after


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``after`` that differ from ``before`` (OCDS merge rules; a value
    ``after`` no longer has is published as null, which merging removes; an object or an
    item cannot be removed by merging, so Terang's renderings never drop one, and one
    that did would raise ``InvariantBroken`` rather than publish a wrong record)."""
    found: dict[str, Any] = {}
    for key, new in after.items():
        if key not in before:
            found[key] = new
            continue
        diff = _change(before[key], new)
        if diff is not _SAME:
            found[key] = diff
    for key, old in before.items():
        if key not in after:
            if isinstance(old, dict) or (isinstance(old, list) and _is_id_list(old)):
                # Merging keeps an object (or its items) that a later release sets to null.
                raise InvariantBroken(f"an OCDS object disappeared ({key}): merging keeps it")
            found[key] = None
    return found


def _package(uri: str, published: str, policy: Mapping[str, str]) -> dict[str, Any]:
    """A package's metadata: ``uri`` (absolute: the URL it was served at), the time of
    its newest release, the publisher, the bid extension, ``license`` and
    ``publicationPolicy`` (``policy``: the router's absolute URLs)."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": PUBLISHER,
        "license": policy["license"],
        "publicationPolicy": policy["publicationPolicy"],
        "extensions": list(EXTENSIONS),
    }


def release_package(
    releases: Iterable[dict[str, Any]], *, uri: str, published: str, policy: Mapping[str, str]
) -> dict[str, Any]:
    return {**_package(uri, published, policy), "releases": list(releases)}


def record_package(
    records: Iterable[dict[str, Any]], *, uri: str, published: str, policy: Mapping[str, str]
) -> dict[str, Any]:
    return {**_package(uri, published, policy), "records": list(records)}


def record(
    ocid: str,
    moments: Iterable[Moment],
    vendors: Mapping[str, Mapping[str, Any]],
    *,
    opds: Mapping[str, Mapping[str, Any]] | None = None,
    links: Links = NO_LINKS,
) -> dict[str, Any]:
    """The tender's record: one release per moment of its replay, and the compiled
    release, the whole tender after the last one (what merging the releases gives).
    ``opds``: the registered OPDs by code (the buyer's name); ``links``: the URLs."""
    builder = Releases(ocid, vendors, opds=opds, links=links)
    releases = [builder.release(moment) for moment in moments]
    last = builder.last
    if last is None:
        raise InvariantBroken(f"{ocid}: a record needs at least one entry")
    return {
        "ocid": ocid,
        "releases": releases,
        "compiledRelease": builder.full(
            last, release_id=f"{ocid}-compiled-{last.entry.seq}", tag=["compiled"]
        ),
    }
