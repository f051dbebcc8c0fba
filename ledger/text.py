"""The text rule: what a signed statement's strings may hold (issue 10, presentation attacks).

Names and free text reach the portal, CSV downloads and other people's screens. A
vendor named with a right-to-left override (``U+202E``) reads backwards; a zero-width
space makes two names that look the same differ; a control character breaks lines in
logs and exports; the same word in two normalisation forms is two different byte
strings behind one picture. So every string of a statement (its subject, and every
string value and object key of its body, at any depth) must hold, in this order (the
first failure wins, always the same for the same input):

1. no control character: C0 ``U+0000``..``U+001F`` (line feed and tab included: no
   statement field is multi-line), ``U+007F`` and C1 ``U+0080``..``U+009F``, nor the line
   and paragraph separators ``U+2028``, ``U+2029`` -> ``text_control_character``;
2. no bidirectional formatting character: ``U+061C``, ``U+200E``, ``U+200F``,
   ``U+202A``..``U+202E``, ``U+2066``..``U+2069`` -> ``text_bidi_control``;
3. no invisible character: zero-width space, non-joiner and joiner (``U+200B``..``U+200D``),
   word joiner and invisible operators (``U+2060``..``U+2064``), the deprecated format
   characters ``U+206A``..``U+206F``, soft hyphen ``U+00AD``, combining grapheme joiner
   ``U+034F``, Mongolian vowel separator ``U+180E``, byte order mark ``U+FEFF``,
   interlinear annotation ``U+FFF9``..``U+FFFB``, tags ``U+E0000``..``U+E007F``, and lone
   surrogates -> ``text_invisible_character``;
4. Unicode NFC: the text is refused, never normalised, because the signature covers the
   bytes the client signed; a client normalises before it signs -> ``text_not_nfc``.

The lists are fixed code points, not Unicode categories, so a verifier on another
Python (another Unicode version) refuses exactly what the server refused. Rule 4 uses
``unicodedata`` (Unicode 15 on Python 3.11+), which is stable for assigned characters.

Dated rule: it applies to entries logged at or after ``TEXT_RULE_FROM`` (their
``logged_at``), the day it was introduced. Entries logged before then were judged by
the rules of their day and replay as they were (a log is never rewritten to suit a
newer rule); the portal still shows such text escaped, and flags mixed scripts. The
rule is checked by ``replay.apply_entry`` for every statement type, so the writer and
the offline verifier apply it identically. Nothing here reads a clock or a database.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ledger.errors import ClientError

# SPEC: logged_at is UTC ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` (statement.TIME_PATTERN): its first
# 19 characters compare as the time does.
TEXT_RULE_FROM = "2026-12-02T00:00:00"

_ASCII_PRINTABLE = bytes(range(0x20, 0x7F))
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)
_RULES = (
    (_CONTROL, "text_control_character", "a control character"),
    (_BIDI, "text_bidi_control", "a bidirectional formatting character"),
    (_INVISIBLE, "text_invisible_character", "an invisible (zero-width) character"),
)


class TextRefused(ClientError):
    """A string of a statement breaks the text rule; ``code`` says which part."""

    code = "text_refused"


def check_text(value: str, where: str) -> None:
    """Refuse ``value`` (at ``where``, e.g. ``body.name``) if it breaks the text rule."""
    # Fast path (sealed bid envelopes are tens of KB of base64): printable ASCII passes every
    # rule, since rules 2-4 concern non-ASCII code points and ASCII's non-printables are
    # rule 1's. Deleting the printable bytes is a C loop, several times faster than a regex
    # scan or str.isprintable() on a large string.
    if value.isascii() and not value.encode("ascii").translate(None, _ASCII_PRINTABLE):
        return
    for pattern, code, what in _RULES:
        found = pattern.search(value)
        if found is not None:
            char = found.group()
            raise TextRefused(
                f"{where} holds {what}, U+{ord(char):04X} at position {found.start()}",
                code=code,
                field=where,
                code_point=f"U+{ord(char):04X}",
                position=found.start(),
            )
    if not unicodedata.is_normalized("NFC", value):
        raise TextRefused(
            f"{where} is not in Unicode NFC; normalise it (NFC) before signing",
            code="text_not_nfc",
            field=where,
        )


def check_strings(value: Any, where: str) -> None:
    """Apply ``check_text`` to every string (values and object keys) in ``value``."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"{where} (a key)")
            check_strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_strings(item, f"{where}[{index}]")


def text_rule_applies(logged_at: str) -> bool:
    """Whether an entry logged at ``logged_at`` is judged by the text rule (it is dated)."""
    return logged_at[:19] >= TEXT_RULE_FROM
