"""The standalone verifier is what its sources build, and the published hashes are its own.

These fail when someone edits verify.js (or the page's other sources) without running
``scripts/build_verifier.py``: the checked-in file and the hash in docs/verifying.md would
then describe code that no longer matches the portal's.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import pytest

from portal import standalone_verifier as sv

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "verifying.md"
SCRIPT = '<script type="module">'


def inline(opening: str, page: str) -> str:
    """The text of the one element that opens with ``opening`` (e.g. '<style>')."""
    name = opening[1:].split(" ")[0].rstrip(">")
    found = re.findall(re.escape(opening) + rf"(.*?)</{name}>", page, re.S)
    assert len(found) == 1, f"expected one {opening}"
    return str(found[0])


def digest(text: str) -> str:
    """SPEC: CSP hash-source: base64 of the SHA-256 of the UTF-8 text."""
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def policy(page: str) -> dict[str, str]:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta is not None
    pairs = (d.strip().split(" ", 1) for d in html.unescape(meta.group(1)).split(";"))
    return {name: value for name, value in pairs}


def test_the_checked_in_file_equals_a_fresh_build() -> None:
    assert sv.HTML_PATH.read_bytes() == sv.build(), (
        "portal/standalone/terang-verifier.html is stale: run scripts/build_verifier.py"
    )


def test_docs_publish_the_files_hash_and_its_verify_js() -> None:
    text = DOCS.read_text(encoding="utf-8")
    html_hashes = re.findall(r"^SHA-256 of `terang-verifier\.html`: `([0-9a-f]{64})`$", text, re.M)
    js_hashes = re.findall(r"^SHA-256 of the `verify\.js` it embeds: `([0-9a-f]{64})`$", text, re.M)
    file_hash = hashlib.sha256(sv.HTML_PATH.read_bytes()).hexdigest()
    js_hash = hashlib.sha256(sv.VERIFY_JS.read_bytes()).hexdigest()
    assert html_hashes == [file_hash], "docs/verifying.md: run scripts/build_verifier.py"
    assert js_hashes == [js_hash]
    assert sv.published() == sv.Published(html_sha256=file_hash, verify_js_sha256=js_hash)


def test_the_policy_pins_the_inline_code_and_allows_nothing_else() -> None:
    page = sv.HTML_PATH.read_text(encoding="utf-8")
    script, style = inline(SCRIPT, page), inline("<style>", page)
    assert policy(page) == {
        "default-src": "'none'",
        "script-src": f"'sha256-{digest(script)}'",
        "style-src": f"'sha256-{digest(style)}'",
        "connect-src": "https: http:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert policy(page) == policy(
        f'<meta http-equiv="Content-Security-Policy" content="{sv.content_security_policy()}">'
    )
    # The policy comes before anything it governs, and the page names no other resource.
    assert page.index("Content-Security-Policy") < page.index("<style>")
    assert not re.search(r"\b(?:src|href)=", page.replace(script, "")), "the page links nothing"


def test_the_script_is_verify_js_byte_for_byte_then_the_wiring() -> None:
    page = sv.HTML_PATH.read_text(encoding="utf-8")
    script = inline(SCRIPT, page)
    verify_js = sv.VERIFY_JS.read_text(encoding="utf-8")
    wiring = sv.STANDALONE_JS.read_text(encoding="utf-8")
    head, _, tail = wiring.partition(sv.IMPORT_LINE.findall(wiring)[0])
    assert verify_js in script
    assert script.startswith(head.rpartition("import {")[0] + verify_js.rstrip("\n") + "\n")
    assert script.endswith(tail.split("\n", 1)[1])
    embedded = hashlib.sha256(verify_js.encode()).hexdigest()
    assert f'<code id="verifier-verify-js-sha256">{embedded}</code>' in page


def test_a_name_verify_js_does_not_export_is_refused() -> None:
    wiring = 'import { verifyFile, notThere } from "../static/verify.js";\nverifyFile();\n'
    with pytest.raises(sv.BuildError, match="notThere"):
        sv.inline_script("export async function verifyFile() {}\n", wiring)


@pytest.mark.parametrize("closer", ["</script>", "</SCRIPT ", "<!--"])
def test_a_source_that_would_end_the_script_early_is_refused(closer: str) -> None:
    wiring = 'import { verifyFile } from "../static/verify.js";\nverifyFile();\n'
    verify_js = f'export async function verifyFile() {{ return "{closer}"; }}\n'
    with pytest.raises(sv.BuildError, match="rule 3"):
        sv.inline_script(verify_js, wiring)


def test_without_exactly_one_import_line_the_build_refuses() -> None:
    with pytest.raises(sv.BuildError, match="exactly one line"):
        sv.inline_script("export const x = 1;\n", "const y = 2;\n")


def test_both_languages_travel_in_the_file() -> None:
    page = sv.HTML_PATH.read_text(encoding="utf-8")
    assert '<html lang="id">' in page
    for language in ("id", "en"):
        for key, text in sv.messages()[language].items():
            assert key.startswith(("verify.", "verifier.")) and text
    assert "Terang standalone verifier" in page and "Verifikator mandiri Terang" in page
