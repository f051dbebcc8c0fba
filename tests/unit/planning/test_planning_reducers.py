"""The planning reducers on an in-memory state: the path of a proposal from a desa to
the RKPD and the budget, and every refusal (each leaving the state untouched)."""

from __future__ import annotations

import pytest
from planning_world import (
    DESA_A1,
    DESA_A2,
    DESA_B1,
    KEC_A,
    L1,
    L2,
    L_NEXT_YEAR,
    SUB_A,
    SUB_B,
    YEAR,
    World,
    decide,
    key_id,
    refused,
)

from ledger.errors import TerangError
from planning import reducers
from planning import statements as st
from planning.reducers import check_proposal_invariants

KEC = st.KECAMATAN_DECISION
KAB = st.KABUPATEN_DECISION
RKPD = st.RKPD_DECISION


@pytest.fixture
def world() -> World:
    return World()


def accepted(world: World, proposal_id: str, **kwargs: object) -> None:
    world.propose("desa_a1", proposal_id, **kwargs)  # type: ignore[arg-type]
    world.do("forum_a", decide(KEC, proposal_id, "forwarded"))
    world.do("kabupaten", decide(KAB, proposal_id, "forwarded"))
    world.do("bappeda", decide(RKPD, proposal_id, "accepted"))


def test_a_proposal_goes_from_the_desa_to_the_rkpd_and_its_budget_lines(world: World) -> None:
    submitted = world.propose("desa_a1", "P-1")
    kec = world.do("forum_a", decide(KEC, "P-1", "forwarded", reason="prioritas 1"))
    assert world.proposal("P-1")["stage"] == "awaiting_kabupaten"
    kab = world.do("kabupaten", decide(KAB, "P-1", "forwarded"))
    rkpd = world.do("bappeda", decide(RKPD, "P-1", "accepted"))
    link = world.do("finance", st.funding("P-1", L1, note="DPA Dinkes"))
    doc = world.proposal("P-1")
    assert doc["stage"] == "accepted"
    assert doc["kecamatan"] == KEC_A and doc["estimate_sen"] == 150_000_000 * 100
    assert doc["funding_lines"] == [L1]
    assert [step["seq"] for step in doc["steps"]] == [submitted, kec, kab, rkpd, link]
    assert [step["signer"] for step in doc["steps"]] == [
        key_id(label) for label in ("desa_a1", "forum_a", "kabupaten", "bappeda", "finance")
    ]
    assert doc["decisions"]["kecamatan"]["reason"] == "prioritas 1"
    check_proposal_invariants(doc)


def test_a_pokok_pikiran_dprd_starts_at_the_kabupaten_forum(world: World) -> None:
    world.propose("dprd", "POKIR-1", desa=DESA_B1, source="pokir")
    assert world.proposal("POKIR-1")["stage"] == "awaiting_kabupaten"
    refused(world, "forum_b", decide(KEC, "POKIR-1", "forwarded"), "wrong_stage")
    world.do("kabupaten", decide(KAB, "POKIR-1", "forwarded"))
    world.do("bappeda", decide(RKPD, "POKIR-1", "accepted"))
    assert world.proposal("POKIR-1")["stage"] == "accepted"


def test_a_merge_closes_the_proposal_and_the_target_records_it(world: World) -> None:
    world.propose("desa_a1", "P-1")
    world.propose("desa_a2", "P-2", desa=DESA_A2)
    seq = world.do("forum_a", decide(KEC, "P-2", "merged", into="P-1", reason="lokasi sama"))
    merged, target = world.proposal("P-2"), world.proposal("P-1")
    assert (merged["stage"], merged["merged_into"]) == ("merged", "P-1")
    assert target["merged_from"] == ["P-2"]
    assert target["steps"][-1] == {
        "seq": seq,
        "type": KEC,
        "signer": key_id("forum_a"),
        "absorbed": "P-2",
        "reason": "lokasi sama",
    }
    # The cycle: P-1 into P-2 is refused, because P-2 is closed.
    refused(world, "forum_a", decide(KEC, "P-1", "merged", into="P-2"), "merge_target_closed")


