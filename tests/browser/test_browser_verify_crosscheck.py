"""verify.js and audit/bundle.py agree: every bundle one accepts the other accepts.

The same fixtures go through ``audit.bundle.verify_record_bundle`` (what
``terang verify --record`` runs) and through ``verifyBundle`` of
``portal/static/verify.js`` in headless Chromium. Two sources:

* real bundles served by the demo app, as served and with single bytes flipped;
* bundles of a small synthetic log built here, whose entries are faulty in ways that a
  running log would refuse to write (a bad statement signature, non-canonical JSON, a
  float, a registration under the wrong id...) but that are properly included in a
  properly signed checkpoint: only the entry checks themselves can catch them, so each
  case exercises one check of both verifiers rather than the Merkle proof in front.

Each case also names the check verify.js must report, so a reader sees why it fails.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from browser_harness import PortalServer
from nacl.signing import SigningKey
from playwright.sync_api import Page

from audit.bundle import verify_record_bundle
from ledger import merkle
from ledger.canonical import canonical_bytes, reference_canonical_bytes
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.errors import TerangError
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import (
    Signer,
    add_signatures,
    generate_cosigner,
    generate_signer,
    parse_verifier_key,
    split_note,
)
from ledger.statement import STATEMENT_SIGNATURE_DOMAIN, b64encode
from portal.assets import asset_url

SYNTHETIC_ORIGIN = "synthetic.test/log"
TIME = "2026-03-02T01:00:00.000Z"
RECORD = "rec-1"
RECORD_TYPE = "test.record.noted"


def python_accepts(bundle: dict[str, Any], verifier_key: str) -> bool:
    verifier = parse_verifier_key(verifier_key)
    try:
        verify_record_bundle(copy.deepcopy(bundle), verifier.name, verifier, Limits())
    except TerangError:
        return False
    return True


def js_verify(page: Page, bundle: dict[str, Any], verifier_key: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """async ([module, bundle, key]) => {
            const { verifyBundle } = await import(module);
            const report = await verifyBundle(bundle, { verifierKey: key, witnessKeys: [] });
            return { ok: report.ok, failure: report.failure };
        }""",
        [asset_url("verify.js"), bundle, verifier_key],
    )
    return result


@pytest.fixture
def verify_page(page: Page, portal_server: PortalServer) -> Page:
    # Any page of the app: WebCrypto needs a secure context (localhost is one).
    page.goto(portal_server.url + "/verifikasi?lang=en")
    return page


def test_limits_match_the_ledger_defaults(verify_page: Page) -> None:
    limits = verify_page.evaluate(
        "async (m) => ({ ...(await import(m)).LIMITS })", asset_url("verify.js")
    )
    defaults = Limits()
    assert limits == {name: getattr(defaults, name) for name in limits}
    assert set(limits) == {
        "statement_bytes_max",
        "type_chars_max",
        "subject_chars_max",
        "nonce_chars_min",
        "nonce_chars_max",
    }


# ---------------------------------------------------------------- a synthetic log


def jcs(value: Any) -> str:
    """JCS text; for a value the ledger's rules refuse (too deep), the plain sorted JSON."""
    try:
        return canonical_bytes(value).decode("utf-8")
    except TerangError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class SyntheticLog:
    """Entries 0 (genesis) and 1 (the user's registration), then whatever a case adds."""

    log: Signer = field(default_factory=lambda: generate_signer(SYNTHETIC_ORIGIN))
    authority: SigningKey = field(default_factory=SigningKey.generate)
    user: SigningKey = field(default_factory=SigningKey.generate)
    entries: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        genesis_body = {
            "origin": SYNTHETIC_ORIGIN,
            "log_verifier_key": self.log.verifier_key(),
            "authorities": [{"name": "root", "public_key": b64encode(self.public(self.authority))}],
        }
        self.add(self.statement(self.authority, "ledger.genesis", "genesis", genesis_body))
        registration = {"public_key": b64encode(self.public(self.user)), "name": "u", "roles": []}
        self.add(
            self.statement(
                self.authority, "registry.key.registered", client_key_id(self.user), registration
            )
        )

    @staticmethod
    def public(key: SigningKey) -> bytes:
        return bytes(key.verify_key)

    @staticmethod
    def statement(
        key: SigningKey, kind: str, subject: str, body: Any, nonce: str = "n" * 16
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "subject": subject,
            "signer": client_key_id(key),
            "time": TIME,
            "nonce": nonce,
            "body": body,
        }

    def add(
        self,
        statement: dict[str, Any] | str,
        *,
        key: SigningKey | None = None,
        entry_text: Callable[[str], str] | None = None,
        seq_claim: int | None = None,
        prev: str | None = None,
        signed_for: str = SYNTHETIC_ORIGIN,
    ) -> int:
        """Log a statement (a dict, or its exact JSON text), signed by ``key`` (default: the
        key whose id is its signer); ``entry_text`` may rewrite the finished entry JSON."""
        seq = len(self.entries)
        text = statement if isinstance(statement, str) else jcs(statement)
        if key is None:
            signer = json.loads(text)["signer"]
            key = next(k for k in (self.authority, self.user) if client_key_id(k) == signer)
        message = STATEMENT_SIGNATURE_DOMAIN + signed_for.encode() + b"\x00" + text.encode()
        signature = key.sign(message).signature
        previous = merkle.leaf_hash(self.entries[-1]).hex() if self.entries else "00" * 32
        entry = (
            f'{{"logged_at":"{TIME}","prev":"{previous if prev is None else prev}",'
            f'"seq":{seq if seq_claim is None else seq_claim},'
            f'"signature":"{b64encode(signature)}","statement":{text},"v":2}}'
        )
        if entry_text is not None:
            entry = entry_text(entry)
        self.entries.append(entry.encode("utf-8"))
        return seq

    def record(self, body: Any, **kwargs: Any) -> int:
        return self.add(self.statement(self.user, RECORD_TYPE, RECORD, body), **kwargs)

    def note(
        self,
        *,
        log: Signer | None = None,
        origin: str | None = None,
        extensions: tuple[str, ...] = (),
    ) -> str:
        size = len(self.entries)
        root = merkle.root_hash(size, self.nodes())
        checkpoint = Checkpoint(origin or SYNTHETIC_ORIGIN, size, root, extensions)
        return sign_checkpoint(checkpoint, log or self.log)

    def nodes(self) -> dict[merkle.NodeId, bytes]:
        leaves = [merkle.leaf_hash(e) for e in self.entries]
        return dict(merkle.append_leaves(0, {}, leaves))

    def item(self, seq: int) -> dict[str, Any]:
        path = merkle.inclusion_proof(seq, len(self.entries), self.nodes())
        return {
            "seq": seq,
            "entry_bytes_b64": base64.b64encode(self.entries[seq]).decode("ascii"),
            "inclusion": [h.hex() for h in path],
        }

    def bundle(
        self,
        entries: list[int],
        registrations: list[int] | None = None,
        *,
        subject: str = RECORD,
        note: str | None = None,
    ) -> dict[str, Any]:
        return {
            "format": "terang.record-bundle.v1",
            "subject": subject,
            "checkpoint": note or self.note(),
            "entries": [self.item(s) for s in entries],
            "signer_registrations": [
                self.item(s) for s in ([1] if registrations is None else registrations)
            ],
            "truncated": False,
        }


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def deepest_canonical_body() -> int:
    """The deepest body nesting the ledger's canonical form still accepts."""
    depth = 0
    while True:
        try:
            canonical_bytes(
                SyntheticLog.statement(
                    SigningKey.generate(), RECORD_TYPE, RECORD, nested(depth + 1)
                )
            )
        except TerangError:
            return depth
        depth += 1


