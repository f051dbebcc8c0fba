"""``check_line_invariants`` names the one invariant a broken line breaks.

A projection row changed behind the service's back, or a reducer bug, shows up as one
of these; the message must say which derived amount is wrong, not "do not add up"."""

from __future__ import annotations

import pytest

from budgeting.codes import parse_line_id
from budgeting.reducers import _new_line, _recompute, check_line_invariants
from ledger.errors import InvariantBroken
from ledger.state import Document

LINE = "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0001:DAU"


def healthy() -> Document:
    line = _new_line(parse_line_id(LINE), 7)
    line["appropriated_sen"] = 1_000_00
    line["allotted_by_month"][0] = 600_00
    line["committed_sen"] = 300_00
    line["paid_committed_sen"] = 100_00
    line["realised_by_month"][0] = 100_00
    _recompute(line)
    line["realised_sen"] = line["paid_committed_sen"] + line["paid_uncommitted_sen"]
    return line


def test_a_healthy_line_passes() -> None:
    check_line_invariants(healthy())


@pytest.mark.parametrize(
    ("field", "change", "named"),
    [
        ("budget_sen", 1, "budget is not appropriated + revised + shifted"),
        ("realised_sen", 1, "realised is not the committed and uncommitted paid"),
        ("available_sen", -1, "available is not budget - committed - paid uncommitted"),
        ("allotted_sen", 1, "allotted is not the sum of the months' allotments"),
    ],
)
def test_each_broken_derived_amount_is_named(field: str, change: int, named: str) -> None:
    line = healthy()
    line[field] += change
    with pytest.raises(InvariantBroken) as caught:
        check_line_invariants(line)
    assert caught.value.message == f"line {LINE}: {named}"


def test_months_that_disagree_with_the_realised_total_are_named() -> None:
    line = healthy()
    line["realised_by_month"][1] = 5_00
    with pytest.raises(InvariantBroken) as caught:
        check_line_invariants(line)
    assert caught.value.message.endswith("realised is not the sum of the months' payments")


def test_spending_beyond_the_budget_and_cash_beyond_the_allotment_are_named() -> None:
    over = healthy()
    over["paid_committed_sen"] = over["committed_sen"] + 1
    over["realised_sen"] = over["paid_committed_sen"]
    over["realised_by_month"][0] = over["paid_committed_sen"]
    with pytest.raises(InvariantBroken, match="spending exceeds the budget or commitments"):
        check_line_invariants(over)
    cash = healthy()  # the January payment against cash allotted from February only
    cash["allotted_by_month"][1], cash["allotted_by_month"][0] = cash["allotted_by_month"][0], 0
    with pytest.raises(InvariantBroken, match="payments exceed the cash allotted"):
        check_line_invariants(cash)
