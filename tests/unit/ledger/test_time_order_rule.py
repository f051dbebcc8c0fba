"""``replay.check_time_order``: logged_at never goes back (pure; no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nacl.signing import SigningKey

from ledger.replay import LoggedAtBackwards, check_time_order
from ledger.signing import make_signed
from ledger.statement import ZERO_HASH, LoggedEntry

SIGNED = make_signed(
    SigningKey.generate(),
    "registry.role.granted",
    "a" * 64,
    {"role": "vendor"},
    at=datetime(2026, 3, 2, tzinfo=UTC),
    origin="terang.test/log",
)


def entry(logged_at: str) -> LoggedEntry:
    return LoggedEntry(7, logged_at, ZERO_HASH, SIGNED)


@pytest.mark.parametrize(
    ("previous", "logged_at"),
    [
        (None, "2026-03-02T01:00:00.000Z"),  # entry 0 has nothing before it
        ("2026-03-02T01:00:00.000Z", "2026-03-02T01:00:00.000Z"),  # a batch shares a time
        ("2026-03-02T01:00:00.000Z", "2026-03-02T01:00:00.001Z"),
        ("2026-03-02T01:00:00Z", "2026-03-02T01:00:00.5Z"),  # other precisions: parsed
        ("2026-03-02T00:59:59.999Z", "2026-03-02T01:00:00Z"),
    ],
)
def test_forward_or_equal_times_pass(previous: str | None, logged_at: str) -> None:
    check_time_order(previous, entry(logged_at))


@pytest.mark.parametrize(
    ("previous", "logged_at"),
    [
        ("2026-03-02T01:00:00.001Z", "2026-03-02T01:00:00.000Z"),
        ("2026-03-02T14:03:00.000Z", "2026-03-02T13:51:00.000Z"),  # issue 10's example
        ("2026-03-02T01:00:00.5Z", "2026-03-02T01:00:00Z"),  # other precisions: parsed
        ("2026-03-02T01:00:00Z", "2026-03-02T00:59:59.999Z"),
        ("2027-01-01T00:00:00.000Z", "2026-12-31T23:59:59.999Z"),
    ],
)
def test_backward_times_are_refused_with_a_stable_code(previous: str, logged_at: str) -> None:
    with pytest.raises(LoggedAtBackwards) as caught:
        check_time_order(previous, entry(logged_at))
    assert caught.value.code == "logged_at_backwards"
    assert caught.value.details["seq"] == 7
    check_time_order(previous, entry(logged_at), simulated=True)  # a declared demo clock
