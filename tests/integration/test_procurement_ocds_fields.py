"""The OCDS fields a data user looks for, on the demo, each true at its entry (issue 13 item 4).

On every demo tender's record, on both engines:

* the release of the award entry names the winner's party with role ``supplier`` (and no
  release before it does); the release of a payment entry has a transaction dated at that
  entry's logging time, from the buyer (role ``payer``) to the vendor (role ``payee``);
* the buyer is a party with its OPD identifier, and ``tender.procuringEntity`` names it;
* no release mentions a later fact: every date that says when something happened
  (``date``, ``datePublished``, ``dateMet``, ``dateAnswered``, ``dateSigned``, the award
  period's start) is the logging time of one of the tender's entries at or before the
  release's own (a contract's handover or termination day is a calendar day the entry
  states, checked against the entry's day);
* a document's ``url`` is absolute and serves the bytes of its SHA-256;
* questions are enquiries from their entry, answered from the answer's; objections are the
  award's ``complaints`` documents; a cancelled tender gives its reason;
* no release, and no compiled release, holds an empty array or an empty object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import Harness
from fastapi.testclient import TestClient
from ocds_checks import check_codelists
from ocds_support import merger

from procurement import demo_items, ocds
from procurement import lifecycle as lc
from terang.app import create_app
from terang.demo import load_demo

API = "/api/v1/procurement"
HAPPENED = frozenset({"date", "datePublished", "dateMet", "dateAnswered", "dateSigned"})
"""Fields that say when something happened (never a due date or a deadline)."""
AWARD_STEPS = frozenset(
    {
        lc.WINNER_ANNOUNCED_TYPE,
        lc.EVALUATION_REOPENED,
        lc.RELEASE_REOPENED,
        lc.AWARDED_TYPE,
        ocds.CONTRACT_PAID,
    }
)
"""The entries after which the releases so far are merged and their roles checked."""


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every value inside ``node``, depth first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def entries_of(client: TestClient, ocid: str) -> list[dict[str, Any]]:
    found = client.get("/api/v1/entries", params={"subject": ocid, "limit": 1000})
    return [
        {"seq": i["seq"], "type": i["entry"]["statement"]["type"], "at": i["entry"]["logged_at"]}
        for i in found.json()["items"]
    ]


def party(release: dict[str, Any], party_id: str) -> dict[str, Any] | None:
    return next((p for p in release.get("parties", []) if p["id"] == party_id), None)


def test_demo_ocds_names_what_a_data_user_looks_for(harness: Harness, tmp_path: Path) -> None:
    h = harness
    summary = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    merge = merger()
    seen = {
        "supplier": 0,
        "payment": 0,
        "enquiry": 0,
        "complaint": 0,
        "ended": 0,
        "url": 0,
        "items": 0,
    }
    with TestClient(create_app(h.ledger)) as client:
        for ocid in summary["procurement_tenders"]:
            response = client.get(f"{API}/ocds/records/{ocid}")
            assert response.status_code == 200, response.text
            package = response.json()
            assert package["extensions"] == list(ocds.EXTENSIONS)
            record = package["records"][0]
            entries = entries_of(client, ocid)
            at = {e["seq"]: e["at"] for e in entries}
            types = {e["seq"]: e["type"] for e in entries}
            compiled = record["compiledRelease"]

            for path, value in walk(compiled):
                assert value not in ([], {}), (ocid, "compiled", path)
            # Items as the package listed them (the demo's titles: demo_items.ITEMS),
            # known from the package's own release on: true in time.
            listed = demo_items.ITEMS[compiled["tender"]["title"]]
            items = compiled["tender"]["items"]
            assert [
                (i["id"], i["classification"]["scheme"], i["classification"]["id"], i["quantity"])
                for i in items
            ] == [(str(n), "KBLI", c[0], q) for n, (_, c, q, _) in enumerate(listed, 1)]
            assert all(i["unit"]["name"] and i["description"] for i in items)
            first = record["releases"][0]
            assert types[int(first["id"].rsplit("-", 1)[1])] == lc.PACKAGE_CREATED
            assert first["tender"]["items"] == items
            seen["items"] += len(items)
            buyer = compiled["parties"][0]
            assert compiled["buyer"] == {"id": buyer["id"], "name": buyer["name"]}
            assert compiled["tender"]["procuringEntity"] == compiled["buyer"]
            assert buyer["identifier"]["scheme"] == ocds.OPD_SCHEME
            assert buyer["id"] == f"ID-OPD-{buyer['identifier']['id']}"
            assert not buyer["name"].startswith("OPD ")  # the registered OPD's name

            for release in record["releases"]:
                seq = int(release["id"].rsplit("-", 1)[1])
                kind = types[seq]
                assert release["date"] == at[seq]
                check_codelists(release)  # roles, document types, milestone statuses
                earlier = {t for s, t in at.items() if s <= seq}
                for path, value in walk(release):
                    assert value not in ([], {}), (ocid, seq, path)
                    name = path.rsplit(".", 1)[-1]
                    if name in HAPPENED and path != ".date":
                        assert value in earlier, (ocid, seq, path, value)
                    if path.endswith("awardPeriod.startDate"):
                        assert value in earlier, (ocid, seq, path)

                if kind in (lc.QUESTION_ASKED, lc.QUESTION_ANSWERED):
                    (enquiry,) = release["tender"]["enquiries"]
                    stamp = "date" if kind == lc.QUESTION_ASKED else "dateAnswered"
                    assert enquiry[stamp] == at[seq]
                    if kind == lc.QUESTION_ASKED:  # the answer comes with its own entry
                        assert "answer" not in enquiry and "dateAnswered" not in enquiry
                    assert "author" not in enquiry
                    seen["enquiry"] += 1

                if kind in (lc.OBJECTION_FILED, lc.OBJECTION_ANSWERED):
                    notes = [d for a in release["awards"] for d in a.get("documents", [])]
                    assert [d["documentType"] for d in notes] == ["complaints"]
                    assert notes[0]["datePublished"] == at[seq]
                    seen["complaint"] += 1

                if kind in (lc.CANCELLED_TYPE, lc.FAILED_TYPE):
                    reasons = [
                        d
                        for d in release["tender"]["documents"]
                        if d["documentType"] == "cancellationDetails"
                    ]
                    assert [d["datePublished"] for d in reasons] == [at[seq]]
                    assert reasons[0]["description"]
                    seen["ended"] += 1

                if kind not in AWARD_STEPS:
                    continue
                # The winner is a supplier from its award entry on, never before.
                compiled_so_far = merge.create_compiled_release(
                    [r for r in record["releases"] if int(r["id"].rsplit("-", 1)[1]) <= seq]
                )
                suppliers = {
                    p["id"] for p in compiled_so_far.get("parties", []) if "supplier" in p["roles"]
                }
                active = {
                    s["id"]
                    for a in compiled_so_far.get("awards", [])
                    if a["status"] == "active"
                    for s in a["suppliers"]
                }
                assert suppliers == active, (ocid, seq)
                if kind == lc.AWARDED_TYPE:
                    (winner,) = active
                    assert "supplier" in (party(release, winner) or {}).get("roles", [])
                    assert compiled_so_far["tender"]["awardPeriod"]["endDate"] == at[seq]
                    seen["supplier"] += 1

                if kind == ocds.CONTRACT_PAID:
                    (contract,) = release["contracts"]
                    (paid,) = contract["implementation"]["transactions"]
                    assert paid["date"] == at[seq]
                    assert paid["payer"] == compiled["buyer"]
                    payer = compiled_so_far["parties"][0]
                    assert "payer" in payer["roles"]
                    payee = party(compiled_so_far, paid["payee"]["id"])
                    assert payee is not None and "payee" in payee["roles"]
                    seen["payment"] += 1

            documents = [
                d
                for _, d in walk(compiled)
                if isinstance(d, dict) and "documentType" in d and "url" in d
            ]
            for document in documents[:1]:  # one download per tender is enough
                url = document["url"]
                assert url == f"http://testserver{API}/documents/{document['id']}"
                assert document["format"] == "text/plain"  # the demo's documents: .txt
                got = client.get(url)
                assert got.status_code == 200
                assert hashlib.sha256(got.content).hexdigest() == document["id"]
                seen["url"] += 1

    # The demo has every kind of event checked above (a check that never ran is no check).
    assert all(seen.values()), seen
