"""Issue 17 item 9: planned rotation of the log key within one log (``ledger.log_keys``).

The region's authority logs ``ledger.log_key.rotated`` naming the new key with a proof
of possession; the service refuses it unless it holds that key. The first checkpoint
over a tree that includes the rotation is signed by both keys, every later one by the
new key alone. ``terang verify`` given only the genesis key follows the rotation; an
operator who forges a rotation, signs after it with the old key or with an unannounced
key, or strips a hand-over signature, is caught. Witnesses follow the hand-over with
both keys configured; the restore guard reads checkpoints signed by either key.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ORIGIN, Harness, make_harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches
from log_surgery import append_behind_the_back, behind_the_triggers
from mirror_support import mirror
from nacl.signing import SigningKey
from sqlalchemy import select

from audit import static_tiles
from audit.monitor import FollowedLog, Monitor
from audit.remote import StateFile, VerifyReport, verify_log
from audit.verifier import LogFault
from ledger import storage
from ledger.backup import backup_sqlite
from ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from ledger.errors import LogBehindPublished, SignatureError
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.log_keys import LOG_KEY_SUBJECT, ROTATED_TYPE, WITNESS_POLICY_KEY, rotation_body
from ledger.note import Signer, generate_cosigner, generate_signer, split_note
from ledger.statement import LoggedEntry, SignedStatement, b64encode, format_time
from ledger.time_anchor import WITNESS_POLICY_TYPE
from ledger.witnessing import WitnessEndpoint, WitnessSet
from terang.app import all_kinds, create_app
from witness.server import Witness, create_witness_app
from witness.store import WitnessStore


def grow(h: Harness, count: int) -> None:
    for _ in range(count):
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "officer", "roles": []}
        h.ledger.append_direct(
            [h.sign(h.authority, "registry.key.registered", client_key_id(key), body)]
        )


def rotation(h: Harness, new: Signer, *, signer: SigningKey | None = None) -> SignedStatement:
    body = rotation_body(h.origin, h.ledger.verifier_key(), new)
    return h.sign(signer or h.authority, ROTATED_TYPE, LOG_KEY_SUBJECT, body)


def verify(h: Harness, key: str | None = None, state: StateFile | None = None) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as client:
        return verify_log(
            client,
            key or h.log_signer.verifier_key(),
            all_kinds(),
            h.ledger.limits,
            state=state,
            workers=0,
        )


def checkpoint_notes(h: Harness) -> dict[int, str]:
    c = storage.checkpoints.c
    with h.ledger.engine.connect() as conn:
        return {int(r.tree_size): r.note for r in conn.execute(select(c.tree_size, c.note))}


def signers_of(note: str) -> set[str]:
    return {f"{s.name}+{s.key_id.hex()}" for s in split_note(note).signatures}


def key_name(signer: Signer) -> str:
    return f"{signer.name}+{signer.key_id.hex()}"


@pytest.fixture
def new_key() -> Signer:
    return generate_signer(ORIGIN)


@pytest.fixture
def rotating(database_url: str, new_key: Signer) -> Iterator[Harness]:
    """A log of a few entries whose service holds a next log key."""
    h = make_harness(database_url, next_log_signer=new_key)
    grow(h, 3)
    h.ledger.publisher.publish(force=True)
    try:
        yield h
    finally:
        h.ledger.close()


@pytest.fixture
def rotated(rotating: Harness, new_key: Signer) -> Harness:
    """``rotating`` after a rotation at seq 4, its hand-over (size 5) and more entries
    under the new key (checkpoint of size 8)."""
    h = rotating
    h.ledger.append_direct([rotation(h, new_key)])
    h.ledger.publisher.publish(force=True)
    grow(h, 3)
    h.ledger.publisher.publish(force=True)
    return h


# -- the service's refusals --------------------------------------------------------------


def test_a_rotation_is_refused_without_the_next_key(harness: Harness, new_key: Signer) -> None:
    refused(
        harness,
        lambda: harness.ledger.append_direct([rotation(harness, new_key)]),
        "next_log_key_not_configured",
    )


def test_a_rotation_to_another_key_than_the_next_one_is_refused(rotating: Harness) -> None:
    other = generate_signer(ORIGIN)
    refused(
        rotating,
        lambda: rotating.ledger.append_direct([rotation(rotating, other)]),
        "next_log_key_mismatch",
    )


def test_a_rotation_without_possession_of_the_new_key_is_refused(
    rotating: Harness, new_key: Signer
) -> None:
    body = rotation_body(rotating.origin, rotating.ledger.verifier_key(), new_key)
    forged = rotation_body(rotating.origin, rotating.ledger.verifier_key(), generate_signer(ORIGIN))
    body["proof_of_possession"] = forged["proof_of_possession"]  # made by another key
    statement = rotating.sign(rotating.authority, ROTATED_TYPE, LOG_KEY_SUBJECT, body)
    refused(rotating, lambda: rotating.ledger.append_direct([statement]), "bad_log_key_proof")


def test_only_the_authority_rotates(rotating: Harness, new_key: Signer) -> None:
    officer = rotating.register("finance officer", ["finance"])
    refused(
        rotating,
        lambda: rotating.ledger.append_direct([rotation(rotating, new_key, signer=officer)]),
        "missing_role",
    )


def test_a_second_rotation_waits_for_the_hand_over(rotating: Harness, new_key: Signer) -> None:
    publisher = rotating.ledger.publisher
    publisher.interval_s_min = 3600.0  # rate-limited: no hand-over published yet
    publisher._last_publish_monotonic = time.monotonic()
    rotating.ledger.append_direct([rotation(rotating, new_key)])
    assert publisher.published_size == 4
    refused(
        rotating,
        lambda: rotating.ledger.append_direct([rotation(rotating, new_key)]),
        "log_key_handover_pending",
    )


# -- which key signs which checkpoint -----------------------------------------------------


def test_the_hand_over_is_signed_by_both_keys_and_later_ones_by_the_new_key(
    rotated: Harness, new_key: Signer
) -> None:
    old = rotated.log_signer
    notes = checkpoint_notes(rotated)
    assert signers_of(notes[4]) == {key_name(old)}  # before the rotation (seq 4)
    assert signers_of(notes[5]) == {key_name(old), key_name(new_key)}  # the hand-over
    assert signers_of(notes[8]) == {key_name(new_key)}
    assert rotated.ledger.verifier_key() == new_key.verifier_key()
    replay_matches(rotated)

    with TestClient(create_app(rotated.ledger)) as client:
        history = client.get("/log/key-history").json()
        served_key = client.get("/log/verifier-key").text
    assert served_key == new_key.verifier_key() + "\n"
    assert history["origin"] == ORIGIN
    assert [(k["verifier_key"], k["from_size"], k["rotation_seq"]) for k in history["keys"]] == [
        (old.verifier_key(), 0, None),
        (new_key.verifier_key(), 5, 4),
    ]
    assert history["keys"][1]["handover_checkpoint"] == notes[5]


def test_verify_with_only_the_genesis_key_follows_the_rotation(
    rotated: Harness, new_key: Signer, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "verify.json")
    report = verify(rotated, state=state)
    assert report.tree_size == 8
    grow(rotated, 2)
    rotated.ledger.publisher.publish(force=True)
    again = verify(rotated, state=state)  # consistency from the state file, across keys
    assert (again.previous_size, again.tree_size) == (8, 10)


def test_verify_given_the_new_key_is_told_where_the_chain_starts(
    rotated: Harness, new_key: Signer
) -> None:
    with pytest.raises(LogFault) as caught:
        verify(rotated, key=new_key.verifier_key())
    assert caught.value.details["fault"] == "log_key_chain_broken"


def test_no_rotation_no_change(harness: Harness) -> None:
    """A log that never rotates signs exactly as before: one signature, byte for byte."""
    grow(harness, 2)
    published = harness.ledger.publisher.publish(force=True)
    assert published is not None
    checkpoint = open_checkpoint(published.note, ORIGIN, harness.log_signer.verifier())
    assert published.note == sign_checkpoint(checkpoint, harness.log_signer)
    with TestClient(create_app(harness.ledger)) as client:
        keys = client.get("/log/key-history").json()["keys"]
    assert keys == [
        {
            "verifier_key": harness.log_signer.verifier_key(),
            "from_size": 0,
            "rotation_seq": None,
            "handover_checkpoint": None,
        }
    ]


# -- an operator behind the service's back -----------------------------------------------


def _forged_entry(h: Harness, statement: SignedStatement) -> LoggedEntry:
    last = h.ledger.entry(h.ledger.size() - 1)
    return LoggedEntry(
        h.ledger.size(), format_time(h.clock()), last.leaf_hash(), statement, last.version
    )


def test_a_forged_rotation_entry_is_caught(rotating: Harness) -> None:
    """The operator (database and log key, no authority key) logs a rotation to a key
    of its own, signed by a key it registered without the authority role."""
    officer = rotating.register("operator's own key", ["finance"])
    rotating.ledger.publisher.publish(force=True)
    mine = generate_signer(ORIGIN)
    entry = _forged_entry(rotating, rotation(rotating, mine, signer=officer))
    append_behind_the_back(rotating, entry)
    with pytest.raises(LogFault) as caught:
        verify(rotating)
    assert caught.value.details["seq"] == entry.seq
    assert caught.value.details["fault"] == "missing_role"


def test_a_rotation_with_a_bad_proof_of_possession_is_caught(rotating: Harness) -> None:
    body = rotation_body(rotating.origin, rotating.ledger.verifier_key(), generate_signer(ORIGIN))
    sig = bytearray(base64.b64decode(body["proof_of_possession"]))
    sig[0] ^= 1
    body["proof_of_possession"] = base64.b64encode(bytes(sig)).decode()
    statement = rotating.sign(rotating.authority, ROTATED_TYPE, LOG_KEY_SUBJECT, body)
    entry = _forged_entry(rotating, statement)
    append_behind_the_back(rotating, entry)
    with pytest.raises(LogFault) as caught:
        verify(rotating)
    assert (caught.value.details["seq"], caught.value.details["fault"]) == (
        entry.seq,
        "bad_log_key_proof",
    )


def _replace_latest_note(h: Harness, note: str) -> None:
    latest = h.ledger.latest_checkpoint()
    assert latest is not None
    behind_the_triggers(
        h, "UPDATE ledger_checkpoints SET note = :n WHERE tree_size = :s", n=note, s=latest.size
    )


def test_a_checkpoint_signed_with_the_old_key_after_the_rotation_is_caught(
    rotated: Harness,
) -> None:
    latest = rotated.ledger.latest_checkpoint()
    assert latest is not None
    cp = Checkpoint(ORIGIN, latest.size, latest.root_hash)
    _replace_latest_note(rotated, sign_checkpoint(cp, rotated.log_signer))
    with pytest.raises(LogFault) as caught:
        verify(rotated)
    assert caught.value.details["fault"] == "checkpoint_wrong_key"


def test_a_checkpoint_signed_with_an_unannounced_key_is_caught(rotated: Harness) -> None:
    latest = rotated.ledger.latest_checkpoint()
    assert latest is not None
    cp = Checkpoint(ORIGIN, latest.size, latest.root_hash)
    _replace_latest_note(rotated, sign_checkpoint(cp, generate_signer(ORIGIN)))
    with pytest.raises(SignatureError, match="no signature by a known key"):
        verify(rotated)


def test_a_hand_over_missing_the_old_signature_is_caught(rotated: Harness, new_key: Signer) -> None:
    notes = checkpoint_notes(rotated)
    handover = Checkpoint.parse(split_note(notes[5]).text)
    behind_the_triggers(
        rotated,
        "UPDATE ledger_checkpoints SET note = :n WHERE tree_size = 5",
        n=sign_checkpoint(handover, new_key),
    )
    with pytest.raises(LogFault) as caught:
        verify(rotated)
    assert caught.value.details["fault"] == "log_key_handover_unsigned"
    assert caught.value.details["seq"] == 4


def verify_tiles(h: Harness, directory: Path, **overrides: bytes | None) -> VerifyReport:
    with mirror(directory, overrides) as client:
        return verify_log(
            client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits, tiles_only=True
        )


def test_published_tiles_carry_the_key_history_and_verify_with_the_genesis_key(
    rotated: Harness, new_key: Signer, tmp_path: Path
) -> None:
    """``terang publish-tiles`` writes ``key-history`` (what ``/log/key-history`` answers)
    before the checkpoint the new key signed, so a static mirror stays a complete read
    API for ``verify --tiles-only`` across a rotation; a mirror that drops the file or
    strips the hand-over's old signature is refused, not trusted."""
    out = tmp_path / "tiles"
    report = static_tiles.publish_once(rotated.ledger.engine, out)
    assert report.files_written[-2:] == ["key-history", "checkpoint"]
    with TestClient(create_app(rotated.ledger)) as api:
        assert json.loads((out / "key-history").read_text()) == api.get("/log/key-history").json()
    assert verify_tiles(rotated, out).tree_size == 8

    # Without the file, the latest checkpoint opens under no key the auditor holds.
    with pytest.raises(SignatureError):
        verify_tiles(rotated, out, **{"key-history": None})

    history = json.loads((out / "key-history").read_text())
    handover = Checkpoint.parse(split_note(history["keys"][1]["handover_checkpoint"]).text)
    history["keys"][1]["handover_checkpoint"] = sign_checkpoint(handover, new_key)
    with pytest.raises(LogFault) as caught:
        verify_tiles(rotated, out, **{"key-history": json.dumps(history).encode()})
    assert caught.value.details["fault"] == "log_key_handover_unsigned"


