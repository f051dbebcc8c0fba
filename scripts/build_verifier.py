"""Build portal/standalone/terang-verifier.html and publish its SHA-256 in docs/verifying.md.

    .venv/bin/python scripts/build_verifier.py          # write both
    .venv/bin/python scripts/build_verifier.py --check  # exit 1 if either is stale

Run it after any change to verify.js, standalone.js, their template, site.css or the
verify.*/verifier.* messages (tests/unit/portal/test_standalone_verifier.py fails until then).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from portal import standalone_verifier

DOCS = Path(__file__).resolve().parents[1] / "docs" / "verifying.md"
PUBLISHED_LINE = re.compile(r"^(SHA-256 of `terang-verifier\.html`: `)([0-9a-f]{64})(`)$", re.M)
VERIFY_JS_LINE = re.compile(r"^(SHA-256 of the `verify\.js` it embeds: `)([0-9a-f]{64})(`)$", re.M)


def main(argv: list[str]) -> int:
    data = standalone_verifier.build()
    html_hash = standalone_verifier.sha256_hex(data)
    js_hash = standalone_verifier.sha256_hex(standalone_verifier.VERIFY_JS.read_bytes())
    docs = DOCS.read_text(encoding="utf-8")
    if len(PUBLISHED_LINE.findall(docs)) != 1 or len(VERIFY_JS_LINE.findall(docs)) != 1:
        print(f"{DOCS}: expected one line of each published hash", file=sys.stderr)
        return 2
    new_docs = PUBLISHED_LINE.sub(lambda m: m[1] + html_hash + m[3], docs)
    new_docs = VERIFY_JS_LINE.sub(lambda m: m[1] + js_hash + m[3], new_docs)
    path = standalone_verifier.HTML_PATH
    stale = not path.is_file() or path.read_bytes() != data or new_docs != docs
    if "--check" in argv:
        print("stale" if stale else "up to date", html_hash)
        return 1 if stale else 0
    standalone_verifier.HTML_PATH.write_bytes(data)
    DOCS.write_text(new_docs, encoding="utf-8")
    print(f"{html_hash}  {standalone_verifier.HTML_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
