"""C2SP tlog-proof: format round trips, strict parsing, and verification.

Inclusion checking is ``ledger.merkle.verify_inclusion``; the known-answer proofs are
the RFC 6962 8-leaf reference tree, copied into tests/data (see "_copied_from").
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.errors import FormatError, ProofError, SignatureError
from ledger.note import CosignatureSigner, Signer, add_signatures
from ledger.tlog_proof import HEADER, TlogProof, verify_tlog_proof

V: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "tlog_proof_rfc6962_vectors.json").read_text(
        "utf-8"
    )
)
LEAF_HASHES = [bytes.fromhex(h) for h in V["leaf_hashes"]]
ROOTS = {int(k): bytes.fromhex(v) for k, v in V["roots_by_size"].items()}
ORIGIN = "example.com/terang-test"
LOG = Signer(ORIGIN, SigningKey(b"\x01" * 32))
WITNESS = CosignatureSigner("witness.example/w1", SigningKey(b"\x02" * 32))


def signed_checkpoint(size: int, origin: str = ORIGIN) -> str:
    return sign_checkpoint(Checkpoint(origin, size, ROOTS[size]), LOG)


def vector_proof(case: dict[str, Any]) -> TlogProof:
    return TlogProof(
        index=case["index"],
        inclusion=tuple(bytes.fromhex(h) for h in case["proof"]),
        checkpoint_note=signed_checkpoint(case["size"]),
    )


CASES = V["inclusion"]
CASE_IDS = [f"{c['index']}-of-{c['size']}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_vector_proofs_verify(case: dict[str, Any]) -> None:
    proof = vector_proof(case)
    cp = verify_tlog_proof(proof, LEAF_HASHES[case["index"]], ORIGIN, LOG.verifier())
    assert (cp.size, cp.root_hash) == (case["size"], ROOTS[case["size"]])
    text = proof.to_text()
    assert TlogProof.parse(text) == proof
    assert TlogProof.parse(text).to_text() == text


def test_text_layout() -> None:
    proof = TlogProof(5, tuple(bytes.fromhex(h) for h in CASES[1]["proof"]), signed_checkpoint(8))
    lines = proof.to_text().split("\n")
    assert lines[0] == HEADER
    assert lines[1] == "index 5"
    assert lines[2] == base64.b64encode(bytes.fromhex(CASES[1]["proof"][0])).decode()
    assert lines[5] == ""
    assert "\n".join(lines[6:]) == proof.checkpoint_note
    with_extra = TlogProof(5, proof.inclusion, proof.checkpoint_note, extra=b"age-v1.2.1")
    assert with_extra.to_text().split("\n")[1] == "extra YWdlLXYxLjIuMQ=="
    assert TlogProof.parse(with_extra.to_text()) == with_extra


def test_inclusion_verifier_can_be_injected() -> None:
    calls: list[tuple[bytes, int, int, Sequence[bytes], bytes]] = []

    def record(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> None:
        calls.append((leaf, index, size, path, root))

    proof = vector_proof(CASES[0])
    verify_tlog_proof(proof, b"\x00" * 32, ORIGIN, LOG.verifier(), record)
    assert calls == [(b"\x00" * 32, 0, 8, proof.inclusion, ROOTS[8])]


# ---------------------------------------------------------------------------
# Verification failures


def test_wrong_leaf_or_proof_is_a_proof_error() -> None:
    proof = vector_proof(CASES[1])  # index 5 of 8
    with pytest.raises(ProofError):
        verify_tlog_proof(proof, LEAF_HASHES[4], ORIGIN, LOG.verifier())
    tampered = (bytes([proof.inclusion[0][0] ^ 1]) + proof.inclusion[0][1:], *proof.inclusion[1:])
    with pytest.raises(ProofError):
        verify_tlog_proof(
            TlogProof(5, tampered, proof.checkpoint_note), LEAF_HASHES[5], ORIGIN, LOG.verifier()
        )
    with pytest.raises(ProofError):
        verify_tlog_proof(
            TlogProof(4, proof.inclusion, proof.checkpoint_note),
            LEAF_HASHES[5],
            ORIGIN,
            LOG.verifier(),
        )
    with pytest.raises(ProofError):  # index beyond the checkpoint's size
        verify_tlog_proof(
            TlogProof(8, proof.inclusion, proof.checkpoint_note),
            LEAF_HASHES[5],
            ORIGIN,
            LOG.verifier(),
        )
    with pytest.raises(ProofError):  # proof for another tree size
        verify_tlog_proof(
            TlogProof(5, proof.inclusion, signed_checkpoint(7)),
            LEAF_HASHES[5],
            ORIGIN,
            LOG.verifier(),
        )


def test_wrong_origin_key_or_note_is_a_signature_error() -> None:
    proof = vector_proof(CASES[1])
    leaf = LEAF_HASHES[5]
    with pytest.raises(SignatureError):
        verify_tlog_proof(proof, leaf, "example.com/other", LOG.verifier())
    other = Signer(ORIGIN, SigningKey(b"\x03" * 32))
    with pytest.raises(SignatureError):
        verify_tlog_proof(proof, leaf, ORIGIN, other.verifier())
    forged = proof.checkpoint_note.replace("\n8\n", "\n7\n")
    with pytest.raises(SignatureError):
        verify_tlog_proof(TlogProof(5, proof.inclusion, forged), leaf, ORIGIN, LOG.verifier())


def test_witness_policy() -> None:
    proof = vector_proof(CASES[1])
    body = proof.checkpoint_note.split("\n\n")[0] + "\n"
    cosigned = add_signatures(proof.checkpoint_note, [WITNESS.cosign(body, 1_700_000_000)])
    witnessed = TlogProof(5, proof.inclusion, cosigned)
    w = [WITNESS.verifier()]
    cp = verify_tlog_proof(
        witnessed, LEAF_HASHES[5], ORIGIN, LOG.verifier(), witnesses=w, min_witnesses=1
    )
    assert cp.size == 8
    with pytest.raises(SignatureError):
        verify_tlog_proof(
            proof, LEAF_HASHES[5], ORIGIN, LOG.verifier(), witnesses=w, min_witnesses=1
        )


# ---------------------------------------------------------------------------
# Strict parsing


def _good() -> str:
    return vector_proof(CASES[1]).to_text()


def _neighbours() -> list[tuple[str, str]]:
    good = _good()
    head, note = good.split("\n\n", 1)
    first_hash = head.split("\n")[2]
    raw = base64.b64decode(first_hash)
    return [
        ("empty", ""),
        ("header only", HEADER + "\n"),
        ("wrong header", good.replace(HEADER, "c2sp.org/tlog-proof@v2")),
        ("header with space", good.replace(HEADER, HEADER + " ")),
        ("missing index", good.replace("index 5\n", "")),
        ("index leading zero", good.replace("index 5\n", "index 05\n")),
        ("index double space", good.replace("index 5\n", "index  5\n")),
        ("index negative", good.replace("index 5\n", "index -5\n")),
        ("index capitalised", good.replace("index 5\n", "Index 5\n")),
        ("index twice", good.replace("index 5\n", "index 5\nindex 5\n")),
        ("extra after index", good.replace("index 5\n", "index 5\nextra AA==\n")),
        ("extra empty", good.replace("index 5\n", "extra \nindex 5\n")),
        ("extra bad base64", good.replace("index 5\n", "extra AB==\nindex 5\n")),
        ("extra unpadded", good.replace("index 5\n", "extra AA\nindex 5\n")),
        ("hash non-canonical", good.replace(first_hash, first_hash[:-2] + "b=")),
        ("hash short", good.replace(first_hash, base64.b64encode(raw[:31]).decode())),
        ("hash trailing space", good.replace(first_hash, first_hash + " ")),
        ("no blank line", head + "\n" + note),
        ("two blank lines", head + "\n\n\n" + note),
        ("CRLF", good.replace("\n", "\r\n")),
        ("note without signature", head + "\n\n" + note.split("\n\n")[0] + "\n"),
        ("note body not a checkpoint", good.replace("\n8\n", "\n08\n")),
        ("missing final newline", good[:-1]),
        ("too many hashes", good.replace(first_hash, "\n".join([first_hash] * 65))),
    ]


NEIGHBOURS = _neighbours()


@pytest.mark.parametrize(("label", "text"), NEIGHBOURS, ids=[n[0] for n in NEIGHBOURS])
def test_parse_rejects(label: str, text: str) -> None:
    with pytest.raises(FormatError):
        TlogProof.parse(text)


def test_parse_bytes() -> None:
    assert TlogProof.parse(_good().encode()).to_text() == _good()
    with pytest.raises(FormatError):
        TlogProof.parse(_good().encode() + b"\xff")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"index": -1},
        {"index": 2**64 - 1},
        {"inclusion": (b"\x00" * 31,)},
        {"inclusion": [b"\x00" * 32]},
        {"inclusion": (b"\x00" * 32,) * 65},
        {"extra": b""},
        {"checkpoint_note": "not a note"},
    ],
)
def test_constructor_rejects(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "index": 0,
        "inclusion": (),
        "checkpoint_note": signed_checkpoint(1),
    }
    with pytest.raises(FormatError):
        TlogProof(**{**base, **kwargs})


# ---------------------------------------------------------------------------
# Round trips


NOTE = signed_checkpoint(8)
proofs = st.builds(
    TlogProof,
    index=st.integers(min_value=0, max_value=2**64 - 2),
    inclusion=st.lists(st.binary(min_size=32, max_size=32), max_size=64).map(tuple),
    checkpoint_note=st.just(NOTE),
    extra=st.none() | st.binary(min_size=1, max_size=100),
)


@given(proofs)
def test_parse_of_serialize(proof: TlogProof) -> None:
    assert TlogProof.parse(proof.to_text()) == proof


@given(proofs)
def test_serialize_of_parse(proof: TlogProof) -> None:
    text = proof.to_text()
    assert TlogProof.parse(text).to_text() == text


@given(st.text(alphabet="ciexdn 0123456789AB=/+\n", max_size=60))
def test_arbitrary_head_round_trips_or_is_rejected(head: str) -> None:
    text = HEADER + "\n" + head + "\n\n" + NOTE
    try:
        proof = TlogProof.parse(text)
    except FormatError:
        return
    assert proof.to_text() == text
