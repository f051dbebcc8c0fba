// The entry point of workspace/static/vendor/noble.js (docs/workspace.md, "Vendored code").
import { ed25519 } from "@noble/curves/ed25519.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hsalsa, xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { sha256 } from "@noble/hashes/sha2.js";

globalThis.TerangNoble = Object.freeze({
  EdPoint: ed25519.Point,
  x25519: x25519,
  hsalsa: hsalsa,
  xsalsa20poly1305: xsalsa20poly1305,
  blake2b: blake2b,
  sha256: sha256,
});
