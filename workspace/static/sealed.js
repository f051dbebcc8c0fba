/* Sealed bids in the browser: bid format 2 of procurement/sealed.py, byte for byte.
 *
 * Needs vendor/noble.js (the audited @noble libraries, bundled; vendor/SOURCE.md) for
 * what WebCrypto lacks: edwards25519 point arithmetic, XSalsa20-Poly1305, HSalsa20 and
 * BLAKE2b. Randomness is WebCrypto's getRandomValues.
 *
 * Sealing (the vendor):
 * - the envelope: RFC 8785 JSON of {"v": 2, ocid, bidder, price (rupiah, 2 decimals),
 *   documents: [{name, sha256}], salt (32 random bytes, base64)};
 * - Feldman shares over edwards25519: a polynomial of degree k-1 with random non-zero
 *   scalars a_j mod l; commitments C_j = a_j·B (32-byte compressed points); member i
 *   (1-based, committee order) gets le32(f(i) mod l);
 * - the bid key SHA-256("terang.procurement.bid-key.v2" 0x00 || le32(a_0)) encrypts the
 *   envelope with XSalsa20-Poly1305 (NaCl SecretBox: nonce(24) || tag(16) || ciphertext);
 * - each share is sealed to its member's X25519 box key with NaCl's SealedBox
 *   (crypto_box_seal: ephemeral X25519 key epk, nonce BLAKE2b-192(epk || pk), box key
 *   HSalsa20(X25519(esk, pk), 0^16); output epk(32) || tag(16) || ciphertext).
 * Opening a share (the committee member): the same SealedBox opened with the member's
 * X25519 private key, kept non-extractable by WebCrypto (only deriveBits runs on it).
 */
