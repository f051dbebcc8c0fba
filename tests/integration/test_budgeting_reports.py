"""Reports on SQLite and PostgreSQL: every LRA and monthly figure equals a sum computed
independently from the log's own entries (parsed from ``ledger_entries``, not read from
the projection); the tree size is the log's; CSV and XLSX downloads read back to the
same table; the OFDP zip is a valid (Fiscal) Data Package as far as its published
rules can be checked offline."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import select

from budgeting import reports
from budgeting import statements as st
from budgeting.codes import parse_line_id
from budgeting.importer import example_records, import_file, write_table
from budgeting.money import format_amount, parse_amount
from budgeting.reports import LraBy, MonthlyBy
from ledger import storage
from ledger.statement import LoggedEntry
from terang.app import create_app

YEAR = 2026  # the harness clock is 2026-03-02
RIBU = 1000 * 100  # sen
DINKES = "1.02.0.00.0.00.01.0000"
SUB1 = "1.02.02.2.01.0001"
SUB2 = "1.02.02.2.01.0002"


def line(sub: str, account_number: int) -> str:
    return f"{YEAR}:{DINKES}:{sub}:5.1.02.01.01.{account_number:04d}:DAU"


REVENUE = f"{YEAR}:{DINKES}:-:4.1.02.01.01.0001:PAD"


def revenue_record() -> dict[str, str]:
    record = dict(example_records(YEAR, 1)[0])
    record.update(
        sub_kegiatan="-",
        sub_kegiatan_name="",
        urusan_name="",
        bidang_urusan_name="",
        program_name="",
        kegiatan_name="",
        account="4.1.02.01.01.0001",
        akun_name="Pendapatan Daerah",
        kelompok_name="Pendapatan Asli Daerah (PAD)",
        jenis_name="Retribusi Daerah",
        objek_name="Retribusi Jasa Umum",
        rincian_objek_name="Retribusi Pelayanan Kesehatan",
        account_name="Retribusi Pelayanan Kesehatan di Puskesmas",
        funding_source="PAD",
        funding_source_name="Pendapatan Asli Daerah",
        amount="50000000.00",
        description="Retribusi puskesmas",
    )
    return record


@pytest.fixture
def booked(harness: Harness, tmp_path: Path) -> Harness:
    """A DPA file (40 belanja lines and one revenue line) and a few months of postings:
    revisions, a pergeseran, commitments, payments (one reversed) and receipts."""
    finance = harness.register("bpkad", ["finance"])
    records = [*example_records(YEAR, 40), revenue_record()]
    path = tmp_path / "dpa.csv"
    write_table(records, path)
    import_file(harness.ledger, finance, path)
    a, b, c, d = line(SUB1, 1), line(SUB1, 2), line(SUB2, 3), line(SUB2, 4)
    post(
        harness,
        finance,
        st.revision(a, "REV-1", 200 * RIBU),
        st.revision(b, "REV-2", -100 * RIBU),
        st.shift("GESER-1", [(c, -50 * RIBU), (d, 50 * RIBU)]),
        st.commitment(a, "SPK-1", 600 * RIBU, date(YEAR, 1, 10), "SPK/1"),
        st.payment(a, "SP2D-1", 80 * RIBU, date(YEAR, 1, 20), commitment="SPK-1"),
        st.payment(a, "SP2D-2", 70 * RIBU, date(YEAR, 2, 20), commitment="SPK-1"),
        st.payment(b, "SP2D-3", 45_678, date(YEAR, 2, 1)),
        st.payment(c, "SP2D-4", 33 * RIBU, date(YEAR, 1, 31)),
        st.payment(REVENUE, "STS-1", 4_000 * RIBU, date(YEAR, 1, 31)),
        st.payment(REVENUE, "STS-2", 3_500 * RIBU, date(YEAR, 2, 28)),
    )
    (seq,) = post(harness, finance, st.payment(d, "SP2D-5", 10 * RIBU, date(YEAR, 2, 2)))
    post(harness, finance, st.reversal(d, "KOREKSI-1", seq, "SP2D dibatalkan"))
    harness.ledger.publisher.publish(force=True)
    return harness


def post(h: Harness, key: SigningKey, *postings: st.Posting) -> list[int]:
    signed = [p.sign(key, at=h.clock(), origin=h.origin, limits=h.ledger.limits) for p in postings]
    return [receipt.seq for receipt in h.ledger.append_direct(signed)]


# -- the independent computation: straight from the logged statements ----------------------

FIELDS = ("appropriated", "revised", "shifted", "committed", "realised")


def ledger_sums(h: Harness) -> tuple[dict[str, dict[str, int]], dict[str, list[int]]]:
    """Per line: the five LRA amounts (sen); per line: realisation by month. Computed by
    reading each logged statement's body, undoing what a reversal names."""
    e = storage.entries.c
    with h.ledger.engine.connect() as conn:
        raw = [bytes(r) for (r,) in conn.execute(select(e.entry_bytes).order_by(e.seq))]
    lines: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    months: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    effects: dict[int, list[tuple[str, str, int, int | None]]] = {}
    for entry_bytes in raw:
        entry = LoggedEntry.parse(entry_bytes, h.ledger.limits)
        statement = entry.signed.statement
        body = statement.body
        kind, subject = statement.type, statement.subject
        effect: list[tuple[str, str, int, int | None]] = []  # (line, field, sen, month)
        if kind == st.APPROPRIATION:
            effect.append((subject, "appropriated", parse_amount(body["amount"]), None))
        elif kind == st.REVISION:
            effect.append((subject, "revised", parse_amount(body["amount"], signed=True), None))
        elif kind == st.SHIFT:
            for move in body["moves"]:
                sen = parse_amount(move["amount"], signed=True)
                effect.append((move["line"], "shifted", sen, None))
        elif kind == st.COMMITMENT:
            effect.append((subject, "committed", parse_amount(body["amount"]), None))
        elif kind == st.PAYMENT:
            month = date.fromisoformat(body["date"]).month
            effect.append((subject, "realised", parse_amount(body["amount"]), month))
        elif kind == st.REVERSAL:
            effect = [(ln, f, -sen, m) for ln, f, sen, m in effects[body["reverses_seq"]]]
        for line_id, field, sen, month in effect:
            lines[line_id][field] += sen
            if month is not None:
                months[line_id][month - 1] += sen
        effects[entry.seq] = effect
    return dict(lines), dict(months)


