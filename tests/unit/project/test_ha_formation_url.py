"""The formation's multi-host URL means to libpq what docs/operating-postgresql.md says.

SQLAlchemy's psycopg2 dialect turns repeated ``host=H:P`` query parameters into libpq's
``host=H1,H2 port=P1,P2``; ``target_session_attrs`` and ``connect_timeout`` pass through
to libpq unchanged. No database: only what the dialect would hand to ``psycopg2.connect``.
"""

from __future__ import annotations

import importlib.util
import sys

from conftest import REPO
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url


def test_the_multi_host_url_names_every_node_and_asks_for_the_writable_one() -> None:
    spec = importlib.util.spec_from_file_location(
        "terang_pg_ha_formation_url", REPO / "scripts" / "pg_ha_formation.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    spec.loader.exec_module(script)

    url = script.multi_host_url([5433, 5434])
    engine = create_engine(url)
    try:
        _, kwargs = engine.dialect.create_connect_args(make_url(url))
    finally:
        engine.dispose()
    assert kwargs["host"] == "127.0.0.1,127.0.0.1"
    assert kwargs["port"] == "5433,5434"
    assert kwargs["dbname"] == "terang_ha" and kwargs["user"] == "postgres"
    assert kwargs["target_session_attrs"] == "read-write"
    assert kwargs["connect_timeout"] == "2"
    # The libpq form, for psql and pg_dump: the same hosts in the authority part.
    assert script.multi_host_url([5433, 5434], driver="") == (
        "postgresql://postgres@127.0.0.1:5433,127.0.0.1:5434/terang_ha"
        "?target_session_attrs=read-write&connect_timeout=2"
    )
