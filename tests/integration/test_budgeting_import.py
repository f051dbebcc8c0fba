"""DPA bulk import on SQLite and PostgreSQL: every bad row reported with its line and
nothing logged; a good file logged as one atomic job (even beyond one batch); a re-run
of the same file logs nothing; CSV and XLSX give the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Harness, make_harness
from nacl.signing import SigningKey
from sqlalchemy import func, select

from budgeting import statements as st
from budgeting.importer import (
    ImportRejected,
    example_records,
    import_file,
    parse_rows,
    post_plan,
    read_plan,
    read_table,
    write_table,
)
from budgeting.read_models import get_line_row, snapshot
from ledger import storage
from ledger.limits import Limits

YEAR = 2026  # the harness clock is 2026-03-02


def row_counts(h: Harness) -> tuple[int, int, int]:
    with h.ledger.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (storage.entries, storage.tree_nodes, storage.projection_rows)
        )


@pytest.fixture
def finance(harness: Harness) -> SigningKey:
    return harness.register("bpkad", ["finance"])


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_logged(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    records = example_records(YEAR, 30)
    records[0]["amount"] = "1.500.000"  # line 2: thousands separators
    records[3]["account"] = "5.1.02.01.01"  # line 5: not a leaf account
    records[3]["amount"] = "-5.00"  # line 5 again: a second field of the same row
    records[6]["opd_name"] = "Dinkes"  # line 8: two names for one OPD
    records[9]["sub_kegiatan"] = "1.02.02.2.01.0001 "  # line 11: trailing space
    records[12]["allotment_m01"] = records[12]["amount"]  # line 14: allots more than amount
    records[20] = dict(records[19])  # line 22: the same budget line as line 21
    records[25]["year"] = ""  # line 27: empty required cell
    path = tmp_path / "dpa.xlsx"
    write_table(records, path)
    before = row_counts(harness)
    with pytest.raises(ImportRejected) as caught:
        import_file(harness.ledger, finance, path)
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {
        (2, "amount"),
        (5, "account"),
        (5, "amount"),
        (8, "opd_name"),
        (11, "sub_kegiatan"),
        (14, "allotment_m01..m12"),
        (22, "opd/sub_kegiatan/account/funding_source"),
        (27, "year"),
    }
    assert "line 21" in next(e.reason for e in caught.value.errors if e.line == 22)
    assert caught.value.details["error_count"] == len(found)
    assert row_counts(harness) == before


def test_ledger_rules_are_checked_per_row_before_anything_is_logged(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    """Codes neither registered nor named, and a line another posting opened: found by
    the dry run against the ledger, reported against their rows."""
    first = tmp_path / "first.csv"
    write_table(example_records(YEAR, 3), first)
    import_file(harness.ledger, finance, first)
    records = example_records(YEAR, 6)
    for record in records:
        record["description"] = "a different file"  # other bytes, other posting ids
    records[4]["funding_source"] = "DAK-FISIK"
    records[4]["funding_source_name"] = ""
    path = tmp_path / "second.csv"
    write_table(records, path)
    before = row_counts(harness)
    with pytest.raises(ImportRejected) as caught:
        import_file(harness.ledger, finance, path)
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {
        (2, "opd/sub_kegiatan/account/funding_source"),  # already on the ledger
        (3, "opd/sub_kegiatan/account/funding_source"),
        (4, "opd/sub_kegiatan/account/funding_source"),
        (6, "funding_source_name"),  # DAK-FISIK: not registered, no name given
    }
    assert row_counts(harness) == before


def test_a_rerun_of_the_same_file_logs_nothing(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    path = tmp_path / "dpa.csv"
    write_table(example_records(YEAR, 25), path)
    dry = import_file(harness.ledger, finance, path, dry_run=True)
    assert dry.posted == 0 and dry.dry_run
    first = import_file(harness.ledger, finance, path)
    structure = first.posted - 2 * 25
    assert structure > 0  # the codes the file named were registered
    assert first.last_seq is not None and first.first_seq is not None
    assert first.last_seq - first.first_seq + 1 == first.posted
    after_first = row_counts(harness)
    again = import_file(harness.ledger, finance, path)
    assert (again.posted, again.skipped) == (0, 2 * 25)
    assert row_counts(harness) == after_first
    with snapshot(harness.ledger.engine) as snap:
        line = get_line_row(
            snap.conn, f"{YEAR}:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0001:DAU"
        )
    assert line is not None
    assert line.appropriated_sen == 1_000_000 * 100 + 55
    assert line.allotted_sen == line.appropriated_sen


def test_a_file_beyond_one_batch_is_one_atomic_job(database_url: str, tmp_path: Path) -> None:
    """With batch_statements_max 10, 40 rows (80+ statements) are still one job: all or
    nothing. A plan whose last statement the sequencer refuses logs none of it."""
    limits = Limits(
        checkpoint_interval_ms_min=0, batch_statements_max=10, group_commit_statements_max=10
    )
    h = make_harness(database_url, limits=limits)
    try:
        finance = h.register("bpkad", ["finance"])
        path = tmp_path / "dpa.csv"
        write_table(example_records(YEAR, 40), path)
        plan = read_plan(path, h.ledger)
        assert len(plan.postings) > 8 * limits.batch_statements_max
        # The sequencer, not the dry run, refuses this one: its posting id is the
        # first appropriation's, so it is a duplicate only within the job.
        first_appropriation = next(p for p in plan.postings if p.type == st.APPROPRIATION)
        plan.postings.append(
            st.appropriation(
                first_appropriation.subject.replace("0001:DAU", "0002:DAU"),
                first_appropriation.key,
                100,
            )
        )
        plan.posting_lines.append(41)
        before = row_counts(h)
        with pytest.raises(ImportRejected) as caught:
            post_plan(h.ledger, finance, plan)
        assert caught.value.errors[0].line == 41
        assert row_counts(h) == before
        plan.postings.pop()
        plan.posting_lines.pop()
        result = post_plan(h.ledger, finance, plan)
        assert result.posted == len(plan.postings)
        assert h.ledger.size() == before[0] + len(plan.postings)
    finally:
        h.ledger.close()


def test_csv_and_xlsx_give_the_same_rows_and_postings(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    records = example_records(YEAR, 12)
    records[2]["allotment_m05"] = ""  # an empty optional cell
    records[2]["allotment_m12"] = "0.00"
    csv_path, xlsx_path = tmp_path / "dpa.csv", tmp_path / "dpa.xlsx"
    write_table(records, csv_path)
    write_table(records, xlsx_path)
    csv_rows, _, csv_errors = parse_rows(read_table(csv_path)[0])
    xlsx_rows, _, xlsx_errors = parse_rows(read_table(xlsx_path)[0])
    assert csv_errors == xlsx_errors == []
    assert csv_rows == xlsx_rows
    csv_plan = read_plan(csv_path, harness.ledger)
    xlsx_plan = read_plan(xlsx_path, harness.ledger)
    assert [(p.type, p.subject) for p in csv_plan.postings] == [
        (p.type, p.subject) for p in xlsx_plan.postings
    ]
    # The bodies differ only in the posting ids and documents derived from each file.
    strip = {"posting_id", "document"}
    assert [{k: v for k, v in p.body.items() if k not in strip} for p in csv_plan.postings] == [
        {k: v for k, v in p.body.items() if k not in strip} for p in xlsx_plan.postings
    ]
    import_file(harness.ledger, finance, xlsx_path)
    with pytest.raises(ImportRejected):  # the same lines again, from another file
        import_file(harness.ledger, finance, csv_path)


def test_xlsx_number_cells_for_amounts_are_refused(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    """A spreadsheet may already have rounded a number cell: amounts must be text."""
    import pandas as pd  # type: ignore[import-untyped]

    records: list[dict[str, object]] = [dict(r) for r in example_records(YEAR, 3)]
    records[1]["amount"] = 1500000.5
    records[2]["year"] = YEAR  # an integer year cell is fine
    path = tmp_path / "dpa.xlsx"
    pd.DataFrame.from_records(records).to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(ImportRejected) as caught:
        import_file(harness.ledger, finance, path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "amount")]


def test_signing_that_nears_the_clock_skew_window_posts_nothing(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    """All statements carry the time signing began; if signing took more than half the
    skew window, the import stops before the sequencer would refuse them all."""
    from datetime import timedelta

    from ledger.errors import ClientError

    path = tmp_path / "dpa.csv"
    write_table(example_records(YEAR, 5), path)
    plan = read_plan(path, harness.ledger)
    start = harness.clock()
    readings = iter([start, start + timedelta(seconds=harness.ledger.limits.clock_skew_s_max)])
    harness.ledger.clock = lambda: next(readings)
    before = row_counts(harness)
    with pytest.raises(ClientError) as caught:
        post_plan(harness.ledger, finance, plan)
    assert caught.value.code == "import_too_slow"
    assert row_counts(harness) == before


def test_rows_the_budget_rules_refuse_are_all_reported_from_the_one_run_that_logs(
    harness: Harness, finance: SigningKey, tmp_path: Path
) -> None:
    """The reducers run once, in the sequencer's transaction. Rows 3 and 5 each push the
    fiscal year's belanja total past the largest amount kept (row 2 already holds most
    of it): both are reported, with the allotments that depend on their appropriations,
    nothing is logged, and the dry run reports exactly the same rows."""
    from budgeting.importer import check_plan
    from budgeting.limits import AMOUNT_SEN_MAX
    from budgeting.money import format_amount

    records = example_records(YEAR, 5)
    for record in records:
        for month in range(1, 13):
            record[f"allotment_m{month:02d}"] = ""
        record["allotment_m01"] = "1.00"
    amounts = [AMOUNT_SEN_MAX - 10_000, 20_000, 1_000, 30_000, 2_000]  # lines 2..6
    for record, amount in zip(records, amounts, strict=True):
        record["amount"] = format_amount(amount)
    path = tmp_path / "dpa.csv"
    write_table(records, path)
    plan = read_plan(path, harness.ledger)  # each row is fine on its own
    before = row_counts(harness)
    with pytest.raises(ImportRejected) as dry:
        check_plan(harness.ledger, plan)
    with pytest.raises(ImportRejected) as real:
        post_plan(harness.ledger, finance, plan)
    expected = {
        (3, st.APPROPRIATION),
        (3, st.ALLOTMENT),
        (5, st.APPROPRIATION),
        (5, st.ALLOTMENT),
    }
    assert {(e.line, e.field) for e in real.value.errors} == expected
    assert [(e.line, e.field, e.reason) for e in real.value.errors] == [
        (e.line, e.field, e.reason) for e in dry.value.errors
    ]
    assert "beyond" in real.value.errors[0].reason
    assert "no appropriation yet" in real.value.errors[1].reason
    assert real.value.details["error_count"] == 4
    assert row_counts(harness) == before
    # The good rows alone go in, in one run.
    del records[3], records[1]
    write_table(records, path)
    result = import_file(harness.ledger, finance, path)
    assert result.posted > 0 and row_counts(harness) != before
