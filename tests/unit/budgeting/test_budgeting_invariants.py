"""Random sequences of postings against an independent model of the rules.

The model below is a second, deliberately plain implementation of the budget rules
(docs/budgeting.md, "Rules"): integers per line, checks in the documented order. For
every random posting it predicts accept or the first refusal code; the reducers must
agree, and after every step every line, commitment and fiscal-year total must equal
the model's, and the documented invariants must hold. Why a model and not only the
invariants: a reducer that refused everything would keep every invariant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from budgeting_book import L1, L2, REVENUE, YEAR, Book, structured_book
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as strategies

from budgeting import statements as st
from budgeting.codes import parse_line_id
from budgeting.namespaces import AMOUNT_FIELDS, NS_COMMITMENT, NS_FISCAL_YEAR, NS_LINE
from budgeting.reducers import check_line_invariants
from ledger.errors import TerangError

LINES = (L1, L2, REVENUE)
MONTHS = 12


@dataclass
class LineModel:
    outflow: bool
    appropriated: int = 0
    revised: int = 0
    shifted: int = 0
    committed: int = 0
    paid_committed: int = 0
    paid_uncommitted: int = 0
    allotted: list[int] = field(default_factory=lambda: [0] * MONTHS)
    paid: list[int] = field(default_factory=lambda: [0] * MONTHS)

    @property
    def budget(self) -> int:
        return self.appropriated + self.revised + self.shifted

    @property
    def available(self) -> int:
        return self.budget - self.committed - self.paid_uncommitted

    def cash_short(self, month: int = 0, extra: int = 0) -> bool:
        allotted = paid = 0
        for index in range(MONTHS):
            allotted += self.allotted[index]
            paid += self.paid[index] + (extra if index == month - 1 else 0)
            if paid > allotted:
                return True
        return False

    def budget_error(self) -> str | None:
        if self.budget < 0:
            return "budget_negative"
        if self.outflow and self.available < 0:
            return "budget_below_committed"
        return None

    def allotment_error(self, before_total: int) -> str | None:
        if any(value < 0 for value in self.allotted):
            return "allotment_negative"
        total = sum(self.allotted)
        if total > before_total and total > self.budget:
            return "allotment_exceeds_budget"
        if self.outflow and self.cash_short():
            return "allotment_below_paid"
        return None


@dataclass
class Model:
    lines: dict[str, LineModel] = field(default_factory=dict)
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)
    postings: dict[int, dict[str, Any]] = field(default_factory=dict)
    used_ids: dict[str, int] = field(default_factory=dict)

    def line(self, line_id: str) -> LineModel:
        return self.lines.get(line_id) or LineModel(parse_line_id(line_id).group.is_outflow)


def _copy(line: LineModel) -> LineModel:
    return LineModel(
        line.outflow,
        line.appropriated,
        line.revised,
        line.shifted,
        line.committed,
        line.paid_committed,
        line.paid_uncommitted,
        list(line.allotted),
        list(line.paid),
    )


def predict(model: Model, op: tuple[Any, ...], posting_id: str, seq: int) -> str | None:
    """The first refusal code for ``op``, or None after applying it to ``model``."""
    kind = op[0]
    if posting_id in model.used_ids:
        return "duplicate_posting"
    record: dict[str, Any] = {"type": kind, "reversed": False}
    if kind in ("appropriate", "revise"):
        _, line_id, amount = op
        if line_id not in model.lines and amount < 0:
            return "unknown_line"
        line = _copy(model.line(line_id))
        if kind == "appropriate":
            line.appropriated += amount
        else:
            line.revised += amount
        error = line.budget_error()
        if error:
            return error
        model.lines[line_id] = line
        record.update(line=line_id, amount=amount)
    elif kind == "shift":
        _, source, target, amount, imbalance = op
        if imbalance:
            return "unbalanced_shift"
        if model.line(source).outflow != model.line(target).outflow:
            return "shift_across_groups"
        if source not in model.lines:
            return "unknown_line"
        changed = {source: _copy(model.lines[source]), target: _copy(model.line(target))}
        changed[source].shifted -= amount
        changed[target].shifted += amount
        for line in changed.values():
            error = line.budget_error()
            if error:
                return error
        model.lines.update(changed)
        record.update(moves=[(source, -amount), (target, amount)])
    elif kind == "allot":
        _, line_id, month, amount = op
        if line_id not in model.lines:
            return "unknown_line"
        line = _copy(model.lines[line_id])
        before_total = sum(line.allotted)
        line.allotted[month - 1] += amount
        error = line.allotment_error(before_total)
        if error:
            return error
        model.lines[line_id] = line
        record.update(line=line_id, months=[(month, amount)])
    elif kind == "commit":
        _, line_id, amount, _month = op
        if line_id not in model.lines:
            return "unknown_line"
        line = model.lines[line_id]
        if not line.outflow:
            return "commitment_on_inflow_line"
        if amount > line.available:
            return "commitment_exceeds_available"
        line.committed += amount
        model.commitments[posting_id] = {"line": line_id, "amount": amount, "paid": 0, "rev": False}
        record.update(line=line_id, amount=amount, id=posting_id)
    elif kind == "pay":
        _, line_id, amount, month, commitment_id = op
        if line_id not in model.lines:
            return "unknown_line"
        line = model.lines[line_id]
        commitment = None
        if commitment_id is not None:
            commitment = model.commitments.get(commitment_id)
            if commitment is None:
                return "unknown_commitment"
            if commitment["line"] != line_id:
                return "commitment_other_line"
            if commitment["rev"]:
                return "commitment_reversed"
        if line.outflow:
            if commitment is not None:
                if amount > commitment["amount"] - commitment["paid"]:
                    return "payment_exceeds_commitment"
            elif amount > line.available:
                return "payment_exceeds_available"
            if line.cash_short(month, amount):
                return "payment_exceeds_allotment"
        if commitment is not None:
            commitment["paid"] += amount
            line.paid_committed += amount
        else:
            line.paid_uncommitted += amount
        line.paid[month - 1] += amount
        record.update(line=line_id, amount=amount, month=month, commitment=commitment_id)
    elif kind == "reverse":
        target_seq = op[1]
        target = model.postings.get(target_seq)
        if target is None:
            return "unknown_posting"
        if target["type"] == "reverse":
            return "not_reversible"
        if target["reversed"]:
            return "already_reversed"
        error = _undo(model, target)
        if error:
            return error
        target["reversed"] = True
    model.used_ids[posting_id] = seq
    model.postings[seq] = record
    return None


def _undo(model: Model, target: dict[str, Any]) -> str | None:
    kind = target["type"]
    if kind in ("appropriate", "revise"):
        line = _copy(model.lines[target["line"]])
        if kind == "appropriate":
            line.appropriated -= target["amount"]
        else:
            line.revised -= target["amount"]
        error = line.budget_error()
        if error:
            return error
        model.lines[target["line"]] = line
    elif kind == "shift":
        changed = {line_id: _copy(model.lines[line_id]) for line_id, _ in target["moves"]}
        for line_id, amount in target["moves"]:
            changed[line_id].shifted -= amount
        for line in changed.values():
            error = line.budget_error()
            if error:
                return error
        model.lines.update(changed)
    elif kind == "allot":
        line = _copy(model.lines[target["line"]])
        before_total = sum(line.allotted)
        for month, amount in target["months"]:
            line.allotted[month - 1] -= amount
        error = line.allotment_error(before_total)
        if error:
            return error
        model.lines[target["line"]] = line
    elif kind == "commit":
        commitment = model.commitments[target["id"]]
        if commitment["paid"]:
            return "not_reversible"
        model.lines[target["line"]].committed -= target["amount"]
        commitment["rev"] = True
    elif kind == "pay":
        line = model.lines[target["line"]]
        line.paid[target["month"] - 1] -= target["amount"]
        if target["commitment"] is not None:
            model.commitments[target["commitment"]]["paid"] -= target["amount"]
            line.paid_committed -= target["amount"]
        else:
            line.paid_uncommitted -= target["amount"]
    return None


# -- turning ops into postings ---------------------------------------------------------

amounts = strategies.integers(min_value=1, max_value=60)
signed = strategies.integers(min_value=-60, max_value=60).map(lambda n: n or 1)
months = strategies.integers(min_value=1, max_value=MONTHS)
lines = strategies.sampled_from(LINES)
ops = strategies.one_of(
    strategies.tuples(strategies.just("appropriate"), lines, amounts),
    strategies.tuples(strategies.just("revise"), lines, signed),
    strategies.tuples(
        strategies.just("shift"),
        strategies.sampled_from([(a, b) for a in LINES for b in LINES if a != b]),
        amounts,
        strategies.sampled_from([0, 0, 0, 1]),
    ).map(lambda op: (op[0], *op[1], op[2], op[3])),
    strategies.tuples(strategies.just("allot"), lines, months, signed),
    strategies.tuples(strategies.just("commit"), lines, amounts, months),
    strategies.tuples(
        strategies.just("pay"),
        lines,
        amounts,
        months,
        strategies.one_of(strategies.none(), strategies.integers(0, 20)),
    ),
    strategies.tuples(strategies.just("reverse"), strategies.integers(0, 200)),
    strategies.tuples(strategies.just("duplicate"), strategies.integers(0, 200)),
)


def to_posting(
    op: tuple[Any, ...], posting_id: str, model: Model, book: Book
) -> tuple[st.Posting, tuple[Any, ...]]:
    """The posting for ``op`` and the op as the model should see it (choices resolved)."""
    kind = op[0]
    if kind == "appropriate":
        return st.appropriation(op[1], posting_id, op[2]), op
    if kind == "revise":
        return st.revision(op[1], posting_id, op[2]), op
    if kind == "shift":
        _, source, target, amount, imbalance = op
        moves = [(source, -amount), (target, amount + imbalance)]
        return st.shift(posting_id, moves), op
    if kind == "allot":
        return st.allotment(op[1], posting_id, [(op[2], op[3])]), op
    if kind == "commit":
        _, line_id, amount, month = op
        return st.commitment(line_id, posting_id, amount, date(YEAR, month, 1), "SPK"), op
    if kind == "pay":
        _, line_id, amount, month, pick = op
        known = sorted(model.commitments)
        commitment = None if pick is None else (known[pick % len(known)] if known else "K-none")
        posting = st.payment(
            line_id, posting_id, amount, date(YEAR, month, 28), commitment=commitment
        )
        return posting, (kind, line_id, amount, month, commitment)
    seqs = sorted(model.postings) or [1]
    if kind == "reverse":
        target_seq = seqs[op[1] % len(seqs)] if op[1] % 5 else 1  # sometimes a structure seq
        target = model.postings.get(target_seq)
        subject = L1
        if target is not None:
            subject = _subject(target, book, target_seq)
        return st.reversal(subject, posting_id, target_seq, "koreksi"), (kind, target_seq)
    # duplicate: an appropriation under an id already used (if any)
    used = sorted(model.used_ids)
    reused = used[op[1] % len(used)] if used else posting_id
    return st.appropriation(L1, reused, 1), ("appropriate", L1, 1)


def _subject(target: dict[str, Any], book: Book, seq: int) -> str:
    doc = book.state.documents[("budgeting.posting", f"{seq:012d}")]
    return str(doc["subject"])


def check_against_model(book: Book, model: Model) -> None:
    documents = book.state.documents
    for line_id, expected in model.lines.items():
        line = documents[(NS_LINE, line_id)]
        check_line_invariants(line)
        assert (
            line["appropriated_sen"],
            line["revised_sen"],
            line["shifted_sen"],
            line["committed_sen"],
            line["paid_committed_sen"],
            line["paid_uncommitted_sen"],
            line["allotted_by_month"],
            line["realised_by_month"],
        ) == (
            expected.appropriated,
            expected.revised,
            expected.shifted,
            expected.committed,
            expected.paid_committed,
            expected.paid_uncommitted,
            expected.allotted,
            expected.paid,
        ), line_id
        if expected.outflow:
            assert line["available_sen"] >= 0
            assert line["paid_committed_sen"] <= line["committed_sen"]
    for commitment_id, expected_commitment in model.commitments.items():
        doc = documents[(NS_COMMITMENT, commitment_id)]
        assert doc["paid_sen"] == expected_commitment["paid"] <= doc["amount_sen"]
        assert (doc["reversed_by_seq"] is not None) == expected_commitment["rev"]
    year = documents[(NS_FISCAL_YEAR, str(YEAR))]
    all_lines = [doc for (ns, _), doc in documents.items() if ns == NS_LINE]
    assert year["line_count"] == len(all_lines)
    for group, totals in year["totals"].items():
        for name in AMOUNT_FIELDS:
            assert totals[name] == sum(d[name] for d in all_lines if d["group"] == group)


# Every sequence starts from funded lines with some cash, so that commitments and
# payments are accepted often enough to matter (the statistics show the mix).
PROLOGUE: list[tuple[Any, ...]] = [
    ("appropriate", L1, 150),
    ("appropriate", L2, 100),
    ("appropriate", REVENUE, 100),
    *[("allot", L1, month, 10) for month in (1, 3, 6, 9)],
    ("allot", L2, 2, 40),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.lists(ops, min_size=1, max_size=60))
def test_random_postings_agree_with_the_model_and_keep_the_invariants(
    sequence: list[tuple[Any, ...]],
) -> None:
    book = structured_book()
    model = Model()
    for number, op in enumerate(PROLOGUE + sequence):
        posting_id = f"P-{number}"
        posting, resolved = to_posting(op, posting_id, model, book)
        expected = predict(model, resolved, posting.key, book.seq + 1)
        before = book.snapshot()
        try:
            book.post(posting)
            outcome = None
        except TerangError as error:
            outcome = error.code
            assert book.snapshot() == before
        assert outcome == expected, (resolved, outcome, expected)
        event(f"{resolved[0]}: {outcome or 'accepted'}")
        check_against_model(book, model)
