"""The workspace's scripts against the ledger's Python: the same canonical bytes, the
same key id, the same signing message, signatures PyNaCl verifies, backups both ways.

The browser signs what ``workspace/static/canonical.js`` writes; the log verifies what
``ledger.canonical.canonical_bytes`` writes. If they differed by one byte on some value
(a non-ASCII key, an astral character, a large integer), a person's statement would be
refused as badly signed, or worse, two parties would disagree on what was signed. Run
under Node's WebCrypto here (fast, many values); the browser test runs the same scripts
in Chromium.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey, VerifyKey
from workspace_support import read_backup, run_js, write_backup

from ledger.canonical import canonical_bytes
from ledger.errors import ClientError
from ledger.keys import CLIENT_KEY_PREFIX
from ledger.limits import JSON_SAFE_INTEGER_MAX, NESTING_DEPTH_MAX, Limits
from ledger.statement import STATEMENT_SIGNATURE_DOMAIN, Statement, key_id_of

CANONICAL = """
return input.map((value) => {
  try {
    return {hex: Buffer.from(TerangCanonical.canonicalBytes(value)).toString("hex")};
  } catch (e) {
    return {error: e.code || String(e)};
  }
});
"""

# Text with what tends to break canonical forms: controls, quotes, backslashes, U+2028,
# non-ASCII letters, and characters beyond U+D7FF (astral and U+E000..U+FFFF), whose
# order differs between code points and UTF-16 code units.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('\x00\x01\x1f"\\/\x7f\u2028\u2029éß€ÿ\ufeff\uffff\ue000')),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x0100, max_codepoint=0xD7FF),
        st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
    ),
    max_size=12,
)
INTEGER = st.one_of(
    st.integers(min_value=-JSON_SAFE_INTEGER_MAX, max_value=JSON_SAFE_INTEGER_MAX),
    st.sampled_from([0, -1, JSON_SAFE_INTEGER_MAX, -JSON_SAFE_INTEGER_MAX, 10**15]),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), INTEGER, TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


def python_result(value: Any) -> dict[str, str]:
    try:
        return {"hex": canonical_bytes(value).hex()}
    except ClientError as exc:
        return {"error": exc.code}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(JSON_VALUES, min_size=40, max_size=40))
def test_js_writes_the_ledgers_canonical_bytes(values: list[Any]) -> None:
    assert run_js(CANONICAL, values) == [python_result(v) for v in values]


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_js_refuses_what_the_ledger_refuses() -> None:
    values = [
        JSON_SAFE_INTEGER_MAX + 1,  # a big integer: refused by both
        -(JSON_SAFE_INTEGER_MAX + 1),
        2**63,
        1.5,
        nested(NESTING_DEPTH_MAX),  # the deepest allowed
        nested(NESTING_DEPTH_MAX + 1),
        {"k\ud800": 1},  # a lone surrogate in a key
        ["\udc00"],
        {
            "rupiah": "814000000.00",
            "nama": "Dinas Pekerjaan Umum dan Penataan Ruang — Bidang Jalan",
        },
        {"\U0001f600": 1, "\ufb01": 2, "a": 3},  # astral before U+FB01 in UTF-16 order
    ]
    got = run_js(CANONICAL, values)
    assert got == [python_result(v) for v in values]
    assert [g.get("error") for g in got] == [
        "integer_out_of_range",
        "integer_out_of_range",
        "integer_out_of_range",
        "float_not_allowed",
        None,
        "too_deep",
        "bad_json",
        "bad_json",
        None,
        None,
    ]


def test_js_refuses_floats_and_big_ints_it_is_handed() -> None:
    # Values JSON cannot carry into the script unchanged: made inside it.
    got = run_js(
        """
const tries = [1.5, 0.1, NaN, Infinity, 2 ** 53, -(2 ** 53), 9007199254740991n,
  9007199254740992n, -9007199254740992n, -0, undefined, () => 1, new Date(0)];
return tries.map((v) => {
  try { return TerangCanonical.canonicalString(v); } catch (e) { return "error:" + e.code; }
});
""",
        None,
    )
    assert got == [
        "error:float_not_allowed",
        "error:float_not_allowed",
        "error:float_not_allowed",
        "error:float_not_allowed",
        "error:integer_out_of_range",
        "error:integer_out_of_range",
        "9007199254740991",
        "error:integer_out_of_range",
        "error:integer_out_of_range",
        "0",
        "error:bad_json",
        "error:bad_json",
        "error:bad_json",
    ]


SIGN = """
const seed = Buffer.from(input.seed, "base64");
const publicRaw = Buffer.from(input.public_key, "base64");
const key = await TerangKeys.importSeed(new Uint8Array(seed), new Uint8Array(publicRaw), false);
const message = TerangKeys.signingMessage(input.origin, input.statement);
const signed = await TerangKeys.sign(key, input.origin, input.statement);
return {key_id: await TerangKeys.keyId(new Uint8Array(publicRaw)), extractable: key.extractable,
  message: Buffer.from(message).toString("hex"), signed: signed};
