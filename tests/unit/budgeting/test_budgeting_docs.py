"""The examples in docs/budgeting.md are run: each statement is posted in order, each
refused one gives exactly the recorded problem document."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from budgeting_book import structured_book

from budgeting import statements as st
from ledger.errors import TerangError

DOC = Path(__file__).resolve().parents[3] / "docs" / "budgeting.md"
BLOCK = re.compile(r"```json (statement|refused|problem)\n(.*?)\n```", re.DOTALL)


def blocks() -> list[tuple[str, dict[str, Any]]]:
    return [(tag, json.loads(text)) for tag, text in BLOCK.findall(DOC.read_text("utf-8"))]


def test_the_documented_examples_run_as_written() -> None:
    found = blocks()
    assert [tag for tag, _ in found].count("statement") >= 8
    book = structured_book()
    pending: TerangError | None = None
    for tag, value in found:
        if tag == "problem":
            assert pending is not None, "a problem block follows a refused statement"
            assert pending.problem() == value
            pending = None
            continue
        assert set(value) == {"type", "subject", "body"}
        posting = st.Posting(value["type"], value["subject"], value["body"])
        if value["type"] == st.STRUCTURE:
            assert st.parse_structure(value["body"]).subject == value["subject"]
            continue
        if tag == "statement":
            book.post(posting)
        else:
            with pytest.raises(TerangError) as caught:
                book.post(posting)
            pending = caught.value
    assert pending is None


def test_documented_seqs_match_the_run() -> None:
    """The prose says which seq each example gets; the reversal relies on it."""
    book = structured_book()
    assert book.seq == 34
    text = DOC.read_text("utf-8")
    assert "34 entries take seqs 1-34" in text and '"reverses_seq": 38' in text