def test_a_community_proposes_for_the_desa_it_is_seated_at(world: World) -> None:
    world.propose("warga_a1", "W-1", source="community")
    assert world.proposal("W-1")["source"] == "community"
    refused(
        world,
        "warga_a1",
        st.proposal(
            "W-2",
            fiscal_year=YEAR,
            desa=DESA_A2,
            sub_kegiatan=SUB_A,
            volume="2.5",
            unit="km",
            estimate_sen=100,
            title="Jalan",
            description="Jalan desa",
            source="community",
        ),
        "not_seated_here",
    )


def _proposal(proposal_id: str = "P-9", **overrides: object) -> st.Step:
    fields: dict[str, object] = {
        "fiscal_year": YEAR,
        "desa": DESA_A1,
        "sub_kegiatan": SUB_A,
        "volume": "1",
        "unit": "unit",
        "estimate_sen": 100_000,
        "title": "Posyandu",
        "description": "Gedung posyandu",
        "source": "desa",
    }
    fields.update(overrides)
    return st.proposal(proposal_id, **fields)  # type: ignore[arg-type]


def test_submission_refusals(world: World) -> None:
    world.propose("desa_a1", "P-1")
    refused(world, "desa_a1", _proposal("P-1"), "proposal_exists")
    refused(world, "desa_a1", _proposal(desa="32.04.05.2999"), "unknown_area")
    refused(world, "desa_a1", _proposal(sub_kegiatan="1.02.02.2.01.0099"), "unknown_sub_kegiatan")
    refused(world, "desa_a1", _proposal(source="pokir"), "source_role_mismatch")
    refused(world, "desa_a1", _proposal(source="community"), "source_role_mismatch")
    refused(world, "dprd", _proposal(source="desa"), "source_role_mismatch")
    refused(world, "desa_b1", _proposal(), "not_seated_here")


def test_decision_refusals(world: World) -> None:
    world.propose("desa_a1", "P-1")
    world.propose("desa_a1", "P-2")
    world.propose("desa_b1", "P-B", desa=DESA_B1)
    refused(world, "forum_a", decide(KEC, "P-404", "forwarded"), "unknown_proposal")
    refused(world, "kabupaten", decide(KAB, "P-1", "forwarded"), "wrong_stage")  # out of order
    refused(world, "bappeda", decide(RKPD, "P-1", "accepted"), "wrong_stage")
    refused(world, "forum_b", decide(KEC, "P-1", "forwarded"), "not_seated_here")  # other kec.
    refused(world, "desa_a1", decide(KEC, "P-1", "forwarded"), "missing_role")  # wrong role
    refused(world, "forum_a", decide(KEC, "P-1", "merged", into="P-1"), "merge_into_itself")
    refused(world, "forum_a", decide(KEC, "P-1", "merged", into="P-404"), "unknown_proposal")
    refused(world, "forum_a", decide(KEC, "P-1", "merged", into="P-B"), "merge_across")
    world.do("forum_a", decide(KEC, "P-1", "forwarded"))
    refused(world, "forum_a", decide(KEC, "P-1", "forwarded"), "already_decided")  # twice
    refused(world, "forum_a", decide(KEC, "P-1", "rejected"), "already_decided")
    world.do("forum_a", decide(KEC, "P-2", "rejected", reason="bukan kewenangan kabupaten"))
    # A rejected proposal forwarded again, by the next forum.
    refused(world, "kabupaten", decide(KAB, "P-2", "forwarded"), "proposal_closed")
    refused(world, "forum_a", decide(KEC, "P-B", "forwarded"), "not_seated_here")


def test_kabupaten_merge_refusals(world: World) -> None:
    world.propose("desa_a1", "P-1")
    world.propose("desa_a1", "P-2")
    world.propose("desa_a1", "P-Y", year=YEAR + 1)
    world.do("forum_a", decide(KEC, "P-1", "forwarded"))
    world.do("forum_a", decide(KEC, "P-Y", "forwarded"))
    # P-2 still awaits its kecamatan: the kabupaten forum cannot merge into it.
    refused(world, "kabupaten", decide(KAB, "P-1", "merged", into="P-2"), "merge_target_behind")
    refused(world, "kabupaten", decide(KAB, "P-1", "merged", into="P-Y"), "merge_across")


