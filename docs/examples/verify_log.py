#!/usr/bin/env python3
"""An independent check of a Terang log, written from the public specs alone.

Uses only the Python standard library and an Ed25519 library (PyNaCl). It shares no
code with Terang, so an auditor can read all of it: about 150 lines.

    python3 verify_log.py BASE_URL VERIFIER_KEY

1. Parse the verifier key (C2SP signed-note: name+keyid+base64(0x01 || key));
   check its key id.
2. Fetch /log/checkpoint and verify the signed note's Ed25519 signature
   (C2SP signed-note, tlog-checkpoint).
3. Fetch every entry bundle /log/tile/entries/<N>[.p/<W>] (C2SP tlog-tiles); check
   each entry's seq and prev link; collect RFC 6962 leaf hashes.
4. Recompute the RFC 6962 root and compare with the checkpoint's.
5. Check every statement's Ed25519 signature: in a v2 entry over
   "terang.statement.v2\\0" || origin || "\\0" || the statement's RFC 8785 bytes
   (for these values sorted-key compact JSON), so it was made for this log; in a
   legacy v1 entry (never after a v2 one) over "terang.statement.v1\\0" || the bytes;
   under the key registered for its signer in an earlier entry (or, for a
   self-registration such as a vendor's, the key in its own body whose SHA-256 is
   the signer id).
6. Fetch one inclusion proof from the JSON API and verify it with the RFC 9162
   §2.1.3.2 algorithm against the signed root.

Exit status 0 when all holds; a message and exit status 1 otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import urllib.request

from nacl.signing import VerifyKey


def fail(message: str) -> None:
    print(f"FAILED: {message}")
    sys.exit(1)


def get(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310
        return bytes(response.read())


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH: split at the largest power of two smaller than n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, step by step."""
    if index >= size:
        fail("inclusion proof index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            fail("inclusion proof is too long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        fail("inclusion proof is too short")
    return r


def tile_index_path(n: int) -> str:
    """C2SP tlog-tiles: the index in 3-digit groups, all but the last prefixed with x."""
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n > 0:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def main() -> None:
    base, vkey = sys.argv[1].rstrip("/"), sys.argv[2]

    # 1. The verifier key.
    name, key_id_hex, key_b64 = vkey.split("+", 2)  # base64 may itself hold "+"
    alg_and_key = base64.b64decode(key_b64, validate=True)
    if alg_and_key[0] != 0x01 or len(alg_and_key) != 33:
        fail("not an Ed25519 verifier key")
    if hashlib.sha256(name.encode() + b"\n" + alg_and_key).digest()[:4].hex() != key_id_hex:
        fail("verifier key id does not match")
    log_key = VerifyKey(alg_and_key[1:])

    # 2. The signed checkpoint.
    note = get(base, "/log/checkpoint").decode("utf-8")
    text, _, signature_block = note.partition("\n\n")
    text += "\n"
    signed_by_log = False
    for line in signature_block.splitlines():
        signer_name, _, sig_b64 = line.removeprefix("\u2014 ").partition(" ")
        raw = base64.b64decode(sig_b64, validate=True)
        if signer_name == name and raw[:4].hex() == key_id_hex:
            log_key.verify(text.encode("utf-8"), raw[4:])  # raises if forged
            signed_by_log = True
    if not signed_by_log:
        fail("checkpoint is not signed by the log key")
    origin, size_text, root_b64 = text.splitlines()[:3]
    if origin != name:
        fail(f"checkpoint origin {origin!r} is not {name!r}")
    size, root = int(size_text), base64.b64decode(root_b64, validate=True)

    # 3 and 5. Every entry: seq, chain, leaf hash, statement signature.
    keys: dict[str, bytes] = {}
    leaves: list[bytes] = []
    prev = bytes(32)
    version = 1  # entry format: 2 = signatures bound to this log's origin, 1 = legacy
    for n in range((size + 255) // 256):
        width = min(256, size - 256 * n)
        path = "/log/tile/entries/" + tile_index_path(n) + (f".p/{width}" if width < 256 else "")
        bundle, pos = get(base, path), 0
        while pos < len(bundle):
            length = int.from_bytes(bundle[pos : pos + 2], "big")
            entry_bytes = bundle[pos + 2 : pos + 2 + length]
            pos += 2 + length
            entry = json.loads(entry_bytes)
            seq = len(leaves)
            if entry["v"] not in (1, 2) or entry["v"] < version or entry["seq"] != seq:
                fail(f"entry {seq}: wrong version (or back to v1 after v2) or seq")
            version = entry["v"]
            if bytes.fromhex(entry["prev"]) != prev:
                fail(f"entry {seq}: prev is not the leaf hash of entry {seq - 1}")
            statement = entry["statement"]
            if statement["type"] == "ledger.genesis":
                if statement["body"]["origin"] != origin:
                    fail(f"entry {seq}: the genesis names another log")
                for authority in statement["body"]["authorities"]:
                    public = base64.b64decode(authority["public_key"], validate=True)
                    keys[hashlib.sha256(public).hexdigest()] = public
            public_key = keys.get(statement["signer"])
            own = (
                statement["body"].get("public_key") if isinstance(statement["body"], dict) else None
            )
            if public_key is None and isinstance(own, str):
                # A self-registration (a vendor registering its own key): the body carries
                # the key, and the signer id must be its SHA-256.
                candidate = base64.b64decode(own, validate=True)
                if hashlib.sha256(candidate).hexdigest() == statement["signer"]:
                    public_key = keys[statement["signer"]] = candidate
            if public_key is None:
                fail(f"entry {seq}: signer {statement['signer']} was never registered")
            canonical = json.dumps(
                statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8")
            signature = base64.b64decode(entry["signature"], validate=True)
            if version == 2:  # signed for this log: domain, origin, 0x00, JCS
                message = b"terang.statement.v2\x00" + origin.encode() + b"\x00" + canonical
            else:  # legacy entries of logs begun before the origin binding
                message = b"terang.statement.v1\x00" + canonical
            try:
                VerifyKey(public_key).verify(message, signature)
            except Exception:
                fail(f"entry {seq}: statement signature does not verify")
            if statement["type"] == "registry.key.registered":
                public = base64.b64decode(statement["body"]["public_key"], validate=True)
                if hashlib.sha256(public).hexdigest() != statement["subject"]:
                    fail(f"entry {seq}: key registered under the wrong id")
                keys[statement["subject"]] = public
            prev = leaf_hash(entry_bytes)
            leaves.append(prev)

    # 4. The root.
    if len(leaves) != size or merkle_root(leaves) != root:
        fail("the entries do not hash to the checkpoint's root")

    # 6. One inclusion proof from the JSON API, against the signed root.
    index = size // 2
    proof = json.loads(get(base, f"/api/v1/proofs/inclusion?seq={index}&tree_size={size}"))
    path_hashes = [bytes.fromhex(h) for h in proof["proof"]]
    if root_from_inclusion(index, size, leaves[index], path_hashes) != root:
        fail(f"the inclusion proof of entry {index} does not lead to the signed root")

    print(f"{origin}: {size} entries, root {root.hex()}: verified")


if __name__ == "__main__":
    main()
