"""Wait for the database server before starting the service (``terang serve``).

A service started by systemd or a container runtime often comes up before its
PostgreSQL does (a reboot, a failover still electing a primary). Exiting with a
traceback then depends on the supervisor's restart policy to try again; instead the
service waits, says so on every try, and gives up with a clear error after
``wait_s``. SQLite is a file, not a server: an error opening it does not pass by
waiting, so it is reported at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.exc import InterfaceError, OperationalError

from ledger.errors import DatabaseUnavailable
from ledger.limits import DB_WAIT_BACKOFF_S_MAX

WAIT_BACKOFF_S = 0.5
"""First pause between tries; doubled after each failure up to ``DB_WAIT_BACKOFF_S_MAX``."""


def first_line(error: BaseException) -> str:
    """The driver's message without SQLAlchemy's SQL and background-link footer."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def wait_for_database(
    engine: Engine,
    wait_s: float,
    *,
    report: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once ``SELECT 1`` succeeds; raise ``DatabaseUnavailable`` after ``wait_s``.

    ``report`` gets one line per failed try (where, why, when the next try is), so
    the operator sees a wait, not a hang.
    """
    where = engine.url.render_as_string(hide_password=True)
    deadline = clock() + wait_s
    pause = WAIT_BACKOFF_S
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except (OperationalError, InterfaceError) as error:
            reason = first_line(error)
            left = deadline - clock()
            if engine.dialect.name == "sqlite" or left <= 0:
                raise DatabaseUnavailable(
                    f"cannot reach the database at {where}: {reason}. Start it (or fix "
                    "--db / TERANG_DATABASE_URL), then run terang serve again"
                    + ("" if engine.dialect.name == "sqlite" else f"; waited {wait_s:g} s"),
                ) from error
            pause = min(pause, left)
            report(
                f"waiting for the database at {where}: {reason}; "
                f"next try in {pause:.1f} s (giving up in {left:.0f} s)"
            )
            sleep(pause)
            pause = min(pause * 2, DB_WAIT_BACKOFF_S_MAX)
