// Terang: verify a record's proof bundle, or a receipt, in the visitor's browser.
//
// No dependencies and no server trust: every hash is SHA-256 and every signature
// Ed25519, both through the browser's own WebCrypto (crypto.subtle). The only thing
// taken from the page is the log's verifier key (and any witness keys), which the
// result shows so the visitor can compare it with one published elsewhere.
//
// A bundle (terang.record-bundle.v1, GET /api/v1/records/<subject>/bundle) is checked
// in the order audit/bundle.py checks it, stopping at the first failure:
//   1. the checkpoint is a C2SP signed note signed by the log key, for its origin;
//      every signature by a known witness key must verify too (c2sp.org/tlog-cosignature);
//   2. every entry is included in the checkpoint's tree (RFC 6962 / RFC 9162 §2.1.3.2);
//   3. every entry parses strictly: the bytes are exactly the RFC 8785 (JCS) encoding
//      of the v2 (or legacy v1) entry they hold, and the entry claims its own seq;
//   4. every registration registers the key it names (key id = SHA-256 of the key): the
//      genesis, registry.key.registered, or a self-registration (a vendor's own key);
//   5. every record entry is about the subject, and its statement signature verifies
//      under its signer's registered key, as made for this log: Ed25519 over
//      "terang.statement.v2\0" || origin || "\0" || JCS(statement) in a v2 entry (the
//      checkpoint's origin), "terang.statement.v1\0" || JCS(statement) in a legacy v1 one.
// A receipt (the write API's JSON, or a bare c2sp.org/tlog-proof@v1 file plus a leaf
// hash) is checked for step 1 and for the inclusion of its leaf hash at its seq; a bare
// checkpoint (GET /log/checkpoint) for step 1 alone.
//
// The same file runs in two places: the portal loads it from the server it checks (and
// shows the SHA-256 of the bytes it loaded), and portal/standalone_verifier.py inlines it,
// byte for byte, into terang-verifier.html, a page a visitor saves once and opens from disk,
// so that no operator can swap the code that says "valid".
//
// Spec references: c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature, tlog-proof;
// RFC 6962 §2.1, RFC 9162 §2.1.3.2, RFC 8785. Python twins: ledger/note.py,
// ledger/checkpoint.py, ledger/merkle.py, ledger/statement.py, audit/bundle.py.

export const BUNDLE_FORMAT = "terang.record-bundle.v1";
export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
const STATEMENT_DOMAIN = "terang.statement.v2\0";
const STATEMENT_DOMAIN_V1 = "terang.statement.v1\0";
const ENTRY_VERSIONS = [1, 2];
/** The text a statement signature covers (ledger/statement.py), in this one place.
 * SPEC: docs/ledger-formats.md "Statement signatures": v2 binds the log's origin. */
const statementSigningText = (version, origin, statementText) =>
  version === 1
    ? STATEMENT_DOMAIN_V1 + statementText
    : STATEMENT_DOMAIN + origin + "\0" + statementText;
const GENESIS_TYPE = "ledger.genesis";
const REGISTRATION_TYPE = "registry.key.registered";

// The defaults of ledger/limits.py's Limits (terang verify --record uses them too);
// a test holds the two equal.
export const LIMITS = Object.freeze({
  statement_bytes_max: 16 * 1024,
  type_chars_max: 64,
  subject_chars_max: 128,
  nonce_chars_min: 16,
  nonce_chars_max: 64,
});
const NESTING_DEPTH_MAX = 32; // ledger/canonical.py
const NOTE_SIGNATURES_MAX = 100; // signed-note: the Go reference's cap
const PROOF_HASHES_MAX = 64; // an inclusion path is never longer than the tree is tall
const U64_MAX = (1n << 64n) - 1n;
const TIMESTAMP_MAX = (1n << 63n) - 1n; // tlog-cosignature
const ALG_ED25519 = 0x01;
const ALG_COSIGNATURE_V1 = 0x04;

const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]+$/;
const KEY_ID_PATTERN = /^[0-9a-f]{64}$/;
const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A check that did not hold: which one, why, and for which entry (if any). */
export class CheckFailure extends Error {
  constructor(check, reason, seq = null) {
    super(reason);
    this.check = check;
    this.seq = seq;
  }
}

const fail = (check, reason, seq = null) => {
  throw new CheckFailure(check, reason, seq);
};

// ---------------------------------------------------------------- bytes

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** A file's bytes as text: strict UTF-8 (a stray byte is an error, never a U+FFFD). */
export function decodeText(bytes) {
  return strictDecoder.decode(bytes);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function fromHex(text, check, what, seq = null) {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{64}$/.test(text)) {
    fail(check, `${what} is not a 32-byte hex hash`, seq);
  }
  return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
}

function b64encode(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Standard padded base64. Canonical (the default) also refuses non-zero padding bits,
 * as ledger.note.b64decode_strict does; bundle entry bytes are decoded like Python's
 * base64.b64decode(validate=True), which allows them. */
function b64decode(text, check, what, { canonical = true, seq = null } = {}) {
  if (typeof text !== "string" || !BASE64_PATTERN.test(text)) {
    fail(check, `${what} is not valid base64`, seq);
  }
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (canonical && b64encode(bytes) !== text) fail(check, `${what} is not canonical base64`, seq);
  return bytes;
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}

/** Ed25519 through WebCrypto; a key the browser cannot import never verifies. */
async function ed25519Verify(publicKey, signature, message) {
  try {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify("Ed25519", key, signature, message);
  } catch {
    return false;
  }
}

/** A decimal without sign, spaces or leading zeros, at most `max` (BigInt). */
function parseDecimal(text, max, check, what) {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text) || BigInt(text) > max) {
    fail(check, `${what} is not a canonical decimal up to ${max}`);
  }
  return BigInt(text);
}

