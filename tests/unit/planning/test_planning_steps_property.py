"""Any sequence of planning steps is either refused (changing nothing) or keeps the
invariants: hypothesis drives random steps by random signers over a few proposals.

Checked after every step: each proposal's documented invariants
(``check_proposal_invariants``); ``merged_into`` points at an existing proposal and no
chain of merges comes back on itself; a closed proposal never changes stage again; an
accepted proposal's lines are of its year and sub kegiatan; every step's seq and
signer are the entry's. A refusal is a ``Rejected`` (409) or the role check (403),
never anything else, and leaves the state as it was. Not vacuous: ``event`` counts
accepted steps per type, and the strategy makes the whole path reachable.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as strategies
from planning_world import (
    DESA_A1,
    DESA_A2,
    DESA_B1,
    L1,
    L2,
    L_NEXT_YEAR,
    ROLE_KEYS,
    SUB_A,
    SUB_B,
    YEAR,
    World,
    is_refusal,
    key_id,
)

from ledger.errors import TerangError
from planning import statements as st
from planning.reducers import ROLES, check_proposal_invariants
from planning.stages import CLOSED_STAGES, NS_LINE_PROPOSALS, NS_PROPOSAL

PROPOSALS = ("P-1", "P-2", "P-3", "P-4")
SIGNERS = tuple(ROLE_KEYS)
DESAS = (DESA_A1, DESA_A2, DESA_B1)
VERDICTS = ("forwarded", "merged", "rejected", "accepted")


def _submission(proposal_id: str, desa: str, sub: str, source: str, year: int) -> st.Step:
    return st.proposal(
        proposal_id,
        fiscal_year=year,
        desa=desa,
        sub_kegiatan=sub,
        volume="3",
        unit="unit",
        estimate_sen=50_000_000,
        title="Usulan acak",
        description="Dibuat oleh hypothesis",
        source=source,
    )


def _decision(statement_type: str, proposal_id: str, verdict: str, into: str) -> st.Step | None:
    if statement_type == st.RKPD_DECISION and verdict in ("forwarded", "merged"):
        return None
    if statement_type != st.RKPD_DECISION and verdict == "accepted":
        return None
    if verdict == "merged":
        return st.decision(statement_type, proposal_id, verdict, into=into, reason="digabung")
    if verdict == "rejected":
        return st.decision(statement_type, proposal_id, verdict, reason="ditolak")
    return st.decision(statement_type, proposal_id, verdict)


@strategies.composite
def decisions(draw: strategies.DrawFn) -> st.Step:
    statement_type = draw(strategies.sampled_from(st.DECISION_TYPES))
    choices = st.RKPD_DECISIONS if statement_type == st.RKPD_DECISION else st.FORUM_DECISIONS
    step = _decision(
        statement_type,
        draw(strategies.sampled_from(PROPOSALS)),
        draw(strategies.sampled_from(choices)),
        draw(strategies.sampled_from(PROPOSALS)),
    )
    assert step is not None
    return step


step_strategy = strategies.one_of(
    decisions(),
    decisions(),
    strategies.builds(
        st.funding,
        strategies.sampled_from(PROPOSALS),
        strategies.sampled_from((L1, L2, L_NEXT_YEAR)),
    ),
)


def _proposals(world: World) -> dict[str, dict[str, Any]]:
    return {
        key: doc
        for (namespace, key), doc in world.state.documents.items()
        if namespace == NS_PROPOSAL
    }


def check_world(world: World, closed_before: dict[str, str]) -> None:
    proposals = _proposals(world)
    lines = {key: doc for (ns, key), doc in world.state.documents.items() if ns == "budgeting.line"}
    for proposal_id, doc in proposals.items():
        check_proposal_invariants(doc)
        if proposal_id in closed_before:
            assert doc["stage"] == closed_before[proposal_id]
        seen = {proposal_id}
        cursor = doc["merged_into"]
        while cursor is not None:
            assert cursor in proposals and cursor not in seen, "a merge chain loops"
            seen.add(cursor)
            cursor = proposals[cursor]["merged_into"]
        for absorbed in doc["merged_from"]:
            assert proposals[absorbed]["merged_into"] == proposal_id
        for line_id in doc["funding_lines"]:
            line = lines[line_id]
            assert (line["year"], line["sub_kegiatan"]) == (doc["fiscal_year"], doc["sub_kegiatan"])
    # The way back from the money: each line lists exactly the proposals linked to it.
    back = {
        key: doc["proposals"]
        for (ns, key), doc in world.state.documents.items()
        if ns == NS_LINE_PROPOSALS
    }
    forward: dict[str, list[str]] = {}
    for proposal_id, doc in proposals.items():
        for line_id in doc["funding_lines"]:
            forward.setdefault(line_id, []).append(proposal_id)
    assert {k: sorted(v) for k, v in back.items()} == {k: sorted(v) for k, v in forward.items()}


def _signers_for(step: st.Step) -> list[str]:
    """Keys holding a role the step's kind accepts (any seat: the reducer checks those)."""
    return [label for label, roles in ROLE_KEYS.items() if set(roles) & ROLES[step.type]]


