"""The LRA as an Open Fiscal Data Package: ``datapackage.json`` + CSV, zipped.

Follows the Frictionless Data Package / Tabular Data Package rules and the Fiscal
Data Package (OpenSpending) modelling:

1. the descriptor has ``name`` (lower case ``[-a-z0-9._/]``), ``title``,
   ``profile: tabular-data-package``, ``resources`` and the fiscal ``model``;
2. each resource has a ``name``, a relative ``path`` inside the zip, ``format``,
   ``mediatype``, ``encoding``, ``profile: tabular-data-resource`` and a Table
   Schema whose ``fields`` are the CSV's header, in order, each with a ``type``;
3. money is a ``number`` field of decimal strings (``decimalChar`` ``.``, no group
   separator), never a float; codes are ``string`` (``1.02`` is not a number);
4. ``model.measures`` name the amount fields with ``currency: IDR`` and the budget
   ``phase`` (approved, adjusted, executed); ``model.dimensions`` the classifications
   (administrative: OPD; functional/programme: urusan .. sub kegiatan; economic:
   account) with their code and name attributes, all pointing at real fields.

The line-level resource (``lines.csv``) holds one row per budget line, so a portal
can re-aggregate it by any dimension; the package also states the log ``tree_size``
the figures were computed at (and the covering checkpoint, if any).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from budgeting.money import format_amount
from budgeting.read_models import iter_line_rows, snapshot, structure_names
from budgeting.reports import percent
from budgeting.spreadsheet import neutralise_frame
from ledger.publisher import latest_checkpoint

PROFILE = "tabular-data-package"
RESOURCE_PROFILE = "tabular-data-resource"
RESOURCE_NAME = "lines"
RESOURCE_PATH = "lines.csv"

# (field, type, title, name lookup kind or None)
CODE_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("line_id", "Budget line id (year:OPD:sub kegiatan:account:funding source)", None),
    ("group", "Budget group (pendapatan, belanja, penerimaan/pengeluaran pembiayaan)", None),
    ("opd", "OPD (perangkat daerah) code", "opd"),
    ("urusan", "Urusan code", "programme"),
    ("bidang_urusan", "Bidang urusan code", "programme"),
    ("program", "Program code", "programme"),
    ("kegiatan", "Kegiatan code", "programme"),
    ("sub_kegiatan", "Sub kegiatan code", "programme"),
    ("akun", "Akun code", "account"),
    ("kelompok", "Kelompok code", "account"),
    ("jenis", "Jenis code", "account"),
    ("objek", "Objek code", "account"),
    ("rincian_objek", "Rincian objek code", "account"),
    ("account", "Sub rincian objek (account) code", "account"),
    ("funding_source", "Funding source (sumber dana) code", "funding_source"),
)
# (field, source sen column or None for computed, title, FDP phase)
AMOUNT_FIELDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("appropriated", "appropriated_sen", "Appropriation (APBD murni)", "approved"),
    ("revised", "revised_sen", "Revisions (APBD perubahan)", None),
    ("shifted", "shifted_sen", "Pergeseran", None),
    ("budget", "budget_sen", "Budget after revisions and pergeseran", "adjusted"),
    ("committed", "committed_sen", "Commitments (contracts)", None),
    ("realised", "realised_sen", "Realisation (SP2D payments / receipts)", "executed"),
    ("remaining", "remaining_sen", "Budget minus realisation", None),
)


def _schema_fields() -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [{"name": "year", "type": "integer", "title": "Fiscal year"}]
    for name, title, kind in CODE_FIELDS:
        fields.append({"name": name, "type": "string", "title": title})
        if kind is not None:
            fields.append({"name": f"{name}_name", "type": "string", "title": f"{title}: name"})
    for name, _, title, _ in AMOUNT_FIELDS:
        fields.append(
            {
                "name": name,
                "type": "number",
                "title": f"{title}, IDR",
                "decimalChar": ".",
                "bareNumber": True,
            }
        )
    fields.append(
        {
            "name": "absorption_pct",
            "type": "number",
            "title": "Realisation as % of budget (empty when the budget is 0)",
            "decimalChar": ".",
        }
    )
    return fields


def _model() -> dict[str, Any]:
    measures: dict[str, Any] = {}
    for name, _, title, phase in AMOUNT_FIELDS:
        measure: dict[str, Any] = {"source": name, "currency": "IDR", "factor": 1, "title": title}
        if phase is not None:
            measure["phase"] = phase
        measures[name] = measure

    def classification(
        levels: list[str], classification_type: str, dimension_type: str = "classification"
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        parent: str | None = None
        for level in levels:
            attributes[level] = {"source": level, **({"parent": parent} if parent else {})}
            attributes[f"{level}_name"] = {"source": f"{level}_name", "labelfor": level}
            parent = level
        return {
            "attributes": attributes,
            "primaryKey": [levels[-1]],
            "dimensionType": dimension_type,
            "classificationType": classification_type,
        }

    dimensions = {
        "administrative-classification": classification(["opd"], "administrative", "entity"),
        "functional-classification": classification(
            ["urusan", "bidang_urusan", "program", "kegiatan", "sub_kegiatan"], "functional"
        ),
        "economic-classification": classification(
            ["akun", "kelompok", "jenis", "objek", "rincian_objek", "account"], "economic"
        ),
        "funding-source": {
            "attributes": {
                "funding_source": {"source": "funding_source"},
                "funding_source_name": {
                    "source": "funding_source_name",
                    "labelfor": "funding_source",
                },
            },
            "primaryKey": ["funding_source"],
            "dimensionType": "other",
        },
        "budget-line": {
            "attributes": {
                "line_id": {"source": "line_id"},
                "group": {"source": "group"},
                "year": {"source": "year"},
            },
            "primaryKey": ["line_id"],
            "dimensionType": "fact",
        },
    }
    return {"measures": measures, "dimensions": dimensions}


def lines_frame(engine: Engine, year: int) -> tuple[pd.DataFrame, int, str | None]:
    """One row per budget line, text cells, columns in the schema's field order."""
    with snapshot(engine) as snap:
        rows = list(iter_line_rows(snap.conn, year=year))
        names = structure_names(snap.conn)
        checkpoint = latest_checkpoint(snap.conn)
        tree_size = snap.tree_size
    note = checkpoint.note if checkpoint is not None and checkpoint.size == tree_size else None
    records: list[dict[str, str]] = []
    for row in rows:
        record: dict[str, str] = {"year": str(row.year)}
        for name, _, kind in CODE_FIELDS:
            code = getattr(row, name)
            record[name] = "" if code is None else str(code)
            if kind is not None:
                record[f"{name}_name"] = "" if code is None else names[kind].get(code, "")
        amounts = {
            "appropriated_sen": row.appropriated_sen,
            "revised_sen": row.revised_sen,
            "shifted_sen": row.shifted_sen,
            "budget_sen": row.budget_sen,
            "committed_sen": row.committed_sen,
            "realised_sen": row.realised_sen,
            "remaining_sen": row.budget_sen - row.realised_sen,
        }
        for name, source, _, _ in AMOUNT_FIELDS:
            record[name] = format_amount(amounts[source])
        record["absorption_pct"] = percent(row.realised_sen, row.budget_sen)
        records.append(record)
    columns = [f["name"] for f in _schema_fields()]
    return pd.DataFrame.from_records(records, columns=columns), tree_size, note