def test_a_log_that_never_rotated_publishes_no_key_history(
    harness: Harness, tmp_path: Path
) -> None:
    grow(harness, 2)
    out = tmp_path / "tiles"
    static_tiles.publish_once(harness.ledger.engine, out)
    assert not (out / "key-history").exists()


# -- witnesses and the restore guard across the hand-over --------------------------------


def test_a_witness_with_both_keys_cosigns_across_the_hand_over(
    rotating: Harness, new_key: Signer, tmp_path: Path
) -> None:
    cosigner = generate_cosigner("witness.test/w1")
    store = WitnessStore.open(f"sqlite:///{tmp_path / 'witness.db'}")
    old_only_store = WitnessStore.open(f"sqlite:///{tmp_path / 'witness-old.db'}")
    both = Witness(cosigner, {ORIGIN: [rotating.log_signer.verifier(), new_key.verifier()]}, store)
    old_only = Witness(
        generate_cosigner("witness.test/w2"),
        {ORIGIN: [rotating.log_signer.verifier()]},
        old_only_store,
    )
    client = TestClient(create_witness_app(both), base_url="http://w1.test")
    client_old = TestClient(create_witness_app(old_only), base_url="http://w2.test")
    witnesses = WitnessSet(
        [
            WitnessEndpoint(cosigner.verifier(), "http://w1.test"),
        ],
        client=client,
    )
    old_witnesses = WitnessSet(
        [WitnessEndpoint(old_only.signer.verifier(), "http://w2.test")], client=client_old
    )
    h = rotating
    try:
        witnesses.attach(h.ledger.engine, h.clock)
        old_witnesses.attach(h.ledger.engine, h.clock)
        assert [r.outcome for r in witnesses.collect()] == ["cosigned"]
        assert [r.outcome for r in old_witnesses.collect()] == ["cosigned"]
        h.ledger.append_direct([rotation(h, new_key)])
        h.ledger.publisher.publish(force=True)  # the hand-over, size 5
        [result] = witnesses.collect()
        assert (result.outcome, result.tree_size) == ("cosigned", 5)
        [result] = old_witnesses.collect()  # the old key signed the hand-over too
        assert (result.outcome, result.tree_size) == ("cosigned", 5)
        grow(h, 2)
        h.ledger.publisher.publish(force=True)  # size 7, the new key alone
        [result] = witnesses.collect()
        assert (result.outcome, result.tree_size) == ("cosigned", 7)
        [result] = old_witnesses.collect()  # not configured with the new key: refuses
        assert result.outcome != "cosigned"
        latest = store.latest(ORIGIN)
        assert latest is not None and latest.size == 7
    finally:
        client.close()
        client_old.close()
        store.close()
        old_only_store.close()


