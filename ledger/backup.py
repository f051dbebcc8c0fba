"""Online backup of the embedded (SQLite) database, while the service keeps writing.

SQLite's online backup API copies a consistent snapshot of the live database: the copy
holds every entry committed before the backup began and nothing half-written, and the
writer is not stopped (in WAL mode it goes on committing beside the copy). Copying the
file with ``cp`` instead can catch it between a commit and its WAL checkpoint, which is
why the docs say to use this. PostgreSQL has its own tools (pg_dump, pg_basebackup);
this module only points there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from ledger.errors import ClientError, Conflict


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int


def sqlite_path(database_url: str) -> Path:
    """The file behind a ``sqlite:///…`` URL; anything else is refused with a pointer."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise ClientError(
            "online backup here is for the embedded SQLite database; on PostgreSQL use "
            "pg_dump or pg_basebackup as docs/operating-postgresql.md#backups shows",
            code="backup_engine_unsupported",
        )
    if not url.database or url.database == ":memory:":
        raise ClientError("an in-memory database cannot be backed up", code="backup_no_file")
    return Path(url.database)


def backup_sqlite(database_url: str, destination: Path) -> BackupResult:
    """Copy the live database to ``destination`` (a new file) in one consistent step."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise ClientError(f"no database at {source_path}", code="backup_no_file")
    if destination.exists():
        raise Conflict(
            f"{destination} exists; a backup never overwrites a file (choose a new name)",
            code="backup_exists",
        )
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)  # what an interrupted earlier backup left behind
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot
        finally:
            target.close()
    finally:
        source.close()
    partial.rename(destination)  # only a complete copy ever carries the final name
    return BackupResult(destination, destination.stat().st_size)