Case = tuple[str, Callable[[], tuple[dict[str, Any], str]], str | None]
"""(name, build -> (bundle, verifier key), the check verify.js fails on, or None to accept)."""


def case(
    build: Callable[[SyntheticLog], dict[str, Any]],
) -> Callable[[], tuple[dict[str, Any], str]]:
    def make() -> tuple[dict[str, Any], str]:
        log = SyntheticLog()
        return build(log), log.log.verifier_key()

    return make


def _one(log: SyntheticLog, body: Any = None, **kwargs: Any) -> dict[str, Any]:
    seq = log.record({"n": 1} if body is None else body, **kwargs)
    return log.bundle([seq])


def _raw_body(log: SyntheticLog, body_json: str) -> dict[str, Any]:
    text = jcs(log.statement(log.user, RECORD_TYPE, RECORD, {"x": 0})).replace('{"x":0}', body_json)
    return log.bundle([log.add(text)])


def _extension(log: SyntheticLog) -> dict[str, Any]:
    seq = log.record({"n": 1})
    return log.bundle([seq], note=log.note(extensions=("extension line",)))


def _unknown_cosignature(log: SyntheticLog) -> dict[str, Any]:
    seq = log.record({"n": 1})
    note = log.note()
    cosigner = generate_cosigner("witness.test/unknown")
    return log.bundle([seq], note=add_signatures(note, [cosigner.cosign(split_note(note).text, 1)]))


