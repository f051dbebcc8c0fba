"""The C2SP tlog-witness add-checkpoint protocol, in process, with the witness's own
database on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from witness_support import Tree, add_checkpoint_body

from ledger.checkpoint import Checkpoint, open_checkpoint_note, sign_checkpoint
from ledger.errors import ClientError
from ledger.merkle import EMPTY_ROOT
from ledger.note import (
    CosignatureVerifier,
    Signature,
    Signer,
    generate_cosigner,
    generate_signer,
    open_note,
    sign_note,
    split_note,
)
from witness.limits import WITNESS_PROOF_LINES_MAX
from witness.server import (
    Witness,
    create_witness_app,
    parse_add_checkpoint,
    parse_log_key,
    parse_log_keys,
)
from witness.store import SizeMismatch, WitnessStore, origin_hash

ORIGIN = "log.test/witnessed"
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


@dataclass
class Setup:
    witness: Witness
    client: TestClient
    log: Signer
    cosigner_verifier: CosignatureVerifier
    clock: list[int]


@pytest.fixture
def setup(database_url: str) -> Iterator[Setup]:
    store = WitnessStore.open(database_url)
    log_signer = generate_signer(ORIGIN)
    cosigner = generate_cosigner("witness.test/w1")
    clock = [NOW]
    witness = Witness(cosigner, {ORIGIN: [log_signer.verifier()]}, store, clock=lambda: clock[0])
    with TestClient(create_witness_app(witness)) as client:
        yield Setup(witness, client, log_signer, cosigner.verifier(), clock)
    store.close()


def post(s: Setup, body: bytes) -> tuple[int, str, str]:
    response = s.client.post("/add-checkpoint", content=body)
    return response.status_code, response.text, response.headers.get("content-type", "")


def stored(s: Setup) -> str:
    response = s.client.get(f"/{origin_hash(ORIGIN)}/checkpoint")
    assert response.status_code == 200, response.text
    return response.text


def test_first_checkpoint_with_old_zero_is_cosigned(setup: Setup) -> None:
    tree = Tree().grow(5)
    note = tree.note(setup.log)
    status, body, ctype = post(setup, add_checkpoint_body(0, [], note))
    assert status == 200, body
    assert ctype.startswith("text/plain")
    # One signature line by the witness, a valid cosignature/v1 with the clock's time.
    assert body.endswith("\n") and body.count("\n") == 1 and body.startswith("\u2014 ")
    sig = Signature.parse_line(body[:-1])
    text = split_note(note).text
    assert setup.cosigner_verifier.verify_cosignature(text, sig.signature) == NOW
    # The note the witness keeps carries the log's signature and its cosignature.
    cp, opened = open_checkpoint_note(
        stored(setup),
        ORIGIN,
        setup.log.verifier(),
        witnesses=[setup.cosigner_verifier],
        min_witnesses=1,
    )
    assert cp.size == 5 and cp.root_hash == tree.root()
    assert opened.timestamp(setup.cosigner_verifier) == NOW


def test_growth_with_a_valid_consistency_proof(setup: Setup) -> None:
    tree = Tree().grow(5)
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200
    for grow in (1, 2, 9, 100):
        old = tree.size
        tree.grow(grow)
        setup.clock[0] += 60
        status, body, _ = post(
            setup, add_checkpoint_body(old, tree.proof(old), tree.note(setup.log))
        )
        assert status == 200, body
        latest = setup.witness.store.latest(ORIGIN)
        assert latest is not None and latest.size == tree.size and latest.root_hash == tree.root()
    # Resubmitting the same checkpoint (old == size, empty proof) is cosigned again.
    status, body, _ = post(setup, add_checkpoint_body(tree.size, [], tree.note(setup.log)))
    assert status == 200, body


def test_stale_old_size_gets_409_with_the_latest_size(setup: Setup) -> None:
    tree = Tree().grow(7)
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200
    tree.grow(3)
    for old in (0, 3, 8):
        response = setup.client.post(
            "/add-checkpoint",
            content=add_checkpoint_body(old, tree.proof(old), tree.note(setup.log)),
        )
        assert response.status_code == 409
        assert response.content == b"7\n"
        assert response.headers["content-type"] == "text/x.tlog.size"
    latest = setup.witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == 7


def test_bad_consistency_proof_gets_422_and_nothing_changes(setup: Setup) -> None:
    tree = Tree().grow(6)
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200
    tree.grow(5)
    proof = tree.proof(6)
    broken = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
    status, body, _ = post(setup, add_checkpoint_body(6, broken, tree.note(setup.log)))
    assert status == 422, body
    status, body, _ = post(setup, add_checkpoint_body(6, proof[:-1], tree.note(setup.log)))
    assert status == 422, body
    latest = setup.witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == 6
    # The refused, validly signed checkpoints are kept as evidence.
    assert [r.tree_size for r in setup.witness.store.refusals(ORIGIN)] == [11, 11]


def test_same_size_other_root_is_refused(setup: Setup) -> None:
    tree = Tree().grow(4)
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200
    fork = Tree(salt="fork").grow(4)
    status, _, _ = post(setup, add_checkpoint_body(4, [], fork.note(setup.log)))
    assert status == 422
    status, body, _ = post(setup, add_checkpoint_body(0, [], fork.note(setup.log)))
    assert (status, body) == (409, "4\n")
    refusals = setup.witness.store.refusals(ORIGIN)
    assert len(refusals) == 2 and all(r.root_hash == fork.root() for r in refusals)
    latest = setup.witness.store.latest(ORIGIN)
    assert latest is not None and latest.root_hash == tree.root()


def test_the_422_cases_of_the_spec(setup: Setup) -> None:
    # A size-0 checkpoint must have the empty tree's root.
    bad_empty = sign_checkpoint(Checkpoint(ORIGIN, 0, b"\x01" * 32), setup.log)
    assert post(setup, add_checkpoint_body(0, [], bad_empty))[0] == 422
    # With old 0 the proof must be empty.
    tree = Tree().grow(3)
    assert post(setup, add_checkpoint_body(0, [b"\x00" * 32], tree.note(setup.log)))[0] == 422
    # The empty tree itself is fine, and any tree extends it.
    empty = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), setup.log)
    assert post(setup, add_checkpoint_body(0, [], empty))[0] == 200
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200


def test_wrong_log_key_gets_403(setup: Setup) -> None:
    tree = Tree().grow(3)
    impostor = generate_signer(ORIGIN)  # same name, other key: an unknown key id
    status, _, _ = post(setup, add_checkpoint_body(0, [], tree.note(impostor)))
    assert status == 403
    # The right key id with a signature that does not verify is refused too.
    good = tree.note(setup.log)
    sig = split_note(good).signatures[0]
    forged = Signature(sig.name, sig.key_id, bytes([sig.signature[0] ^ 1]) + sig.signature[1:])
    tampered = split_note(good).text + "\n" + forged.line
    assert post(setup, add_checkpoint_body(0, [], tampered))[0] == 403
    assert setup.witness.store.latest(ORIGIN) is None


def test_unknown_origin_gets_404(setup: Setup) -> None:
    other = generate_signer("log.test/unknown")
    status, _, _ = post(setup, add_checkpoint_body(0, [], Tree().grow(2).note(other)))
    assert status == 404


def test_extra_signatures_from_unknown_keys_are_ignored(setup: Setup) -> None:
    tree = Tree().grow(3)
    stranger = generate_signer("someone.else/key")
    note = sign_note(split_note(tree.note(setup.log)).text, [setup.log, stranger])
    assert post(setup, add_checkpoint_body(0, [], note))[0] == 200
    kept = split_note(stored(setup))
    assert [s.name for s in kept.signatures] == [ORIGIN, "witness.test/w1"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"old 0\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 0\n\n",
        b"old 0\nnot base64!\n\n",
        b"old 0\nAAAA\n\n",
        b"old 0\n\n",
        b"old 0\n\nnot a checkpoint\n\n\xe2\x80\x94 x abc\n",
        b"old 0\n\n" + b"log.test/witnessed\n5\n",
    ],
    ids=[
        "empty",
        "not-utf8",
        "no-blank-line",
        "leading-zero",
        "negative",
        "not-old",
        "bad-base64",
        "short-hash",
        "no-note",
        "not-a-note",
        "unsigned",
    ],
)
def test_malformed_requests_get_400(setup: Setup, body: bytes) -> None:
    assert post(setup, body)[0] == 400


def test_old_larger_than_size_gets_400(setup: Setup) -> None:
    tree = Tree().grow(3)
    assert post(setup, add_checkpoint_body(5, [], tree.note(setup.log)))[0] == 400


def test_too_many_proof_lines_get_400(setup: Setup) -> None:
    tree = Tree().grow(3)
    body = add_checkpoint_body(
        1, [b"\x00" * 32] * (WITNESS_PROOF_LINES_MAX + 1), tree.note(setup.log)
    )
    assert post(setup, body)[0] == 400
    with pytest.raises(ClientError):
        parse_add_checkpoint(body)


def test_only_post_and_monitoring_404(setup: Setup) -> None:
    assert setup.client.get("/add-checkpoint").status_code == 405
    assert setup.client.get(f"/{origin_hash(ORIGIN)}/checkpoint").status_code == 404
    assert setup.client.get("/NOT-A-HASH/checkpoint").status_code == 404
    about = setup.client.get("/").json()
    assert about["verifier_key"] == setup.cosigner_verifier.verifier_key()
    assert about["logs"][ORIGIN]["origin_hash"] == origin_hash(ORIGIN)


def race(witness: Witness, bodies: list[bytes]) -> list[object]:
    """Run add_checkpoint on every body at once; the line, the 409 size, or the error."""
    barrier = threading.Barrier(len(bodies))
    outcomes: list[object] = [None] * len(bodies)

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = witness.add_checkpoint(bodies[i])
        except SizeMismatch as mismatch:
            outcomes[i] = mismatch.latest_size
        except Exception as exc:  # surfaced by the caller's assertions
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_concurrent_add_checkpoint_exactly_one_wins(setup: Setup) -> None:
    """Threads race with the same old size and different (valid) checkpoints: the
    compare-and-swap lets exactly one through; the others get 409 with its size."""
    tree = Tree().grow(10)
    assert setup.witness.add_checkpoint(add_checkpoint_body(0, [], tree.note(setup.log)))
    workers = 8
    for _round in range(3):
        old = tree.size
        tree.grow(workers)
        bodies = [
            add_checkpoint_body(
                old, tree.proof(old, old + i + 1), tree.note(setup.log, old + i + 1)
            )
            for i in range(workers)
        ]
        outcomes = race(setup.witness, bodies)
        winners = [i for i, o in enumerate(outcomes) if isinstance(o, str)]
        assert len(winners) == 1, outcomes
        won_size = old + winners[0] + 1
        losers = [o for i, o in enumerate(outcomes) if i != winners[0]]
        assert losers == [won_size] * (workers - 1), outcomes
        latest = setup.witness.store.latest(ORIGIN)
        assert latest is not None and latest.size == won_size
        # Next round continues from what won.
        tree = Tree().grow(won_size)


def test_concurrent_http_calls_exactly_one_wins(setup: Setup) -> None:
    tree = Tree().grow(4)
    assert post(setup, add_checkpoint_body(0, [], tree.note(setup.log)))[0] == 200
    tree.grow(6)
    bodies = [
        add_checkpoint_body(4, tree.proof(4, 4 + i), tree.note(setup.log, 4 + i))
        for i in range(1, 7)
    ]
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def run(i: int) -> None:
        barrier.wait()
        statuses[i] = setup.client.post("/add-checkpoint", content=bodies[i]).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [200] + [409] * (len(bodies) - 1)


def test_log_key_specs() -> None:
    signer = generate_signer("log.test/a")
    assert parse_log_key(signer.verifier_key()) == ("log.test/a", signer.verifier())
    assert parse_log_key("other.origin=" + signer.verifier_key()) == (
        "other.origin",
        signer.verifier(),
    )
    rotated = generate_signer("log.test/a")
    logs = parse_log_keys([signer.verifier_key(), rotated.verifier_key()])
    assert logs == {"log.test/a": (signer.verifier(), rotated.verifier())}
    with pytest.raises(ClientError):
        parse_log_keys([signer.verifier_key(), signer.verifier_key()])
    with pytest.raises(ClientError):
        parse_log_key(generate_cosigner("w.test/x").verifier_key())  # not a log key
    with pytest.raises(ClientError):
        parse_log_key("nonsense")


def test_cosignature_response_opens_with_the_checkpoint(setup: Setup) -> None:
    """SPEC: the client MAY concatenate the response to the checkpoint and open it."""
    note = Tree().grow(2).note(setup.log)
    status, body, _ = post(setup, add_checkpoint_body(0, [], note))
    assert status == 200
    opened = open_note(note + body, [setup.log.verifier(), setup.cosigner_verifier])
    assert opened.verified_by(setup.cosigner_verifier)
    assert base64.b64decode(body.split(" ")[2])[4:12] == NOW.to_bytes(8, "big")