// ---------------------------------------------------------------- signed notes (c2sp.org/signed-note)

const SIGNATURE_PREFIX = "\u2014 "; // em dash and a space

/** Key names: non-empty, no "+", no spaces or control characters (ledger.note.is_valid_key_name). */
function isValidKeyName(name) {
  return (
    typeof name === "string" && /^[^\s+\x00-\x1f\x85\p{Z}]+$/u.test(name) && name.isWellFormed()
  );
}

function checkNoteText(text, check, what) {
  if (typeof text !== "string" || !text.isWellFormed()) fail(check, `${what} is not valid UTF-8`);
  if (/[\x00-\x09\x0b-\x1f]/.test(text)) fail(check, `${what} holds a control character`);
}

/** SPEC: signed-note: key id = SHA-256(name || 0x0A || type || public key)[:4]. */
async function noteKeyId(name, alg, publicKey) {
  return (await sha256(encoder.encode(name + "\n"), Uint8Array.of(alg), publicKey)).slice(0, 4);
}

/** Parse a verifier key "name+<8 hex key id>+base64(type || key)" and check its key id. */
export async function parseVerifierKey(vkey, check = "log_key") {
  if (typeof vkey !== "string") fail(check, "no verifier key given");
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) fail(check, "a verifier key is name+keyid+base64");
  const [name, idHex, key64] = [
    vkey.slice(0, first),
    vkey.slice(first + 1, second),
    vkey.slice(second + 1),
  ];
  if (!isValidKeyName(name)) fail(check, "the key name must be non-empty, without spaces or '+'");
  if (!/^[0-9a-f]{8}$/.test(idHex)) fail(check, "the key id must be 8 lowercase hex digits");
  const key = b64decode(key64, check, "the verifier key");
  if (key.length !== 33) fail(check, "expected a type byte and a 32-byte Ed25519 key");
  const [alg, publicKey] = [key[0], key.slice(1)];
  if (alg !== ALG_ED25519 && alg !== ALG_COSIGNATURE_V1) {
    fail(check, `unsupported signature type 0x${alg.toString(16).padStart(2, "0")}`);
  }
  if (toHex(await noteKeyId(name, alg, publicKey)) !== idHex) {
    fail(check, "the key id does not match the key's name and public key");
  }
  return { name, keyIdHex: idHex, alg, publicKey, text: vkey };
}