def test_the_restore_guard_works_across_the_rotation(tmp_path: Path, new_key: Signer) -> None:
    """A backup from before the rotation, restored after it: the state file's newest
    checkpoint is signed by the new key only, and the guard still reads it and holds."""
    url = f"sqlite:///{tmp_path / 'terang.db'}"
    state_file = tmp_path / "keys" / "log.checkpoint"
    live = make_harness(url, state_file=state_file, next_log_signer=new_key)
    try:
        grow(live, 2)
        live.ledger.publisher.publish(force=True)
        backup = backup_sqlite(url, tmp_path / "backup.db")
        live.ledger.append_direct([rotation(live, new_key)])
        live.ledger.publisher.publish(force=True)
        grow(live, 2)
        live.ledger.publisher.publish(force=True)
        assert signers_of(state_file.read_text()) == {key_name(new_key)}
    finally:
        live.ledger.close()

    # Restarting the live database with both keys: nothing to say.
    again = make_harness(
        url,
        log_signer=live.log_signer,
        authority=live.authority,
        clock=live.clock,
        genesis=False,
        state_file=state_file,
        next_log_signer=new_key,
    )
    try:
        again.ledger.start()
        assert again.ledger.guard is not None and again.ledger.guard.finding is None
    finally:
        again.ledger.close()

    restored_url = f"sqlite:///{backup.path}"
    restored = make_harness(
        restored_url,
        log_signer=live.log_signer,
        authority=live.authority,
        clock=live.clock,
        genesis=False,
        state_file=state_file,
        next_log_signer=new_key,
    )
    try:
        restored.ledger.start()
        assert restored.ledger.guard is not None
        assert restored.ledger.guard.finding is not None
        with pytest.raises(LogBehindPublished):
            restored.ledger.guard.refuse_if_held()
        assert restored.ledger.publisher.publish(force=True) is None
    finally:
        restored.ledger.close()


