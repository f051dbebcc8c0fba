"""C2SP tlog-policy: strict parsing and k-of-n quorum evaluation over real cosignatures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.policy import parse_policy
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.errors import FormatError, SignatureError
from ledger.note import add_signatures, generate_cosigner, generate_signer

LOG = generate_signer("terang.test/log")
WITNESSES = {
    name: generate_cosigner(f"witness.{name}.example") for name in ("x1", "x2", "x3", "y1")
}
CHECKPOINT = Checkpoint("terang.test/log", 10, bytes(range(32)))


def policy_text(quorum_lines: str) -> bytes:
    lines = [f"log {LOG.verifier_key()}"]
    lines += [f"witness {name} {w.verifier_key()}" for name, w in WITNESSES.items()]
    return ("\n".join(lines) + "\n" + quorum_lines).encode()


def cosigned(*names: str) -> str:
    note = sign_checkpoint(CHECKPOINT, LOG)
    return add_signatures(
        note, [WITNESSES[n].cosign(CHECKPOINT.to_text(), 1_700_000_000) for n in names]
    )


def test_the_spec_example_shape_parses_and_evaluates() -> None:
    policy = parse_policy(
        policy_text(
            "group X 2 x1 x2 x3\ngroup Y any y1\n# comment\n\tgroup XY all X Y\nquorum XY\n"
        )
    )
    assert policy.satisfied_by({"x1", "x3", "y1"})
    assert not policy.satisfied_by({"x1", "y1"})
    assert not policy.satisfied_by({"x1", "x2", "x3"})


def test_a_checkpoint_meets_or_misses_the_quorum() -> None:
    policy = parse_policy(policy_text("group X 2 x1 x2 x3\nquorum X\n"))
    assert policy.verify_checkpoint(cosigned("x1", "x2")) == CHECKPOINT
    with pytest.raises(SignatureError) as caught:
        policy.verify_checkpoint(cosigned("x1", "y1"))
    assert caught.value.code == "quorum_not_met"
    with pytest.raises(SignatureError):
        policy.verify_checkpoint(sign_checkpoint(CHECKPOINT, generate_signer("terang.test/log")))


def test_quorum_none_needs_only_the_log() -> None:
    assert parse_policy(policy_text("quorum none\n")).verify_checkpoint(cosigned()) == CHECKPOINT


@pytest.mark.parametrize(
    "bad",
    [
        "quorum X\n",  # undefined
        "group X 2 x1\nquorum X\n",  # threshold above members
        "group X 0 x1\nquorum X\n",
        "group X 02 x1 x2\nquorum X\n",  # leading zero
        "group X any x1 x1\nquorum X\n",  # member twice
        "group X any none\nquorum X\n",
        "group x1 any x2\nquorum x1\n",  # name reused
        "quorum none\nquorum none\n",
        "",  # no quorum line
        "quorum none",  # no final newline
        "quorum none\rx\n",  # control character
        "frobnicate\nquorum none\n",
    ],
)
def test_malformed_policies_are_refused(bad: str) -> None:
    with pytest.raises(FormatError):
        parse_policy(policy_text(bad))


def test_a_duplicate_key_is_refused() -> None:
    w = WITNESSES["x1"].verifier_key()
    with pytest.raises(FormatError, match="duplicate"):
        parse_policy(f"witness a {w}\nwitness b {w}\nquorum a\n".encode())


@given(subset=st.sets(st.sampled_from(["x1", "x2", "x3", "y1"])), k=st.integers(1, 4))
def test_k_of_n_means_at_least_k_cosigners(subset: set[str], k: int) -> None:
    policy = parse_policy(policy_text(f"group G {k} x1 x2 x3 y1\nquorum G\n"))
    assert policy.satisfied_by(subset) == (len(subset) >= k)
