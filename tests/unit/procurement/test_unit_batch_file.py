"""Batch files (``procurement.batch_file``): what finance reads before it signs.

A batch file comes from another person's machine, so it is untrusted input: anything
that is not exactly the format is refused with ``bad_batch_file`` and a message naming
what is wrong, and finance's part may only be budgeting postings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from budgeting import statements as st
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.signing import make_signed
from procurement.batch_file import (
    BATCH_FILE_BYTES_MAX,
    BadBatchFile,
    BatchFile,
    Template,
    read_batch_file,
    split_batch,
    write_batch_file,
)

AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ORIGIN = "terang.test/log"
LINE = "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"


def batch(tmp_path: Path) -> tuple[Path, SigningKey, SigningKey]:
    officer, stand_in = SigningKey.generate(), SigningKey.generate()
    posting = st.commitment(LINE, "KONTRAK-1", 40_000_000_000, AT.date(), "award x")
    statements = [
        posting.sign(stand_in, at=AT, origin=ORIGIN),
        make_signed(
            officer, "procurement.tender.awarded", "ocds-x-1", {"v": 1}, at=AT, origin=ORIGIN
        ),
    ]
    path = tmp_path / "b.json"
    write_batch_file(
        path, BatchFile(ORIGIN, "award", "ocds-x-1", AT, split_batch(statements, stand_in))
    )
    return path, officer, stand_in


def test_a_written_file_reads_back_and_finance_signs_only_its_templates(tmp_path: Path) -> None:
    path, officer, _ = batch(tmp_path)
    read = read_batch_file(path, Limits())
    assert (read.origin, read.what, read.ocid, read.created_at) == (ORIGIN, "award", "ocds-x-1", AT)
    assert [type(i) for i in read.items] == [Template, type(read.items[1])]
    assert isinstance(read.items[0], Template) and read.items[0].type == st.COMMITMENT
    finance = SigningKey.generate()
    whole = read.complete(finance, at=AT)
    assert [s.statement.signer for s in whole] == [client_key_id(finance), client_key_id(officer)]
    assert whole[1] == read.items[1]  # the officer's statement is passed on untouched
    assert read.age_s(datetime(2026, 3, 1, 2, 4, tzinfo=UTC)) == 240


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.update(format="terang-batch/2"), "is not a terang-batch/1 file"),
        (lambda d: d.update(what="refund"), "what must be one of"),
        (lambda d: d.pop("origin"), "origin is missing"),
        (lambda d: d.update(items=[]), "items must be a list of 1 to"),
        (lambda d: d["items"][0].update(type="registry.key.registered"), "finance signs only"),
        (lambda d: d["items"][0].update(sign_as="authority"), "or a finance template"),
        (lambda d: d["items"][0].update(extra=1), "or a finance template"),
        (lambda d: d["items"][0].update(body="x"), "body an object"),
        (lambda d: d.update(created_at="yesterday"), "created_at"),
    ],
)
def test_a_file_not_exactly_the_format_is_refused(tmp_path: Path, change: Any, says: str) -> None:
    path, _, _ = batch(tmp_path)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    with pytest.raises(Exception) as caught:
        read_batch_file(path, Limits())
    assert says in str(caught.value)
    assert getattr(caught.value, "code", None) in ("bad_batch_file", "bad_time")


def test_not_json_and_too_large_are_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("{not json")
    with pytest.raises(BadBatchFile, match="cannot be read as a batch file"):
        read_batch_file(path, Limits())
    path.write_bytes(b" " * (BATCH_FILE_BYTES_MAX + 1))
    with pytest.raises(BadBatchFile, match="larger than"):
        read_batch_file(path, Limits())


def test_the_officer_cannot_hand_finance_a_non_budgeting_statement_to_sign() -> None:
    stand_in = SigningKey.generate()
    grant = make_signed(
        stand_in, "registry.role.granted", "x" * 64, {"role": "finance"}, at=AT, origin=ORIGIN
    )
    with pytest.raises(BadBatchFile, match="is not finance's to sign"):
        split_batch([grant], stand_in)
