"""``ledger.time_anchor``: the witness policy body and the anchor rules (pure; no I/O).

Each valid case has invalid neighbours; the rules are checked in the documented order."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.errors import ClientError
from ledger.limits import GRACE_S_DEFAULT
from ledger.note import add_signatures, generate_cosigner, generate_signer, split_note
from ledger.time_anchor import TimeAnchorRefused, WitnessPolicy, check_anchor, parse_policy_body

LOG = generate_signer("terang.test/log")
WITNESSES = [generate_cosigner(f"w{i}.test/witness") for i in range(3)]
NOT_AFTER = 1_800_000_000


def body(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "log_verifier_key": LOG.verifier_key(),
        "witnesses": [w.verifier_key() for w in WITNESSES],
        "quorum": 2,
    }
    value.update(changes)
    return {k: v for k, v in value.items() if v is not None}


def test_a_policy_parses_and_round_trips_through_its_document() -> None:
    policy = parse_policy_body(body(), seq=4)
    assert (policy.quorum, policy.grace_s, policy.seq) == (2, GRACE_S_DEFAULT, 4)
    assert WitnessPolicy.from_document(policy.to_document()) == policy


@pytest.mark.parametrize(
    "changes",
    [
        {"quorum": 0},
        {"quorum": 4},
        {"quorum": "2"},
        {"grace_s": -1},
        {"grace_s": 86_401},
        {"witnesses": []},
        {"witnesses": [WITNESSES[0].verifier_key()] * 2},
        {"witnesses": [LOG.verifier_key()]},  # a log key is no witness key
        {"log_verifier_key": WITNESSES[0].verifier_key()},
        {"log_verifier_key": "not a key"},
        {"quorum": None},
        {"extra": 1},
    ],
)
def test_invalid_neighbours_of_a_policy_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ClientError):
        parse_policy_body(body(**changes), seq=4)


def anchor(timestamps: list[int], signer: Any = LOG) -> str:
    note = sign_checkpoint(Checkpoint("terang.test/log", 10, bytes(32)), signer)
    text = split_note(note).text
    cosigners = WITNESSES[: len(timestamps)]  # the first witnesses cosign, in order
    return add_signatures(
        note, [w.cosign(text, t) for w, t in zip(cosigners, timestamps, strict=True)]
    )


def test_an_anchor_in_time_with_the_quorum_passes() -> None:
    policy = parse_policy_body(body(), seq=1)
    found = check_anchor(policy, anchor([NOT_AFTER - 5, NOT_AFTER]), NOT_AFTER)
    assert (found.tree_size, found.cosigned_at) == (10, (NOT_AFTER - 5, NOT_AFTER))


@pytest.mark.parametrize(
    ("note", "code"),
    [
        (anchor([NOT_AFTER - 5]), "time_anchor_quorum_not_met"),
        (anchor([NOT_AFTER - 5, NOT_AFTER + 1]), "time_anchor_too_late"),
        (anchor([NOT_AFTER, NOT_AFTER], generate_signer("terang.test/log")), "time_anchor_refused"),
        ("not a note", "time_anchor_refused"),
        ("", "time_anchor_refused"),
    ],
)
def test_anchors_that_do_not_prove_the_deadline_are_refused(note: str, code: str) -> None:
    policy = parse_policy_body(body(), seq=1)
    with pytest.raises(TimeAnchorRefused) as caught:
        check_anchor(policy, note, NOT_AFTER)
    assert caught.value.code == code
