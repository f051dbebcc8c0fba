"""Test helper: the demo kabupaten built once per test module and engine.

``terang demo`` takes seconds (more on PostgreSQL), and the portal's tests only read,
so a module builds it once per engine through ``demo_site`` and every test of the
module shares it. Not a test module: test modules wrap ``demo_site`` in their own
module-scoped fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Harness, _fresh_postgres_database, make_harness

from terang.demo import load_demo

ENGINES = ["sqlite", "postgresql"]


@dataclass
class DemoSite:
    harness: Harness
    summary: dict[str, Any]

    @property
    def year(self) -> int:
        return int(self.summary["budget_year"])


def demo_site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    """Yield the demo on ``request.param`` (``sqlite`` or ``postgresql``), then drop it."""
    workdir = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        databases: Iterator[str] = iter([f"sqlite:///{workdir / 'terang.db'}"])
    else:
        databases = _fresh_postgres_database(request.getfixturevalue("postgres_server_url"))
    url = next(databases)
    harness = make_harness(url)
    try:
        summary = load_demo(harness.ledger, harness.authority, workdir / "keys")
        harness.ledger.publisher.publish(force=True)  # a checkpoint covering every entry
        yield DemoSite(harness, summary)
    finally:
        harness.ledger.close()
        next(databases, None)  # drops the PostgreSQL database