def _two_subjects(log: SyntheticLog) -> dict[str, Any]:
    first = log.record({"n": 1})
    other = log.add(log.statement(log.user, RECORD_TYPE, "rec-2", {"n": 2}))
    return log.bundle([first, other])


def _wrong_registration(log: SyntheticLog) -> dict[str, Any]:
    stranger = SigningKey.generate()
    body = {"public_key": b64encode(bytes(stranger.verify_key)), "name": "x", "roles": []}
    registration = log.add(
        log.statement(log.authority, "registry.key.registered", client_key_id(log.user), body)
    )
    return log.bundle([log.record({"n": 1})], [registration])


def _not_a_registration(log: SyntheticLog) -> dict[str, Any]:
    seq = log.record({"n": 1})
    return log.bundle([seq], [1, seq])


def _flip_padding_bits(log: SyntheticLog) -> dict[str, Any]:
    # Entry bytes whose length leaves padding bits; base64.b64decode(validate=True) ignores them.
    seqs = [log.record({"pad": "x" * n}) for n in range(3)]
    seq = next(s for s in seqs if len(log.entries[s]) % 3 == 1)
    bundle = log.bundle([seq])
    text = bundle["entries"][0]["entry_bytes_b64"]
    assert text.endswith("==")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    bundle["entries"][0]["entry_bytes_b64"] = (
        text[:-3] + alphabet[alphabet.index(text[-3]) | 1] + "=="
    )
    assert base64.b64decode(bundle["entries"][0]["entry_bytes_b64"]) == log.entries[seq]
    return bundle


def _edit(path: Callable[[dict[str, Any]], None]) -> Callable[[SyntheticLog], dict[str, Any]]:
    def build(log: SyntheticLog) -> dict[str, Any]:
        bundle = log.bundle([log.record({"n": 1})])
        path(bundle)
        return bundle

    return build


DEPTH = deepest_canonical_body()
SAFE = 2**53 - 1

