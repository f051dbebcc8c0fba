"""Planning through the real ledger on SQLite and PostgreSQL: a proposal's path from
three desa to a budget line, the read API, every refusal leaving the database
untouched, replay equal to the live projection, and a rogue operator's edit of a
proposal's estimate or stage caught by ``terang verify``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import behind_the_triggers
from nacl.signing import SigningKey
from planning_support import (
    ALKES,
    DESAS,
    JUTA,
    KEC,
    PUSKESMAS,
    SUB,
    YEAR,
    Kabupaten,
    decide,
    the_story,
)
from sqlalchemy import func, select

from audit.remote import verify_log
from audit.verifier import LogFault, LogReplayer
from ledger import storage
from ledger.errors import TerangError
from ledger.keys import client_key_id
from planning import statements as st
from planning.read_models import ProposalFilter, proposal_page
from planning.stages import NS_PROPOSAL
from terang.app import all_kinds, create_app


@pytest.fixture
def kab(harness: Harness) -> Kabupaten:
    return Kabupaten(harness)


def row_counts(h: Harness) -> tuple[int, ...]:
    with h.ledger.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
        )


def replay_matches_projection(h: Harness) -> int:
    e = storage.entries.c
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        entries = [bytes(raw) for (raw,) in conn.execute(select(e.entry_bytes).order_by(e.seq))]
        stored = {
            (row.namespace, row.key): json.loads(row.value)
            for row in conn.execute(select(p.namespace, p.key, p.value))
        }
    replayer = LogReplayer(all_kinds(), h.ledger.limits, h.ledger.origin)
    for raw in entries:
        replayer.feed(raw)
    assert dict(replayer.state.documents) == stored
    return sum(1 for namespace, _ in stored if namespace == NS_PROPOSAL)


def test_three_desa_merged_accepted_and_funded_read_back_through_the_api(kab: Kabupaten) -> None:
    seqs = the_story(kab)
    with TestClient(create_app(kab.h.ledger)) as client:
        detail = client.get("/api/v1/planning/proposals/MUS-2026-0001").json()
        page = client.get(
            "/api/v1/planning/proposals", params={"year": YEAR, "kecamatan": KEC, "limit": 2}
        ).json()
        rest = client.get(
            "/api/v1/planning/proposals",
            params={"year": YEAR, "kecamatan": KEC, "limit": 2, "after": page["next_after"]},
        ).json()
        merged = client.get("/api/v1/planning/proposals", params={"stage": "merged"}).json()
        accepted = client.get("/api/v1/planning/proposals", params={"stage": "accepted"}).json()
        back = client.get(f"/api/v1/planning/lines/{PUSKESMAS}/proposals").json()
        unfunded = client.get(f"/api/v1/planning/lines/{ALKES}/proposals").json()
    proposal = detail["proposal"]
    assert proposal["stage"] == "accepted" and proposal["estimate"] == "850000000.00"
    assert proposal["kecamatan_name"] == "Cileunyi" and proposal["desa_name"] == "Cibiru"
    assert proposal["merged_from"] == ["MUS-2026-0002", "MUS-2026-0003"]
    assert proposal["funding_lines"] == [PUSKESMAS]
    history = detail["history"]
    assert [step["seq"] for step in history] == [
        seqs[name] for name in ("cibiru", "merge2", "merge3", "kec", "kab", "rkpd", "link")
    ]
    assert [step["signer"] for step in history] == [
        client_key_id(key)
        for key in (
            kab.desa["cibiru"],
            kab.forum,
            kab.forum,
            kab.forum,
            kab.kabupaten,
            kab.bappeda,
            kab.finance,
        )
    ]
    assert history[1]["absorbed"] == "MUS-2026-0002"
    (line,) = detail["funding"]
    assert line["line_id"] == PUSKESMAS and line["amounts"]["budget"] == "2000000000.00"
    assert detail["tree_size"] == kab.h.ledger.size()
    ids = [item["proposal_id"] for item in page["items"] + rest["items"]]
    assert ids == ["MUS-2026-0001", "MUS-2026-0002", "MUS-2026-0003"]
    assert page["next_after"] == "MUS-2026-0002" and rest["next_after"] is None
    assert [item["proposal_id"] for item in merged["items"]] == ["MUS-2026-0002", "MUS-2026-0003"]
    assert [item["proposal_id"] for item in accepted["items"]] == ["MUS-2026-0001"]
    assert [p["proposal_id"] for p in back["proposals"]] == ["MUS-2026-0001"]
    assert unfunded["proposals"] == []
    assert replay_matches_projection(kab.h) == 3


def test_a_pokok_pikiran_dprd_goes_straight_to_the_kabupaten_forum(kab: Kabupaten) -> None:
    kab.do(
        kab.dprd,
        st.proposal(
            "POKIR-2026-01",
            fiscal_year=YEAR,
            desa=DESAS["cinunuk"],
            sub_kegiatan=SUB,
            volume="1",
            unit="paket",
            estimate_sen=300 * JUTA,
            title="Alat kesehatan puskesmas",
            description="Reses dapil 2",
            source="pokir",
        ),
    )
    kab.do(kab.kabupaten, decide(st.KABUPATEN_DECISION, "POKIR-2026-01", "forwarded"))
    with TestClient(create_app(kab.h.ledger)) as client:
        body = client.get(
            "/api/v1/planning/proposals", params={"source": "pokir", "stage": "awaiting_bappeda"}
        ).json()
    assert [item["proposal_id"] for item in body["items"]] == ["POKIR-2026-01"]


def _wrong_role(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    return kab.desa["cibiru"], decide(st.KECAMATAN_DECISION, "P-1", "forwarded")


def _out_of_order(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    return kab.bappeda, decide(st.RKPD_DECISION, "P-1", "accepted")


def _other_kecamatan(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    return kab.forum_other, decide(st.KECAMATAN_DECISION, "P-1", "forwarded")


def _twice(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    kab.do(kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "forwarded"))
    return kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "rejected")


def _rejected_forwarded(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    kab.do(kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "rejected"))
    return kab.kabupaten, decide(st.KABUPATEN_DECISION, "P-1", "forwarded")


def _cycle(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    kab.do(kab.forum, decide(st.KECAMATAN_DECISION, "P-2", "merged", into="P-1"))
    return kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "merged", into="P-2")


def _unknown(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    return kab.forum, decide(st.KECAMATAN_DECISION, "P-404", "forwarded")


def _line_of_other_sub_kegiatan(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    kab.do(kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "forwarded"))
    kab.do(kab.kabupaten, decide(st.KABUPATEN_DECISION, "P-1", "forwarded"))
    kab.do(kab.bappeda, decide(st.RKPD_DECISION, "P-1", "accepted"))
    return kab.finance, st.funding("P-1", ALKES)


def _link_before_acceptance(kab: Kabupaten) -> tuple[SigningKey, st.Step]:
    return kab.finance, st.funding("P-1", PUSKESMAS)


@pytest.mark.parametrize(
    ("scenario", "code", "status"),
    [
        (_wrong_role, "missing_role", 403),
        (_out_of_order, "wrong_stage", 409),
        (_other_kecamatan, "not_seated_here", 409),
        (_twice, "already_decided", 409),
        (_rejected_forwarded, "proposal_closed", 409),
        (_cycle, "merge_target_closed", 409),
        (_unknown, "unknown_proposal", 409),
        (_line_of_other_sub_kegiatan, "funding_line_mismatch", 409),
        (_link_before_acceptance, "proposal_not_accepted", 409),
    ],
)
def test_every_refusal_through_the_service_logs_and_changes_nothing(
    kab: Kabupaten, scenario: Any, code: str, status: int
) -> None:
    kab.propose("cibiru", "P-1")
    kab.propose("cinunuk", "P-2")
    key, step = scenario(kab)
    before = row_counts(kab.h)
    size = kab.h.ledger.size()
    with pytest.raises(TerangError) as caught:
        kab.do(key, step)
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert row_counts(kab.h) == before and kab.h.ledger.size() == size


def test_the_read_api_refuses_bad_parameters_and_unknown_proposals(kab: Kabupaten) -> None:
    with TestClient(create_app(kab.h.ledger)) as client:
        bad_kec = client.get("/api/v1/planning/proposals", params={"kecamatan": "32.4.5"})
        bad_stage = client.get("/api/v1/planning/proposals", params={"stage": "funded"})
        too_many = client.get("/api/v1/planning/proposals", params={"limit": 100_000})
        missing = client.get("/api/v1/planning/proposals/NOPE-1")
        bad_id = client.get("/api/v1/planning/proposals/-bad")
        no_line = client.get(f"/api/v1/planning/lines/{PUSKESMAS.replace('DAK', 'DAU')}/proposals")
        bad_line = client.get("/api/v1/planning/lines/2026:x/proposals")
    assert (bad_kec.status_code, bad_kec.json()["code"]) == (422, "bad_area_code")
    assert (bad_stage.status_code, bad_stage.json()["code"]) == (422, "bad_field")
    assert too_many.status_code == 422
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_proposal")
    assert (bad_id.status_code, bad_id.json()["code"]) == (422, "bad_field")
    assert (no_line.status_code, no_line.json()["code"]) == (404, "unknown_line")
    assert (bad_line.status_code, bad_line.json()["code"]) == (422, "bad_code")


def _verify(h: Harness) -> None:
    h.ledger.publisher.publish(force=True)
    with TestClient(create_app(h.ledger)) as client:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


@pytest.mark.parametrize(
    "forgery",
    [
        {"estimate_sen": 8_500 * JUTA},  # the estimate inflated tenfold
        {"stage": "accepted"},  # a rejected proposal shown as accepted
    ],
)
def test_a_rogue_operator_rewriting_a_proposal_is_caught_by_verify(
    kab: Kabupaten, forgery: dict[str, Any]
) -> None:
    kab.propose("cibiru", "P-1")
    kab.do(kab.forum, decide(st.KECAMATAN_DECISION, "P-1", "rejected"))
    _verify(kab.h)  # honest so far
    p = storage.projection_rows.c
    with kab.h.ledger.engine.connect() as conn:
        value, updated_seq = conn.execute(
            select(p.value, p.updated_seq).where(p.namespace == NS_PROPOSAL, p.key == "P-1")
        ).one()
    forged = {**json.loads(value), **forgery}
    behind_the_triggers(
        kab.h,
        "UPDATE projection_rows SET value = :v WHERE namespace = :n AND key = :k",
        v=json.dumps(forged, sort_keys=True, separators=(",", ":")),
        n=NS_PROPOSAL,
        k="P-1",
    )
    with TestClient(create_app(kab.h.ledger)) as client:
        served = client.get("/api/v1/planning/proposals/P-1").json()["proposal"]
    assert served["stage"] == forged["stage"]  # the API serves the forgery
    assert int(updated_seq) < kab.h.ledger.size()
    with pytest.raises(LogFault) as caught:
        _verify(kab.h)
    assert caught.value.details["fault"] == "projection_mismatch"
    assert caught.value.details["key"] == "P-1"


def test_a_list_page_stops_at_its_scan_bound_with_a_cursor_to_go_on(kab: Kabupaten) -> None:
    """A filter that matches little cannot make one request read the whole namespace:
    at the scan bound the page answers with what it found and where to go on."""
    the_story(kab)
    merged = ProposalFilter(stage="merged")
    found: list[str] = []
    cursors: list[str | None] = []
    after = ""
    with kab.h.ledger.reads.snapshot() as snap:
        while True:
            page = proposal_page(snap.conn, merged, after=after, limit=10, scanned_max=1)
            found += [row.proposal_id for row in page.rows]
            cursors.append(page.next_after)
            if page.next_after is None:
                break
            after = page.next_after
    assert found == ["MUS-2026-0002", "MUS-2026-0003"]
    assert cursors[0] == "MUS-2026-0001"  # nothing found yet, but a place to go on from
