"""``terang init --witness``: the single-machine deployment with a local witness (issue 10,
item 6), on both engines: the witness key is created once, the witness policy naming it
is logged right after the genesis, and a demo can still declare its simulated clock."""

from __future__ import annotations

import stat
from pathlib import Path

from nacl.signing import SigningKey

from ledger.bootstrap import InitResult, init_log
from ledger.keys import load_client_key
from ledger.note import parse_verifier_key
from ledger.service import Ledger, Settings
from ledger.time_anchor import WITNESS_POLICY_TYPE
from ledger.witnessing import logged_witness_policy
from terang.app import all_kinds
from terang.demo import declare_simulated_clock


def test_init_with_a_local_witness_logs_its_policy_once(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, log_key_file=tmp_path / "keys" / "log.key")

    def init() -> InitResult:
        return init_log(
            settings,
            all_kinds(),
            authority_key_file=tmp_path / "offline-keys" / "authority.key",
            local_witness=True,
            witness_key_file=tmp_path / "keys" / "witness.key",
        )

    first = init()
    assert first.created_witness_key and first.logged_witness_policy
    assert first.size == 2
    assert stat.S_IMODE((tmp_path / "keys" / "witness.key").stat().st_mode) == 0o600
    again = init()
    assert not again.created_witness_key and not again.logged_witness_policy
    assert again.size == 2
    ledger = Ledger(settings, all_kinds())
    try:
        assert ledger.entry(1).signed.statement.type == WITNESS_POLICY_TYPE
        with ledger.engine.connect() as conn:
            policy = logged_witness_policy(conn)
        assert policy is not None and policy.quorum == 1
        assert [w.verifier_key() for w in policy.witnesses] == [first.witness_verifier_key]
        assert policy.log == parse_verifier_key(first.verifier_key)
        authority: SigningKey = load_client_key(tmp_path / "offline-keys" / "authority.key")
        declare_simulated_clock(ledger, authority)  # a demo may follow: seq 2
        assert ledger.entry(2).signed.statement.type == "ledger.clock.simulated"
    finally:
        ledger.close()