/** SPEC: signed-note: the text runs to the last blank line; then one or more signature lines. */
function splitNote(note, check) {
  checkNoteText(note, check, "the checkpoint note");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) fail(check, "the note has no blank line before its signatures");
  const [text, block] = [note.slice(0, split + 1), note.slice(split + 2)];
  if (block === "" || !block.endsWith("\n")) fail(check, "the note's signature block is empty");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > NOTE_SIGNATURES_MAX)
    fail(check, `more than ${NOTE_SIGNATURES_MAX} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_PREFIX))
      fail(check, "a signature line must start with an em dash");
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(" ");
    if (space < 0 || space === rest.length - 1) fail(check, "a signature line has no signature");
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) fail(check, "a signature line has an invalid key name");
    const raw = b64decode(rest.slice(space + 1), check, "a note signature");
    if (raw.length <= 4) fail(check, "a note signature is shorter than a key id");
    return { name, keyIdHex: toHex(raw.slice(0, 4)), signature: raw.slice(4) };
  });
  return { text, signatures };
}

/** SPEC: tlog-checkpoint: origin, size, base64 root hash, then extension lines. */
function parseCheckpointBody(text, check) {
  if (!text.endsWith("\n")) fail(check, "the checkpoint must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) fail(check, "the checkpoint needs origin, size and root hash");
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === "") fail(check, "the checkpoint origin is empty");
  const size = parseDecimal(sizeText, U64_MAX, check, "the checkpoint size");
  // Sizes above 2^53 are valid checkpoints but beyond what this page indexes with numbers.
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) fail(check, "the tree is too large for this page");
  const rootHash = b64decode(rootText, check, "the checkpoint root hash");
  if (rootHash.length !== 32) fail(check, "the checkpoint root hash is not 32 bytes");
  if (extensions.some((line) => line === "")) fail(check, "an empty checkpoint extension line");
  return { origin, size: Number(size), rootHash, rootHex: toHex(rootHash), extensions };
}

/** SPEC: tlog-cosignature: timestamp (u64 BE) || Ed25519 over "cosignature/v1\ntime T\n" || body. */
async function verifyCosignature(key, body, signature) {
  if (signature.length !== 72) return null;
  const timestamp = new DataView(signature.buffer, signature.byteOffset).getBigUint64(0);
  if (timestamp > TIMESTAMP_MAX) return null;
  const message = encoder.encode(`cosignature/v1\ntime ${timestamp}\n${body}`);
  return (await ed25519Verify(key.publicKey, signature.slice(8), message)) ? timestamp : null;
}

/**
 * Open a signed checkpoint: the log's signature must be there and verify, its origin must
 * be the log key's name, and every signature by a known witness must verify (as
 * ledger.checkpoint.open_checkpoint_note does). Signatures by other keys are listed, not trusted.
 */
async function openCheckpoint(note, logKey, witnessKeys) {
  const check = "checkpoint";
  if (typeof note !== "string") fail(check, "there is no checkpoint note");
  const { text, signatures } = splitNote(note, check);
  const known = new Map([logKey, ...witnessKeys].map((k) => [`${k.name} ${k.keyIdHex}`, k]));
  const verified = new Map();
  const unknown = [];
  for (const sig of signatures) {
    const key = known.get(`${sig.name} ${sig.keyIdHex}`);
    if (key === undefined) {
      unknown.push(sig.name);
      continue;
    }
    if (key.alg === ALG_COSIGNATURE_V1) {
      const timestamp = await verifyCosignature(key, text, sig.signature);
      if (timestamp === null) fail("witness", `the cosignature by ${sig.name} does not verify`);
      if (!verified.has(key)) verified.set(key, timestamp);
    } else {
      const ok =
        sig.signature.length === 64 &&
        (await ed25519Verify(key.publicKey, sig.signature, encoder.encode(text)));
      if (!ok)
        fail(key === logKey ? check : "witness", `the signature by ${sig.name} does not verify`);
      if (!verified.has(key)) verified.set(key, null);
    }
  }
  if (!verified.has(logKey))
    fail(check, `the checkpoint is not signed by the log key ${logKey.name}`);
  const checkpoint = parseCheckpointBody(text, check);
  if (checkpoint.origin !== logKey.name) {
    fail(
      check,
      `the checkpoint's origin "${checkpoint.origin}" is not the log key's name "${logKey.name}"`,
    );
  }
  const witnesses = [...verified]
    .filter(([k]) => k !== logKey)
    .map(([k, timestamp]) => ({ name: k.name, timestamp }));
  return { checkpoint, witnesses, unknown };
}

// ---------------------------------------------------------------- Merkle tree (RFC 6962 §2.1)

export async function leafHash(entryBytes) {
  return sha256(Uint8Array.of(0), entryBytes);
}

/** SPEC: RFC 9162 §2.1.3.2: the root an inclusion path implies (BigInt: JS bit operators are 32-bit). */
async function rootFromInclusion(leaf, index, size, proof, seq) {
  const check = "inclusion";
  if (!(index >= 0 && index < size))
    fail(check, `entry ${index} is not in a tree of size ${size}`, seq);
  let [fn, sn, r] = [BigInt(index), BigInt(size - 1), leaf];
  for (const p of proof) {
    if (sn === 0n) fail(check, "the inclusion proof is too long", seq);
    if (fn & 1n || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if (!(fn & 1n)) {
        while (fn !== 0n && !(fn & 1n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail(check, "the inclusion proof is too short", seq);
  return r;
}

async function verifyInclusion(leaf, index, checkpoint, proof, seq) {
  const root = await rootFromInclusion(leaf, index, checkpoint.size, proof, seq);
  if (!equalBytes(root, checkpoint.rootHash)) {
    fail(
      "inclusion",
      `the inclusion proof leads to root ${toHex(root)}, not the checkpoint's ${checkpoint.rootHex}`,
      seq,
    );
  }
}

// ---------------------------------------------------------------- entries (RFC 8785 JSON)

/**
 * RFC 8785 (JCS) text of a value, with the ledger's extra rules (ledger/canonical.py): no
 * floats, integers within ±(2^53-1), no lone surrogates, nesting at most 32 deep. Keys sort
 * by UTF-16 code units, which is what Array.prototype.sort does with strings.
 */
export function canonicalJSON(value, depth = 0) {
  if (depth > NESTING_DEPTH_MAX) throw new Error(`nested deeper than ${NESTING_DEPTH_MAX}`);
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value))
      throw new Error(`${value} is not an integer within ±(2^53-1)`);
    return String(value); // also writes -0 as 0, as JCS does
  }
  if (typeof value === "string") {
    if (!value.isWellFormed()) throw new Error("a string holds a lone surrogate");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJSON(v, depth + 1)).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${canonicalJSON(k)}:${canonicalJSON(value[k], depth + 1)}`).join(",")}}`;
}

function checkTime(text, what, seq) {
  // The pattern, then a real calendar date and time (as Python's datetime.fromisoformat).
  const m = typeof text === "string" ? TIME_PATTERN.exec(text) : null;
  const [y, mo, d, h, mi, s] = m ? m.slice(1, 7).map(Number) : [];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  const real = m && y >= 1 && d >= 1 && d <= days && h < 24 && mi < 60 && s < 60;
  if (!real) fail("entry_format", `${what} is not a UTC time like 2026-01-31T08:00:00Z`, seq);
}

