"""The portal's two catalogues stay in step, and the language choice behaves."""

from __future__ import annotations

from portal.i18n import CATALOGUE, DEFAULT_LANGUAGE, translator


def test_every_language_has_every_message() -> None:
    keys = {language: set(messages) for language, messages in CATALOGUE.items()}
    assert keys["id"] == keys["en"]


def test_messages_are_translated_not_copied() -> None:
    same = [k for k in CATALOGUE["id"] if CATALOGUE["id"][k] == CATALOGUE["en"][k]]
    assert set(same) <= {"site.name"}


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert translator("fr") == CATALOGUE[DEFAULT_LANGUAGE]