def test_funding_link_refusals(world: World) -> None:
    world.propose("desa_a1", "P-1")
    refused(world, "finance", st.funding("P-1", L1), "proposal_not_accepted")
    refused(world, "finance", st.funding("P-404", L1), "unknown_proposal")
    accepted(world, "P-2")
    unknown = L1.replace("DAK-FISIK", "DAU")
    refused(world, "finance", st.funding("P-2", unknown), "unknown_funding_line")
    refused(world, "finance", st.funding("P-2", L2), "funding_line_mismatch")  # other sub keg.
    refused(world, "finance", st.funding("P-2", L_NEXT_YEAR), "funding_line_mismatch")
    world.do("bappeda", st.funding("P-2", L1))
    refused(world, "finance", st.funding("P-2", L1), "funding_line_linked")
    refused(world, "desa_a1", st.funding("P-2", L1), "missing_role")


def test_a_line_funds_a_bounded_number_of_proposals(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reducers, "LINE_PROPOSALS_MAX", 1)
    accepted(world, "P-1")
    accepted(world, "P-2")
    world.do("finance", st.funding("P-1", L1))
    refused(world, "finance", st.funding("P-2", L1), "line_proposals_full")
    assert world.state.documents[(reducers.NS_LINE_PROPOSALS, L1)]["proposals"] == ["P-1"]


def test_area_and_seat_refusals(world: World) -> None:
    refused(world, "bappeda", st.area("kecamatan", KEC_A, "Cileunyi"), "area_exists")
    refused(world, "bappeda", st.area("desa", "32.04.09.2001", "Desa X"), "unknown_area")
    refused(world, "bappeda", st.seat(key_id("desa_a1"), DESA_A2), "seat_exists")
    refused(world, "bappeda", st.seat("ab" * 32, DESA_A2), "unknown_planning_key")
    refused(world, "bappeda", st.seat(key_id("kabupaten"), "32.04.07"), "unknown_area")
    refused(world, "forum_a", st.area("kecamatan", "32.04.07", "Bojongsoang"), "missing_role")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "merged", "reason": "x"}, "into"),
        ({"decision": "rejected"}, "reason"),
        ({"decision": "accepted"}, "decision"),  # not a forum's decision
        ({"decision": "forwarded", "into": "P-2"}, "into"),
    ],
)
def test_malformed_decisions_are_422(body: dict[str, str], field: str) -> None:
    with pytest.raises(TerangError) as caught:
        st.parse_decision(KEC, body)
    assert caught.value.http_status == 422 and caught.value.code == "bad_field"
    assert field in caught.value.message


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("desa", "32.04.05", "bad_area_code"),
        ("desa", "32.04.05.3001", "bad_area_code"),
        ("sub_kegiatan", "1.02.02", "bad_code"),
        ("volume", "0", "bad_field"),
        ("volume", "1e3", "bad_field"),
        ("estimate", "0.00", "bad_amount"),
        ("estimate", "-5.00", "bad_amount"),
        ("title", "", "bad_field"),
        ("title", "x" * 201, "bad_field"),
        ("description", " padded", "bad_field"),
        ("fiscal_year", 1999, "bad_field"),
        ("source", "kecamatan", "bad_field"),
    ],
)
def test_malformed_proposals_are_422(field: str, value: object, code: str) -> None:
    body = dict(_proposal().body)
    body[field] = value
    with pytest.raises(TerangError) as caught:
        st.parse_proposal(body)
    assert (caught.value.http_status, caught.value.code) == (422, code), caught.value.message


def test_the_same_step_has_the_same_nonce_and_another_step_another() -> None:
    first = decide(KEC, "P-1", "forwarded")
    assert first.nonce == decide(KEC, "P-1", "forwarded").nonce
    assert first.nonce != decide(KEC, "P-1", "rejected").nonce
    assert first.nonce != decide(KAB, "P-1", "forwarded").nonce
    assert _proposal(sub_kegiatan=SUB_B).nonce != _proposal().nonce
