"""The text rule (ledger.text), each refusal with its valid neighbours; the CSV cell rule."""

from __future__ import annotations

import unicodedata

import pytest

from budgeting.spreadsheet import neutralise_cell
from ledger.text import TEXT_RULE_FROM, TextRefused, check_strings, check_text, text_rule_applies


@pytest.mark.parametrize(
    ("value", "code", "code_point"),
    [
        ("a\x00b", "text_control_character", "U+0000"),
        ("a\tb", "text_control_character", "U+0009"),
        ("a\nb", "text_control_character", "U+000A"),
        ("a\rb", "text_control_character", "U+000D"),
        ("a\x7fb", "text_control_character", "U+007F"),
        ("a\x9bb", "text_control_character", "U+009B"),
        ("a\u2028b", "text_control_character", "U+2028"),
        ("a\u202eb", "text_bidi_control", "U+202E"),
        ("a\u2066b", "text_bidi_control", "U+2066"),
        ("a\u200fb", "text_bidi_control", "U+200F"),
        ("a\u061cb", "text_bidi_control", "U+061C"),
        ("a\u200bb", "text_invisible_character", "U+200B"),
        ("a\u200db", "text_invisible_character", "U+200D"),
        ("a\u2060b", "text_invisible_character", "U+2060"),
        ("a\ufeffb", "text_invisible_character", "U+FEFF"),
        ("a\u00adb", "text_invisible_character", "U+00AD"),
        ("a\U000e0041b", "text_invisible_character", "U+E0041"),
        ("a\ud800b", "text_invisible_character", "U+D800"),
    ],
)
def test_each_refused_character_has_its_code(value: str, code: str, code_point: str) -> None:
    with pytest.raises(TextRefused) as caught:
        check_text(value, "body.name")
    assert caught.value.code == code
    assert caught.value.details["code_point"] == code_point
    assert caught.value.details["position"] == 1
    assert caught.value.http_status == 422


def test_the_first_rule_broken_wins_whatever_the_position() -> None:
    with pytest.raises(TextRefused) as caught:
        check_text("\u202ea\x01", "body.name")
    assert caught.value.code == "text_control_character"


def test_non_nfc_text_is_refused_not_normalised() -> None:
    nfd = unicodedata.normalize("NFD", "Café Ñusantara")
    with pytest.raises(TextRefused) as caught:
        check_text(nfd, "body.answer")
    assert caught.value.code == "text_not_nfc" and caught.value.details["field"] == "body.answer"
    check_text(unicodedata.normalize("NFC", nfd), "body.answer")


@pytest.mark.parametrize(
    "value",
    [
        "CV Maju Jaya",
        "BPKAD Kabupaten Contoh — Bendahara Umum Daerah",
        "Jl. Pahlawan № 3, RT 01/RW 02",
        "Pengadaan alat kesehatan (Rp 500 juta) 100% «siap»",
        "Toko Café Ñ",  # precomposed: NFC
        "ООО Ромашка",  # Cyrillic is a script, not an attack (the portal flags mixing)
        "مدرسة",  # Arabic, right to left without any override
        "中文 かな",
        "Emoji 🙂 allowed",
    ],
)
def test_clean_text_in_any_script_passes(value: str) -> None:
    check_text(value, "body.name")


def test_every_string_of_a_body_is_checked_with_its_path() -> None:
    body = {"documents": [{"name": "ok", "sha256": "ab"}, {"name": "bad\u200b"}]}
    with pytest.raises(TextRefused) as caught:
        check_strings(body, "body")
    assert caught.value.details["field"] == "body.documents[1].name"
    with pytest.raises(TextRefused) as caught:
        check_strings({"x\u202e": 1}, "body")
    assert caught.value.details["field"] == "body (a key)"
    check_strings({"n": 1, "b": True, "none": None, "list": [1, "two"]}, "body")


def test_the_rule_is_dated() -> None:
    assert TEXT_RULE_FROM == "2026-12-02T00:00:00"
    assert text_rule_applies("2026-12-02T00:00:00.000Z")
    assert text_rule_applies("2027-01-01T00:00:00Z")
    assert not text_rule_applies("2026-12-01T23:59:59.999Z")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+62 812", "'+62 812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-1500000.00", "-1500000.00"),  # a number: untouched
        ("+12", "+12"),
        ("-7", "-7"),
        ("CV Maju", "CV Maju"),
        ("", ""),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_cells_that_would_run_get_a_quote(cell: object, written: object) -> None:
    assert neutralise_cell(cell) == written