function checkText(value, what, pattern, low, high, seq) {
  if (
    typeof value !== "string" ||
    value.length < low ||
    value.length > high ||
    !pattern.test(value)
  ) {
    fail("entry_format", `the statement's ${what} is malformed`, seq);
  }
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const sameKeys = (obj, names) =>
  Object.keys(obj).length === names.length && names.every((n) => Object.hasOwn(obj, n));

/**
 * Parse entry bytes the way ledger.statement.LoggedEntry.parse does: the v1 fields, each in
 * its format, and the bytes must be exactly the canonical encoding of what they hold (this
 * also refuses duplicate keys, floats and whitespace). Returns the entry and the statement's
 * canonical text, which is what its signature covers.
 */
function parseEntry(bytes, seqHint) {
  const check = "entry_format";
  let entry;
  try {
    entry = JSON.parse(strictDecoder.decode(bytes));
  } catch {
    fail(check, "the entry is not valid UTF-8 JSON", seqHint);
  }
  if (
    !isObject(entry) ||
    !sameKeys(entry, ["v", "seq", "logged_at", "prev", "statement", "signature"])
  ) {
    fail(check, "the entry's fields are not the v1/v2 set", seqHint);
  }
  if (!ENTRY_VERSIONS.includes(entry.v)) fail(check, "unknown entry format version", seqHint);
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 0)
    fail(check, "seq is not a non-negative integer", seqHint);
  checkTime(entry.logged_at, "logged_at", seqHint);
  if (typeof entry.prev !== "string" || !KEY_ID_PATTERN.test(entry.prev))
    fail(check, "prev is not 64 lowercase hex", seqHint);
  const statement = entry.statement;
  if (
    !isObject(statement) ||
    !sameKeys(statement, ["type", "subject", "signer", "time", "nonce", "body"])
  ) {
    fail(
      check,
      "the statement's fields are not type, subject, signer, time, nonce and body",
      seqHint,
    );
  }
  checkText(statement.type, "type", TYPE_PATTERN, 1, LIMITS.type_chars_max, seqHint);
  checkText(statement.subject, "subject", SUBJECT_PATTERN, 1, LIMITS.subject_chars_max, seqHint);
  checkText(statement.signer, "signer", KEY_ID_PATTERN, 64, 64, seqHint);
  checkText(
    statement.nonce,
    "nonce",
    NONCE_PATTERN,
    LIMITS.nonce_chars_min,
    LIMITS.nonce_chars_max,
    seqHint,
  );
  checkTime(statement.time, "the statement's time", seqHint);
  if (!isObject(statement.body)) fail(check, "the statement's body is not an object", seqHint);
  let statementText;
  try {
    statementText = canonicalJSON(statement);
  } catch (error) {
    fail(check, `the statement cannot be canonical: ${error.message}`, seqHint);
  }
  if (encoder.encode(statementText).length > LIMITS.statement_bytes_max) {
    fail(check, `the statement is over ${LIMITS.statement_bytes_max} canonical bytes`, seqHint);
  }
  if (typeof entry.signature !== "string") fail(check, "the signature is not base64 text", seqHint);
  const signature = b64decode(entry.signature, check, "the statement signature", { seq: seqHint });
  if (signature.length !== 64) fail(check, "an Ed25519 signature is 64 bytes", seqHint);
  // SPEC: RFC 8785 §3.2.3: the entry's own keys, sorted, around the canonical statement.
  const canonical =
    `{"logged_at":${canonicalJSON(entry.logged_at)},"prev":"${entry.prev}","seq":${entry.seq},` +
    `"signature":"${entry.signature}","statement":${statementText},"v":${entry.v}}`;
  if (!equalBytes(encoder.encode(canonical), bytes))
    fail(check, "the entry bytes are not in canonical (RFC 8785) form", seqHint);
  return { entry, statementText, signature };
}

// ---------------------------------------------------------------- record bundles

/** Tallies passed checks per kind, so the result is one line per kind, not per entry. */
class Report {
  constructor(kind, logKey) {
    this.kind = kind;
    this.logKey = logKey;
    this.ok = false;
    this.checks = [];
    this.checkpoint = null;
    this.failure = null;
    this.notes = [];
  }
  pass(id, params = {}) {
    this.checks.push({ id, ok: true, params });
  }
  info(id, params = {}) {
    this.checks.push({ id, ok: null, params });
  }
}

function trustedKeyText(trust) {
  return typeof trust?.verifierKey === "string" ? trust.verifierKey.trim() : "";
}

/** Run `body`, turning the first failed check into the report's failure. */
async function run(report, body) {
  try {
    await body();
    report.ok = true;
  } catch (error) {
    // Anything but a CheckFailure is input no check foresaw: still a failure, never a pass.
    const [check, seq] =
      error instanceof CheckFailure ? [error.check, error.seq] : ["unexpected", null];
    report.failure = { check, reason: error.message, seq };
    report.checks.push({ id: check, ok: false, params: { seq, reason: error.message } });
  }
  return report;
}

async function loadTrust(report, trust) {
  const logKey = await parseVerifierKey(trustedKeyText(trust), "log_key");
  if (logKey.alg !== ALG_ED25519)
    fail("log_key", "the log's key must be an Ed25519 (type 0x01) key");
  report.pass("log_key", { key: logKey.text });
  const witnessKeys = [];
  for (const text of trust?.witnessKeys ?? []) {
    if (text.trim() !== "") witnessKeys.push(await parseVerifierKey(text.trim(), "witness_key"));
  }
  return { logKey, witnessKeys };
}

async function checkCheckpoint(report, note, keys) {
  const { checkpoint, witnesses, unknown } = await openCheckpoint(
    note,
    keys.logKey,
    keys.witnessKeys,
  );
  report.checkpoint = {
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHex: checkpoint.rootHex,
  };
  report.pass("checkpoint", {
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.rootHex,
  });
  for (const w of witnesses) {
    report.pass("witness", {
      name: w.name,
      time: new Date(Number(w.timestamp) * 1000).toISOString(),
    });
  }
  if (witnesses.length === 0) report.info("witness_none", { known: keys.witnessKeys.length });
  if (unknown.length > 0)
    report.info("witness_unknown", { count: unknown.length, names: unknown.join(", ") });
  return checkpoint;
}

