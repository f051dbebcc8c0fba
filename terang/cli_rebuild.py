"""``terang rebuild-projections``, and the rebuild that ``db upgrade``, ``serve`` and
``init`` run when a migration asked for one (``audit.rebuild`` does the work)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ledger.defaults import DEFAULT_DATABASE_URL
from ledger.errors import ClientError, DatabaseUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from audit.rebuild import RebuildReport

# Imported inside the functions: the database layer, so that `terang --help` and client
# commands start without it (terang/cli.py).

console = Console(stderr=True)
PROGRESS_INTERVAL_S = 2.0
"""Seconds between progress lines on stderr (plain lines: readable in a journal too)."""


class _ProgressLines:
    """``entries done/total`` on stderr every ``PROGRESS_INTERVAL_S``, and at the end."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.printed_at = self.started

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.printed_at < PROGRESS_INTERVAL_S and done < total):
            return
        self.printed_at = now
        rate = done / max(now - self.started, 1e-6)
        percent = 100 * done // max(total, 1)
        console.print(
            f"rebuild-projections: {done:,}/{total:,} entries replayed ({percent}%), "
            f"{rate:,.0f} entries/s",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def run_rebuild(engine: Engine, *, dry_run: bool = False, progress: bool = True) -> RebuildReport:
    from audit.rebuild import rebuild_projections
    from ledger.limits import Limits
    from terang.app import all_kinds

    return rebuild_projections(
        engine,
        all_kinds(),
        Limits.from_env(),
        dry_run=dry_run,
        on_progress=_ProgressLines(progress),
    )


def _print(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def _say_after(report: RebuildReport, say: Callable[[str], None] = _print) -> None:
    if report.changed and not report.dry_run:
        say(
            f"rebuild-projections: {report.changed} row{'s' if report.changed > 1 else ''} "
            "changed. Restart any running "
            "`terang serve` on this database so its cached budget sums are recomputed."
        )


def rebuild_if_requested(
    engine: Engine, *, progress: bool = True, say: Callable[[str], None] = _print
) -> RebuildReport | None:
    """Run the rebuild a migration asked for (``projection_rebuild_requests``), if any.

    ``say`` gets each line for the operator (``serve --log-format json`` logs them).
    """
    from ledger import migrations

    pending = migrations.pending_projection_rebuilds(engine)
    if not pending:
        return None
    for revision, reason in pending:
        say(f"rebuild-projections: migration {revision} asks for a rebuild: {reason}")
    report = run_rebuild(engine, progress=progress)
    _say_after(report, say)
    return report


def rebuild_projections_command(
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="TERANG_DATABASE_URL",
            help="SQLAlchemy URL: sqlite:///./terang.db (default) or postgresql+psycopg2://...",
        ),
    ] = DEFAULT_DATABASE_URL,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Replay and compare, report what would change, write nothing (writes "
            "still pause for the comparison).",
        ),
    ] = False,
    progress: Annotated[
        bool, typer.Option(help="Print entries replayed / total on stderr every 2 s.")
    ] = True,
) -> None:
    """Replay the log into fresh projections and swap them in, while serving.

    Projections (keys and roles, budget lines, tenders, bids, vendors: the
    projection_rows table) are a function of the log. When an upgrade changes
    what a reducer writes, or a row was changed behind the service's back,
    they no longer match the log, and `terang verify` fails with
    projection_mismatch, projection_missing or projection_unknown. This
    rebuilds them from entry 0 with this release's reducers:

    1. it replays every entry with the verifier's checks (chain, signatures,
    roles, module rules) into a fresh in-memory state, holding no lock: the
    service keeps reading and writing;

    2. it takes the sequencer's write lock, replays the entries appended
    meanwhile and writes the difference into projection_rows in ONE
    transaction: readers see all of the old rows or all of the new, never an
    empty table. Writes pause for this step only (write_pause_s in the
    report); they wait in the queue and are not lost.

    It never writes the log (entries, tree nodes, checkpoints, cosignatures)
    or stored documents. Running it again changes nothing. If the log does
    not replay under this release (rebuild_log_fault), nothing is changed.

    `terang db upgrade`, `serve` and `init` run it themselves when a migration
    asks for it. Prints a JSON report. Exit status 0 on success, 1 on an error
    (printed with its code). See docs/operating.md, "Upgrades".
    """
    from sqlalchemy.exc import OperationalError

    from ledger import storage

    _refuse_missing_sqlite_file(db)
    engine = storage.make_engine(db)
    try:
        report = run_rebuild(engine, dry_run=dry_run, progress=progress)
    except OperationalError as exc:
        raise DatabaseUnavailable(
            f"the database failed during the rebuild ({type(exc.orig).__name__}: "
            f"{str(exc.orig).strip()[:200]}); nothing was changed (the swap is one "
            "transaction): run it again once the database is back"
        ) from exc
    finally:
        engine.dispose()
    _say_after(report)
    typer.echo(json.dumps(report.to_json(), indent=2))


def _refuse_missing_sqlite_file(db: str) -> None:
    """SQLite would create an empty file for a mistyped path; say so instead."""
    from sqlalchemy.engine import make_url

    url = make_url(db)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        raise ClientError(
            f"no database at {file} (check --db / TERANG_DATABASE_URL)",
            code="rebuild_no_database",
        )