PROPOSERS = {"desa_a1": "desa", "desa_a2": "desa", "desa_b1": "desa", "warga_a1": "community"}
PROPOSERS_DESA = {"desa_a1": DESA_A1, "desa_a2": DESA_A2, "desa_b1": DESA_B1, "warga_a1": DESA_A1}


@strategies.composite
def signed_steps(draw: strategies.DrawFn) -> tuple[str, st.Step | None]:
    """Mostly plausible steps (the right role, the signer's own desa), now and then
    anything: so that runs get far along the path and still try every wrong turn."""
    noise = draw(strategies.integers(0, 9)) == 0
    if draw(strategies.integers(0, 3)) == 0:  # a submission
        label = draw(strategies.sampled_from((*PROPOSERS, "dprd")))
        source = "pokir" if label == "dprd" else PROPOSERS[label]
        desa = draw(strategies.sampled_from(DESAS)) if label == "dprd" else PROPOSERS_DESA[label]
        step: st.Step | None = _submission(
            draw(strategies.sampled_from(PROPOSALS)),
            draw(strategies.sampled_from(DESAS)) if noise else desa,
            draw(strategies.sampled_from((SUB_A, SUB_B))),
            draw(strategies.sampled_from(st.SOURCES)) if noise else source,
            draw(strategies.sampled_from((YEAR, YEAR + 1))),
        )
    else:
        step = draw(step_strategy)
    if step is None or noise:
        return draw(strategies.sampled_from(SIGNERS)), step
    if step.type == st.PROPOSAL:
        return label, step
    return draw(strategies.sampled_from(_signers_for(step))), step


FORUM_SIGNER = {
    st.KABUPATEN_DECISION: "kabupaten",
    st.RKPD_DECISION: "bappeda",
}
NEXT_TYPE = {
    "awaiting_kecamatan": st.KECAMATAN_DECISION,
    "awaiting_kabupaten": st.KABUPATEN_DECISION,
    "awaiting_bappeda": st.RKPD_DECISION,
}


def plausible(draw: strategies.DrawFn, world: World) -> tuple[str, st.Step | None]:
    """The step a proposal's stage calls for, by the forum whose turn it is: so that
    runs go far along the path (merges, acceptance, links), not only wrong turns."""
    proposals = _proposals(world)
    if not proposals:
        return draw(signed_steps())
    doc = proposals[draw(strategies.sampled_from(sorted(proposals)))]
    if doc["stage"] == "accepted":
        return "finance", st.funding(
            doc["proposal_id"], draw(strategies.sampled_from((L1, L2, L_NEXT_YEAR)))
        )
    statement_type = NEXT_TYPE.get(doc["stage"], st.KECAMATAN_DECISION)
    if statement_type == st.KECAMATAN_DECISION:
        signer = "forum_a" if doc["kecamatan"] == DESA_A1[:8] else "forum_b"
    else:
        signer = FORUM_SIGNER[statement_type]
    choices = st.RKPD_DECISIONS if statement_type == st.RKPD_DECISION else st.FORUM_DECISIONS
    verdict = draw(strategies.sampled_from(choices))
    into = draw(strategies.sampled_from(sorted(proposals)))
    return signer, _decision(statement_type, doc["proposal_id"], verdict, into)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.data())
def test_any_sequence_of_steps_is_refused_or_keeps_the_invariants(
    data: strategies.DataObject,
) -> None:
    world = World()
    for _ in range(data.draw(strategies.integers(5, 40), label="steps")):
        if data.draw(strategies.booleans(), label="plausible"):
            signer, step = plausible(data.draw, world)
        else:
            signer, step = data.draw(signed_steps())
        if step is None:
            continue
        closed = {
            key: doc["stage"]
            for key, doc in _proposals(world).items()
            if doc["stage"] in CLOSED_STAGES
        }
        before = world.snapshot()
        try:
            seq = world.do(signer, step)
        except TerangError as error:
            assert is_refusal(error), f"{type(error).__name__}: {error}"
            assert world.snapshot() == before
            event(f"refused {error.code}")
            continue
        verdict = step.body.get("decision", "")
        event(f"accepted {step.type} {verdict}".strip())
        doc = world.proposal(step.subject)
        assert doc["steps"][-1]["seq"] == seq and doc["steps"][-1]["signer"] == key_id(signer)
        check_world(world, closed)


def test_the_whole_path_is_reachable_by_the_strategy_s_steps() -> None:
    """The steps the strategy draws from can take a proposal all the way to a budget line."""
    world = World()
    world.do("desa_a1", _submission("P-1", DESA_A1, SUB_A, "desa", YEAR))
    world.do("forum_a", _decision(st.KECAMATAN_DECISION, "P-1", "forwarded", "P-2"))  # type: ignore[arg-type]
    world.do("kabupaten", _decision(st.KABUPATEN_DECISION, "P-1", "forwarded", "P-2"))  # type: ignore[arg-type]
    world.do("bappeda", _decision(st.RKPD_DECISION, "P-1", "accepted", "P-2"))  # type: ignore[arg-type]
    world.do("finance", st.funding("P-1", L1))
    check_world(world, {})