/** Decode one bundle item, check its inclusion, parse it: audit/bundle.py's _entry. */
async function bundleEntry(item, checkpoint) {
  if (
    !isObject(item) ||
    !Number.isSafeInteger(item.seq) ||
    item.seq < 0 ||
    !Array.isArray(item.inclusion)
  ) {
    fail("document", "a bundle entry is malformed");
  }
  const seq = item.seq;
  const bytes = b64decode(item.entry_bytes_b64, "document", "entry bytes", {
    canonical: false,
    seq,
  });
  if (item.inclusion.length > PROOF_HASHES_MAX)
    fail("inclusion", "the inclusion proof is too long", seq);
  const path = item.inclusion.map((h) => fromHex(h, "document", "an inclusion proof hash", seq));
  await verifyInclusion(await leafHash(bytes), seq, checkpoint, path, seq);
  const parsed = parseEntry(bytes, seq);
  if (parsed.entry.seq !== seq)
    fail("entry_format", `entry ${seq} claims seq ${parsed.entry.seq}`, seq);
  return parsed;
}

/** The keys registrations name: genesis authorities and registry.key.registered (audit/bundle.py). */
async function registeredKeys(parsedEntries) {
  const keys = new Map();
  const register = async (publicKey64, seq) => {
    const publicKey = b64decode(publicKey64, "registration", "a registered public key", { seq });
    if (publicKey.length !== 32) fail("registration", "an Ed25519 public key is 32 bytes", seq);
    return [toHex(await sha256(publicKey)), publicKey];
  };
  for (const { entry } of parsedEntries) {
    const { type, subject, body } = entry.statement;
    if (type === GENESIS_TYPE) {
      const authorities = body.authorities ?? [];
      if (!Array.isArray(authorities))
        fail("registration", "the genesis authorities are not a list", entry.seq);
      for (const authority of authorities) {
        const [id, key] = await register(
          isObject(authority) ? authority.public_key : undefined,
          entry.seq,
        );
        keys.set(id, key);
      }
    } else if (type === REGISTRATION_TYPE) {
      const [id, key] = await register(body.public_key, entry.seq);
      if (id !== subject)
        fail("registration", `entry ${entry.seq} registers a key under the wrong id`, entry.seq);
      keys.set(subject, key);
    } else {
      // A self-registration (a vendor registers its own key): a key id is the SHA-256 of its
      // key, so a key in the body whose hash is the signer's id is the signer's key.
      if (typeof body.public_key !== "string")
        fail("registration", `entry ${entry.seq} is not a key registration`, entry.seq);
      const publicKey = b64decode(body.public_key, "registration", "a registered public key", {
        seq: entry.seq,
      });
      if (publicKey.length !== 32 || toHex(await sha256(publicKey)) !== entry.statement.signer) {
        fail("registration", `entry ${entry.seq} is not a key registration`, entry.seq);
      }
      keys.set(entry.statement.signer, publicKey);
    }
  }
  return keys;
}

/** Verify a terang.record-bundle.v1 document. trust = {verifierKey, witnessKeys: [...]}. */
export async function verifyBundle(bundle, trust) {
  const report = new Report("bundle", trustedKeyText(trust));
  return run(report, async () => {
    const keys = await loadTrust(report, trust);
    if (!isObject(bundle) || bundle.format !== BUNDLE_FORMAT)
      fail("document", `not a ${BUNDLE_FORMAT} document`);
    if (typeof bundle.subject !== "string") fail("document", "the bundle has no subject");
    const subject = bundle.subject;
    report.subject = subject;
    report.pass("document", { subject });
    const checkpoint = await checkCheckpoint(report, bundle.checkpoint, keys);
    const registrationItems = bundle.signer_registrations ?? [];
    const entryItems = bundle.entries ?? [];
    if (!Array.isArray(registrationItems) || !Array.isArray(entryItems))
      fail("document", "the bundle's entry lists are malformed");
    const registrations = [];
    for (const item of registrationItems) registrations.push(await bundleEntry(item, checkpoint));
    const keysById = await registeredKeys(registrations);
    const entries = [];
    for (const item of entryItems) entries.push(await bundleEntry(item, checkpoint));
    if (entries.length === 0) fail("document", "the bundle holds no entries");
    const total = registrations.length + entries.length;
    report.pass("inclusion", { count: total });
    report.pass("entry_format", { count: total });
    report.pass("registration", { count: registrations.length });
    for (const { entry, statementText, signature } of entries) {
      const statement = entry.statement;
      if (statement.subject !== subject)
        fail(
          "subject",
          `entry ${entry.seq} is about "${statement.subject}", not "${subject}"`,
          entry.seq,
        );
      let publicKey = keysById.get(statement.signer);
      if (publicKey === undefined && statement.type === GENESIS_TYPE) {
        publicKey = (await registeredKeys([{ entry }])).get(statement.signer);
      }
      if (publicKey === undefined)
        fail(
          "signature",
          `the bundle does not show the registration of entry ${entry.seq}'s signer`,
          entry.seq,
        );
      const message = encoder.encode(
        statementSigningText(entry.v, checkpoint.origin, statementText),
      );
      if (!(await ed25519Verify(publicKey, signature, message))) {
        fail(
          "signature",
          `entry ${entry.seq}'s statement signature does not verify under its signer's registered key for the log "${checkpoint.origin}"`,
          entry.seq,
        );
      }
    }
    report.pass("subject", { count: entries.length, subject });
    report.pass("signature", { count: entries.length });
    report.seqs = entries.map(({ entry }) => entry.seq);
    if (bundle.truncated === true) report.info("truncated", { count: entries.length });
    report.info("bundle_limits");
  });
}

