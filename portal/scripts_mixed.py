"""Mixed scripts in one word: a warning for look-alike names (homographs).

``PT Sinar Тerang`` with a Cyrillic ``Т`` looks like a Latin name and is another
vendor. The text rule (``ledger.text``) refuses invisible and bidirectional
characters, but it cannot refuse Cyrillic or Greek: they are real scripts, and
names in them are legitimate. What is suspicious is a *word* that mixes scripts, so
the portal shows a warning beside such a name or title, naming the scripts; the
text itself is shown as it was signed (escaped).

Heuristic, with ``unicodedata`` only (Python has no Script property): a letter's
script is the first word of its Unicode name (``CYRILLIC CAPITAL LETTER TE``) when that
word is a known script in ``SCRIPTS``; ``FULLWIDTH LATIN`` and ``MATHEMATICAL`` letters
count as scripts of their own (they imitate Latin); Han, Hiragana and Katakana count
as one (Japanese mixes them in a word). Marks, digits and letters of no listed script
(``ª``, modifier letters) are ignored. A word is a run of letters and marks. Pure; no
I/O.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

SCRIPTS: Final = frozenset(
    {
        "LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN", "HEBREW", "ARABIC", "SYRIAC",
        "THAANA", "NKO", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL",
        "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR",
        "KHMER", "MONGOLIAN", "HANGUL", "ETHIOPIC", "CHEROKEE", "COPTIC", "RUNIC", "OGHAM",
        "JAVANESE", "BALINESE", "SUNDANESE", "BUGINESE", "BATAK", "REJANG", "MAKASAR",
        "TAGALOG", "CJK", "HIRAGANA", "KATAKANA", "FULLWIDTH", "MATHEMATICAL",
    }
)  # fmt: skip
_SAME: Final = {"HIRAGANA": "CJK", "KATAKANA": "CJK"}
_NAMES: Final = {"CJK": "Han/Kana", "FULLWIDTH": "Fullwidth Latin", "NKO": "NKo"}


@lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script of a letter, or ``None`` for anything else (see the module doc)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    first = unicodedata.name(char, "").split(" ", 1)[0]
    if first not in SCRIPTS:
        return None
    return _SAME.get(first, first)


def mixed_scripts(text: str) -> tuple[str, ...]:
    """The scripts of the first word of ``text`` that mixes them (display names, sorted),
    or ``()`` when every word keeps to one script."""
    if text.isascii():
        return ()
    found: set[str] = set()
    for char in text + " ":
        category = unicodedata.category(char)
        if category.startswith(("L", "M")):
            script = script_of(char) if category.startswith("L") else None
            if script is not None:
                found.add(script)
            continue
        if len(found) > 1:
            return tuple(sorted(_NAMES.get(s, s.title()) for s in found))
        found = set()
    return ()
