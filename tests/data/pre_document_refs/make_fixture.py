"""Make ``terang.db`` with the code of commit 53c2ac4 (the parent of ef3f47d, the commit
that made announcements note their document references as ``procurement.document`` rows).

Run from a checkout of that commit, never from today's tree (README.md says how):

    PYTHONPATH=<old tree>:<old tree>/tests:<old tree>/tests/unit/procurement \
        python make_fixture.py OUT_DIR

It logs a genesis, a budget line, a procurement officer, a committee and a tender
announced with one document, with the test harness's fixed clock (2026-03-02), and
publishes a checkpoint. The log key goes to OUT_DIR/log.key: a throwaway test key.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import make_harness
from procurement_support import Scenario

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
h = make_harness(f"sqlite:///{out / 'terang.db'}")
s = Scenario.build(h, vendors=2)
s.package()
s.announce(days=10)
h.ledger.publisher.publish(force=True)
(out / "log.key").write_text(h.log_signer.private_key() + "\n", encoding="ascii")
print(h.ledger.size(), h.log_signer.verifier_key())
h.ledger.close()