"""


def test_js_signs_what_pynacl_verifies_for_this_log_only() -> None:
    key = SigningKey.generate()
    public = bytes(key.verify_key)
    origin = "kab-contoh.example/terang"
    statement = {
        "type": "procurement.vendor.registered",
        "subject": key_id_of(public),
        "signer": key_id_of(public),
        "time": "2026-12-04T12:00:00.000Z",
        "nonce": "AbCdEfGhIjKlMnOpQrStUv",
        "body": {
            "public_key": base64.b64encode(public).decode(),
            "name": "CV Sinar Jaya — Ñusantara 🌏",
            "npwp": "01.234.567.8-901.000",
            "address": "Jl. Merdeka No. 1, Kota Contoh",
            "qualification": "kecil",
            "amount_sen": JSON_SAFE_INTEGER_MAX,
        },
    }
    got = run_js(
        SIGN,
        {
            "seed": base64.b64encode(bytes(key)).decode(),
            "public_key": base64.b64encode(public).decode(),
            "origin": origin,
            "statement": statement,
        },
    )
    parsed = Statement.from_json(statement, Limits())
    assert got["key_id"] == key_id_of(public)
    assert got["extractable"] is False
    assert bytes.fromhex(got["message"]) == parsed.signing_message(origin=origin)
    assert bytes.fromhex(got["message"]).startswith(STATEMENT_SIGNATURE_DOMAIN)
    signature = base64.b64decode(got["signed"]["signature"])
    VerifyKey(public).verify(parsed.signing_message(origin=origin), signature)
    # Ed25519 is deterministic: the very signature PyNaCl makes.
    assert signature == key.sign(parsed.signing_message(origin=origin)).signature
    assert got["signed"]["statement"] == statement


BACKUP_ROUND_TRIP = """
const limits = {iterations: input.iterations, iterations_max: 10000000};
const opened = await TerangKeys.readBackup(input.from_python, input.passphrase, limits);
const made = await TerangKeys.generate("Bendahara Ümum", input.passphrase, input.iterations);
let wrong = null;
try { await TerangKeys.readBackup(input.from_python, input.passphrase + "x", limits); }
catch (e) { wrong = e.code; }
let weak = null;
const cheap = JSON.parse(JSON.stringify(input.from_python));
cheap.kdf.iterations = input.iterations - 1;
try { await TerangKeys.readBackup(cheap, input.passphrase, limits); } catch (e) { weak = e.code; }
return {opened_key_id: opened.keyId, opened_extractable: opened.privateKey.extractable,
  kept_extractable: made.kept.privateKey.extractable, backup: made.backup, wrong, weak};
"""


def test_backups_open_both_ways() -> None:
    key = SigningKey.generate()
    passphrase = "kunci cadangan Ñ — 12 kata atau lebih"
    from_python = write_backup(key, "Otoritas", passphrase)
    got = run_js(
        BACKUP_ROUND_TRIP,
        {"from_python": from_python, "passphrase": passphrase, "iterations": 600_000},
    )
    assert got["opened_key_id"] == from_python["key_id"]
    assert got["opened_extractable"] is False
    assert got["kept_extractable"] is False
    assert got["wrong"] == "bad_passphrase"
    assert got["weak"] == "bad_backup"
    backup = got["backup"]
    assert backup["kdf"]["iterations"] >= 600_000
    assert set(backup) == set(from_python)
    restored = read_backup(backup, passphrase)
    assert key_id_of(bytes(restored.verify_key)) == backup["key_id"]
    assert json.dumps(backup, ensure_ascii=False).count(backup["ciphertext"]) == 1


KEY_FILE = """
const kept = await TerangKeys.readKeyFile(input.text);
let refused = null;
try { await TerangKeys.readKeyFile(input.text.replace("seed:", "seed: ")); }
catch (e) { refused = e.code; }
const signed = await TerangKeys.sign(kept.privateKey, "log.example/x", input.statement);
return {key_id: kept.keyId, public_key: kept.publicKey, extractable: kept.privateKey.extractable,
  signature: signed.signature, refused};
"""


def test_a_cli_key_file_opens_in_the_browser_as_the_same_key() -> None:
    key = SigningKey.generate()
    text = CLIENT_KEY_PREFIX + base64.b64encode(bytes(key)).decode() + "\n"  # ledger.keys' file
    statement = {
        "type": "registry.role.granted",
        "subject": "0" * 64,
        "signer": key_id_of(bytes(key.verify_key)),
        "time": "2026-12-04T12:00:00.000Z",
        "nonce": "AbCdEfGhIjKlMnOpQrStUv",
        "body": {"role": "auditor"},
    }
    got = run_js(KEY_FILE, {"text": text, "statement": statement})
    assert got["key_id"] == key_id_of(bytes(key.verify_key))
    assert base64.b64decode(got["public_key"]) == bytes(key.verify_key)
    assert got["extractable"] is False and got["refused"] == "bad_backup"
    message = Statement.from_json(statement, Limits()).signing_message(origin="log.example/x")
    VerifyKey(bytes(key.verify_key)).verify(message, base64.b64decode(got["signature"]))
