/* The person's key, made and kept in this browser (docs/workspace.md).
 *
 * - Ed25519 through WebCrypto. A new key is generated extractable exactly once, to write
 *   its encrypted backup file; what is kept is a non-extractable import of it, stored as
 *   a CryptoKey in IndexedDB (the browser keeps its bytes; no script can read them).
 * - Its key id is the ledger's: lowercase hex SHA-256 of the raw 32-byte public key
 *   (ledger/statement.py key_id_of).
 * - A statement's signature is over "terang.statement.v2" 0x00 origin 0x00 JCS(statement)
 *   (ledger/statement.py signing_message), so it is valid in this log only.
 * - The backup file, format terang.key-backup.v1 (docs/workspace.md): PBKDF2-SHA256 over
 *   the NFC passphrase (random 16-byte salt, at least 600,000 iterations) gives an
 *   AES-256-GCM key; the plaintext is the CLI's key-file line
 *   "terang-ed25519-seed:<base64 seed>", the additional data
 *   "terang.key-backup.v1" 0x00 <key id>.
 */
(function (root) {
  "use strict";
  var FORMAT = "terang.key-backup.v1";
  var SEED_PREFIX = "terang-ed25519-seed:";
  var DOMAIN = "terang.statement.v2";
  var DB_NAME = "terang-workspace";
  var STORE = "keys";
  var CURRENT = "current";
  var subtle = root.crypto && root.crypto.subtle;
  var encoder = new TextEncoder();

  function BackupError(code, message) {
    var error = new Error(message);
    error.code = code;
    return error;
  }

  function b64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }
  function unb64(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
      throw BackupError("bad_base64", "not base64");
    }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  function b64url(bytes) {
    return b64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function unb64url(text) {
    var padded = text.replace(/-/g, "+").replace(/_/g, "/");
    while (padded.length % 4) padded += "=";
    return unb64(padded);
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

  async function keyId(publicRaw) {
    if (publicRaw.length !== 32) throw BackupError("bad_public_key", "an Ed25519 public key is 32 bytes");
    return hex(new Uint8Array(await subtle.digest("SHA-256", publicRaw)));
  }

  async function supported() {
    if (!subtle) return false;
    try {
      await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      return true;
    } catch (e) {
      return false;
    }
  }

  function nonce() {
    return b64url(root.crypto.getRandomValues(new Uint8Array(16)));
  }

  function signingMessage(origin, statement) {
    if (typeof origin !== "string" || !origin || /[\u0000\n]/.test(origin)) {
      throw BackupError("bad_origin", "a log origin is one non-empty line of text");
    }
    var zero = new Uint8Array([0]);
    return concat([encoder.encode(DOMAIN), zero, encoder.encode(origin), zero,
      root.TerangCanonical.canonicalBytes(statement)]);
  }

  async function sign(privateKey, origin, statement) {
    var message = signingMessage(origin, statement);
    var signature = new Uint8Array(await subtle.sign({ name: "Ed25519" }, privateKey, message));
    return { statement: statement, signature: b64(signature) };
  }

  async function importSeed(seed, publicRaw, extractable) {
    var jwk = { kty: "OKP", crv: "Ed25519", d: b64url(seed), x: b64url(publicRaw) };
    var privateKey = await subtle.importKey("jwk", jwk, { name: "Ed25519" }, extractable, ["sign"]);
    // The seed must be the public key's: sign and verify once before keeping it.
    var publicKey = await subtle.importKey("raw", publicRaw, { name: "Ed25519" }, true, ["verify"]);
    var probe = encoder.encode(FORMAT + " check");
    var signature = await subtle.sign({ name: "Ed25519" }, privateKey, probe);
    if (!(await subtle.verify({ name: "Ed25519" }, publicKey, signature, probe))) {
      throw BackupError("key_mismatch", "the private key does not match the public key");
    }
    return privateKey;
  }

  async function backupKey(passphrase, salt, iterations) {
    var material = await subtle.importKey("raw", encoder.encode(passphrase.normalize("NFC")),
      "PBKDF2", false, ["deriveKey"]);
    return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: iterations },
      material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }

  function additionalData(id) {
    return concat([encoder.encode(FORMAT), new Uint8Array([0]), encoder.encode(id)]);
  }

  async function writeBackup(seed, publicRaw, name, passphrase, iterations) {
    var id = await keyId(publicRaw);
    var salt = root.crypto.getRandomValues(new Uint8Array(16));
    var iv = root.crypto.getRandomValues(new Uint8Array(12));
    var aes = await backupKey(passphrase, salt, iterations);
    var plaintext = encoder.encode(SEED_PREFIX + b64(seed));
    var ciphertext = new Uint8Array(await subtle.encrypt(
      { name: "AES-GCM", iv: iv, additionalData: additionalData(id) }, aes, plaintext));
    plaintext.fill(0);
    return {
      format: FORMAT,
      key_id: id,
      public_key: b64(publicRaw),
      name: name,
      kdf: { name: "PBKDF2", hash: "SHA-256", iterations: iterations, salt: b64(salt) },
      cipher: { name: "AES-GCM", iv: b64(iv) },
      ciphertext: b64(ciphertext),
    };
  }

  async function readBackup(backup, passphrase, limits) {
    if (!backup || backup.format !== FORMAT) {
      throw BackupError("bad_backup", String(backup && backup.format));
    }
    var kdf = backup.kdf || {};
    var cipher = backup.cipher || {};
    if (kdf.name !== "PBKDF2" || kdf.hash !== "SHA-256" || cipher.name !== "AES-GCM" ||
        !Number.isSafeInteger(kdf.iterations) || kdf.iterations < limits.iterations ||
        kdf.iterations > limits.iterations_max) {
      throw BackupError("bad_backup", FORMAT + ": kdf or cipher not as the format says");
    }
    var publicRaw = unb64(backup.public_key);
    var id = await keyId(publicRaw);
    if (id !== backup.key_id) throw BackupError("bad_backup", "key_id is not the public key's");
    var aes = await backupKey(passphrase, unb64(kdf.salt), kdf.iterations);
    var plaintext;
    try {
      plaintext = new Uint8Array(await subtle.decrypt(
        { name: "AES-GCM", iv: unb64(cipher.iv), additionalData: additionalData(id) },
        aes, unb64(backup.ciphertext)));
    } catch (e) {
      throw BackupError("bad_passphrase", "wrong passphrase, or the file was altered");
    }
    var line = new TextDecoder().decode(plaintext);
    plaintext.fill(0);
    if (line.indexOf(SEED_PREFIX) !== 0) throw BackupError("bad_backup", "no seed inside");
    var seed = unb64(line.slice(SEED_PREFIX.length));
    if (seed.length !== 32) throw BackupError("bad_backup", "an Ed25519 seed is 32 bytes");
    try {
      var privateKey = await importSeed(seed, publicRaw, false);
    } finally {
      seed.fill(0);
    }
    return { privateKey: privateKey, publicKey: backup.public_key, keyId: id,
      name: typeof backup.name === "string" ? backup.name : "" };
  }

  /* A `terang` CLI key file (one line, "terang-ed25519-seed:<base64 seed>"; ledger/keys.py),
   * read in the browser: its public key comes from WebCrypto (a PKCS #8 import exported
   * as JWK carries it), then the key is kept non-extractable like any other. */
  var PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
    0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  async function readKeyFile(text) {
    var line = text.replace(/\n$/, "");
    if (line.indexOf(SEED_PREFIX) !== 0 || /\s/.test(line)) {
      throw BackupError("bad_backup", "not a terang key file");
    }
    var seed = unb64(line.slice(SEED_PREFIX.length));
    if (seed.length !== 32) throw BackupError("bad_backup", "an Ed25519 seed is 32 bytes");
    try {
      var loose = await subtle.importKey("pkcs8", concat([PKCS8_ED25519_PREFIX, seed]),
        { name: "Ed25519" }, true, ["sign"]);
      var publicRaw = unb64url((await subtle.exportKey("jwk", loose)).x);
      var privateKey = await importSeed(seed, publicRaw, false);
    } finally {
      seed.fill(0);
    }
    return { privateKey: privateKey, publicKey: b64(publicRaw), keyId: await keyId(publicRaw),
      name: "" };
  }

  /* A new key: its backup (written from the one extractable copy) and the kept,
   * non-extractable import. */
  async function generate(name, passphrase, iterations) {
    var pair = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    var publicRaw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
    var seed = unb64url((await subtle.exportKey("jwk", pair.privateKey)).d);
    try {
      var backup = await writeBackup(seed, publicRaw, name, passphrase, iterations);
      var privateKey = await importSeed(seed, publicRaw, false);
    } finally {
      seed.fill(0);
    }
    return { backup: backup,
      kept: { privateKey: privateKey, publicKey: b64(publicRaw), keyId: backup.key_id, name: name } };
  }

  function database() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  async function transact(mode, work) {
    var db = await database();
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, mode);
      var request = work(tx.objectStore(STORE));
      tx.oncomplete = function () { db.close(); resolve(request.result); };
      tx.onerror = function () { db.close(); reject(tx.error); };
    });
  }
  function store(kept) {
    if (kept.privateKey.extractable) throw BackupError("extractable", "only a non-extractable key is kept");
    return transact("readwrite", function (s) { return s.put(kept, CURRENT); });
  }
  function load() {
    return transact("readonly", function (s) { return s.get(CURRENT); });
  }
  function forget() {
    return transact("readwrite", function (s) { return s.delete(CURRENT); });
  }

  /* Committee box keys (X25519, WebCrypto, non-extractable), kept beside the signing key
   * under "box:<key id>:<public key>": a member who registers a new box key keeps the
   * old one for the tenders announced with it. */
  var BOX_PREFIX = "box:";
  async function generateBox(id) {
    var pair = await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
    if (pair.privateKey.extractable) throw BackupError("extractable", "a box key must not be extractable");
    var publicRaw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
    var kept = { privateKey: pair.privateKey, publicKey: b64(publicRaw), keyId: id,
      made: new Date().toISOString() };
    await transact("readwrite", function (s) { return s.put(kept, BOX_PREFIX + id + ":" + kept.publicKey); });
    return kept;
  }
  function loadBoxes(id) {
    var prefix = BOX_PREFIX + id + ":";
    return transact("readonly", function (s) {
      return s.getAll(IDBKeyRange.bound(prefix, prefix + "\uffff"));
    });
  }
  async function boxSupported() {
    if (!subtle) return false;
    try {
      await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
      return true;
    } catch (e) {
      return false;
    }
  }

  root.TerangKeys = {
    FORMAT: FORMAT, supported: supported, keyId: keyId, nonce: nonce, b64: b64, unb64: unb64,
    signingMessage: signingMessage, sign: sign, importSeed: importSeed,
    writeBackup: writeBackup, readBackup: readBackup, readKeyFile: readKeyFile, generate: generate,
    store: store, load: load, forget: forget,
    generateBox: generateBox, loadBoxes: loadBoxes, boxSupported: boxSupported,
  };
})(globalThis);
