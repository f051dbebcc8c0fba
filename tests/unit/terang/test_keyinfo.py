"""``terang keyinfo FILE``: what a key file is and its public part, never its secret.

People are asked for their key id (to be registered, to be put on a Pokja) long after
``keygen`` printed it; keyinfo gives it again from the file, for every kind of key the
project writes, and refuses what is not one.
"""

from __future__ import annotations

import json
from pathlib import Path

from nacl.public import PrivateKey
from typer.testing import CliRunner

from ledger.keys import client_key_id, generate_client_key, write_secret_file
from ledger.note import generate_cosigner, generate_signer
from ledger.statement import b64encode
from procurement.client import write_box_key
from terang.cli import app

runner = CliRunner()


def keyinfo(path: Path) -> dict[str, str]:
    result = runner.invoke(app, ["keyinfo", str(path)])
    assert result.exit_code == 0, result.output
    shown: dict[str, str] = json.loads(result.stdout)
    return shown


def test_a_client_key_gives_the_key_id_the_log_knows_it_by(tmp_path: Path) -> None:
    key = generate_client_key(tmp_path / "vendor.key")
    shown = keyinfo(tmp_path / "vendor.key")
    assert shown == {
        "kind": "client",
        "key_id": client_key_id(key),
        "public_key": b64encode(bytes(key.verify_key)),
    }
    secret = (tmp_path / "vendor.key").read_text().strip().split(":", 1)[1]
    assert secret not in json.dumps(shown)


def test_log_witness_and_box_keys_give_their_public_parts(tmp_path: Path) -> None:
    log = generate_signer("kab.example/terang")
    write_secret_file(tmp_path / "log.key", log.private_key())
    assert keyinfo(tmp_path / "log.key") == {
        "kind": "log",
        "name": "kab.example/terang",
        "verifier_key": log.verifier_key(),
    }
    witness = generate_cosigner("witness.example")
    write_secret_file(tmp_path / "witness.key", witness.private_key())
    assert keyinfo(tmp_path / "witness.key")["kind"] == "witness"
    box = PrivateKey.generate()
    write_box_key(tmp_path / "box.key", box)
    assert keyinfo(tmp_path / "box.key") == {
        "kind": "x25519_box",
        "public_key": b64encode(bytes(box.public_key)),
    }


def test_what_is_not_a_key_or_is_readable_by_others_is_refused(tmp_path: Path) -> None:
    write_secret_file(tmp_path / "notes.txt", "not a key")
    result = runner.invoke(app, ["keyinfo", str(tmp_path / "notes.txt")])
    assert result.exit_code != 0 and "is not a Terang key file" in str(result.exception)
    generate_client_key(tmp_path / "open.key")
    (tmp_path / "open.key").chmod(0o644)
    result = runner.invoke(app, ["keyinfo", str(tmp_path / "open.key")])
    assert result.exit_code != 0 and "chmod 600" in str(result.exception)
