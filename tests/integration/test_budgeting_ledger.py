"""Budgeting through the real ledger on SQLite and PostgreSQL: postings, every refusal
path leaving the database untouched, idempotency, atomic batches, and random postings
whose log replays (audit.verifier.LogReplayer) to exactly the stored projection."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from conftest import Harness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as strategies
from nacl.signing import SigningKey
from sqlalchemy import func, select

from audit.verifier import LogReplayer
from budgeting import statements as st
from budgeting.demo import structure_postings
from budgeting.namespaces import AMOUNT_FIELDS, NS_COMMITMENT, NS_FISCAL_YEAR, NS_LINE
from budgeting.postings import check_posting, post_postings
from budgeting.reducers import check_line_invariants
from ledger import storage
from ledger.errors import TerangError
from terang.app import all_kinds

YEAR = 2026  # the harness clock is 2026-03-02
JUTA = 1_000_000 * 100
DINKES = "1.02.0.00.0.00.01.0000"
PUSKESMAS = f"{YEAR}:{DINKES}:1.02.02.2.01.0003:5.2.03.01.01.0007:DAK-FISIK"
ALKES = f"{YEAR}:{DINKES}:1.02.02.2.01.0014:5.2.02.07.01.0001:DAK-FISIK"
PUPR_JALAN = f"{YEAR}:1.03.0.00.0.00.01.0000:1.03.10.2.01.0022:5.2.04.01.01.0003:DAU"
REKLAME = f"{YEAR}:5.02.0.00.0.00.01.0000:-:4.1.01.09.01.0001:PAD"


def row_counts(h: Harness) -> tuple[int, int, int]:
    with h.ledger.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
        )


def document(h: Harness, namespace: str, key: str) -> dict[str, Any]:
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        value = conn.execute(
            select(p.value).where(p.namespace == namespace, p.key == key)
        ).scalar_one()
    result: dict[str, Any] = json.loads(value)
    return result


def replay_matches_projection(h: Harness) -> int:
    """Replay every entry offline and compare every projection document; return how many."""
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
    return len(stored)


@pytest.fixture
def finance(harness: Harness) -> SigningKey:
    key = harness.register("bpkad", ["finance"])
    post_postings(harness.ledger, key, structure_postings(YEAR))
    return key


def post(h: Harness, key: SigningKey, *postings: st.Posting) -> list[int]:
    signed = [p.sign(key, at=h.clock(), origin=h.origin, limits=h.ledger.limits) for p in postings]
    return [receipt.seq for receipt in h.ledger.append_direct(signed)]


def funded(h: Harness, key: SigningKey, line: str, amount: int, cash: int | None = None) -> None:
    post(
        h,
        key,
        st.appropriation(line, f"DPA-{line}", amount),
        st.allotment(line, f"AK-{line}", [(1, amount if cash is None else cash)]),
    )


def test_a_year_of_postings_projects_lines_and_totals(
    harness: Harness, finance: SigningKey
) -> None:
    funded(harness, finance, PUSKESMAS, 2_000 * JUTA)
    post(
        harness,
        finance,
        st.commitment(PUSKESMAS, "SPK-001", 1_800 * JUTA, date(YEAR, 1, 20), "SPK/001/1.02/2026"),
        st.payment(PUSKESMAS, "SP2D-001", 360 * JUTA, date(YEAR, 2, 3), commitment="SPK-001"),
        st.appropriation(REKLAME, "DPA-R", 500 * JUTA),
        st.payment(REKLAME, "STS-001", 40 * JUTA, date(YEAR, 1, 31)),
    )
    line = document(harness, NS_LINE, PUSKESMAS)
    assert (line["budget_sen"], line["committed_sen"], line["realised_sen"]) == (
        2_000 * JUTA,
        1_800 * JUTA,
        360 * JUTA,
    )
    assert line["available_sen"] == 200 * JUTA
    year = document(harness, NS_FISCAL_YEAR, str(YEAR))
    assert year["totals"]["belanja"]["realised_sen"] == 360 * JUTA
    assert year["totals"]["pendapatan"]["realised_sen"] == 40 * JUTA
    assert replay_matches_projection(harness) > 370


Scenario = Callable[[Harness, SigningKey], st.Posting]


def _overspend(h: Harness, key: SigningKey) -> st.Posting:
    return st.commitment(PUSKESMAS, "SPK-9", 1_001 * JUTA, date(YEAR, 2, 1), "SPK/9")


def _over_payment(h: Harness, key: SigningKey) -> st.Posting:
    post(h, key, st.commitment(PUSKESMAS, "SPK-1", 300 * JUTA, date(YEAR, 2, 1), "SPK/1"))
    return st.payment(PUSKESMAS, "SP2D-9", 301 * JUTA, date(YEAR, 2, 2), commitment="SPK-1")


def _beyond_allotment(h: Harness, key: SigningKey) -> st.Posting:
    post(h, key, st.allotment(PUSKESMAS, "AK-2", [(1, -700 * JUTA), (4, 700 * JUTA)]))
    return st.payment(PUSKESMAS, "SP2D-9", 301 * JUTA, date(YEAR, 2, 2))


def _unbalanced_shift(h: Harness, key: SigningKey) -> st.Posting:
    return st.shift("PG-1", [(PUSKESMAS, -100 * JUTA), (ALKES, 90 * JUTA)])


def _revision_below_committed(h: Harness, key: SigningKey) -> st.Posting:
    post(h, key, st.commitment(PUSKESMAS, "SPK-1", 900 * JUTA, date(YEAR, 2, 1), "SPK/1"))
    return st.revision(PUSKESMAS, "APBDP-1", -101 * JUTA)


def _duplicate_posting_id(h: Harness, key: SigningKey) -> st.Posting:
    # Another type under a used posting id: its nonce differs, so the reducer decides.
    # (The same type under the same id has the same derived nonce: nonce_reused, 409.)
    return st.revision(ALKES, f"DPA-{PUSKESMAS}", 5 * JUTA)


def _already_reversed(h: Harness, key: SigningKey) -> st.Posting:
    (seq,) = post(h, key, st.payment(PUSKESMAS, "SP2D-1", JUTA, date(YEAR, 2, 2)))
    post(h, key, st.reversal(PUSKESMAS, "X-1", seq, "salah input"))
    return st.reversal(PUSKESMAS, "X-2", seq, "salah input lagi")


def _unknown_code(h: Harness, key: SigningKey) -> st.Posting:
    return st.appropriation(PUSKESMAS.replace("0003", "0099"), "DPA-X", JUTA)


@pytest.mark.parametrize(
    ("scenario", "code", "status"),
    [
        (_overspend, "commitment_exceeds_available", 409),
        (_over_payment, "payment_exceeds_commitment", 409),
        (_beyond_allotment, "payment_exceeds_allotment", 409),
        (_unbalanced_shift, "unbalanced_shift", 409),
        (_revision_below_committed, "budget_below_committed", 409),
        (_duplicate_posting_id, "duplicate_posting", 409),
        (_already_reversed, "already_reversed", 409),
        (_unknown_code, "unknown_code", 409),
    ],
)
def test_every_refusal_logs_and_changes_nothing(
    harness: Harness, finance: SigningKey, scenario: Scenario, code: str, status: int
) -> None:
    funded(harness, finance, PUSKESMAS, 1_000 * JUTA)
    posting = scenario(harness, finance)
    before = row_counts(harness)
    size = harness.ledger.size()
    with pytest.raises(TerangError) as caught:
        post(harness, finance, posting)
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert row_counts(harness) == before and harness.ledger.size() == size
    with pytest.raises(TerangError) as dry:
        check_posting(harness.ledger.engine, posting, at=harness.clock())
    assert dry.value.code == code  # the dry run gives the sequencer's answer


def test_wrong_role_is_refused_and_changes_nothing(harness: Harness, finance: SigningKey) -> None:
    officer = harness.register("ppk", ["procurement_officer"])
    before = row_counts(harness)
    with pytest.raises(TerangError) as caught:
        post(harness, officer, st.appropriation(PUSKESMAS, "DPA-1", JUTA))
    assert (caught.value.code, caught.value.http_status) == ("missing_role", 403)
    assert row_counts(harness) == before


def test_retries_are_idempotent_and_reposting_is_refused(
    harness: Harness, finance: SigningKey
) -> None:
    posting = st.appropriation(PUSKESMAS, "DPA-1", 10 * JUTA)
    signed = posting.sign(
        finance, at=harness.clock(), origin=harness.origin, limits=harness.ledger.limits
    )
    (first,) = harness.ledger.append_direct([signed])
    before = row_counts(harness)
    (again,) = harness.ledger.append_direct([signed])
    assert again.duplicate and again.seq == first.seq
    harness.clock.advance(5)  # re-signed later: same deterministic nonce, other bytes
    with pytest.raises(TerangError) as caught:
        post(harness, finance, posting)
    assert caught.value.code == "nonce_reused"
    fresh_nonce = harness.sign(finance, posting.type, posting.subject, posting.body)
    with pytest.raises(TerangError) as caught:
        harness.ledger.append_direct([fresh_nonce])
    assert caught.value.code == "duplicate_posting"
    assert row_counts(harness) == before


def test_a_batch_is_atomic(harness: Harness, finance: SigningKey) -> None:
    funded(harness, finance, PUSKESMAS, 100 * JUTA)
    before = row_counts(harness)
    good = st.commitment(PUSKESMAS, "SPK-1", 60 * JUTA, date(YEAR, 2, 1), "SPK/1")
    also_good = st.payment(PUSKESMAS, "SP2D-1", 10 * JUTA, date(YEAR, 2, 2), commitment="SPK-1")
    too_much = st.commitment(PUSKESMAS, "SPK-2", 41 * JUTA, date(YEAR, 2, 3), "SPK/2")
    with pytest.raises(TerangError) as caught:
        post(harness, finance, good, also_good, too_much)
    assert caught.value.code == "commitment_exceeds_available"
    assert caught.value.details["statement_index"] == 2
    assert row_counts(harness) == before


# -- random postings: invariants and replay on both engines -----------------------------

LINES = (PUSKESMAS, ALKES, REKLAME)
amounts = strategies.integers(min_value=1, max_value=50).map(lambda n: n * JUTA)
signed_amounts = strategies.integers(min_value=-50, max_value=50).map(lambda n: (n or 1) * JUTA)
months = strategies.integers(min_value=1, max_value=2)  # value dates up to the clock's day
lines = strategies.sampled_from(LINES)
ops = strategies.one_of(
    strategies.tuples(strategies.just("appropriate"), lines, amounts),
    strategies.tuples(strategies.just("revise"), lines, signed_amounts),
    strategies.tuples(strategies.just("shift"), amounts),
    strategies.tuples(strategies.just("allot"), lines, months, signed_amounts),
    strategies.tuples(strategies.just("commit"), lines, amounts),
    strategies.tuples(strategies.just("pay"), lines, amounts, months, strategies.booleans()),
    strategies.tuples(strategies.just("reverse"), strategies.integers(0, 50)),
)
example_counter = iter(range(1, 1000))


def _posting(
    op: tuple[Any, ...], pid: str, year: int, seqs: list[int], commitments: list[str]
) -> st.Posting:
    def at(line: str) -> str:
        return line.replace(f"{YEAR}:", f"{year}:", 1)

    kind = op[0]
    if kind == "appropriate":
        return st.appropriation(at(op[1]), pid, op[2])
    if kind == "revise":
        return st.revision(at(op[1]), pid, op[2])
    if kind == "shift":
        return st.shift(pid, [(at(PUSKESMAS), -op[1]), (at(ALKES), op[1])])
    if kind == "allot":
        return st.allotment(at(op[1]), pid, [(op[2], op[3])])
    if kind == "commit":
        return st.commitment(at(op[1]), pid, op[2], date(year, 1, 15), f"SPK/{pid}")
    if kind == "pay":
        commitment = commitments[-1] if op[4] and commitments else None
        return st.payment(at(op[1]), pid, op[2], date(year, op[3], 1), commitment=commitment)
    target = seqs[op[1] % len(seqs)] if seqs else 1
    return st.reversal(at(PUSKESMAS), pid, target, "koreksi")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(strategies.lists(ops, min_size=5, max_size=30))
def test_random_postings_keep_the_invariants_and_replay_exactly(
    harness: Harness, finance: SigningKey, sequence: list[tuple[Any, ...]]
) -> None:
    # Each example books a fiscal year of its own, so examples do not see each other's lines.
    year = YEAR - next(example_counter)
    post(harness, finance, st.structure("fiscal_year", str(year), f"APBD {year}"))
    seqs: list[int] = []
    commitments: list[str] = []
    for number, op in enumerate(sequence):
        pid = f"{year}-{number}"
        posting = _posting(op, pid, year, seqs, commitments)
        before = row_counts(harness)
        try:
            (seq,) = post(harness, finance, posting)
        except TerangError:
            assert row_counts(harness) == before
            continue
        seqs.append(seq)
        if op[0] == "commit":
            commitments.append(pid)
    p = storage.projection_rows.c
    with harness.ledger.engine.connect() as conn:
        docs = {
            (ns, key): json.loads(value)
            for ns, key, value in conn.execute(
                select(p.namespace, p.key, p.value).where(p.namespace.like("budgeting.%"))
            )
        }
    line_docs = [doc for (ns, _), doc in docs.items() if ns == NS_LINE]
    for line in line_docs:
        check_line_invariants(line)  # available >= 0, paid <= committed, cash covers payments
    for (ns, _), doc in docs.items():
        if ns == NS_COMMITMENT:
            assert 0 <= doc["paid_sen"] <= doc["amount_sen"]
    for (ns, key), doc in docs.items():
        if ns == NS_FISCAL_YEAR:
            mine = [line for line in line_docs if line["year"] == int(key)]
            for group, totals in doc["totals"].items():
                for name in AMOUNT_FIELDS:
                    assert totals[name] == sum(x[name] for x in mine if x["group"] == group)
    replay_matches_projection(harness)