def test_a_service_that_lost_the_key_in_force_says_so_at_start(
    rotated: Harness, new_key: Signer
) -> None:
    h = make_harness(
        rotated.ledger.settings.database_url,
        log_signer=rotated.log_signer,
        authority=rotated.authority,
        clock=rotated.clock,
        genesis=False,
        limits=Limits(checkpoint_interval_ms_min=0),
    )
    try:
        with pytest.raises(Exception) as caught:
            h.ledger.start()
        assert getattr(caught.value, "code", None) == "log_key_not_held"
        assert "TERANG_NEXT_LOG_KEY_FILE" in str(caught.value)
    finally:
        h.ledger.close()


# -- the monitor, given only the genesis key ---------------------------------------------

LOG_URL = "http://log.test"


def test_the_monitor_learns_the_new_key_from_the_hand_over(
    rotating: Harness, new_key: Signer, tmp_path: Path
) -> None:
    h = rotating
    app = create_app(h.ledger)

    def factory(base_url: str) -> httpx.Client:
        return TestClient(app, base_url=base_url)

    state = tmp_path / "monitor.json"
    followed = FollowedLog(LOG_URL, h.log_signer.verifier())
    with Monitor([followed], state_path=state, client_factory=factory) as monitor:
        [seen] = monitor.poll_once()
        assert (seen.status, seen.tree_size) == ("new", 4)
        h.ledger.append_direct([rotation(h, new_key)])
        h.ledger.publisher.publish(force=True)
        grow(h, 2)
        h.ledger.publisher.publish(force=True)  # size 7, the new key alone
        [seen] = monitor.poll_once()
        assert (seen.status, seen.tree_size) == ("new", 7), seen
        [learned] = monitor.state.learned[ORIGIN]
        assert (learned.key, learned.handover_size) == (new_key.verifier(), 5)

        # The old key signs nothing beyond its hand-over.
        latest = h.ledger.latest_checkpoint()
        assert latest is not None
        stale = sign_checkpoint(Checkpoint(ORIGIN, 7, latest.root_hash), h.log_signer)
        with pytest.raises(SignatureError, match="sizes 0 to 5 only"):
            monitor.observe(followed, stale, "an old-key note")

    # A restarted monitor re-checks the kept hand-over and goes on with the new key.
    with Monitor([followed], state_path=state, client_factory=factory) as monitor:
        assert monitor.state.latest[ORIGIN].checkpoint.size == 7
        [seen] = monitor.poll_once()
        assert (seen.status, seen.tree_size) == ("same", 7)