// ---------------------------------------------------------------- receipts (c2sp.org/tlog-proof@v1)

/** Strictly parse a .tlog-proof file (ledger.tlog_proof.TlogProof.parse). */
export function parseTlogProof(text) {
  const check = "document";
  checkNoteText(text, check, "the tlog-proof");
  const split = text.indexOf("\n\n");
  if (split < 0) fail(check, "the tlog-proof has no empty line before its checkpoint");
  const [lines, note] = [text.slice(0, split).split("\n"), text.slice(split + 2)];
  if (lines[0] !== TLOG_PROOF_HEADER) fail(check, `the first line must be ${TLOG_PROOF_HEADER}`);
  let at = 1;
  if (at < lines.length && lines[at].startsWith("extra ")) {
    // Opaque and unauthenticated; an empty one would be a bare "extra " line, which is refused.
    if (b64decode(lines[at].slice(6), check, "the extra data").length === 0)
      fail(check, "empty extra data");
    at += 1;
  }
  if (!(at < lines.length && lines[at].startsWith("index ")))
    fail(check, "the tlog-proof has no index line");
  const index = parseDecimal(lines[at].slice(6), U64_MAX - 1n, check, "the tlog-proof index");
  const hashLines = lines.slice(at + 1);
  if (hashLines.length > PROOF_HASHES_MAX) fail(check, "too many inclusion proof lines");
  const inclusion = hashLines.map((line) => {
    const hash = b64decode(line, check, "an inclusion proof hash");
    if (hash.length !== 32) fail(check, "an inclusion proof hash is not 32 bytes");
    return hash;
  });
  parseCheckpointBody(splitNote(note, check).text, check); // structure only: trusted later
  return { index, inclusion, note };
}

/**
 * Verify a receipt: the write API's JSON ({seq, leaf_hash, tlog_proof, ...}) or a bare tlog-proof
 * with the leaf hash the holder computed. It shows an entry with that leaf hash is in the log at
 * that seq; the entry itself is not in a receipt.
 */
export async function verifyReceipt(receipt, trust, leafHashHex = null) {
  const report = new Report("receipt", trustedKeyText(trust));
  return run(report, async () => {
    const keys = await loadTrust(report, trust);
    let proofText, leafHex, seq;
    if (typeof receipt === "string") {
      [proofText, leafHex, seq] = [receipt, leafHashHex?.trim() || null, null];
      if (leafHex === null)
        fail("document", "a bare tlog-proof needs the leaf hash of the entry you hold");
    } else {
      if (!isObject(receipt) || !Number.isSafeInteger(receipt.seq) || receipt.seq < 0)
        fail("document", "not a Terang receipt");
      if (typeof receipt.tlog_proof !== "string") {
        fail(
          "document",
          "this receipt has no tlog-proof yet: fetch /api/v1/entries/<seq>/tlog-proof once a checkpoint covers it",
          receipt.seq,
        );
      }
      [proofText, leafHex, seq] = [receipt.tlog_proof, receipt.leaf_hash, receipt.seq];
    }
    const leaf = fromHex(leafHex, "document", "the leaf hash", seq);
    const proof = parseTlogProof(proofText);
    if (proof.index > BigInt(Number.MAX_SAFE_INTEGER))
      fail("document", "the index is too large for this page");
    const index = Number(proof.index);
    if (seq !== null && index !== seq)
      fail("document", `the tlog-proof is for entry ${index}, not ${seq}`, seq);
    report.pass("receipt", { seq: index, leaf: toHex(leaf) });
    const checkpoint = await checkCheckpoint(report, proof.note, keys);
    await verifyInclusion(leaf, index, checkpoint, proof.inclusion, index);
    report.pass("receipt_inclusion", { seq: index });
    report.seqs = [index];
    report.info("receipt_limits");
  });
}

// ---------------------------------------------------------------- checkpoints (c2sp.org/tlog-checkpoint)

/**
 * Verify a bare signed checkpoint (GET /log/checkpoint): step 1 alone. It shows that the log
 * key signed this tree head, and which known witnesses cosigned it; comparing its size and root
 * with other copies (witnesses, other visitors) is what reveals a split view.
 */
export async function verifyCheckpoint(note, trust) {
  const report = new Report("checkpoint", trustedKeyText(trust));
  return run(report, async () => {
    const keys = await loadTrust(report, trust);
    await checkCheckpoint(report, note, keys);
    report.info("checkpoint_limits");
  });
}

/** Whether text looks like a signed note: a body, a blank line, then "— " signature lines
 * (openCheckpoint then parses it strictly). */
const looksLikeNote = (text) =>
  !text.startsWith("{") && text.endsWith("\n") && text.includes("\n\n\u2014 ");

/** Sniff a dropped file's text: a bundle, a receipt (or a batch of them), a bare tlog-proof,
 * or a bare checkpoint. */
export async function verifyFile(text, trust, leafHashHex = null) {
  if (text.startsWith(TLOG_PROOF_HEADER + "\n"))
    return [await verifyReceipt(text, trust, leafHashHex)];
  if (looksLikeNote(text)) return [await verifyCheckpoint(text, trust)];
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (isObject(value) && "format" in value) return [await verifyBundle(value, trust)];
  if (isObject(value) && Array.isArray(value.receipts)) {
    const reports = [];
    for (const receipt of value.receipts) reports.push(await verifyReceipt(receipt, trust));
    return reports;
  }
  if (isObject(value) && "tlog_proof" in value) return [await verifyReceipt(value, trust)];
  const report = new Report("unknown", trustedKeyText(trust));
  return [
    await run(report, async () =>
      fail(
        "document",
        "this file is neither a record bundle, a receipt, a tlog-proof nor a checkpoint",
      ),
    ),
  ];
}

