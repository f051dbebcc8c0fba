"""Running the alembic migrations from code (``terang db upgrade``, init, serve), and the
hook a migration calls when its release changes what reducers write
(``request_projection_rebuild``; the rebuild itself is ``audit.rebuild``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select
from sqlalchemy.engine import Connection

from ledger import storage
from ledger.clock import utc_now

SCRIPT_LOCATION = Path(__file__).resolve().parent / "schema"
"""The alembic environment and versions, shipped inside the ``ledger`` package (package
data), so an installed release (a wheel, the container) migrates without the checkout."""


def _config() -> Config:
    # No ini file: everything alembic needs is set here (alembic.ini at the repository
    # root only points the `alembic` command of a developer at the same directory).
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    return str(head)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest revision (no-op when it is already there), or to
    ``revision`` (tests build an older release's schema with it)."""
    if current_revision(engine) == (head_revision() if revision == "head" else revision):
        return
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def request_projection_rebuild(
    conn: Connection, revision: str, reason: str, *, only_if_entries: bool = False
) -> bool:
    """Ask for ``terang rebuild-projections``: call from a migration's ``upgrade()``.

    For a migration whose release changes what a reducer writes (a new namespace, a new
    field, a different figure): ``request_projection_rebuild(op.get_bind(), revision,
    "why")``. The request is a row of ``projection_rebuild_requests`` (migration 0005)
    written in the migration's own transaction, so it exists exactly when the migration
    was applied; ``terang db upgrade`` (and ``serve``, ``init``) then rebuild, and the
    rebuild deletes it in the transaction that swaps the new projections in.
    ``only_if_entries``: skip an empty log (nothing to rebuild). Returns whether a
    request was written; asking twice under one revision keeps the first.
    """

    from ledger.statement import format_time

    if only_if_entries and storage.tree_size(conn) == 0:
        return False
    requests = storage.projection_rebuild_requests
    exists = conn.execute(
        select(requests.c.revision).where(requests.c.revision == revision)
    ).first()
    if exists is not None:
        return False
    conn.execute(
        requests.insert().values(
            revision=revision,
            reason=reason,
            requested_at=format_time(utc_now()),  # for operators only
        )
    )
    return True


def pending_projection_rebuilds(engine: Engine) -> list[tuple[str, str]]:
    """(revision, reason) of every rebuild a migration asked for and none has done yet."""
    requests = storage.projection_rebuild_requests
    with engine.connect() as conn:
        if not inspect(conn).has_table(requests.name):
            return []  # a schema before 0005 (upgrade first)
        rows = conn.execute(
            select(requests.c.revision, requests.c.reason).order_by(requests.c.revision)
        ).all()
    return [(str(r.revision), str(r.reason)) for r in rows]
