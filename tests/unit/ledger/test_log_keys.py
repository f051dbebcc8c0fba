"""``ledger.log_keys``: the proof of possession's bytes, and which key signs which size,
exactly as docs/ledger-formats.md ("Log key rotation") states them."""

from __future__ import annotations

import base64

from nacl.signing import VerifyKey

from ledger.log_keys import (
    Rotation,
    handover_rotation,
    key_in_force,
    possession_message,
    rotation_body,
)
from ledger.note import generate_signer

ORIGIN = "terang.test/log"


def test_the_proof_of_possession_is_over_the_documented_bytes() -> None:
    old, new = generate_signer(ORIGIN), generate_signer(ORIGIN)
    body = rotation_body(ORIGIN, old.verifier_key(), new)
    expected = (
        f"terang/log-key-rotation/v1\n{ORIGIN}\n{old.verifier_key()}\n{new.verifier_key()}\n"
    ).encode()
    assert possession_message(ORIGIN, old.verifier_key(), new.verifier_key()) == expected
    # Checked with nothing but PyNaCl and the documented layout.
    VerifyKey(new.public_key).verify(expected, base64.b64decode(body["proof_of_possession"]))
    assert set(body) == {"origin", "previous_verifier_key", "verifier_key", "proof_of_possession"}


def test_which_key_signs_which_size_and_which_checkpoint_hands_over() -> None:
    k0, k1, k2 = (generate_signer(ORIGIN) for _ in range(3))
    rotations = [
        Rotation(4, k0.verifier(), k1.verifier()),
        Rotation(9, k1.verifier(), k2.verifier()),
    ]
    genesis = k0.verifier_key()
    assert key_in_force(genesis, rotations, 4) == k0.verifier_key()  # excludes seq 4
    assert key_in_force(genesis, rotations, 5) == k1.verifier_key()
    assert key_in_force(genesis, rotations, 9) == k1.verifier_key()
    assert key_in_force(genesis, rotations, 10) == k2.verifier_key()
    # The first checkpoint including a rotation is its hand-over; the next is not.
    assert handover_rotation(rotations, 7, 4) == rotations[0]
    assert handover_rotation(rotations, 8, 7) is None
    assert handover_rotation(rotations, 4, 1) is None
    assert handover_rotation(rotations, 12, 8) == rotations[1]
