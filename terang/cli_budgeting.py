"""``terang budget-import``: load a DPA/APBD file (CSV or XLSX) onto the ledger.

Every row is validated first (file, codes, amounts, names, and a dry run of the
budgeting rules against the ledger); any bad row prints its line, field and reason,
and nothing is posted (exit 1). A good file is signed here, with your key, and
logged as one atomic job. Re-running the same file posts nothing twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ledger.defaults import DEFAULT_DATABASE_URL
from ledger.errors import TerangError

console = Console(stderr=True)
STAGE_LABELS = {
    "validate": "validating rows",
    "check": "checking the budget rules (dry run)",
    "sign": "signing",
    "post": "logging (the budget rules checked as it logs)",
}


def budget_import_command(
    file: Annotated[Path, typer.Argument(help="The DPA file: .csv (UTF-8) or .xlsx.")],
    key: Annotated[
        Path,
        typer.Option("--key", envvar="TERANG_KEY", help="Your client key (finance role)."),
    ],
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="TERANG_DATABASE_URL",
            help="SQLAlchemy URL of the ledger database (the import runs in this process).",
        ),
    ] = DEFAULT_DATABASE_URL,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="TERANG_IMPORT_URL",
            help="Not supported yet: import through a running service's HTTP API.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; post nothing.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Import a DPA/APBD file: validate every row, then post it atomically."""
    from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

    from budgeting.importer import ImportRejected, import_file
    from ledger.keys import load_client_key
    from ledger.service import Ledger, Settings
    from terang.app import all_kinds
    from terang.cli_rebuild import rebuild_if_requested

    if url is not None:
        raise TerangError(
            "--url is not supported yet: one file is one atomic job, which the HTTP batch"
            " API (limited to batch_statements_max statements) cannot offer; use --db",
            code="not_supported",
        )
    signing_key = load_client_key(key)
    ledger = Ledger(Settings.from_env(database_url=db), all_kinds())
    rebuild_if_requested(ledger.engine)  # before writing against the old rows
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not progress,
    )
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    try:
        with bar:
            result = import_file(ledger, signing_key, file, dry_run=dry_run, progress=report)
        if not dry_run and result.posted:
            ledger.publisher.publish(force=True)
    except ImportRejected as rejected:
        for error in rejected.errors:
            console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise
    finally:
        ledger.close()
    typer.echo(json.dumps(result.as_dict(), indent=2))
