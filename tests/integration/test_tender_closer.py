"""The server's closer key may close tenders and do nothing else (issue 10, item 7).

``TERANG_PROCUREMENT_KEY_FILE`` is a key kept on the server, so whoever holds the
server holds it. With the ``tender_closer`` role it can sign ``procurement.tender.closed``
and every other statement it signs is refused before any reducer runs (``missing_role``),
on both engines.
"""

from __future__ import annotations

import pytest
from conftest import Harness
from procurement_support import Scenario

from ledger.errors import TerangError
from ledger.keys import client_key_id
from procurement import lifecycle as lc
from procurement.closer import Closer


def test_a_closer_key_closes_but_cannot_open_evaluate_award_or_plan(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=2)
    a, b = s.vendors
    closer_key = h.register("terang closer", ["tender_closer"])
    s.package()
    s.announce(days=10)
    s.bid(a, 46_000_000_000)
    s.bid(b, 44_000_000_000)
    h.clock.advance(10 * 86400)
    assert Closer(h.ledger, closer_key).close_due() == [s.ocid]
    assert s.tender()["state"] == lc.CLOSED
    for member in s.members[:2]:
        s.release(member)
    size = h.ledger.size()
    attempts = {
        lc.OPENED_TYPE: {},
        lc.EVALUATED: {
            "results": [
                {"bidder": client_key_id(a), "passed": True, "score": "90", "reasons": "ok"}
            ]
        },
        lc.WINNER_ANNOUNCED_TYPE: {"winner": client_key_id(a)},
        "procurement.tender.awarded": {
            "winner": client_key_id(a),
            "value": "460000000.00",
            "commitment": "KONTRAK-2026-0001",
        },
        lc.CANCELLED_TYPE: {"reason": "the closer should not be able to cancel"},
        lc.PACKAGE_CREATED: {},
        "procurement.vendor.activated": {},
    }
    for statement_type, body in attempts.items():
        with pytest.raises(TerangError) as caught:
            h.ledger.append_direct([h.sign(closer_key, statement_type, s.ocid, body)])
        assert caught.value.code == "missing_role", statement_type
    assert h.ledger.size() == size  # nothing the closer tried was logged
    s.append(s.officer, lc.OPENED_TYPE, {})  # the committee's officer still can
    assert s.tender()["state"] == lc.OPENED
