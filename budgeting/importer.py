"""Bulk load of a DPA/APBD file (CSV or XLSX): validate every row, then post atomically.

Call order (``import_file`` does all three; the CLI shows a progress bar)::

    plan = read_plan(path, ledger)      # 1. parse + 2. validate; raises ImportRejected
    result = post_plan(ledger, key, plan)  # 3. sign and log, one atomic job; the
                                           #    budget rules refuse rows here, or
    check_plan(ledger, plan)            # 3'. (--dry-run) the same rules, nothing logged

Invariants:

1. **Every row is checked before anything is posted.** A bad file raises
   ``ImportRejected`` carrying every bad row's line number, field and reason (the
   header is line 1, the first data row line 2), and logs nothing.
2. Checks run in this order (per row, all fields, so one pass reports everything):
   the file's columns; each cell's form (text, no surrounding spaces, codes parsed by
   ``budgeting.codes``, amounts by ``budgeting.money``); across rows (one row per
   budget line, one name per code, allotments within the amount); against the ledger
   (codes registered or named in the file, the line not opened by another posting);
   finally the budgeting reducers, run ONCE: by the sequencer, in the transaction that
   logs the file, in the mode that sets a refused statement aside and goes on
   (``append_batch(every_refusal=True)``), so every refusal is reported against its
   row and a file with any refusal logs nothing. ``--dry-run`` runs the same reducers
   over a snapshot of the projection instead (``check_plan``) and logs nothing.
3. **Deterministic ids.** Row ``n`` of a file whose SHA-256 is ``h`` posts
   ``dpa-<h[:16]>-<n>`` (appropriation) and ``dpa-<h[:16]>-<n>-kas`` (allotment); the
   statement nonces derive from those (``statements.posting_nonce``). A posting id
   already on the ledger is skipped, so a re-run of the same file posts nothing
   twice and a re-run after a failure posts exactly what is missing.
4. **Atomic.** All statements go to ``Sequencer.append_batch`` as ONE job in one
   transaction: a job is all or nothing, so the file is logged entirely or not at
   all. (Several jobs in one ``append_batch`` would not do: each job is atomic on its
   own and the transaction commits the accepted ones.) Statements are signed in
   chunks of ``limits.batch_statements_max`` for the progress bar only. The job is
   larger than the batch API's limit, which bounds what one HTTP request may ask of
   the shared writer; a bulk load runs in the operator's own process
   (``--db``) and holds the write lock for the length of one transaction (about a
   second per few thousand rows; see bench/results/budgeting.json).

Columns (header names exact, lower case, any order; see docs/budgeting-reports.md):
``year, opd, sub_kegiatan, account, funding_source, amount`` are required;
``description``, ``allotment_m01`` .. ``allotment_m12`` and the names
``opd_name, urusan_name, bidang_urusan_name, program_name, kegiatan_name,
sub_kegiatan_name, akun_name, kelompok_name, jenis_name, objek_name,
rincian_objek_name, account_name, funding_source_name`` are optional. A name is
needed only for a code the ledger has not registered yet: the import registers it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from nacl.signing import SigningKey

from budgeting import statements as st
from budgeting.codes import (
    NO_SUB_KEGIATAN,
    AccountLevel,
    ProgrammeLevel,
    parse_account_code,
    parse_fiscal_year,
    parse_funding_source,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)
from budgeting.limits import (
    DESCRIPTION_CHARS_MAX,
    ERRORS_REPORTED_MAX,
    FILE_ROWS_MAX,
    NAME_CHARS_MAX,
)
from budgeting.money import format_amount, parse_amount, parse_positive_amount
from budgeting.namespaces import NS_LINE, NS_POSTING_ID, STRUCTURE_NAMESPACES
from budgeting.read_models import snapshot
from budgeting.reducers import Context, apply_statement, prefetch
from ledger.errors import ClientError, TerangError
from ledger.keys import client_key_id
from ledger.sequencer import Receipt, StatementsRefused, StoredState
from ledger.service import Ledger
from ledger.state import Overlay
from ledger.statement import SignedStatement, Statement, format_time

REQUIRED_COLUMNS = ("year", "opd", "sub_kegiatan", "account", "funding_source", "amount")
MONTH_COLUMNS = tuple(f"allotment_m{month:02d}" for month in range(1, 13))
PROGRAMME_NAME_COLUMNS = {
    ProgrammeLevel.URUSAN: "urusan_name",
    ProgrammeLevel.BIDANG_URUSAN: "bidang_urusan_name",
    ProgrammeLevel.PROGRAM: "program_name",
    ProgrammeLevel.KEGIATAN: "kegiatan_name",
    ProgrammeLevel.SUB_KEGIATAN: "sub_kegiatan_name",
}
ACCOUNT_NAME_COLUMNS = {
    AccountLevel.AKUN: "akun_name",
    AccountLevel.KELOMPOK: "kelompok_name",
    AccountLevel.JENIS: "jenis_name",
    AccountLevel.OBJEK: "objek_name",
    AccountLevel.RINCIAN_OBJEK: "rincian_objek_name",
    AccountLevel.SUB_RINCIAN_OBJEK: "account_name",
}
NAME_COLUMNS = (
    "opd_name",
    *PROGRAMME_NAME_COLUMNS.values(),
    *ACCOUNT_NAME_COLUMNS.values(),
    "funding_source_name",
)
OPTIONAL_COLUMNS = ("description", *MONTH_COLUMNS, *NAME_COLUMNS)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)

HEADER_LINE = 1
FIRST_DATA_LINE = 2
HASH_CHARS = 16
FISCAL_YEAR_NAME = "Tahun Anggaran {year}"

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the CLI draws a bar; library callers may pass None."""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class ImportRejected(ClientError):
    """The file has bad rows; nothing was posted. ``details.errors`` lists them all."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError], *, total: int) -> None:
        shown = errors[:ERRORS_REPORTED_MAX]
        super().__init__(
            f"{total} problem(s) in the file; nothing was posted. First: {shown[0]}",
            errors=[e.as_dict() for e in shown],
            error_count=total,
        )
        self.errors = shown


@dataclass(frozen=True)
class ImportRow:
    line: int
    line_id: str
    amount_sen: int
    months: tuple[tuple[int, int], ...]
    description: str | None


@dataclass
class ImportPlan:
    """What a validated file will post, in order; ``skipped`` are already logged."""

    file_sha256: str
    rows: list[ImportRow]
    postings: list[st.Posting]
    skipped: int
    tree_size: int
    posting_lines: list[int] = field(default_factory=list)
    """The file line each posting comes from (structure: the first row naming it)."""

    @property
    def prefix(self) -> str:
        return f"dpa-{self.file_sha256[:HASH_CHARS]}"


@dataclass(frozen=True)
class ImportResult:
    file_sha256: str
    rows: int
    posted: int
    skipped: int
    first_seq: int | None
    last_seq: int | None
    tree_size: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "rows": self.rows,
            "statements_posted": self.posted,
            "statements_already_logged": self.skipped,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "tree_size": self.tree_size,
            "dry_run": self.dry_run,
        }


# -- 1. reading ----------------------------------------------------------------------------


def read_table(path: Path) -> tuple[pd.DataFrame, bytes]:
    """The file as a frame of cells (str, or what XLSX typed) and its raw bytes."""
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
            )
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        else:
            raise ClientError(
                f"{path.name}: the file must be .csv or .xlsx", code="import_bad_file"
            )
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' parse errors too
        raise ClientError(f"{path.name} cannot be read: {exc}", code="import_bad_file") from exc
    return frame, raw


def _cell(value: Any, column: str, errors: list[str]) -> str:
    """A cell as text: empty cells are ``""``; XLSX number cells only for ``year``
    (an amount typed as a number may already have been rounded by the spreadsheet)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        if value != value.strip():
            errors.append("has spaces at the start or end")
        return value
    if column == "year" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    errors.append(f"must be a text cell, got a {type(value).__name__} cell")
    return ""