def test_the_monitor_refuses_a_hand_over_not_signed_by_the_old_key(
    rotating: Harness, new_key: Signer, tmp_path: Path
) -> None:
    """An operator serving a key history whose 'hand-over' only the new key signed:
    the monitor learns nothing and reports the new checkpoints as unavailable."""
    h = rotating
    app = create_app(h.ledger)

    def factory(base_url: str) -> httpx.Client:
        return TestClient(app, base_url=base_url)

    followed = FollowedLog(LOG_URL, h.log_signer.verifier())
    with Monitor([followed], client_factory=factory) as monitor:
        monitor.poll_once()
        h.ledger.append_direct([rotation(h, new_key)])
        h.ledger.publisher.publish(force=True)
        notes = checkpoint_notes(h)
        handover = Checkpoint.parse(split_note(notes[5]).text)
        behind_the_triggers(
            h,
            "UPDATE ledger_checkpoints SET note = :n WHERE tree_size = 5",
            n=sign_checkpoint(handover, new_key),
        )
        [seen] = monitor.poll_once()
        assert seen.status == "unavailable"
        assert "not signed by both keys" in (seen.detail or "")
        assert not monitor.state.learned.get(ORIGIN)


def test_a_rotation_moves_the_witness_policy_to_the_new_key(
    rotating: Harness, new_key: Signer
) -> None:
    """Time anchors are checked against the policy's log key: a rotation that left it on
    the old key would refuse every tender closing anchored after the hand-over."""
    h = rotating
    witness = generate_cosigner("witness.test/w1").verifier()
    body = {
        "log_verifier_key": h.log_signer.verifier_key(),
        "witnesses": [witness.verifier_key()],
        "quorum": 1,
    }
    h.ledger.append_direct([h.sign(h.authority, WITNESS_POLICY_TYPE, WITNESS_POLICY_KEY, body)])
    h.ledger.append_direct([rotation(h, new_key)])
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        stored = conn.execute(
            select(p.value).where(p.namespace == "registry.meta", p.key == WITNESS_POLICY_KEY)
        ).scalar_one()
    assert json.loads(stored)["log_verifier_key"] == new_key.verifier_key()
    replay_matches(h)
