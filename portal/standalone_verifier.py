"""The standalone verifier: one HTML file, built from verify.js, that owes the server nothing.

The portal's Verify runs ``static/verify.js`` served by the very server it checks, so a
dishonest operator could serve one that always says "valid". ``terang-verifier.html`` is
the same code (verify.js byte for byte, plus the wiring in ``standalone/standalone.js``)
inlined into one page with its stylesheet and both languages' messages, under a
Content-Security-Policy meta tag that lets it run only its own inline script and style and
connect only to an http(s) URL. A visitor saves it once, compares its SHA-256 with the one
published in docs/verifying.md and in each release (``terang info``,
``GET /log/verifier-html.sha256``), and opens it from disk against any Terang log with a
verifier key they got elsewhere.

Rules of the build, each checked here (the test suite also holds the checked-in file equal
to a fresh build, and the published hash equal to the file's):

1. Deterministic: the bytes depend only on this checkout's sources (verify.js,
   standalone.js, ``templates/verifier_standalone.html``, ``static/site.css``,
   ``standalone/standalone.css`` and the ``verify.*`` and ``verifier.*`` messages of
   ``portal/i18n.py``); no clock, path or environment goes in.
2. standalone.js imports from verify.js in exactly one ``import {...} from
   "../static/verify.js";`` line; the build puts verify.js's text in its place, and every
   name imported must be one verify.js exports (else the page would fail only when run).
3. No source may close its inline element early: ``</script`` or ``</style`` (any case) in a
   source, or ``<!--`` in a script, is refused.
4. The CSP's ``'sha256-...'`` sources are the hashes of the exact inline texts, so the
   browser runs no other script or style, and loads no image, font, frame or form target.

Build it with ``python scripts/build_verifier.py`` (it also rewrites the published hash in
docs/verifying.md); nothing here runs at serving time except reading the built file.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from portal.i18n import CATALOGUE, DEFAULT_LANGUAGE, LANGUAGES
from portal.rendering import STATIC, environment

HERE: Final = Path(__file__).parent
SOURCES: Final = HERE / "standalone"
VERIFY_JS: Final = STATIC / "verify.js"
STANDALONE_JS: Final = SOURCES / "standalone.js"
STANDALONE_CSS: Final = SOURCES / "standalone.css"
SITE_CSS: Final = STATIC / "site.css"
TEMPLATE: Final = "verifier_standalone.html"
HTML_NAME: Final = "terang-verifier.html"
HTML_PATH: Final = SOURCES / HTML_NAME
"""The built file, checked in beside its sources (not under static/, whose URLs are cached
for a year as immutable: this one keeps its name from release to release)."""
DOWNLOAD_PATH: Final = "/verifikasi/" + HTML_NAME
HASH_PATH: Final = "/log/verifier-html.sha256"
MESSAGE_PREFIXES: Final = ("verify.", "verifier.")
CONNECT_SOURCES: Final = "https: http:"
"""Where the page may connect: the URL a visitor types (any Terang log, on any host)."""

IMPORT_LINE: Final = re.compile(
    r'^import \{ ([A-Za-z0-9_, ]+) \} from "\.\./static/verify\.js";\n', re.M
)
EXPORTED: Final = re.compile(
    r"^export (?:async function|function|const|class) ([A-Za-z0-9_]+)", re.M
)
SLOTS: Final = ("TERANG_SLOT_CSP", "TERANG_SLOT_STYLE", "TERANG_SLOT_SCRIPT")
"""Where the build puts the policy, the stylesheet and the script into the rendered template:
Jinja escapes everything it renders, and these three are code, checked by rule 3 instead."""
SCRIPT_CLOSERS: Final = re.compile(r"</script|<!--", re.I)
STYLE_CLOSER: Final = re.compile(r"</style", re.I)
EMBEDDED_HASH: Final = re.compile(rb'<code id="verifier-verify-js-sha256">([0-9a-f]{64})</code>')
EMBEDDED_CSP: Final = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


class BuildError(Exception):
    """A source that the build refuses (rules 2 and 3 of the module docstring)."""


@dataclass(frozen=True)
class Published:
    """What a release publishes about the standalone verifier."""

    html_sha256: str
    verify_js_sha256: str
    """verify.js as inlined in the file: a portal page that ran other bytes shows it."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def csp_hash(text: str) -> str:
    """SPEC: CSP Level 3 hash-source: 'sha256-' and the base64 digest of the UTF-8 text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_script(verify_js: str, standalone_js: str) -> str:
    """standalone.js with its import of verify.js replaced by verify.js itself (rule 2)."""
    imports = IMPORT_LINE.findall(standalone_js)
    if len(imports) != 1:
        raise BuildError("standalone.js must import from ../static/verify.js in exactly one line")
    exported = set(EXPORTED.findall(verify_js))
    missing = [name for name in imports[0].split(", ") if name not in exported]
    if missing:
        raise BuildError(f"standalone.js imports names verify.js does not export: {missing}")
    script = IMPORT_LINE.sub(lambda _: verify_js.rstrip("\n") + "\n", standalone_js, count=1)
    if SCRIPT_CLOSERS.search(script):
        raise BuildError("a script source holds '</script' or '<!--' (rule 3)")
    return script


def messages() -> dict[str, dict[str, str]]:
    """The catalogue entries verify.js and standalone.js render, per language."""
    return {
        language: {k: v for k, v in CATALOGUE[language].items() if k.startswith(MESSAGE_PREFIXES)}
        for language in LANGUAGES
    }


def build() -> bytes:
    """The standalone verifier's bytes, from the sources in this checkout (rule 1)."""
    verify_js = VERIFY_JS.read_text(encoding="utf-8")
    script = inline_script(verify_js, STANDALONE_JS.read_text(encoding="utf-8"))
    style = SITE_CSS.read_text(encoding="utf-8") + STANDALONE_CSS.read_text(encoding="utf-8")
    if STYLE_CLOSER.search(style):
        raise BuildError("a style source holds '</style' (rule 3)")
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {csp_hash(script)}",
            f"style-src {csp_hash(style)}",
            f"connect-src {CONNECT_SOURCES}",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    if re.search(r'["<>&]', csp):  # it goes into an attribute unescaped
        raise BuildError("the policy must be plain attribute text")
    language = DEFAULT_LANGUAGE
    other = next(code for code in LANGUAGES if code != language)
    catalogue = messages()
    page = environment.get_template(TEMPLATE).render(
        lang=language,
        other_lang=other,
        t=catalogue[language],
        other_t=catalogue[other],
        verify_js_sha256=sha256_hex(verify_js.encode("utf-8")),
        config={"messages": catalogue},
    )
    for slot, code in zip(SLOTS, (csp, style, script), strict=True):
        if page.count(slot) != 1 or any(name in code for name in SLOTS):
            raise BuildError(f"the template must hold {slot} once, and no source any slot")
        page = page.replace(slot, code)
    return page.encode("utf-8")


@cache
def built_file() -> bytes:
    """The checked-in file, as served at DOWNLOAD_PATH (read once per process)."""
    return HTML_PATH.read_bytes()


@cache
def published() -> Published:
    """The hashes a release publishes: of the checked-in file, and of the verify.js in it
    (as the file itself states it, so a stale file cannot claim today's verify.js)."""
    data = built_file()
    found = EMBEDDED_HASH.search(data)
    if found is None:
        raise BuildError(f"{HTML_PATH.name} does not state the SHA-256 of its verify.js")
    return Published(html_sha256=sha256_hex(data), verify_js_sha256=found.group(1).decode())


@cache
def content_security_policy() -> str:
    """The policy the checked-in file states in its meta tag (the download repeats it)."""
    found = EMBEDDED_CSP.search(built_file())
    if found is None:
        raise BuildError(f"{HTML_PATH.name} has no Content-Security-Policy meta tag")
    return html.unescape(found.group(1).decode("ascii"))
