"""OCDS checks the procurement tests share: the official schema (shipped in
``procurement/data/ocds``) as a validator, and every codelist field against its codelist.

A support module, not a test module: test modules import these instead of each other.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

OCDS_DIR = Path(__file__).resolve().parents[1] / "procurement" / "data" / "ocds"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def validator(name: str) -> Draft4Validator:
    resources = []
    for file in ("release-schema.json", "versioned-release-validation-schema.json"):
        schema = json.loads((OCDS_DIR / file).read_text())
        resources.append((SCHEMA_BASE + file, Resource(schema, specification=DRAFT4)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((OCDS_DIR / name).read_text())
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


def codes(name: str) -> set[str]:
    with (OCDS_DIR / "codelists" / f"{name}.csv").open() as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def check_codelists(release: dict[str, Any]) -> None:
    """Every codelist field present has a code of its codelist (an event release carries
    only what its entry changed, so any field may be absent)."""
    assert set(release["tag"]) <= codes("releaseTag")
    tender = release.get("tender", {})
    for name, codelist in (
        ("status", "tenderStatus"),
        ("procurementMethod", "method"),
        ("mainProcurementCategory", "procurementCategory"),
        ("awardCriteria", "awardCriteria"),
    ):
        if name in tender:
            assert tender[name] in codes(codelist), name
    assert set(tender.get("submissionMethod", [])) <= codes("submissionMethod")
    for document in tender.get("documents", []):
        assert document["documentType"] in codes("documentType")
    for award in release.get("awards", []):
        assert award.get("status", "pending") in codes("awardStatus")
        assert award.get("value", {}).get("currency", "IDR") in codes("currency")
        for document in award.get("documents", []):
            assert document["documentType"] in codes("documentType")
    for contract in release.get("contracts", []):
        if "status" in contract:
            assert contract["status"] in codes("contractStatus")
        for document in contract.get("documents", []):
            assert document["documentType"] in codes("documentType")
        for milestone in contract.get("milestones", []):
            assert milestone.get("status", "scheduled") in codes("milestoneStatus")
    for party in release.get("parties", []):
        assert set(party.get("roles", [])) <= codes("partyRole")
    # OCDS bid extension shape (its schema is not in the shared copy: checked by hand).
    # An event release details only the bids its event touched: none, for some events.
    bids = release.get("bids")
    if bids is not None:
        assert bids.get("details") != []  # empty arrays are omitted, never published
        assert {"pending", "valid", "disqualified", "withdrawn"} >= {
            d["status"] for d in bids.get("details", []) if "status" in d
        }
        for detail in bids.get("details", []):
            assert set(detail) <= {"id", "date", "status", "tenderers", "value"}
