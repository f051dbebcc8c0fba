"""Key files: the log's checkpoint key and clients' statement keys.

* The log key is a C2SP signed-note Ed25519 private key string
  (``PRIVATE+KEY+<origin>+<keyid>+<base64>``), read from ``TERANG_LOG_KEY`` or from a
  file that must not be readable by group or others (mode 0600), as ssh insists.
* A client key (authority, finance officer, vendor, ...) is a file holding
  ``terang-ed25519-seed:<base64 32-byte seed>``. It stays on the client's machine:
  the server only ever sees public keys and signatures.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nacl.signing import SigningKey

from ledger.errors import ClientError, TerangError
from ledger.statement import b64decode_strict, b64encode, key_id_of

CLIENT_KEY_PREFIX = "terang-ed25519-seed:"


class KeyFileError(TerangError):
    http_status = 500
    code = "key_file"


def write_secret_file(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 atomically; refuse to overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} exists; refusing to overwrite a key") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")


def read_secret_file(path: Path) -> str:
    """Read a key file, refusing one that group or others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyFileError(f"key file {path} not found") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    text = path.read_text(encoding="ascii")
    if not text.endswith("\n") or "\n" in text[:-1]:
        raise KeyFileError(f"key file {path} must hold exactly one line")
    return text[:-1]


def generate_client_key(path: Path) -> SigningKey:
    key = SigningKey.generate()
    write_secret_file(path, CLIENT_KEY_PREFIX + b64encode(bytes(key)))
    return key


def load_client_key(path: Path) -> SigningKey:
    text = read_secret_file(path)
    if not text.startswith(CLIENT_KEY_PREFIX):
        raise KeyFileError(f"{path} is not a Terang client key")
    try:
        seed = b64decode_strict(text[len(CLIENT_KEY_PREFIX) :], field="seed")
    except ClientError as exc:
        raise KeyFileError(f"{path}: {exc.message}") from exc
    if len(seed) != 32:
        raise KeyFileError(f"{path}: an Ed25519 seed is 32 bytes")
    return SigningKey(seed)


def client_key_id(key: SigningKey) -> str:
    return key_id_of(bytes(key.verify_key))
