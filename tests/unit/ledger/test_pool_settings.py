"""Connection pool sizes are settings (issue 17, item 9), checked when the service starts."""

from __future__ import annotations

import pytest

from ledger.errors import BadSetting
from ledger.service import Settings

PG_URL = "postgresql+psycopg2://terang@127.0.0.1:5432/terang"


def test_pool_sizes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERANG_DB_POOL_SIZE", "4")
    monkeypatch.setenv("TERANG_DB_MAX_OVERFLOW", "0")
    engine = Settings.from_env(database_url=PG_URL).make_engine()  # does not connect
    try:
        assert engine.pool.size() == 4  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@pytest.mark.parametrize("raw", ["ten", "-1", "1.5", "٣"])
def test_a_pool_size_that_is_not_a_whole_number_is_named(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("TERANG_DB_POOL_SIZE", raw)
    with pytest.raises(BadSetting, match="TERANG_DB_POOL_SIZE must be a whole number"):
        Settings.from_env(database_url=PG_URL)