// ---------------------------------------------------------------- rendering

/** Fill "{name}" placeholders; messages come from the page (portal/i18n.py), English otherwise. */
export function message(messages, key, params) {
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Render reports into `container` as a headline, a list of checks and the checkpoint used. */
export function renderReports(reports, container, messages = {}) {
  container.replaceChildren();
  for (const report of reports) {
    const m = (key, params = {}) => message(messages, key, params);
    const section = element("div", {
      class: `verify-report ${report.ok ? "verify-ok" : "verify-fail"}`,
      "data-ok": String(report.ok),
    });
    const headline = report.ok
      ? m(`verify.result.ok_${report.kind}`)
      : m("verify.result.fail");
    section.append(
      element("p", { class: "verify-headline" }, `${report.ok ? "✓" : "✗"} ${headline}`),
    );
    const list = element("ul", { class: "verify-checks" });
    for (const check of report.checks) {
      const mark = check.ok === true ? "✓" : check.ok === false ? "✗" : "–";
      const status =
        check.ok === true
          ? m("verify.passed")
          : check.ok === false
            ? m("verify.failed")
            : m("verify.note");
      const text =
        check.ok === false
          ? `${m(`verify.fail.${check.id}`)}${check.params.seq === null || check.params.seq === undefined ? "" : ` (${m("verify.entry", { seq: check.params.seq })})`}: ${check.params.reason}`
          : m(`verify.check.${check.id}`, check.params);
      const item = element("li", {
        class: `verify-check verify-check-${check.ok === true ? "ok" : check.ok === false ? "fail" : "info"}`,
        "data-check": check.id,
      });
      item.append(
        element("span", { "aria-hidden": "true" }, mark),
        " ",
        element("span", { class: "visually-hidden" }, `${status}: `),
        text,
      );
      list.append(item);
    }
    section.append(list);
    if (report.checkpoint) {
      const { origin, size, rootHex } = report.checkpoint;
      const details = element("dl", { class: "verify-checkpoint" });
      details.append(
        element("dt", {}, m("verify.origin")),
        element("dd", {}, element("code", {}, origin)),
        element("dt", {}, m("verify.size")),
        element("dd", {}, String(size)),
        element("dt", {}, m("verify.root")),
        element("dd", {}, element("code", { class: "verify-root" }, rootHex)),
        element("dt", {}, m("verify.log_key")),
        element("dd", {}, element("code", {}, report.logKey)),
      );
      section.append(element("p", {}, m("verify.against")), details);
    }
    container.append(section);
  }
}

// ---------------------------------------------------------------- which verifier ran (portal pages)

let loadedScriptHash = null;

/**
 * The SHA-256 of the verify.js this portal page loaded: its own URL fetched again, which the
 * HTTP cache answers (the module was loaded moments ago; wired pages start this at once, so
 * /verifikasi still makes no request once loaded). null where it cannot be computed.
 */
function hashLoadedScript() {
  loadedScriptHash ??= (async () => {
    try {
      const response = await fetch(import.meta.url, { cache: "force-cache" });
      if (!response.ok || !globalThis.crypto?.subtle) return null;
      return toHex(await sha256(new Uint8Array(await response.arrayBuffer())));
    } catch {
      return null;
    }
  })();
  return loadedScriptHash;
}

/**
 * Under a result: the hash of the verify.js that ran, and the hashes this log publishes for its
 * standalone verifier (portal/standalone_verifier.py), which embeds verify.js byte for byte. A
 * dishonest server could serve a script that prints anything here; the point is the standalone
 * file, whose hash the visitor can compare with one published elsewhere.
 */
async function renderIdentity(container, config) {
  const m = (key, params = {}) => message(config.messages, key, params);
  const ran = await hashLoadedScript();
  const box = element("div", { class: "verify-identity" });
  box.append(
    element(
      "p",
      { class: "verify-identity-ran", "data-sha256": ran ?? "" },
      ran === null ? m("verify.identity.unknown") : m("verify.identity.ran", { hash: ran }),
    ),
  );
  const standalone = config.standalone;
  if (standalone) {
    const same = ran !== null && ran === standalone.verify_js_sha256;
    box.append(
      element(
        "p",
        { class: "verify-identity-standalone", "data-html-sha256": standalone.html_sha256 },
        m("verify.identity.standalone", {
          html: standalone.html_sha256,
          embedded: standalone.verify_js_sha256,
        }),
        " ",
        element(
          "strong",
          { class: same ? "verify-check-ok" : "verify-check-fail" },
          m(same ? "verify.identity.same" : "verify.identity.differs"),
        ),
      ),
      element("p", {}, m("verify.identity.advice")),
      element(
        "p",
        {},
        element("a", { href: standalone.url, download: "terang-verifier.html" }, m("verify.identity.download")),
      ),
    );
  }
  container.append(box);
}

// ---------------------------------------------------------------- wiring

/** The page's config: log and witness keys and messages (portal/templates/verify_data.html). */
function pageConfig() {
  const node = document.getElementById("terang-verify");
  const config = node ? JSON.parse(node.textContent) : {};
  return {
    verifierKey: config.verifier_key ?? "",
    witnessKeys: config.witness_keys ?? [],
    messages: config.messages ?? {},
    standalone: config.standalone ?? null,
  };
}

function noWebCrypto(result, messages) {
  if (globalThis.crypto?.subtle) return false;
  // WebCrypto exists only in secure contexts (HTTPS, or localhost).
  result.replaceChildren(
    element("p", { class: "verify-fail" }, `✗ ${message(messages, "verify.no_webcrypto", {})}`),
  );
  return true;
}

/** A record page: #verify[data-bundle-url] with #verify-button and #verify-result. */
function wireRecordPage() {
  const section = document.getElementById("verify");
  const button = document.getElementById("verify-button");
  const result = document.getElementById("verify-result");
  if (!section || !button || !result) return;
  hashLoadedScript();
  button.addEventListener("click", async () => {
    const config = pageConfig();
    if (noWebCrypto(result, config.messages)) return;
    button.disabled = true;
    result.setAttribute("aria-busy", "true");
    result.textContent = message(config.messages, "verify.working", {});
    try {
      const response = await fetch(section.dataset.bundleUrl, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bundle = await response.json();
      renderReports([await verifyBundle(bundle, config)], result, config.messages);
      await renderIdentity(result, config);
    } catch (error) {
      result.replaceChildren(
        element(
          "p",
          { class: "verify-fail" },
          `✗ ${message(config.messages, "verify.fetch_failed", { reason: error.message })}`,
        ),
      );
    } finally {
      button.disabled = false;
      result.removeAttribute("aria-busy");
    }
  });
}

/**
 * A trace page (portal/templates/trace.html): each step's button.trace-verify names its
 * one-entry record bundle (data-bundle-url, /api/v1/records/<subject>/bundle?seq=N), its
 * seq (data-seq) and its result element (data-result). The bundle is checked exactly as a
 * record page's, and then it must hold that seq: a bundle that verifies but is about
 * another entry is a failure, never a pass.
 */
function wireTraceSteps() {
  const buttons = document.querySelectorAll("button.trace-verify[data-bundle-url][data-seq]");
  if (buttons.length === 0) return;
  hashLoadedScript();
  for (const button of buttons) {
    const result = document.getElementById(button.dataset.result ?? "");
    if (!result) continue;
    button.addEventListener("click", async () => {
      const config = pageConfig();
      if (noWebCrypto(result, config.messages)) return;
      const seq = Number(button.dataset.seq);
      button.disabled = true;
      result.setAttribute("aria-busy", "true");
      result.textContent = message(config.messages, "verify.working", {});
      try {
        const response = await fetch(button.dataset.bundleUrl, {
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const report = await verifyBundle(await response.json(), config);
        if (report.ok) {
          if ((report.seqs ?? []).includes(seq)) {
            report.pass("trace_seq", { seq });
          } else {
            report.ok = false;
            report.failure = { check: "trace_seq", reason: `entry ${seq} is not in the bundle`, seq };
            report.checks.push({
              id: "trace_seq",
              ok: false,
              params: { seq, reason: `entry ${seq} is not in the bundle` },
            });
          }
        }
        renderReports([report], result, config.messages);
      } catch (error) {
        result.replaceChildren(
          element(
            "p",
            { class: "verify-fail" },
            `✗ ${message(config.messages, "verify.fetch_failed", { reason: error.message })}`,
          ),
        );
      } finally {
        button.disabled = false;
        result.removeAttribute("aria-busy");
      }
    });
  }
}

/** The drop page: a file input and drop zone, the keys to trust, and no network at all. */
function wireDropPage() {
  const form = document.getElementById("verify-drop");
  if (!form) return;
  hashLoadedScript();
  const input = document.getElementById("verify-file");
  const zone = document.getElementById("verify-zone");
  const result = document.getElementById("verify-result");
  let file = null;
  // Each run takes a number; only the newest run may write its result, so a
  // slow earlier file can never paint its verdict over a later one.
  let runs = 0;
  const verify = async () => {
    const config = pageConfig();
    if (noWebCrypto(result, config.messages)) return;
    const run = ++runs;
    if (!file) {
      result.textContent = message(config.messages, "verify.drop.no_file", {});
      return;
    }
    // The previous file's verdict goes at once: it must never stand beside a new file.
    result.setAttribute("aria-busy", "true");
    result.textContent = message(config.messages, "verify.working", {});
    const trust = {
      verifierKey: document.getElementById("verify-key").value,
      witnessKeys: document.getElementById("verify-witness-keys").value.split("\n"),
    };
    const leaf = document.getElementById("verify-leaf-hash").value;
    try {
      const text = strictDecoder.decode(new Uint8Array(await file.arrayBuffer()));
      const reports = await verifyFile(text, trust, leaf);
      if (run !== runs) return;
      renderReports(reports, result, config.messages);
      await renderIdentity(result, config);
    } catch (error) {
      if (run !== runs) return;
      result.replaceChildren(
        element(
          "p",
          { class: "verify-fail" },
          `✗ ${message(config.messages, "verify.drop.unreadable", { reason: error.message })}`,
        ),
      );
    } finally {
      if (run === runs) result.removeAttribute("aria-busy");
    }
  };
  input.addEventListener("change", () => {
    file = input.files[0] ?? null;
    verify();
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("verify-zone-active");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("verify-zone-active"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("verify-zone-active");
    file = event.dataTransfer.files[0] ?? null;
    verify();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault(); // nothing is ever sent: verification runs here
    verify();
  });
}

if (typeof document !== "undefined") {
  wireRecordPage();
  wireTraceSteps();
  wireDropPage();
}