SYNTHETIC_CASES: list[Case] = [
    ("valid", case(_one), None),
    (
        "several entries",
        case(lambda log: log.bundle([log.record({"n": i}) for i in range(5)])),
        None,
    ),
    (
        "genesis record, self-registered",
        case(lambda log: log.bundle([0], [], subject="genesis")),
        None,
    ),
    ("checkpoint extension line", case(_extension), None),
    ("cosignature by an unknown witness", case(_unknown_cosignature), None),
    (f"body nested {DEPTH} deep", case(lambda log: _one(log, nested(DEPTH))), None),
    (
        "keys past U+FFFF sort by UTF-16",
        case(lambda log: _one(log, {"\ue000": 1, "\U0001f600": 2})),
        None,
    ),
    (
        "escapes and non-ASCII text",
        case(lambda log: _one(log, {"s": 'é\u2028"\\\n\u0001\u007f ✓'})),
        None,
    ),
    ("largest safe integers", case(lambda log: _one(log, {"a": SAFE, "b": -SAFE})), None),
    ("entry base64 with padding bits", case(_flip_padding_bits), None),
    (
        "statement signed by another key",
        case(lambda log: _one(log, key=log.authority)),
        "signature",
    ),
    (
        "signer's registration missing",
        case(lambda log: log.bundle([log.record({"n": 1})], [])),
        "signature",
    ),
    ("entry about another subject", case(_two_subjects), "subject"),
    ("registration under the wrong key id", case(_wrong_registration), "registration"),
    ("a record entry among the registrations", case(_not_a_registration), "registration"),
    (
        f"body nested {DEPTH + 1} deep",
        case(lambda log: _one(log, nested(DEPTH + 1))),
        "entry_format",
    ),
    (
        "whitespace in the entry",
        case(lambda log: _one(log, entry_text=lambda e: e.replace(',"v":2', ', "v":2'))),
        "entry_format",
    ),
    ("keys out of order", case(lambda log: _raw_body(log, '{"b":1,"a":2}')), "entry_format"),
    ("duplicate key", case(lambda log: _raw_body(log, '{"a":1,"a":1}')), "entry_format"),
    ("float", case(lambda log: _raw_body(log, '{"a":1.5}')), "entry_format"),
    ("integral float", case(lambda log: _raw_body(log, '{"a":1.0}')), "entry_format"),
    ("exponent", case(lambda log: _raw_body(log, '{"a":1e2}')), "entry_format"),
    ("integer 2^53", case(lambda log: _raw_body(log, '{"a":9007199254740992}')), "entry_format"),
    ("minus zero", case(lambda log: _raw_body(log, '{"a":-0}')), "entry_format"),
    ("lone surrogate", case(lambda log: _raw_body(log, '{"a":"\\ud800"}')), "entry_format"),
    ("escaped slash", case(lambda log: _raw_body(log, '{"a":"\\/"}')), "entry_format"),
    ("body is a list", case(lambda log: _raw_body(log, "[1]")), "entry_format"),
    (
        "impossible date",
        case(
            lambda log: log.bundle(
                [
                    log.add(
                        jcs(log.statement(log.user, RECORD_TYPE, RECORD, {})).replace(
                            TIME, "2026-02-30T01:00:00.000Z"
                        )
                    )
                ]
            )
        ),
        "entry_format",
    ),
    (
        "nonce too short",
        case(
            lambda log: log.bundle(
                [log.add(log.statement(log.user, RECORD_TYPE, RECORD, {}, nonce="short"))]
            )
        ),
        "entry_format",
    ),
    ("statement over 16 KiB", case(lambda log: _one(log, {"a": "x" * 16_400})), "entry_format"),
    (
        "unknown statement field",
        case(
            lambda log: log.bundle(
                [log.add({**log.statement(log.user, RECORD_TYPE, RECORD, {}), "extra": 1})]
            )
        ),
        "entry_format",
    ),
    ("entry claims another seq", case(lambda log: _one(log, seq_claim=7)), "entry_format"),
    ("prev in upper case", case(lambda log: _one(log, prev="AB" * 32)), "entry_format"),
    (
        "entry version 3",
        case(lambda log: _one(log, entry_text=lambda e: e.replace(',"v":2}', ',"v":3}'))),
        "entry_format",
    ),
    (
        # A statement signed for another log, logged here: bound to its origin, it fails.
        "statement signed for another log",
        case(lambda log: _one(log, signed_for="another.test/log")),
        "signature",
    ),
    (
        # A v2 signature in an entry relabelled v1: the legacy message is another message.
        "v2 signature in a v1 entry",
        case(lambda log: _one(log, entry_text=lambda e: e.replace(',"v":2}', ',"v":1}'))),
        "signature",
    ),
    (
        "entry version 0",
        case(lambda log: _one(log, entry_text=lambda e: e.replace(',"v":2}', ',"v":0}'))),
        "entry_format",
    ),
    (
        "checkpoint by another key of the same name",
        case(
            lambda log: log.bundle(
                [log.record({})], note=log.note(log=generate_signer(SYNTHETIC_ORIGIN))
            )
        ),
        "checkpoint",
    ),
    (
        "checkpoint of another origin",
        case(lambda log: log.bundle([log.record({})], note=log.note(origin="other.test/log"))),
        "checkpoint",
    ),
    ("no entries", case(lambda log: log.bundle([])), "document"),
    ("not a bundle", case(_edit(lambda b: b.update(format="terang.record-bundle.v2"))), "document"),
    (
        "inclusion path one short",
        case(_edit(lambda b: b["entries"][0]["inclusion"].pop())),
        "inclusion",
    ),
    (
        "inclusion path one long",
        case(_edit(lambda b: b["entries"][0]["inclusion"].append("00" * 32))),
        "inclusion",
    ),
    (
        "item seq off by one",
        case(_edit(lambda b: b["entries"][0].update(seq=b["entries"][0]["seq"] - 1))),
        "inclusion",
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "failing_check"), SYNTHETIC_CASES, ids=[c[0] for c in SYNTHETIC_CASES]
)
def test_synthetic_bundles(
    verify_page: Page,
    name: str,
    build: Callable[[], tuple[dict[str, Any], str]],
    failing_check: str | None,
) -> None:
    bundle, verifier_key = build()
    accepted = failing_check is None
    assert python_accepts(bundle, verifier_key) is accepted, f"audit/bundle.py on {name!r}"
    report = js_verify(verify_page, bundle, verifier_key)
    assert report["ok"] is accepted, f"verify.js on {name!r}: {report['failure']}"
    if not accepted:
        assert report["failure"]["check"] == failing_check, report["failure"]


