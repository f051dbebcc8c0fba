"""The procurement part of `terang demo` on both engines: tenders in every kind of state,
a contract with a paid advance on the budget, idempotent, and the log replays."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import Harness
from test_procurement_tender import replay_matches

from budgeting import reducers as budget
from procurement import lifecycle as lc
from procurement.contracts import CONTRACT_NAMESPACE
from procurement.reads import document
from terang.demo import load_demo

DEMO_SECONDS_MAX = 60


def test_demo_tenders_in_every_state(harness: Harness, tmp_path: Path) -> None:
    h = harness
    started = time.monotonic()
    summary = load_demo(h.ledger, h.authority, tmp_path / "keys")
    seconds = time.monotonic() - started
    if h.ledger.engine.dialect.name == "sqlite":
        assert seconds < DEMO_SECONDS_MAX
    year = summary["budget_year"]
    ocids = summary["procurement_tenders"]
    assert len(ocids) == 6
    with h.ledger.engine.connect() as conn:
        tenders = {o: document(conn, lc.TENDER_NAMESPACE, o) for o in ocids}
        states = {o: t["state"] for o, t in tenders.items() if t is not None}
        awarded = f"ocds-t3r4ng-{year}-DEMO-001"
        contract = document(conn, CONTRACT_NAMESPACE, awarded)
        assert contract is not None
        commitment = document(conn, budget.NS_COMMITMENT, f"KONTRAK-{awarded}")
    assert states == {
        awarded: "awarded",
        f"ocds-t3r4ng-{year}-DEMO-002": "cancelled",
        f"ocds-t3r4ng-{year}-DEMO-003": "opened",
        f"ocds-t3r4ng-{year}-DEMO-004": "planned",
        f"ocds-t3r4ng-{year}-DEMO-005": "active",
        f"ocds-t3r4ng-{year}-DEMO-006": "closed",
    }
    opened = tenders[f"ocds-t3r4ng-{year}-DEMO-003"]
    assert opened is not None and opened["bids"]["opened"] == 3
    assert contract["paid_sen"] == contract["value_sen"] * 30 // 100
    assert commitment is not None and commitment["paid_sen"] == contract["paid_sen"]
    assert (tmp_path / "keys" / "pokja1.box").stat().st_mode & 0o777 == 0o600

    size = h.ledger.size()
    again = load_demo(h.ledger, h.authority, tmp_path / "keys")
    assert again["procurement_tenders"] == [] and again["procurement_statements"] == 0
    assert h.ledger.size() == size
    replay_matches(h)
