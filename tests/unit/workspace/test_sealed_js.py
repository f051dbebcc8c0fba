"""The browser's bid sealing (``workspace/static/sealed.js``) against ``procurement.sealed``.

A bid the browser seals must be one the log accepts and the committee opens with the
Python code to the very price typed; a share Python seals must open in the browser. Run
under Node's WebCrypto (X25519 included) with the vendored @noble bundle; the browser
test runs the same scripts in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

import pytest
from nacl import bindings
from nacl.public import PrivateKey
from procurement_support import MemoryLog, Scenario
from workspace_support import SEALED_SCRIPTS, STATIC, run_js

from ledger.errors import ClientError
from ledger.keys import client_key_id
from ledger.signing import make_signed
from procurement import sealed
from procurement.bids import _parse_bid_body
from procurement.client import open_bid, release_shares, share_is_committed
from procurement.errors import NotEnoughShares
from procurement.rules import RELEASE_WINDOW_HOURS_DEFAULT

SEAL = """
const out = [];
for (const c of input) {
  const made = TerangSealed.sealBid({ocid: c.ocid, bidder: c.bidder, priceSen: BigInt(c.price),
    documents: c.documents, committee: c.committee, threshold: c.threshold, addendum: 0});
  out.push({body: made.body, key: TerangSealed.b64(made.key),
    envelope: Buffer.from(made.envelope).toString("utf8")});
}
return out;
"""

PKCS8_X25519_PREFIX = bytes.fromhex("302e020100300506032b656e04220420")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def committee_of(size: int) -> tuple[list[dict[str, str]], list[PrivateKey]]:
    keys = [PrivateKey.generate() for _ in range(size)]
    members = [
        {
            "key_id": hashlib.sha256(bytes([i]) * 32).hexdigest(),
            "x25519_public_key": b64(bytes(k.public_key)),
        }
        for i, k in enumerate(keys)
    ]
    return members, keys


def python_open(
    body: dict[str, Any],
    keys: list[PrivateKey],
    members: list[dict[str, str]],
    chosen: list[int],
    threshold: int,
    ocid: str,
    bidder: str,
) -> sealed.OpenedEnvelope:
    commitments = [base64.b64decode(c) for c in body["commitments"]]
    shares = []
    for index in chosen:
        opened = sealed.open_sealed_share(
            keys[index], base64.b64decode(body["shares"][index]["sealed"])
        )
        share = sealed.Share(index + 1, opened)
        assert sealed.verify_share(share, commitments)
        shares.append(share)
    key = sealed.reconstruct_key(sealed.BID_FORMAT_FELDMAN, shares, threshold)
    return sealed.open_envelope(
        key, base64.b64decode(body["ciphertext"]), body["content_sha256"], ocid, bidder, version=2
    )


def test_bids_sealed_in_js_open_in_python_to_the_same_price_whatever_k_members_release() -> None:
    rng = random.Random(12)
    cases = []
    for size in range(2, 10):
        threshold = rng.randint(2, size)
        members, keys = committee_of(size)
        price = rng.choice([1, 99, 100, 81_400_000_000, 2**53 - 1, rng.randint(1, 2**53 - 1)])
        cases.append(
            {
                "ocid": f"ocds-t3r4ng-2026-{size:04d}",
                "bidder": hashlib.sha256(bytes([size])).hexdigest(),
                "price": str(price),
                "documents": [{"name": "Penawaran teknis — Ü", "sha256": "cd" * 32}],
                "committee": members,
                "threshold": threshold,
                "_keys": keys,
            }
        )
    got = run_js(
        SEAL, [{k: v for k, v in c.items() if k != "_keys"} for c in cases], SEALED_SCRIPTS
    )
    for case, made in zip(cases, got, strict=True):
        body = made["body"]
        parsed = _parse_bid_body(body)  # the reducer's parse: every commitment a valid point
        assert parsed["format"] == 2 and len(parsed["commitments"]) == case["threshold"]
        assert [s["member"] for s in body["shares"]] == [m["key_id"] for m in case["committee"]]
        assert set(body) == {
            "v",
            "ciphertext",
            "ciphertext_sha256",
            "content_sha256",
            "addendum",
            "commitments",
            "shares",
        }
        size, threshold = len(case["committee"]), case["threshold"]
        firsts = list(range(threshold))
        lasts = list(range(size - threshold, size))
        for chosen in (firsts, lasts, rng.sample(range(size), threshold)):
            envelope = python_open(
                body,
                case["_keys"],
                case["committee"],
                chosen,
                threshold,
                case["ocid"],
                case["bidder"],
            )
            assert envelope.price_sen == int(case["price"])
            assert envelope.documents == case["documents"]
        # The key the browser keeps is the key the shares rebuild; the envelope is the
        # canonical one Python writes (with the browser's salt).
        envelope_value = __import__("json").loads(made["envelope"])
        assert made["envelope"].encode() == sealed.envelope_bytes(
            case["ocid"],
            case["bidder"],
            int(case["price"]),
            case["documents"],
            base64.b64decode(envelope_value["salt"]),
        )
        assert len(base64.b64decode(envelope_value["salt"])) == sealed.SALT_BYTES
        if threshold < size:  # fewer than k shares: nothing opens
            with pytest.raises(NotEnoughShares):
                python_open(
                    body,
                    case["_keys"],
                    case["committee"],
                    firsts[:-1],
                    threshold,
                    case["ocid"],
                    case["bidder"],
                )


def test_a_js_dealing_from_given_coefficients_is_pythons() -> None:
    """The same coefficients give the same commitments, shares and bid key in both."""
    rng = random.Random(3)
    coefficients = [[rng.randrange(1, sealed.GROUP_ORDER) for _ in range(k)] for k in (2, 3, 5)]
    coefficients.append([sealed.GROUP_ORDER - 1, 1, 2])
    got = run_js(
        """
