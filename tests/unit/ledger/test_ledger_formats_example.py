"""docs/ledger-formats.md's logged-entry example is true, byte for byte.

The page states a seed, an origin and a statement; this test re-signs and re-encodes
them and compares every value the page prints (signing message, signature, entry
bytes, leaf hash), so the page cannot drift from ledger/statement.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from nacl.signing import SigningKey

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.statement import LoggedEntry, SignedStatement, Statement

PAGE = Path(__file__).resolve().parents[3] / "docs" / "ledger-formats.md"
SEED = bytes(range(32))
ORIGIN = "terang.example/kabupaten-demo"


def section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("## Logged entry (format v2)")
    return text[start : text.index("\n## ", start + 1)]


def blocks(text: str) -> list[str]:
    return re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)


def test_the_logged_entry_example_is_recomputed_exactly() -> None:
    text = section()
    entry_text, signed_text, statement_text = blocks(text)[:3]
    key = SigningKey(SEED)
    assert client_key_id(key) in text
    assert ORIGIN in text
    signed = SignedStatement.from_json(json.loads(signed_text), Limits())
    assert signed.statement.canonical() == statement_text.encode("utf-8")
    message = signed.statement.signing_message(origin=ORIGIN)
    assert message == (
        b"terang.statement.v2\x00" + ORIGIN.encode() + b"\x00" + statement_text.encode()
    )
    assert f"signed message ({len(message)} bytes)" in text
    # Ed25519 is deterministic: the seed and the message give exactly the page's signature.
    assert bytes(key.sign(message).signature) == signed.signature
    signed.verify(bytes(key.verify_key), origin=ORIGIN)
    entry = LoggedEntry.parse(entry_text.encode("utf-8"), Limits())
    assert entry.version == 2 and entry.signed == signed
    assert f"{len(entry.entry_bytes())} bytes" in text
    leaf = re.search(r"Its leaf hash is `([0-9a-f]{64})`", text)
    assert leaf is not None and leaf.group(1) == entry.leaf_hash().hex()


def test_the_example_statement_is_a_valid_statement_of_its_signer() -> None:
    statement_text = blocks(section())[2]
    statement = Statement.from_json(json.loads(statement_text), Limits())
    assert statement.signer == client_key_id(SigningKey(SEED))