# -- 2. validating -------------------------------------------------------------------------


@dataclass
class _Names:
    """One name per (kind, code) across the file: the first row that named it wins."""

    names: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def add(self, kind: str, code: str, name: str, line: int, column: str) -> RowError | None:
        if not name:
            return None
        earlier = self.names.get((kind, code))
        if earlier is None:
            self.names[(kind, code)] = (name, line)
            return None
        if earlier[0] != name:
            return RowError(
                line,
                column,
                f"{kind} {code} is named {name!r} here but {earlier[0]!r} on line {earlier[1]}",
            )
        return None


def _parse_row(
    line: int, cells: dict[str, str], names: _Names, errors: list[RowError]
) -> ImportRow | None:
    """One row's fields, every bad one reported; None when any is bad."""
    bad = len(errors)

    def check(column: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(cells[column])
        except TerangError as exc:
            errors.append(RowError(line, column, exc.message))
            return None

    year = check("year", parse_fiscal_year)
    opd = check("opd", parse_opd_code)
    sub_text = cells["sub_kegiatan"]
    programme = None
    if sub_text != NO_SUB_KEGIATAN:
        programme = check(
            "sub_kegiatan", lambda v: parse_programme_code(v, ProgrammeLevel.SUB_KEGIATAN)
        )
    account = check("account", lambda v: parse_account_code(v, leaf=True))
    funding = check("funding_source", parse_funding_source)
    amount = check("amount", lambda v: parse_positive_amount(v, field="amount"))
    months: list[tuple[int, int]] = []
    for index, column in enumerate(MONTH_COLUMNS, start=1):
        text = cells.get(column, "")
        if text:
            sen = check(column, partial(parse_amount, field=column))
            if sen:
                months.append((index, sen))
    description = cells.get("description") or None
    if description is not None and len(description) > DESCRIPTION_CHARS_MAX:
        errors.append(
            RowError(line, "description", f"longer than {DESCRIPTION_CHARS_MAX} characters")
        )
    for column in NAME_COLUMNS:
        if len(cells.get(column, "")) > NAME_CHARS_MAX:
            errors.append(RowError(line, column, f"longer than {NAME_CHARS_MAX} characters"))
    if len(errors) > bad:
        return None
    try:
        line_id = parse_line_id(f"{year}:{opd.text}:{sub_text}:{account.text}:{funding}")
    except TerangError as exc:  # e.g. a belanja account without a sub kegiatan
        errors.append(RowError(line, "sub_kegiatan", exc.message))
        return None
    if sum(sen for _, sen in months) > amount:
        errors.append(
            RowError(
                line,
                "allotment_m01..m12",
                f"allotments total {format_amount(sum(s for _, s in months))}, above the"
                f" amount {format_amount(amount)}",
            )
        )
        return None
    # Names: every code of the row, at every level, with the column that names it.
    for column_error in (
        names.add("opd", opd.text, cells.get("opd_name", ""), line, "opd_name"),
        names.add(
            "funding_source",
            funding,
            cells.get("funding_source_name", ""),
            line,
            "funding_source_name",
        ),
    ):
        if column_error is not None:
            errors.append(column_error)
    if programme is not None:
        for level, column in PROGRAMME_NAME_COLUMNS.items():
            error = names.add(
                "programme", programme.ancestor(level), cells.get(column, ""), line, column
            )
            if error is not None:
                errors.append(error)
    for account_level, column in ACCOUNT_NAME_COLUMNS.items():
        error = names.add(
            "account", account.ancestor(account_level), cells.get(column, ""), line, column
        )
        if error is not None:
            errors.append(error)
    if len(errors) > bad:
        return None
    return ImportRow(line, line_id.text, amount, tuple(months), description)


def parse_rows(frame: pd.DataFrame) -> tuple[list[ImportRow], _Names, list[RowError]]:
    """Every row parsed; every bad cell reported (the file's own rules, no ledger)."""
    errors: list[RowError] = []
    columns = [str(c) for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    for column in missing:
        errors.append(RowError(HEADER_LINE, column, "required column is missing"))
    for column in unknown:
        errors.append(RowError(HEADER_LINE, column, "unknown column (see the documented list)"))
    if len(columns) != len(set(columns)):
        errors.append(RowError(HEADER_LINE, "header", "a column appears twice"))
    if len(frame) == 0:
        errors.append(RowError(HEADER_LINE, "file", "the file has no data rows"))
    if len(frame) > FILE_ROWS_MAX:
        errors.append(RowError(HEADER_LINE, "file", f"more than {FILE_ROWS_MAX} rows"))
    names = _Names()
    if errors:
        return [], names, errors
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    present = [c for c in columns if c in KNOWN_COLUMNS]
    for index, values in enumerate(frame[present].itertuples(index=False, name=None)):
        line = FIRST_DATA_LINE + index
        cells: dict[str, str] = {}
        bad_before = len(errors)
        for column, value in zip(present, values, strict=True):
            cell_errors: list[str] = []
            cells[column] = _cell(value, column, cell_errors)
            errors.extend(RowError(line, column, reason) for reason in cell_errors)
        for column in REQUIRED_COLUMNS:
            if not cells[column] and not any(e.field == column for e in errors[bad_before:]):
                errors.append(RowError(line, column, "is empty"))
        if len(errors) > bad_before:
            continue
        row = _parse_row(line, cells, names, errors)
        if row is None:
            continue
        earlier = seen.get(row.line_id)
        if earlier is not None:
            errors.append(
                RowError(
                    line,
                    "opd/sub_kegiatan/account/funding_source",
                    f"budget line {row.line_id} is also on line {earlier}",
                )
            )
            continue
        seen[row.line_id] = line
        rows.append(row)
    return rows, names, errors


def _needed_structure(
    rows: Iterable[ImportRow],
    names: _Names,
    registered: set[tuple[str, str]],
    errors: list[RowError],
) -> list[tuple[st.Posting, int]]:
    """Registrations the rows need and the ledger lacks, parents before children."""
    needed: dict[tuple[str, str], tuple[int, int, str]] = {}  # key -> (rank, line, column)

    def need(kind: str, code: str, rank: int, line: int, column: str) -> None:
        key = (kind, code)
        if key in registered or key in needed:
            return
        needed[key] = (rank, line, column)

    for row in rows:
        line_id = parse_line_id(row.line_id)
        need("fiscal_year", str(line_id.year), 0, row.line, "year")
        opd = line_id.opd
        for bidang in opd.bidang_urusan:
            need(
                "programme",
                parse_programme_code(bidang).ancestor(ProgrammeLevel.URUSAN),
                1,
                row.line,
                "opd",
            )
            need("programme", bidang, 2, row.line, "opd")
        if line_id.sub_kegiatan is not None:
            for rank, (level, column) in enumerate(PROGRAMME_NAME_COLUMNS.items(), start=1):
                need("programme", line_id.sub_kegiatan.ancestor(level), rank, row.line, column)
        if opd.parent is not None:
            need("opd", opd.parent.text, 10, row.line, "opd")
        need("opd", opd.text, 11, row.line, "opd_name")
        for rank, (account_level, column) in enumerate(ACCOUNT_NAME_COLUMNS.items(), start=20):
            need("account", line_id.account.ancestor(account_level), rank, row.line, column)
        need("funding_source", line_id.funding_source, 30, row.line, "funding_source_name")

    out: list[tuple[st.Posting, int]] = []
    for (kind, code), (_, line, column) in sorted(
        needed.items(), key=lambda item: (item[1][0], item[0][1])
    ):
        if kind == "fiscal_year":
            name = FISCAL_YEAR_NAME.format(year=code)
        else:
            found = names.names.get((kind, code))
            if found is None:
                errors.append(
                    RowError(
                        line,
                        column,
                        f"{kind.replace('_', ' ')} {code} is not registered"
                        " on the ledger and the file gives no name for it",
                    )
                )
                continue
            name = found[0]
        out.append((st.structure(kind, code, name), line))
    return out


def plan_import(
    ledger: Ledger, frame: pd.DataFrame, raw: bytes, *, progress: Progress | None = None
) -> ImportPlan:
    """Validate a read file against the ledger and list what to post (raises if bad)."""
    file_sha256 = hashlib.sha256(raw).hexdigest()
    prefix = f"dpa-{file_sha256[:HASH_CHARS]}"
    rows, names, errors = parse_rows(frame)
    del frame  # the caller passes ownership (read_plan): text cells of a large file are big
    if errors:
        raise ImportRejected(errors, total=len(errors))
    with snapshot(ledger.engine) as snap:
        state = StoredState(snap.conn)
        registered_keys = [
            (namespace, code)
            for (kind, code) in names.names
            for namespace in (STRUCTURE_NAMESPACES[kind],)
        ]
        wanted: list[tuple[str, str]] = list(registered_keys)
        for row in rows:  # what the ledger holds of the rows' structure and postings
            line_id = parse_line_id(row.line_id)
            keys = [
                (NS_LINE, row.line_id),
                (NS_POSTING_ID, f"{prefix}-{row.line:06d}"),
                (NS_POSTING_ID, f"{prefix}-{row.line:06d}-kas"),
            ]
            keys += [
                (STRUCTURE_NAMESPACES["fiscal_year"], str(line_id.year)),
                (STRUCTURE_NAMESPACES["opd"], line_id.opd.text),
                (STRUCTURE_NAMESPACES["funding_source"], line_id.funding_source),
            ]
            if line_id.opd.parent is not None:
                keys.append((STRUCTURE_NAMESPACES["opd"], line_id.opd.parent.text))
            for bidang in line_id.opd.bidang_urusan:
                keys.append((STRUCTURE_NAMESPACES["programme"], bidang))
                keys.append((STRUCTURE_NAMESPACES["programme"], bidang.split(".")[0]))
            if line_id.sub_kegiatan is not None:
                keys += [
                    (STRUCTURE_NAMESPACES["programme"], line_id.sub_kegiatan.ancestor(lv))
                    for lv in ProgrammeLevel
                ]
            keys += [
                (STRUCTURE_NAMESPACES["account"], line_id.account.ancestor(lv))
                for lv in AccountLevel
            ]
            wanted.extend(keys)
        state.prefetch(wanted)  # a few queries of 400 keys, not one per row
        registered = {
            (kind, key)
            for (namespace, key), doc in state.cache.items()
            if doc is not None
            for kind, ns in STRUCTURE_NAMESPACES.items()
            if ns == namespace
        }
        structure = _needed_structure(rows, names, registered, errors)
        postings: list[tuple[st.Posting, int]] = list(structure)
        skipped = 0
        for row in rows:
            posting_id = f"{prefix}-{row.line:06d}"
            if state.get(NS_POSTING_ID, posting_id) is not None:
                skipped += 1
            else:
                opened = state.get(NS_LINE, row.line_id)
                if opened is not None:
                    errors.append(
                        RowError(
                            row.line,
                            "opd/sub_kegiatan/account/funding_source",
                            f"budget line {row.line_id} is already on the ledger (opened"
                            f" at seq {opened['opened_seq']}); change it with a revision",
                        )
                    )
                    continue
                postings.append(
                    (
                        st.appropriation(
                            row.line_id,
                            posting_id,
                            row.amount_sen,
                            description=row.description,
                            document=f"DPA import {prefix} line {row.line}",
                        ),
                        row.line,
                    )
                )
            if row.months:
                kas_id = f"{posting_id}-kas"
                if state.get(NS_POSTING_ID, kas_id) is not None:
                    skipped += 1
                else:
                    postings.append(
                        (
                            st.allotment(
                                row.line_id,
                                kas_id,
                                list(row.months),
                                document=f"DPA import {prefix} line {row.line}",
                            ),
                            row.line,
                        )
                    )
        tree_size = snap.tree_size
    if errors:
        raise ImportRejected(errors, total=len(errors))
    if progress is not None:
        progress("validate", len(rows), len(rows))
    return ImportPlan(
        file_sha256,
        rows,
        [p for p, _ in postings],
        skipped,
        tree_size,
        [line for _, line in postings],
    )


def check_plan(ledger: Ledger, plan: ImportPlan, *, progress: Progress | None = None) -> None:
    """The dry run (``--dry-run``): the budgeting reducers over a snapshot of the
    projection, every refusal reported against its row (raises ``ImportRejected``).

    A real import does not call this: the sequencer runs the same reducers once, in the
    transaction that logs the file, reporting every refusal (``post_plan``). The
    signer, signature and role are the sequencer's to check; here each statement is
    built unsigned (a zero signer) at the ledger's time."""
    errors: list[RowError] = []
    logged_at = format_time(ledger.clock())
    with snapshot(ledger.engine) as snap:
        state = StoredState(snap.conn)
        base = Overlay(state)
        statements = [
            Statement(p.type, p.subject, "0" * 64, logged_at, p.nonce, p.body)
            for p in plan.postings
        ]
        state.prefetch(key for s in statements for key in prefetch(s))
        for index, (statement, line) in enumerate(zip(statements, plan.posting_lines, strict=True)):
            job = Overlay(base)
            try:
                apply_statement(job, statement, Context(snap.tree_size + index, logged_at))
            except TerangError as exc:
                errors.append(RowError(line, statement.type, exc.message))
                continue
            job.commit()
            if progress is not None and (index % 1000 == 0 or index == len(statements) - 1):
                progress("check", index + 1, len(statements))
    if errors:
        raise ImportRejected(errors, total=len(errors))


def read_plan(path: Path, ledger: Ledger, *, progress: Progress | None = None) -> ImportPlan:
    return plan_import(ledger, *read_table(path), progress=progress)


# -- 3. posting ----------------------------------------------------------------------------


def post_plan(
    ledger: Ledger, key: SigningKey, plan: ImportPlan, *, progress: Progress | None = None
) -> ImportResult:
    """Sign every posting (in chunks, for progress) and log them as ONE atomic job."""
    signer = client_key_id(key)
    if not plan.postings:
        return ImportResult(
            plan.file_sha256,
            len(plan.rows),
            0,
            plan.skipped,
            None,
            None,
            ledger.size(),
            dry_run=False,
        )
    chunk = ledger.limits.batch_statements_max
    at = ledger.clock()
    signed: list[SignedStatement] = []
    for start in range(0, len(plan.postings), chunk):
        signed.extend(
            p.sign(key, at=at, origin=ledger.origin, limits=ledger.limits)
            for p in plan.postings[start : start + chunk]
        )
        if progress is not None:
            progress("sign", len(signed), len(plan.postings))
    signing_s = (ledger.clock() - at).total_seconds()
    if signing_s > ledger.limits.clock_skew_s_max / 2:
        # The statements carry the time signing began; the sequencer refuses them all
        # once that is clock_skew_s_max old. Refuse early, with the reason, instead.
        raise ClientError(
            f"signing {len(signed)} statements took {signing_s:.0f} s, too close to the"
            f" ledger's clock-skew window of {ledger.limits.clock_skew_s_max} s; split the"
            " file or import on a less loaded machine (nothing was posted)",
            code="import_too_slow",
        )
    ledger.check_genesis(signed)
    # The reducers run once, here: every refused statement is reported, none is logged.
    (result,) = ledger.sequencer.append_batch([signed], every_refusal=True)
    if isinstance(result, StatementsRefused):
        raise ImportRejected(
            [
                RowError(plan.posting_lines[index], plan.postings[index].type, error.message)
                for index, error in result.refusals
            ],
            total=len(result.refusals),
        ) from result
    if isinstance(result, TerangError):
        index = result.details.get("statement_index")
        line = (
            plan.posting_lines[index]
            if isinstance(index, int) and index < len(plan.posting_lines)
            else HEADER_LINE
        )
        raise ImportRejected(
            [
                RowError(
                    line,
                    plan.postings[index].type
                    if isinstance(index, int) and index < len(plan.postings)
                    else "file",
                    f"{result.code}: {result.message} (signer {signer})",
                )
            ],
            total=1,
        ) from result
    receipts: list[Receipt] = result
    if progress is not None:
        progress("post", len(receipts), len(receipts))
    return ImportResult(
        plan.file_sha256,
        len(plan.rows),
        sum(not r.duplicate for r in receipts),
        plan.skipped + sum(r.duplicate for r in receipts),
        receipts[0].seq,
        receipts[-1].seq,
        receipts[-1].seq + 1,
        dry_run=False,
    )


def import_file(
    ledger: Ledger,
    key: SigningKey,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, validate and (unless ``dry_run``) post a DPA file; raise ImportRejected if bad."""
    plan = read_plan(path, ledger, progress=progress)
    if dry_run:
        check_plan(ledger, plan, progress=progress)
        return ImportResult(
            plan.file_sha256,
            len(plan.rows),
            0,
            plan.skipped,
            None,
            None,
            plan.tree_size,
            dry_run=True,
        )
    return post_plan(ledger, key, plan, progress=progress)


# -- writing (tests, the bench and the docs' example files) --------------------------------


def write_table(records: list[dict[str, str]], path: Path) -> None:
    """Write rows of text cells as CSV or XLSX (every cell a text cell)."""
    frame = pd.DataFrame.from_records(records).astype(object)
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    else:
        frame.to_excel(path, index=False, engine="openpyxl")


def example_records(
    year: int, rows: int, *, opd: str = "1.02.0.00.0.00.01.0000"
) -> list[dict[str, str]]:
    """A well-formed DPA file of ``rows`` belanja lines (docs, tests and the bench):
    one OPD, sub kegiatan ``1.02.02.2.01.0001``.. and twenty accounts under each,
    every code named and a monthly cash plan that allots the whole amount."""
    accounts_per_sub = 20
    records: list[dict[str, str]] = []
    for index in range(rows):
        sub = f"1.02.02.2.01.{index // accounts_per_sub + 1:04d}"
        account = f"5.1.02.01.01.{index % accounts_per_sub + 1:04d}"
        amount = 1_000_000 * 100 + index * 1_000 * 100 + 55  # sen; a few odd sen
        monthly = amount // 12
        record = {
            "year": str(year),
            "opd": opd,
            "opd_name": "Dinas Kesehatan",
            "urusan_name": "Urusan Pemerintahan Wajib yang Berkaitan dengan Pelayanan Dasar",
            "bidang_urusan_name": "Urusan Pemerintahan Bidang Kesehatan",
            "program_name": "Program Pemenuhan Upaya Kesehatan Perorangan dan Masyarakat",
            "kegiatan_name": "Penyediaan Fasilitas Pelayanan Kesehatan",
            "sub_kegiatan": sub,
            "sub_kegiatan_name": f"Sub Kegiatan Pelayanan Kesehatan {sub[-4:]}",
            "akun_name": "Belanja Daerah",
            "kelompok_name": "Belanja Operasi",
            "jenis_name": "Belanja Barang dan Jasa",
            "objek_name": "Belanja Barang",
            "rincian_objek_name": "Belanja Barang Pakai Habis",
            "account": account,
            "account_name": f"Belanja Bahan {account[-4:]}",
            "funding_source": "DAU",
            "funding_source_name": "Dana Alokasi Umum",
            "amount": format_amount(amount),
            "description": f"Baris DPA {index + 1}",
        }
        for month, column in enumerate(MONTH_COLUMNS, start=1):
            share = amount - monthly * 11 if month == 12 else monthly
            record[column] = format_amount(share)
        records.append(record)
    return records
