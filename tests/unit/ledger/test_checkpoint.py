"""C2SP tlog-checkpoint: known answers, strict parsing, signing and opening."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from ledger.checkpoint import Checkpoint, open_checkpoint, open_checkpoint_note, sign_checkpoint
from ledger.errors import FormatError, SignatureError
from ledger.note import (
    CosignatureSigner,
    Signer,
    Verifier,
    add_signatures,
    parse_verifier_key,
    sign_note,
)

# Copied from the shared vectors (see "_copied_from" and "source" in the file).
V: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "signed_note_vectors.json").read_text("utf-8")
)
ROOT = bytes(range(32))
ROOT64 = base64.b64encode(ROOT).decode()
BODY = f"example.com/log\n5\n{ROOT64}\n"


def log_verifier() -> Verifier:
    v = parse_verifier_key(V["witness_test_log_vkey"])
    assert isinstance(v, Verifier)
    return v


def signer(name: str = "example.com/log", seed: int = 1) -> Signer:
    return Signer(name, SigningKey(bytes([seed]) * 32))


def cosigner(name: str, seed: int) -> CosignatureSigner:
    return CosignatureSigner(name, SigningKey(bytes([seed]) * 32))


# ---------------------------------------------------------------------------
# Known answers


@pytest.mark.parametrize(
    ("name", "size", "root64"),
    [
        ("witness_test_checkpoint_5", 5, "41smjBUiAU70EtKlT6lIOIYtRTYxYXsDB+XHfcvu/BE="),
        ("witness_test_checkpoint_8", 8, "V8K9aklZ4EPB+RMOk1/8VsJUdFZR77GDtZUQq84vSbo="),
    ],
)
def test_witness_checkpoints_open(name: str, size: int, root64: str) -> None:
    cp = open_checkpoint(V[name], "monkeys", log_verifier())
    assert cp == Checkpoint("monkeys", size, base64.b64decode(root64))
    assert cp.to_text() == V[name].split("\n\n")[0] + "\n"


def test_spec_example_body_parses() -> None:
    note = V["c2sp_spec_examples"]["cosigned_checkpoint_note"]
    body = note.split("\n\n")[0] + "\n"
    cp = Checkpoint.parse(body)
    assert (cp.origin, cp.size, cp.extensions) == ("example.com/behind-the-sofa", 20852163, ())
    assert cp.to_text() == body


@pytest.mark.parametrize(
    "mutate",
    [
        lambda n: n.replace("monkeys\n5", "monkeys\n6"),
        lambda n: n.replace("monkeys\n5", "monkeys\n05"),
        lambda n: n.replace("41smj", "41smk"),
        lambda n: n.replace("— monkeys", "— monkeyz"),
        lambda n: n.replace("BE=\n", "BE=\next\n"),
        lambda n: n.replace("BE=\n", "BE= \n"),
        lambda n: n[:-1],
        lambda n: n.replace("\n", "\r\n"),
    ],
)
def test_witness_checkpoint_neighbours_rejected(mutate: Any) -> None:
    with pytest.raises((FormatError, SignatureError)):
        open_checkpoint(mutate(V["witness_test_checkpoint_5"]), "monkeys", log_verifier())


def test_wrong_origin_or_key_rejected() -> None:
    with pytest.raises(SignatureError):
        open_checkpoint(V["witness_test_checkpoint_5"], "monkey", log_verifier())
    with pytest.raises(SignatureError):
        open_checkpoint(V["witness_test_checkpoint_5"], "monkeys", signer("monkeys").verifier())


# ---------------------------------------------------------------------------
# Strict parsing


def test_parse_examples() -> None:
    assert Checkpoint.parse(BODY) == Checkpoint("example.com/log", 5, ROOT)
    ext = BODY + "ext one\nExt-2 +x\n"
    assert Checkpoint.parse(ext).extensions == ("ext one", "Ext-2 +x")
    assert Checkpoint.parse(ext).to_text() == ext
    empty = f"o\n0\n{ROOT64}\n"
    assert Checkpoint.parse(empty).size == 0
    big = f"o\n18446744073709551615\n{ROOT64}\n"
    assert Checkpoint.parse(big).size == 2**64 - 1
    spaced = f"origin with spaces+plus\n1\n{ROOT64}\n"
    assert Checkpoint.parse(spaced).origin == "origin with spaces+plus"


BAD_BODIES = [
    "",
    "\n",
    BODY[:-1],  # no final newline
    f"example.com/log\n5\n{ROOT64}",
    "example.com/log\n5\n",  # two lines
    f"\n5\n{ROOT64}\n",  # empty origin
    f"o\n05\n{ROOT64}\n",  # leading zero
    f"o\n00\n{ROOT64}\n",
    f"o\n+5\n{ROOT64}\n",
    f"o\n-5\n{ROOT64}\n",
    f"o\n 5\n{ROOT64}\n",
    f"o\n5 \n{ROOT64}\n",
    f"o\n1_0\n{ROOT64}\n",
    f"o\n\u0665\n{ROOT64}\n",  # Arabic-Indic five
    f"o\n18446744073709551616\n{ROOT64}\n",  # 2^64
    f"o\n\n{ROOT64}\n",
    f"o\n5\n{ROOT64[:-2]}B=\n",  # non-canonical base64 (padding bits set)
    f"o\n5\n{ROOT64[:-1]}\n",  # missing padding
    f"o\n5\n{ROOT64} \n",
    f"o\n5\n {ROOT64}\n",
    f"o\n5\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte root
    f"o\n5\n{base64.b64encode(ROOT + b'x').decode()}\n",  # 33-byte root
    f"o\n5\n{ROOT64.replace('A', '-')}\n",  # URL-safe alphabet
    BODY + "\n",  # empty extension line
    BODY + "ext\n\n",
    BODY.replace("\n", "\r\n"),
    "o\x01\n5\n" + ROOT64 + "\n",  # control character
    "o\t\n5\n" + ROOT64 + "\n",
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_parse_rejects(body: str) -> None:
    with pytest.raises(FormatError):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    "args",
    [
        ("", 1, ROOT, ()),
        ("o\n", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 2**64, ROOT, ()),
        ("o", True, ROOT, ()),
        ("o", 1, ROOT[:31], ()),
        ("o", 1, ROOT, ("",)),
        ("o", 1, ROOT, ("a\nb",)),
        ("o", 1, ROOT, ["a"]),
    ],
)
def test_constructor_rejects(args: tuple[Any, ...]) -> None:
    with pytest.raises(FormatError):
        Checkpoint(*args)


def test_validly_signed_but_malformed_body_is_a_format_error() -> None:
    s = signer()
    note = sign_note(f"example.com/log\n05\n{ROOT64}\n", [s])
    with pytest.raises(FormatError):
        open_checkpoint(note, "example.com/log", s.verifier())
    note = sign_note(f"example.com/log\n5\n{ROOT64}\n\n", [s])
    with pytest.raises(FormatError):
        open_checkpoint(note, "example.com/log", s.verifier())


# ---------------------------------------------------------------------------
# Signing, opening, witnesses


def test_sign_and_open_round_trip() -> None:
    s = signer()
    cp = Checkpoint("example.com/log", 1234, ROOT, ("extension",))
    note = sign_checkpoint(cp, s)
    assert note.startswith(cp.to_text() + "\n— example.com/log ")
    assert open_checkpoint(note, "example.com/log", s.verifier()) == cp


def test_witness_quorum() -> None:
    s = signer()
    w1, w2, w3 = cosigner("w1", 11), cosigner("w2", 12), cosigner("w3", 13)
    cp = Checkpoint("example.com/log", 9, ROOT)
    note = sign_checkpoint(cp, s)
    note = add_signatures(note, [w1.cosign(cp.to_text(), 1), w2.cosign(cp.to_text(), 2)])
    witnesses = [w1.verifier(), w2.verifier(), w3.verifier()]
    got, opened = open_checkpoint_note(
        note, "example.com/log", s.verifier(), witnesses=witnesses, min_witnesses=2
    )
    assert got == cp
    assert opened.timestamp(w2.verifier()) == 2
    assert opened.timestamp(w3.verifier()) is None
    with pytest.raises(SignatureError):
        open_checkpoint(note, "example.com/log", s.verifier(), witnesses=witnesses, min_witnesses=3)
    # The log's own key does not count as a witness.
    with pytest.raises(SignatureError):
        open_checkpoint(
            note, "example.com/log", s.verifier(), witnesses=[s.verifier()], min_witnesses=1
        )


def test_witness_signature_alone_is_not_enough() -> None:
    s, w = signer(), cosigner("w1", 11)
    cp = Checkpoint("example.com/log", 9, ROOT)
    note = sign_note(cp.to_text(), [w], timestamp=5)
    with pytest.raises(SignatureError):
        open_checkpoint(note, "example.com/log", s.verifier(), witnesses=[w.verifier()])


def test_bad_witness_signature_rejects_checkpoint() -> None:
    s, w = signer(), cosigner("w1", 11)
    cp = Checkpoint("example.com/log", 9, ROOT)
    other = Checkpoint("example.com/log", 10, ROOT)
    note = add_signatures(sign_checkpoint(cp, s), [w.cosign(other.to_text(), 5)])
    assert open_checkpoint(note, "example.com/log", s.verifier()) == cp  # w unknown: ignored
    with pytest.raises(SignatureError):
        open_checkpoint(note, "example.com/log", s.verifier(), witnesses=[w.verifier()])


# ---------------------------------------------------------------------------
# Round trips


line_chars = st.characters(exclude_categories=("Cs", "Cc"))
lines = st.text(alphabet=line_chars, min_size=1, max_size=40)
checkpoints = st.builds(
    Checkpoint,
    origin=lines,
    size=st.integers(min_value=0, max_value=2**64 - 1),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(lines, max_size=4).map(tuple),
)


@given(checkpoints)
def test_parse_of_serialize(cp: Checkpoint) -> None:
    assert Checkpoint.parse(cp.to_text()) == cp


@given(
    lines,
    st.integers(min_value=0, max_value=2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(lines, max_size=4),
)
def test_serialize_of_parse(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    text = "".join(f"{line}\n" for line in [origin, str(size), base64.b64encode(root).decode()])
    text += "".join(f"{line}\n" for line in ext)
    assert Checkpoint.parse(text).to_text() == text


@given(st.text(max_size=200))
def test_arbitrary_text_round_trips_or_is_rejected(text: str) -> None:
    try:
        cp = Checkpoint.parse(text)
    except FormatError:
        return
    assert cp.to_text() == text


@given(checkpoints)
def test_signed_round_trip(cp: Checkpoint) -> None:
    s = signer()
    assert open_checkpoint(sign_checkpoint(cp, s), cp.origin, s.verifier()) == cp