return input.map((a) => {
  const d = TerangSealed.deal(a.length, 7, a.map(BigInt));
  const S = TerangSealed;
  return {secret: S.hex(d.secret), key: S.hex(S.bidKeyFromSecret(d.secret)),
    commitments: d.commitments.map(S.hex), shares: d.shares.map((s) => S.hex(s.y))};
});
""",
        [[str(a) for a in coefficient] for coefficient in coefficients],
        SEALED_SCRIPTS,
    )
    for a, made in zip(coefficients, got, strict=True):
        secret = sealed.scalar_bytes(a[0])
        assert made["secret"] == secret.hex()
        assert made["key"] == sealed.bid_key_from_secret(secret).hex()
        assert made["commitments"] == [
            bindings.crypto_scalarmult_ed25519_base_noclamp(sealed.scalar_bytes(c)).hex() for c in a
        ]
        assert made["shares"] == [
            sealed.scalar_bytes(sealed._evaluate(a, x)).hex() for x in range(1, 8)
        ]


def test_a_share_sealed_in_python_opens_in_js_with_a_non_extractable_key() -> None:
    keys = [PrivateKey.generate() for _ in range(4)]
    shares = [sealed.Share(1, bytes(rng_bytes)) for rng_bytes in (b"\x01" * 32, b"\xfe" * 32)]
    cases = [
        {
            "pkcs8": b64(PKCS8_X25519_PREFIX + bytes(key)),
            "public": b64(bytes(key.public_key)),
            "sealed": [b64(sealed.seal_share(bytes(key.public_key), s)) for s in shares],
            "other": b64(sealed.seal_share(bytes(keys[(i + 1) % 4].public_key), shares[0])),
        }
        for i, key in enumerate(keys)
    ]
    got = run_js(
        """
const out = [];
for (const c of input) {
  const key = await crypto.subtle.importKey("pkcs8", TerangSealed.unb64(c.pkcs8),
    {name: "X25519"}, false, ["deriveBits"]);
  const pub = TerangSealed.unb64(c.public);
  const opened = [];
  for (const s of c.sealed) {
    opened.push(TerangSealed.b64(await TerangSealed.openSealed(key, pub, TerangSealed.unb64(s))));
  }
  let other;
  try { await TerangSealed.openSealed(key, pub, TerangSealed.unb64(c.other)); other = "opened"; }
  catch (e) { other = e.code; }
  out.push({opened, other, extractable: key.extractable});
}
return out;
""",
        cases,
        SEALED_SCRIPTS,
    )
    for made in got:
        assert made["opened"] == [b64(s.y) for s in shares]
        assert made["other"] == "share_not_openable"  # another member's share
        assert made["extractable"] is False


def test_js_verifies_shares_as_python_does_and_refuses_tampered_commitments() -> None:
    dealing = sealed.deal(3, 5)
    other = sealed.deal(3, 5)
    torsion = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
    identity = (1).to_bytes(32, "little")
    commitment_sets = {
        "honest": dealing.commitments,
        "swapped": [other.commitments[0], *dealing.commitments[1:]],  # a valid point, not a_0·B
        "torsion": [torsion, *dealing.commitments[1:]],
        "identity": [identity, *dealing.commitments[1:]],
        "garbage": [b"\xff" * 32, *dealing.commitments[1:]],
    }
    shares = [*dealing.shares, sealed.Share(2, dealing.shares[0].y), sealed.Share(1, b"\x00" * 32)]
    shares.append(sealed.Share(1, (sealed.GROUP_ORDER + 1).to_bytes(32, "little")))
    got = run_js(
        """
