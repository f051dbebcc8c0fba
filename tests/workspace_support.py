"""What the workspace's tests share: its scripts run under Node against Python, and the
key backup format (``terang.key-backup.v1``, docs/workspace.md) written and read in
Python, so a backup made by the browser opens here and one made here opens there.

The Python side of the backup is test code on purpose: the server never holds a
private key (the workspace's import contract), so only the tests and the person's own
tools need to read one.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any, Final

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from nacl.signing import SigningKey

from ledger.keys import CLIENT_KEY_PREFIX
from ledger.statement import key_id_of
from workspace.limits import BACKUP_PBKDF2_ITERATIONS_MIN

REPO: Final = Path(__file__).resolve().parents[1]
STATIC: Final = REPO / "workspace" / "static"
BACKUP_FORMAT: Final = "terang.key-backup.v1"
NODE_TIMEOUT_S: Final = 120


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _aes_key(passphrase: str, salt: bytes, iterations: int) -> AESGCM:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return AESGCM(kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8")))


def _additional_data(key_id: str) -> bytes:
    return BACKUP_FORMAT.encode("ascii") + b"\x00" + key_id.encode("ascii")


def write_backup(
    key: SigningKey, name: str, passphrase: str, iterations: int = BACKUP_PBKDF2_ITERATIONS_MIN
) -> dict[str, Any]:
    """A ``terang.key-backup.v1`` file of ``key``, as the browser writes one."""
    public = bytes(key.verify_key)
    key_id = key_id_of(public)
    salt, iv = os.urandom(16), os.urandom(12)
    plaintext = (CLIENT_KEY_PREFIX + b64(bytes(key))).encode("ascii")
    sealed = _aes_key(passphrase, salt, iterations).encrypt(iv, plaintext, _additional_data(key_id))
    return {
        "format": BACKUP_FORMAT,
        "key_id": key_id,
        "public_key": b64(public),
        "name": name,
        "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations, "salt": b64(salt)},
        "cipher": {"name": "AES-GCM", "iv": b64(iv)},
        "ciphertext": b64(sealed),
    }


def read_backup(backup: dict[str, Any], passphrase: str) -> SigningKey:
    """The key inside a backup file (raises on a wrong passphrase or an altered file)."""
    assert backup["format"] == BACKUP_FORMAT
    kdf = backup["kdf"]
    assert (kdf["name"], kdf["hash"], backup["cipher"]["name"]) == ("PBKDF2", "SHA-256", "AES-GCM")
    assert kdf["iterations"] >= BACKUP_PBKDF2_ITERATIONS_MIN
    aes = _aes_key(passphrase, base64.b64decode(kdf["salt"]), kdf["iterations"])
    plaintext = aes.decrypt(
        base64.b64decode(backup["cipher"]["iv"]),
        base64.b64decode(backup["ciphertext"]),
        _additional_data(backup["key_id"]),
    ).decode("ascii")
    assert plaintext.startswith(CLIENT_KEY_PREFIX)
    key = SigningKey(base64.b64decode(plaintext[len(CLIENT_KEY_PREFIX) :]))
    assert key_id_of(bytes(key.verify_key)) == backup["key_id"]
    return key


def node() -> str:
    """Node, which runs the workspace's scripts outside a browser (WebCrypto included)."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI=true and node is missing: the workspace's scripts cannot be tested")
        pytest.skip("node is not installed")
    return found


_PRELUDE = """
%s
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", async () => {
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const output = await (async (input) => { %s })(input);
  process.stdout.write(JSON.stringify(output));
});
"""


SCRIPTS: Final = ("canonical.js", "keys.js")
SEALED_SCRIPTS: Final = ("vendor/noble.js", "canonical.js", "sealed.js")
"""What the sealed-bid tests load: the vendored libraries, then the sealing."""


def run_js(body: str, value: Any, scripts: tuple[str, ...] = SCRIPTS) -> Any:
    """Run ``body`` (an async function body of ``input``) with ``scripts`` (files of
    ``workspace/static``; canonical.js and keys.js unless told) loaded, on ``value``
    passed as JSON; its return value comes back as JSON."""
    loads = "".join(f"require({json.dumps(str(STATIC / name))});\n" for name in scripts)
    script = _PRELUDE % (loads, body)
    done = subprocess.run(
        [node(), "-e", script],
        input=json.dumps(value).encode("utf-8"),
        capture_output=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout)


EDGE_CHARACTERS: Final = (
    '\x00\x01\x1f"\\/\x7f\u2028\u2029éß€ÿ\ufeff\uffff\ue000\U0001f600\U0010ffff'
)


def json_values(count: int, seed: int) -> list[Any]:
    """``count`` JSON values from a seeded generator: nested objects and arrays with
    non-ASCII, astral and control characters in keys and strings, and integers up to
    ±(2^53-1), the values the canonical form must agree on (for a browser run, where
    hypothesis's per-example calls would each cost a page evaluation)."""
    import random

    from ledger.limits import JSON_SAFE_INTEGER_MAX

    rng = random.Random(seed)

    def text() -> str:
        pools = (
            EDGE_CHARACTERS,
            "abcXYZ019 _-",
            "".join(chr(c) for c in range(0x0100, 0x0180)),
            "".join(chr(c) for c in range(0xE000, 0xE010)) + "\ufb01\uff21",
            "".join(chr(c) for c in range(0x1F300, 0x1F310)),
        )
        return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 8)))

    def value(depth: int) -> Any:
        kind = rng.randint(0, 7 if depth < 4 else 4)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return (
                rng.choice([0, -1, JSON_SAFE_INTEGER_MAX, -JSON_SAFE_INTEGER_MAX])
                if (rng.random() < 0.3)
                else rng.randint(-JSON_SAFE_INTEGER_MAX, JSON_SAFE_INTEGER_MAX)
            )
        if kind in (3, 4):
            return text()
        if kind == 5:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {text(): value(depth + 1) for _ in range(rng.randint(0, 5))}

    return [value(0) for _ in range(count)]