(function (root) {
  "use strict";
  var N = root.TerangNoble;
  var C = root.TerangCanonical;
  var encoder = new TextEncoder();
  var ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
  var BID_KEY_DOMAIN = encoder.encode("terang.procurement.bid-key.v2\u0000");
  var FORMAT = 2;
  var KEY_BYTES = 32;
  var SHARE_BYTES = 32;
  var SALT_BYTES = 32;
  var NONCE_BYTES = 24;
  var SEALED_SHARE_BYTES = SHARE_BYTES + 48;
  var COMMITTEE_MEMBERS_MAX = 9;
  var AMOUNT_SEN_MAX = 9007199254740991n; // budgeting.money: 2^53 - 1 sen
  // "expand 32-byte k", as four little-endian words (NaCl's sigma).
  var SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

  function SealError(code, message) {
    var error = new Error(message);
    error.code = code;
    return error;
  }

  function b64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }
  function unb64(text, length) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
      throw SealError("bad_base64", "not base64");
    }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (length !== undefined && bytes.length !== length) {
      throw SealError("bad_length", "expected " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }
  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, "0");
    return out;
  }
  function concat(parts) {
    var length = 0;
    parts.forEach(function (p) { length += p.length; });
    var out = new Uint8Array(length);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  function random(n) {
    return root.crypto.getRandomValues(new Uint8Array(n));
  }
  function sha256Hex(bytes) {
    return hex(N.sha256(bytes));
  }

  /* Scalars: 32-byte little-endian, canonical (< l). */
  function le32(value) {
    var out = new Uint8Array(32);
    var v = ((value % ORDER) + ORDER) % ORDER;
    for (var i = 0; i < 32; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
    return out;
  }
  function fromLe(bytes) {
    var v = 0n;
    for (var i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
    return v;
  }
  function parseScalar(bytes) {
    if (bytes.length !== 32) return null;
    var v = fromLe(bytes);
    return v < ORDER ? v : null;
  }
  /* Uniform in [1, l-1]: 64 random bytes reduced (bias below 2^-250). */
  function randomScalar() {
    return 1n + fromLe(random(64)) % (ORDER - 1n);
  }

  /* Money: sen (BigInt) as the envelope writes it (budgeting.money.format_amount). */
  function formatAmount(sen) {
    var value = BigInt(sen);
    if (value <= 0n) throw SealError("bad_price", "a price is more than 0.00");
    if (value > AMOUNT_SEN_MAX) throw SealError("bad_price", "a price is at most " + AMOUNT_SEN_MAX + " sen");
    return (value / 100n).toString() + "." + (value % 100n).toString().padStart(2, "0");
  }

  function envelopeBytes(ocid, bidder, priceSen, documents, salt) {
    return C.canonicalBytes({
      v: FORMAT, ocid: ocid, bidder: bidder, price: formatAmount(priceSen),
      documents: documents.map(function (d) { return { name: d.name, sha256: d.sha256 }; }),
      salt: b64(salt),
    });
  }

  /* Feldman's dealing: coefficients, commitments C_j = a_j·B, shares f(i) mod l. */
  function deal(threshold, members, coefficients) {
    if (!(Number.isInteger(threshold) && Number.isInteger(members) && threshold >= 2 &&
          threshold <= members && members <= COMMITTEE_MEMBERS_MAX)) {
      throw SealError("bad_threshold", "need 2 <= threshold <= members <= " + COMMITTEE_MEMBERS_MAX);
    }
    var a = coefficients || [];
    for (var j = a.length; j < threshold; j++) a.push(randomScalar());
    var commitments = a.map(function (aj) { return N.EdPoint.BASE.multiply(aj).toBytes(); });
    var shares = [];
    for (var x = 1; x <= members; x++) {
      var value = 0n;
      for (var k = a.length - 1; k >= 0; k--) value = (value * BigInt(x) + a[k]) % ORDER;
      shares.push({ x: x, y: le32(value) });
    }
    return { secret: le32(a[0]), commitments: commitments, shares: shares };
  }

  function bidKeyFromSecret(secret) {
    return N.sha256(concat([BID_KEY_DOMAIN, secret]));
  }

  /* NaCl SecretBox: nonce || tag || ciphertext (PyNaCl's SecretBox.encrypt). */
  function encrypt(key, plaintext, nonce) {
    var n = nonce || random(NONCE_BYTES);
    return concat([n, N.xsalsa20poly1305(key, n).encrypt(plaintext)]);
  }
  function decrypt(key, ciphertext) {
    try {
      return N.xsalsa20poly1305(key, ciphertext.subarray(0, NONCE_BYTES))
        .decrypt(ciphertext.subarray(NONCE_BYTES));
    } catch (e) {
      throw SealError("decryption_failed", "the key does not open the ciphertext");
    }
  }

  /* crypto_box_beforenm: HSalsa20 of the X25519 shared secret with a zero input. */
  function boxKey(shared) {
    var zero = true;
    for (var i = 0; i < shared.length; i++) if (shared[i]) zero = false;
    if (zero) throw SealError("share_not_openable", "a low-order box key");
    var out = new Uint32Array(8);
    var k32 = new Uint32Array(8);
    var view = new DataView(shared.buffer, shared.byteOffset, 32);
    for (var w = 0; w < 8; w++) k32[w] = view.getUint32(4 * w, true);
    N.hsalsa(SIGMA, k32, new Uint32Array(4), out);
    var key = new Uint8Array(32);
    var outView = new DataView(key.buffer);
    for (var o = 0; o < 8; o++) outView.setUint32(4 * o, out[o], true);
    return key;
  }
  function sealNonce(ephemeralPublic, recipientPublic) {
    return N.blake2b(concat([ephemeralPublic, recipientPublic]), { dkLen: NONCE_BYTES });
  }

  /* crypto_box_seal to ``recipientPublic`` (32 bytes): epk || tag || ciphertext. */
  function sealTo(recipientPublic, message) {
    if (recipientPublic.length !== 32) throw SealError("bad_box_key", "an X25519 key is 32 bytes");
    var esk = random(32);
    var epk = N.x25519.getPublicKey(esk);
    var key = boxKey(N.x25519.getSharedSecret(esk, recipientPublic));
    esk.fill(0);
    var box = N.xsalsa20poly1305(key, sealNonce(epk, recipientPublic)).encrypt(message);
    key.fill(0);
    return concat([epk, box]);
  }

  function openWithShared(shared, epk, recipientPublic, sealed) {
    var key = boxKey(shared);
    try {
      return N.xsalsa20poly1305(key, sealNonce(epk, recipientPublic)).decrypt(sealed.subarray(32));
    } catch (e) {
      throw SealError("share_not_openable", "this sealed share is not for this key");
    } finally {
      key.fill(0);
      shared.fill(0);
    }
  }

  /* crypto_box_seal_open with a WebCrypto X25519 private key (non-extractable: only
   * deriveBits runs on it) and its raw public key. */
  async function openSealed(privateKey, recipientPublic, sealed) {
    if (sealed.length < 48) throw SealError("share_not_openable", "too short to be sealed");
    var epk = sealed.slice(0, 32);
    var shared;
    try {
      var ephemeral = await root.crypto.subtle.importKey("raw", epk, { name: "X25519" }, true, []);
      shared = new Uint8Array(await root.crypto.subtle.deriveBits(
        { name: "X25519", public: ephemeral }, privateKey, 256));
    } catch (e) {
      throw SealError("share_not_openable", "this sealed share is not for this key");
    }
    return openWithShared(shared, epk, recipientPublic, sealed);
  }

  /* A share of ``x`` against the commitments: s·B == sum_j (x^j mod l)·C_j. False on a
   * non-canonical or zero share, a point that does not decode, a point off the
   * prime-order subgroup or the identity (procurement.sealed.verify_share). */
  function verifyShare(x, share, commitments) {
    var s = parseScalar(share);
    if (s === null || s === 0n || !commitments.length) return false;
    try {
      var points = commitments.map(function (c) {
        var p = N.EdPoint.fromBytes(c);
        if (p.is0() || !p.isTorsionFree()) throw new Error("not a commitment");
        return p;
      });
      var right = points[0];
      var power = 1n;
      for (var j = 1; j < points.length; j++) {
        power = (power * BigInt(x)) % ORDER;
        right = right.add(points[j].multiply(power));
      }
      return N.EdPoint.BASE.multiply(s).equals(right);
    } catch (e) {
      return false;
    }
  }

  /* a_0 by Lagrange at 0 mod l from the threshold shares of lowest x. */
  function combineSecret(shares, threshold) {
    var byX = {};
    shares.forEach(function (s) { byX[s.x] = s; });
    var chosen = Object.keys(byX).map(Number).sort(function (a, b) { return a - b; })
      .slice(0, threshold).map(function (x) { return byX[x]; });
    if (chosen.length < threshold) throw SealError("not_enough_shares", chosen.length + " shares");
    var secret = 0n;
    chosen.forEach(function (share) {
      var y = parseScalar(share.y);
      if (y === null) throw SealError("bad_share", "not a scalar");
      var num = 1n, den = 1n;
      chosen.forEach(function (other) {
        if (other.x !== share.x) {
          num = (num * BigInt(other.x)) % ORDER;
          den = (((den * BigInt(other.x - share.x)) % ORDER) + ORDER) % ORDER;
        }
      });
      secret = (secret + y * num * modInverse(den)) % ORDER;
    });
    return le32(secret);
  }
  function modInverse(a) {
    var result = 1n, base = a % ORDER, e = ORDER - 2n;
    while (e > 0n) {
      if (e & 1n) result = (result * base) % ORDER;
      base = (base * base) % ORDER;
      e >>= 1n;
    }
    return result;
  }

  /* The body of a format-2 bid statement (procurement.client.seal_bid): ``committee``
   * is the tender's committee.members ([{key_id, x25519_public_key}]), in order. The
   * returned key is the bid key: the vendor's to keep, never to send. */
  function sealBid(args) {
    var committee = args.committee;
    var envelope = envelopeBytes(args.ocid, args.bidder, args.priceSen, args.documents || [],
      args.salt || random(SALT_BYTES));
    var dealing = deal(args.threshold, committee.length, args.coefficients);
    var key = bidKeyFromSecret(dealing.secret);
    var ciphertext = encrypt(key, envelope);
    var sealed = committee.map(function (member, i) {
      var boxPublic = unb64(member.x25519_public_key, 32);
      return { member: member.key_id, sealed: b64(sealTo(boxPublic, dealing.shares[i].y)) };
    });
    return {
      body: {
        v: FORMAT,
        ciphertext: b64(ciphertext),
        ciphertext_sha256: sha256Hex(ciphertext),
        content_sha256: sha256Hex(envelope),
        addendum: args.addendum || 0,
        commitments: dealing.commitments.map(b64),
        shares: sealed,
      },
      key: key,
      envelope: envelope,
    };
  }

  /* This member's releases of ``bids`` (bid documents of the read API), as
   * procurement.client.release_shares: [{bidder, share}], and the bidders whose sealed
   * share did not open or does not check against the vendor's commitments. */
  async function releaseShares(memberKeyId, privateKey, publicRaw, bids) {
    var releases = [];
    var bad = [];
    for (var b = 0; b < bids.length; b++) {
      var bid = bids[b];
      if (bid.status !== "submitted" || memberKeyId in bid.released) continue;
      var members = bid.shares.map(function (s) { return s.member; });
      var index = members.indexOf(memberKeyId);
      if (index < 0) continue;
      var share;
      try {
        share = await openSealed(privateKey, publicRaw, unb64(bid.shares[index].sealed, SEALED_SHARE_BYTES));
      } catch (e) {
        bad.push(bid.bidder);
        continue;
      }
      var commitments = (bid.commitments || []).map(function (c) { return unb64(c); });
      if (bid.format !== FORMAT || share.length !== SHARE_BYTES ||
          !verifyShare(index + 1, share, commitments)) {
        bad.push(bid.bidder);
        continue;
      }
      releases.push({ bidder: bid.bidder, share: b64(share) });
    }
    return { releases: releases, bad: bad };
  }

  root.TerangSealed = {
    FORMAT: FORMAT, ORDER: ORDER, SealError: SealError,
    b64: b64, unb64: unb64, hex: hex, le32: le32, parseScalar: parseScalar,
    formatAmount: formatAmount, envelopeBytes: envelopeBytes, deal: deal,
    bidKeyFromSecret: bidKeyFromSecret, encrypt: encrypt, decrypt: decrypt,
    sealTo: sealTo, openSealed: openSealed, verifyShare: verifyShare,
    combineSecret: combineSecret, sealBid: sealBid, releaseShares: releaseShares,
  };
})(globalThis);