def test_canonical_json_matches_rfc8785(verify_page: Page) -> None:
    """verify.js's JCS writes the bytes of the reference rfc8785 library."""
    values = [
        {"\ue000": 1, "\U0001f600": [True, None, False], "a": {"b": 'é\u2028\u0000\u001f"\\'}},
        {"n": [0, -1, SAFE, -SAFE], "": ""},
        {"z": {"y": {"x": []}}, "\u00e9": "\u20ac"},
    ]
    for value in values:
        text = verify_page.evaluate(
            "async ([m, v]) => (await import(m)).canonicalJSON(v)", [asset_url("verify.js"), value]
        )
        assert text.encode("utf-8") == reference_canonical_bytes(value)


# ------------------------------------------------------------ real bundles, as served and flipped


def _flip_b64(text: str, index: int) -> str:
    data = bytearray(base64.b64decode(text))
    data[index % len(data)] ^= 0x01
    return base64.b64encode(bytes(data)).decode("ascii")


def _flip_hex(text: str) -> str:
    return ("1" if text[0] != "1" else "2") + text[1:]


def _flip_checkpoint_line(note: str, line: int) -> str:
    lines = note.split("\n")
    raw = bytearray(base64.b64decode(lines[line].split(" ")[-1]))
    raw[-1] ^= 0x01
    head = lines[line].rsplit(" ", 1)[0] + " " if " " in lines[line] else ""
    lines[line] = head + base64.b64encode(bytes(raw)).decode("ascii")
    return "\n".join(lines)


REAL_MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None] | None]] = [
    ("as served", None),
    (
        "first byte of an entry",
        lambda b: b["entries"][0].update(
            entry_bytes_b64=_flip_b64(b["entries"][0]["entry_bytes_b64"], 0)
        ),
    ),
    (
        "middle byte of an entry",
        lambda b: b["entries"][-1].update(
            entry_bytes_b64=_flip_b64(
                b["entries"][-1]["entry_bytes_b64"],
                len(base64.b64decode(b["entries"][-1]["entry_bytes_b64"])) // 2,
            )
        ),
    ),
    (
        "last byte of a registration",
        lambda b: b["signer_registrations"][0].update(
            entry_bytes_b64=_flip_b64(b["signer_registrations"][0]["entry_bytes_b64"], -1)
        ),
    ),
    (
        "an inclusion path hash",
        lambda b: b["entries"][0]["inclusion"].__setitem__(
            0, _flip_hex(b["entries"][0]["inclusion"][0])
        ),
    ),
    (
        "the checkpoint root",
        lambda b: b.update(checkpoint=_flip_checkpoint_line(b["checkpoint"], 2)),
    ),
    (
        "the log's checkpoint signature",
        lambda b: b.update(checkpoint=_flip_checkpoint_line(b["checkpoint"], 4)),
    ),
    ("the subject", lambda b: b.update(subject=b["subject"] + "x")),
]


@pytest.mark.parametrize(("mutation", "mutate"), REAL_MUTATIONS, ids=[m[0] for m in REAL_MUTATIONS])
def test_real_bundles(
    verify_page: Page,
    portal_server: PortalServer,
    mutation: str,
    mutate: Callable[[dict[str, Any]], None] | None,
) -> None:
    kinds: dict[str, str] = {}
    after: int | None = -1
    while after is not None:  # a subject per kind of statement: budget, tender, vendor, keys...
        page_of = httpx.get(
            portal_server.url + "/api/v1/entries", params={"after_seq": after, "limit": 1000}
        ).json()
        for item in page_of["items"]:
            statement = item["entry"]["statement"]
            kinds.setdefault(".".join(statement["type"].split(".")[:2]), statement["subject"])
        after = page_of["next_after_seq"]
    assert {"ledger.genesis", "procurement.tender", "procurement.vendor"} <= set(kinds), kinds
    verifier_key = portal_server.ledger.verifier_key()
    for subject in sorted(kinds.values()):
        bundle = httpx.get(f"{portal_server.url}/api/v1/records/{subject}/bundle").json()
        if mutate is not None:
            if not bundle["signer_registrations"]:
                continue  # the genesis: nothing to flip there
            mutate(bundle)
        accepted = mutate is None
        assert python_accepts(bundle, verifier_key) is accepted, (mutation, subject)
        report = js_verify(verify_page, bundle, verifier_key)
        assert report["ok"] is accepted, (mutation, subject, report["failure"])
