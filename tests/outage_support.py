"""A PostgreSQL outage on demand: the database refuses connections until allowed again.

Used by the outage tests (tests/integration/test_database_outage.py,
test_serve_waits_for_database.py); needs a throwaway cluster the test owns.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def set_outage(database_url: str, *, down: bool) -> None:
    """Refuse (or allow again) connections to the database and drop the open ones."""
    name = make_url(database_url).database
    admin = create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not down).lower()}'))
            if down:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )
    finally:
        admin.dispose()