def group_of(line_id: str) -> str:
    return parse_line_id(line_id).group.value


def expected_rows(
    sums: dict[str, dict[str, int]], by: LraBy
) -> dict[tuple[str, str], dict[str, int]]:
    """(group, code) -> sums of the lines under that code, for every level of ``by``."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for line_id, amounts in sums.items():
        parsed = parse_line_id(line_id)
        if by is LraBy.OPD:
            codes = [parsed.opd.text]
        elif by is LraBy.PROGRAM:
            if parsed.sub_kegiatan is None:
                continue
            parts = parsed.sub_kegiatan.text.split(".")
            codes = [".".join(parts[:n]) for n in (1, 2, 3, 5, 6)]
        else:
            parts = parsed.account.text.split(".")
            codes = [".".join(parts[:n]) for n in range(1, 7)]
        for code in codes:
            for field in FIELDS:
                out[(group_of(line_id), code)][field] += amounts[field]
    return dict(out)


@pytest.mark.parametrize("by", list(LraBy))
def test_lra_equals_sums_over_the_logged_entries(booked: Harness, by: LraBy) -> None:
    sums, _ = ledger_sums(booked)
    expected = expected_rows(sums, by)
    report = reports.lra(booked.ledger.engine, YEAR, by)
    assert report.tree_size == booked.ledger.size()
    assert report.checkpoint_note is not None  # published at exactly this size
    assert report.checkpoint_note.splitlines()[1] == str(report.tree_size)
    frame = report.frame
    assert {c: str(frame[c].dtype) for c in frame.columns if c.endswith("_sen")} == dict.fromkeys(
        reports.LRA_AMOUNTS, "int64"
    )
    got = {
        (row["group"], row["code"]): {
            "appropriated": row["appropriated_sen"],
            "revised": row["revised_sen"],
            "shifted": row["shifted_sen"],
            "committed": row["committed_sen"],
            "realised": row["realised_sen"],
        }
        for row in frame.to_dict(orient="records")
    }
    assert got == expected
    for row in frame.to_dict(orient="records"):
        budget = row["appropriated_sen"] + row["revised_sen"] + row["shifted_sen"]
        assert row["budget_sen"] == budget
        assert row["remaining_sen"] == budget - row["realised_sen"]
    document = report.as_json()
    assert document["tree_size"] == booked.ledger.size()
    first = document["rows"][0]
    assert Decimal(first["absorption_pct"]) == (
        Decimal(first["realised"]) * 100 / Decimal(first["budget"])
    ).quantize(Decimal("0.01"))


def test_monthly_equals_sums_over_the_logged_entries(booked: Harness) -> None:
    _, months = ledger_sums(booked)
    e = storage.entries.c
    allotted: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    with booked.ledger.engine.connect() as conn:
        for (raw,) in conn.execute(select(e.entry_bytes).order_by(e.seq)):
            statement = LoggedEntry.parse(bytes(raw), booked.ledger.limits).signed.statement
            if statement.type == st.ALLOTMENT:
                for item in statement.body["months"]:
                    allotted[statement.subject][item["month"] - 1] += parse_amount(
                        item["amount"], signed=True
                    )
    report = reports.monthly(booked.ledger.engine, YEAR, MonthlyBy.TOTAL)
    assert report.tree_size == booked.ledger.size()
    for row in report.frame.to_dict(orient="records"):
        month = int(row["month"])
        group = row["group"]
        assert row["realised_sen"] == sum(
            v[month - 1] for k, v in months.items() if group_of(k) == group
        )
        assert row["allotted_sen"] == sum(
            v[month - 1] for k, v in allotted.items() if group_of(k) == group
        )
        assert row["realised_cumulative_sen"] == sum(
            sum(v[:month]) for k, v in months.items() if group_of(k) == group
        )
    by_opd = reports.monthly(booked.ledger.engine, YEAR, MonthlyBy.OPD)
    assert by_opd.frame["realised_sen"].sum() == report.frame["realised_sen"].sum()


# -- downloads over HTTP -------------------------------------------------------------------


@pytest.fixture
def client(booked: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(booked.ledger)) as test_client:
        yield test_client


@pytest.mark.parametrize("by", ["opd", "program", "account"])
def test_csv_and_xlsx_downloads_read_back_to_the_json_table(
    booked: Harness, client: TestClient, by: str
) -> None:
    answer = client.get("/api/v1/budget/reports/lra", params={"year": YEAR, "by": by})
    assert answer.status_code == 200
    document = answer.json()
    assert document["tree_size"] == booked.ledger.size()
    table = [{k: ("" if v is None else v) for k, v in row.items()} for row in document["rows"]]
    csv = client.get("/api/v1/budget/reports/lra", params={"year": YEAR, "by": by, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["x-terang-tree-size"] == str(booked.ledger.size())
    assert reports.read_csv_bytes(csv.content).to_dict(orient="records") == table
    xlsx = client.get(
        "/api/v1/budget/reports/lra", params={"year": YEAR, "by": by, "format": "xlsx"}
    )
    assert xlsx.status_code == 200
    assert reports.read_xlsx_bytes(xlsx.content, "lra").to_dict(orient="records") == table
    about = reports.read_xlsx_bytes(xlsx.content, "about")
    assert dict(zip(about["key"], about["value"], strict=True))["tree_size"] == str(
        booked.ledger.size()
    )


def test_monthly_downloads_and_errors(booked: Harness, client: TestClient) -> None:
    answer = client.get("/api/v1/budget/reports/monthly", params={"year": YEAR})
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [r["month"] for r in rows if r["group"] == "belanja"] == [
        f"{m:02d}" for m in range(1, 13)
    ]
    csv = client.get("/api/v1/budget/reports/monthly", params={"year": YEAR, "format": "csv"})
    table = [{k: ("" if v is None else v) for k, v in row.items()} for row in rows]
    assert reports.read_csv_bytes(csv.content).to_dict(orient="records") == table
    missing = client.get("/api/v1/budget/reports/lra", params={"year": 2031})
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_fiscal_year"
    bad = client.get("/api/v1/budget/reports/lra", params={"year": YEAR, "by": "bidang"})
    assert bad.status_code == 422
    bad_format = client.get(
        "/api/v1/budget/reports/monthly", params={"year": YEAR, "format": "ofdp"}
    )
    assert bad_format.status_code == 422


# -- the Open Fiscal Data Package ----------------------------------------------------------

NAME = re.compile(r"^([-a-z0-9._/])+$")  # Data Package spec: name
TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
    "year", "yearmonth", "duration", "geopoint", "geojson", "any",
}  # fmt: skip
MEASURE_PHASES = {"proposed", "approved", "adjusted", "executed"}
DIMENSION_TYPES = {"datetime", "entity", "classification", "activity", "fact", "location",
                   "other"}  # fmt: skip


def check_cell(value: str, field: dict[str, Any]) -> None:
    """Table Schema: an empty string is a missing value; otherwise it must parse."""
    if value == "":
        assert not field.get("constraints", {}).get("required"), field["name"]
        return
    if field["type"] == "integer":
        assert re.fullmatch(r"-?[0-9]+", value), (field["name"], value)
    elif field["type"] == "number":
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value), (field["name"], value)
        try:
            Decimal(value)
        except InvalidOperation:  # pragma: no cover
            pytest.fail(f"{field['name']}: {value!r} is not a number")


def validate_fiscal_data_package(archive: zipfile.ZipFile) -> dict[str, Any]:
    descriptor: dict[str, Any] = json.loads(archive.read("datapackage.json"))
    # Data Package: resources required, name pattern; Tabular Data Package: profile.
    assert NAME.match(descriptor["name"])
    assert descriptor["profile"] == "tabular-data-package"
    assert isinstance(descriptor["resources"], list) and descriptor["resources"]
    # Fiscal Data Package: name, title, resources and model required.
    for key in ("name", "title", "resources", "model"):
        assert key in descriptor, key
    names = [r["name"] for r in descriptor["resources"]]
    assert len(names) == len(set(names))
    all_fields: dict[str, dict[str, Any]] = {}
    for resource in descriptor["resources"]:
        assert NAME.match(resource["name"])
        assert resource["profile"] == "tabular-data-resource"
        path = resource["path"]
        assert not path.startswith("/") and ".." not in path.split("/")  # relative, safe
        fields = resource["schema"]["fields"]
        field_names = [f["name"] for f in fields]
        assert len(field_names) == len(set(field_names))
        for field in fields:
            assert field["type"] in TABLE_SCHEMA_TYPES
        text = archive.read(path).decode(resource.get("encoding", "utf-8"))
        lines = text.split("\n")
        assert lines[0].split(",") == field_names  # the header is the schema, in order
        import csv

        rows = list(csv.reader(io.StringIO(text)))
        for row in rows[1:]:
            assert len(row) == len(fields)
            for value, field in zip(row, fields, strict=True):
                check_cell(value, field)
        primary = resource["schema"].get("primaryKey", [])
        assert set(primary) <= set(field_names)
        if primary:
            index = [field_names.index(p) for p in primary]
            keys = [tuple(row[i] for i in index) for row in rows[1:]]
            assert len(keys) == len(set(keys))
        all_fields.update({f["name"]: f for f in fields})
    model = descriptor["model"]
    assert model["measures"] and model["dimensions"]
    for measure in model["measures"].values():
        assert all_fields[measure["source"]]["type"] in {"number", "integer"}
        assert re.fullmatch(r"[A-Z]{3}", measure["currency"])  # ISO 4217
        assert measure.get("phase", "executed") in MEASURE_PHASES
    for dimension in model["dimensions"].values():
        attributes = dimension["attributes"]
        assert dimension["dimensionType"] in DIMENSION_TYPES
        for attribute in attributes.values():
            assert attribute["source"] in all_fields
            for ref in ("labelfor", "parent"):
                if ref in attribute:
                    assert attribute[ref] in attributes
        assert set(dimension["primaryKey"]) <= set(attributes)
    return descriptor


def test_the_open_fiscal_data_package_is_valid_and_adds_up(
    booked: Harness, client: TestClient
) -> None:
    answer = client.get("/api/v1/budget/reports/lra", params={"year": YEAR, "format": "ofdp"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert sorted(archive.namelist()) == ["datapackage.json", "lines.csv"]
        descriptor = validate_fiscal_data_package(archive)
        lines_csv = archive.read("lines.csv")
    assert descriptor["terang"]["tree_size"] == booked.ledger.size()
    rows = reports.read_csv_bytes(lines_csv).to_dict(orient="records")
    sums, _ = ledger_sums(booked)
    assert {r["line_id"] for r in rows} == set(sums)
    for row in rows:
        expected = sums[row["line_id"]]
        for field in FIELDS:
            assert row[field] == format_amount(expected[field]), (row["line_id"], field)
