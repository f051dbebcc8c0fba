"""The look-alike warning's heuristic (portal.scripts_mixed): a word that mixes scripts."""

from __future__ import annotations

import pytest

from portal.scripts_mixed import mixed_scripts


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        ("PT Sinar \u0422erang", ("Cyrillic", "Latin")),  # Cyrillic capital TE
        ("CV M\u0430ju Jaya", ("Cyrillic", "Latin")),  # Cyrillic small a
        ("\u039fmega", ("Greek", "Latin")),  # Greek capital omicron
        ("CV \uff2daju", ("Fullwidth Latin", "Latin")),
        ("\U0001d400BC", ("Latin", "Mathematical")),
    ],
)
def test_a_word_that_mixes_scripts_is_flagged(text: str, scripts: tuple[str, ...]) -> None:
    assert mixed_scripts(text) == scripts


@pytest.mark.parametrize(
    "text",
    [
        "CV Maju Jaya",
        "Café Ñusantara",  # accents are Latin
        "ООО Ромашка",  # all Cyrillic
        "PT Ромашка Jaya",  # two scripts, but each word keeps to one
        "Ω-meter 5",  # the hyphen separates words
        "東京タワー",  # Han + Katakana: Japanese writes so
        "Nº 3ª",  # ordinal indicators belong to no listed script
        "",
    ],
)
def test_words_in_one_script_are_not_flagged(text: str) -> None:
    assert mixed_scripts(text) == ()
