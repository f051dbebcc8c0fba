/* RFC 8785 (JCS) canonical JSON with the ledger's value rules (ledger/canonical.py):
 * no floats, integers within ±(2^53-1), nesting at most 32 deep, no lone surrogates.
 * The bytes this writes are the bytes Python's ledger.canonical.canonical_bytes writes
 * for the same value (tests/browser/test_browser_workspace_canonical.py holds them
 * equal on Python's own vectors). Object keys sort by UTF-16 code units, as JCS says
 * and as JavaScript's default sort does; strings are written as ES JSON.stringify
 * writes them, which is what JCS specifies. A BigInt within the safe range is written
 * as the integer it is; one outside it is refused, as Python refuses it.
 */
(function (root) {
  "use strict";
  var SAFE_MAX = 9007199254740991; // 2^53 - 1, ledger.limits.JSON_SAFE_INTEGER_MAX
  var DEPTH_MAX = 32; // ledger.limits.NESTING_DEPTH_MAX
  var LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  function CanonicalError(code, where, message) {
    var error = new Error(where + ": " + message);
    error.code = code;
    error.where = where;
    return error;
  }

  function text(value, where) {
    if (LONE_SURROGATE.test(value)) {
      throw CanonicalError("bad_json", where, "a string holds a lone surrogate");
    }
    return JSON.stringify(value);
  }

  function write(value, where, depth) {
    if (depth > DEPTH_MAX) {
      throw CanonicalError("too_deep", where, "nested deeper than " + DEPTH_MAX);
    }
    if (value === null) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    switch (typeof value) {
      case "string":
        return text(value, where);
      case "number":
        if (!Number.isFinite(value) || !Number.isInteger(value)) {
          throw CanonicalError("float_not_allowed", where,
            "floating-point numbers are not allowed; use integers or decimal strings");
        }
        if (!Number.isSafeInteger(value)) {
          throw CanonicalError("integer_out_of_range", where,
            "integer outside ±(2^53-1); send large amounts as decimal strings");
        }
        return String(value === 0 ? 0 : value);
      case "bigint":
        if (value > BigInt(SAFE_MAX) || value < -BigInt(SAFE_MAX)) {
          throw CanonicalError("integer_out_of_range", where,
            "integer outside ±(2^53-1); send large amounts as decimal strings");
        }
        return value.toString();
      case "object":
        if (Array.isArray(value)) {
          var items = [];
          for (var i = 0; i < value.length; i++) {
            items.push(write(value[i], where + "[" + i + "]", depth + 1));
          }
          return "[" + items.join(",") + "]";
        }
        var proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw CanonicalError("bad_json", where, "not a JSON value");
        }
        var keys = Object.keys(value).sort(); // UTF-16 code-unit order (RFC 8785 §3.2.3)
        var members = [];
        for (var k = 0; k < keys.length; k++) {
          var key = keys[k];
          members.push(text(key, where) + ":" + write(value[key], where + "." + key, depth + 1));
        }
        return "{" + members.join(",") + "}";
      default:
        throw CanonicalError("bad_json", where, typeof value + " is not a JSON value");
    }
  }

  function canonicalString(value) {
    return write(value, "$", 0);
  }

  function canonicalBytes(value) {
    return new TextEncoder().encode(canonicalString(value));
  }

  var api = { canonicalString: canonicalString, canonicalBytes: canonicalBytes };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  root.TerangCanonical = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