def descriptor(year: int, tree_size: int, checkpoint_note: str | None) -> dict[str, Any]:
    return {
        "profile": PROFILE,
        "name": f"terang-apbd-{year}-lra",
        "title": f"APBD {year}: budget realisation (LRA) by budget line",
        "description": (
            "Appropriations, revisions, commitments and realisation of every budget line,"
            f" computed from the first {tree_size} entries of the Terang ledger; replay them"
            " to reproduce every figure."
        ),
        "version": "1.0.0",
        "countryCode": "ID",
        "fiscalPeriod": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "granularity": "transactional",
        "status": "executed",
        "terang": {"tree_size": tree_size, "checkpoint": checkpoint_note},
        "resources": [
            {
                "name": RESOURCE_NAME,
                "path": RESOURCE_PATH,
                "profile": RESOURCE_PROFILE,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True, "lineTerminator": "\n"},
                "schema": {"fields": _schema_fields(), "primaryKey": ["line_id"]},
            }
        ],
        "model": _model(),
    }


def build_zip(engine: Engine, year: int) -> tuple[bytes, int]:
    """The zip (``datapackage.json`` + ``lines.csv``) and the tree size it stands at."""
    frame, tree_size, note = lines_frame(engine, year)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json", json.dumps(descriptor(year, tree_size, note), indent=2) + "\n"
        )
        # Text cells formula-safe (budgeting.spreadsheet): people open lines.csv in spreadsheets.
        safe = neutralise_frame(frame)
        archive.writestr(RESOURCE_PATH, safe.to_csv(index=False, lineterminator="\n"))
    return buffer.getvalue(), tree_size
