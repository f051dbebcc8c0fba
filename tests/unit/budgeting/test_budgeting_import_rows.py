"""The importer's own rules, without a ledger: header, cells, fields, rows."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]

from budgeting.importer import ImportRejected, RowError, example_records, parse_rows


def frame(records: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records)


def test_a_good_file_parses_to_one_row_per_line_with_its_cash_plan() -> None:
    rows, names, errors = parse_rows(frame(example_records(2026, 21)))
    assert errors == []
    assert [r.line for r in rows] == list(range(2, 23))
    assert all(sum(sen for _, sen in r.months) == r.amount_sen for r in rows)
    assert names.names[("opd", "1.02.0.00.0.00.01.0000")] == ("Dinas Kesehatan", 2)
    assert rows[20].line_id.endswith(":1.02.02.2.01.0002:5.1.02.01.01.0001:DAU")


def test_header_problems_are_reported_before_any_row() -> None:
    records = example_records(2026, 2)
    for record in records:
        del record["amount"]
        record["amout"] = "1.00"
    rows, _, errors = parse_rows(frame(records))
    assert rows == []
    assert errors == [
        RowError(1, "amount", "required column is missing"),
        RowError(1, "amout", "unknown column (see the documented list)"),
    ]


def test_every_bad_field_of_a_row_is_reported() -> None:
    records = example_records(2026, 3)
    records[1].update(
        year="26", opd="1.02.0.00.0.00.1.0000", account="5.9.02.01.01.0001", amount="0.00",
        allotment_m03="-1.00",
    )  # fmt: skip
    _, _, errors = parse_rows(frame(records))
    assert [(e.line, e.field) for e in errors] == [
        (3, "year"), (3, "opd"), (3, "account"), (3, "amount"), (3, "allotment_m03"),
    ]  # fmt: skip
    assert "kelompok" in errors[2].reason  # the offending part of the code is named


def test_revenue_lines_write_a_dash_for_sub_kegiatan() -> None:
    records = example_records(2026, 1)
    records[0].update(account="4.1.01.09.01.0001")  # pendapatan with a sub kegiatan
    _, _, errors = parse_rows(frame(records))
    assert [(e.line, e.field) for e in errors] == [(2, "sub_kegiatan")]
    records[0].update(sub_kegiatan="-")
    rows, _, errors = parse_rows(frame(records))
    assert errors == [] and ":-:" in rows[0].line_id


def test_the_rejection_lists_every_problem_and_counts_them() -> None:
    errors = [RowError(line, "amount", "bad") for line in range(2, 12)]
    rejected = ImportRejected(errors, total=len(errors))
    assert rejected.code == "import_rejected"
    assert rejected.details["error_count"] == 10
    assert rejected.details["errors"][0] == {"line": 2, "field": "amount", "reason": "bad"}
    assert "line 2: amount: bad" in rejected.message