const out = {};
for (const [name, cs] of Object.entries(input.sets)) {
  const points = cs.map((c) => TerangSealed.unb64(c));
  out[name] = input.shares.map(
    (s) => TerangSealed.verifyShare(s.x, TerangSealed.unb64(s.y), points));
}
return out;
""",
        {
            "sets": {name: [b64(c) for c in cs] for name, cs in commitment_sets.items()},
            "shares": [{"x": s.x, "y": b64(s.y)} for s in shares],
        },
        SEALED_SCRIPTS,
    )
    for name, commitments in commitment_sets.items():
        assert got[name] == [sealed.verify_share(s, commitments) for s in shares], name
    assert got["honest"] == [True] * 5 + [False, False, False]
    assert not any(got["swapped"] + got["torsion"] + got["identity"] + got["garbage"])


@pytest.mark.parametrize("threshold", [2, 3])
def test_a_js_sealed_bid_is_logged_released_and_opened_by_the_reducers(threshold: int) -> None:
    """The whole Python path: the reducer accepts the browser's body, members release
    with ``procurement.client``, the opening reads the typed price; a body whose
    commitments were changed after sealing is refused."""
    s = Scenario.build(MemoryLog(), vendors=3, threshold=threshold)
    s.package()
    s.announce()
    tender = s.tender()
    prices = [81_400_000_000, 79_999_999_999, 123]
    cases = [
        {
            "ocid": s.ocid,
            "bidder": client_key_id(vendor),
            "price": str(price),
            "documents": [],
            "committee": tender["committee"]["members"],
            "threshold": threshold,
        }
        for vendor, price in zip(s.vendors, prices, strict=True)
    ]
    bodies = [made["body"] for made in run_js(SEAL, cases, SEALED_SCRIPTS)]
    # Vendor 2 changes a commitment after sealing (another valid point): logged, since
    # a point is a point, but no member's share checks against it at release.
    tampered = dict(bodies[2])
    tampered["commitments"] = [
        b64(sealed.deal(threshold, 3).commitments[0]),
        *bodies[2]["commitments"][1:],
    ]
    # ... and a commitment that is no point of the subgroup is refused at submission.
    broken = dict(bodies[2], commitments=[b64(b"\xff" * 32), *bodies[2]["commitments"][1:]])
    with pytest.raises(ClientError) as refused:
        s.log.append(
            [
                make_signed(
                    s.vendors[2],
                    "procurement.bid.submitted",
                    s.ocid,
                    broken,
                    at=s.log.clock(),
                    origin=s.log.origin,
                )
            ]
        )
    assert refused.value.code == "bad_commitment"
    for vendor, body in zip(s.vendors, [*bodies[:2], tampered], strict=True):
        s.log.append(
            [
                make_signed(
                    vendor,
                    "procurement.bid.submitted",
                    s.ocid,
                    body,
                    at=s.log.clock(),
                    origin=s.log.origin,
                )
            ]
        )
    s.close()
    for member in s.members:
        bids = [s.bid_doc(v) for v in s.vendors]
        releases, bad = release_shares(member.key_id, member.box_key, s.ocid, bids)
        assert bad == [client_key_id(s.vendors[2])]
        # Releasing the tampered bid's share anyway is refused by the reducer.
        x = s.members.index(member) + 1
        opened = sealed.open_sealed_share(
            member.box_key, base64.b64decode(bids[2]["shares"][x - 1]["sealed"])
        )
        assert not share_is_committed(bids[2], member.key_id, sealed.Share(x, opened))
        with pytest.raises(ClientError) as mismatch:
            s.append(
                member.key,
                "procurement.tender.shares_released",
                {"shares": [{"bidder": bids[2]["bidder"], "share": b64(opened)}]},
            )
        assert mismatch.value.code == "share_mismatch"
        s.append(member.key, "procurement.tender.shares_released", {"shares": releases})
    # The tampered bid can never gather k releases: the opening waits out the window.
    s.log.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600)
    s.append(s.officer, "procurement.tender.opened", {})
    for vendor, price in zip(s.vendors[:2], prices[:2], strict=True):
        doc = s.bid_doc(vendor)
        assert doc["opening"]["result"] == "opened"
        assert doc["opening"]["price_sen"] == price
        assert open_bid(doc, threshold).price_sen == price
    assert s.bid_doc(s.vendors[2])["opening"]["result"] == "unopenable"


def test_the_vendored_bundle_is_the_one_its_source_note_names() -> None:
    """``vendor/noble.js`` is the build script's output as recorded: an edit by hand (or
    a changed bundle without its note) fails here; the licence names each package."""
    vendor = STATIC / "vendor"
    digest = hashlib.sha256((vendor / "noble.js").read_bytes()).hexdigest()
    assert f"`{digest}`" in (vendor / "SOURCE.md").read_text(encoding="utf-8")
    licence = (vendor / "LICENSE").read_text(encoding="utf-8")
    for package in ("curves", "ciphers", "hashes"):
        assert f"== @noble/{package} 2.0.1 ==" in licence
    assert licence.count("The MIT License") == 3
