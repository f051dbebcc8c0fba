"""The log's time never runs backwards (issue 10, item 4a), on both engines.

The operator controls the server clock. Two attacks: set the clock back so that a late
entry is logged "earlier" (the sequencer must stall time instead), and write an entry
with an earlier ``logged_at`` straight into the database, past the sequencer (the
verifier's replay must refuse it with the stable fault ``logged_at_backwards``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from audit.remote import verify_log
from audit.verifier import LogFault
from ledger import merkle, storage
from ledger.keys import client_key_id
from ledger.replay import apply_entry
from ledger.sequencer import StoredState
from ledger.state import Overlay
from ledger.statement import LoggedEntry, b64encode, format_time, parse_time
from terang.app import all_kinds, create_app


def verify(h: Harness) -> None:
    with TestClient(create_app(h.ledger)) as client:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def logged_times(h: Harness) -> list[str]:
    return [h.ledger.entry(seq).logged_at for seq in range(h.ledger.size())]


def forge_entry_behind_the_sequencer(h: Harness, logged_at: str) -> int:
    """What an operator can do with the database and the log key: append a valid entry
    (a key registration signed by the authority) with a ``logged_at`` of its choosing,
    tree nodes, projections and a signed checkpoint included. Returns its seq."""
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "late", "roles": []}
    signed = h.sign(h.authority, "registry.key.registered", client_key_id(key), body)
    with h.ledger.engine.begin() as conn:
        storage.take_write_lock(conn)
        size = storage.tree_size(conn)
        prev = storage.leaf_hash_at(conn, size - 1)
        assert prev is not None
        entry = LoggedEntry(size, logged_at, prev, signed)
        state = StoredState(conn)
        overlay = Overlay(state)
        apply_entry(overlay, h.ledger.kinds, entry, origin=h.ledger.origin)
        overlay.commit()
        leaf = merkle.leaf_hash(entry.entry_bytes())
        storage.insert_entries(
            conn,
            [
                {
                    "seq": size,
                    "leaf_hash": leaf,
                    "entry_bytes": entry.entry_bytes(),
                    "statement_type": signed.statement.type,
                    "subject": signed.statement.subject,
                    "signer": signed.statement.signer,
                    "nonce": signed.statement.nonce,
                    "logged_at": logged_at,
                }
            ],
        )
        frontier = storage.fetch_nodes(conn, merkle.nodes_for_root(size))
        storage.insert_nodes(conn, merkle.append_leaves(size, frontier, [leaf]))
        state.flush(size)
    h.ledger.publisher.publish(force=True)
    return size


def test_a_clock_set_back_stalls_the_log_time_and_never_reverses_it(harness: Harness) -> None:
    harness.register("before", ["vendor"])
    before = harness.ledger.entry(harness.ledger.size() - 1).logged_at
    harness.clock.advance(-12 * 60)  # the operator sets the server clock back 12 minutes
    harness.register("after", ["vendor"])
    after = harness.ledger.entry(harness.ledger.size() - 1).logged_at
    assert after == before, "a clock set back must stall the log's time, not reverse it"
    times = [parse_time(t) for t in logged_times(harness)]
    assert times == sorted(times)
    harness.clock.advance(13 * 60)  # the clock moves past the head again: time moves on
    harness.register("later", ["vendor"])
    latest = harness.ledger.entry(harness.ledger.size() - 1).logged_at
    assert parse_time(latest) > parse_time(after)
    verify(harness)


def test_an_entry_written_behind_the_sequencer_with_an_earlier_time_fails_verify(
    harness: Harness,
) -> None:
    harness.register("honest", ["vendor"])
    head = harness.ledger.entry(harness.ledger.size() - 1).logged_at
    verify(harness)  # the honest log verifies
    earlier = format_time(parse_time(head) - timedelta(minutes=12))
    seq = forge_entry_behind_the_sequencer(harness, earlier)
    with pytest.raises(LogFault) as caught:
        verify(harness)
    assert caught.value.details["fault"] == "logged_at_backwards"
    assert caught.value.details["seq"] == seq


def test_the_writer_never_logs_before_a_head_written_in_the_future(harness: Harness) -> None:
    """A head dated ahead of the clock (a clock that was once fast, or a forged row): the
    next entry takes the head's time, so the log written on top still verifies."""
    ahead = format_time(harness.clock() + timedelta(hours=1))
    forge_entry_behind_the_sequencer(harness, ahead)
    harness.register("next", ["vendor"])
    assert harness.ledger.entry(harness.ledger.size() - 1).logged_at == ahead
    verify(harness)


def test_a_simulated_clock_can_be_declared_only_right_after_the_genesis(harness: Harness) -> None:
    """Demo logs declare a simulated clock at seq 1; a later declaration (an operator
    excusing a back-dated entry after the fact) is refused, so every other log keeps the
    time-order rule from its first entry."""
    from ledger.authority import CLOCK_SIMULATED_TYPE
    from ledger.kinds import Rejected

    harness.register("someone", ["vendor"])  # seq 1 is taken
    declaration = harness.sign(
        harness.authority, CLOCK_SIMULATED_TYPE, "clock", {"reason": "too late to declare"}
    )
    with pytest.raises(Rejected) as caught:
        harness.ledger.append_direct([declaration])
    assert caught.value.code == "simulated_clock_position"


def test_a_declared_simulated_clock_is_replayed_and_reported(harness: Harness) -> None:
    from terang.demo import declare_simulated_clock

    declare_simulated_clock(harness.ledger, harness.authority)
    harness.register("a", ["vendor"])
    harness.clock.advance(-3600)  # a demo's clock may jump back on this log only
    harness.register("b", ["vendor"])
    times = logged_times(harness)
    assert parse_time(times[-1]) < parse_time(times[-2])
    with TestClient(create_app(harness.ledger)) as client:
        report = verify_log(
            client, harness.log_signer.verifier_key(), all_kinds(), harness.ledger.limits
        )
    assert report.simulated_clock is True
