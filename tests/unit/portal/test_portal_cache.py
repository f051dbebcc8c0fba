"""The explorer's figure cache: exact per version, one computation per miss, stale
values served only while one refresh runs."""

from __future__ import annotations

import threading

from portal.versioned_cache import Versioned, VersionedCache


def test_a_value_is_reused_until_its_version_moves() -> None:
    cache: VersionedCache[str] = VersionedCache(4, background=False)
    calls: list[int] = []

    def compute(version: int) -> Versioned[str]:
        calls.append(version)
        return Versioned(version, f"v{version}")

    assert cache.get("k", 1, lambda: compute(1)).value == "v1"
    assert cache.get("k", 1, lambda: compute(1)).value == "v1"
    assert calls == [1]
    assert cache.get("k", 2, lambda: compute(2)).value == "v2"
    assert calls == [1, 2]


def test_the_version_stored_is_the_one_computed_not_the_one_asked() -> None:
    cache: VersionedCache[str] = VersionedCache(4, background=False)
    # the data moved on between reading the version and computing: 5 was seen
    cache.get("k", 3, lambda: Versioned(5, "five"))
    assert cache.get("k", 4, lambda: Versioned(9, "nine")).value == "five"
    assert cache.get("k", 6, lambda: Versioned(6, "six")).value == "six"


def test_least_recently_used_keys_are_evicted() -> None:
    cache: VersionedCache[int] = VersionedCache(2, background=False)
    computed: list[str] = []

    def value(key: str) -> Versioned[int]:
        computed.append(key)
        return Versioned(1, len(computed))

    cache.get("a", 1, lambda: value("a"))
    cache.get("b", 1, lambda: value("b"))
    cache.get("a", 1, lambda: value("a"))  # a is used again: b is the oldest
    cache.get("c", 1, lambda: value("c"))
    cache.get("a", 1, lambda: value("a"))
    cache.get("b", 1, lambda: value("b"))
    assert computed == ["a", "b", "c", "b"]


def test_an_old_value_is_served_while_one_background_refresh_runs() -> None:
    cache: VersionedCache[str] = VersionedCache(4, background=True)
    cache.get("k", 1, lambda: Versioned(1, "old"))
    release = threading.Event()
    started: list[int] = []

    def slow() -> Versioned[str]:
        started.append(1)
        assert release.wait(30)
        return Versioned(2, "new")

    assert cache.get("k", 2, slow).value == "old"
    assert cache.get("k", 2, slow).value == "old"  # no second refresh while one runs
    release.set()
    cache.wait_for_refreshes(30)
    assert started == [1]
    assert cache.get("k", 2, slow).value == "new"


def test_concurrent_misses_compute_once() -> None:
    cache: VersionedCache[str] = VersionedCache(4, background=True)
    gate = threading.Event()
    calls: list[int] = []

    def compute() -> Versioned[str]:
        calls.append(1)
        assert gate.wait(30)
        return Versioned(1, "value")

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", 1, compute).value))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(30)
    assert results == ["value"] * 4
    assert calls == [1]


def test_a_failed_refresh_keeps_the_old_value() -> None:
    cache: VersionedCache[str] = VersionedCache(4, background=True)
    cache.get("k", 1, lambda: Versioned(1, "old"))

    def broken() -> Versioned[str]:
        raise RuntimeError("database went away")

    assert cache.get("k", 2, broken).value == "old"
    cache.wait_for_refreshes(30)
    # the next request serves the old value again and starts a new refresh
    assert cache.get("k", 2, lambda: Versioned(2, "new")).value == "old"
    cache.wait_for_refreshes(30)
    assert cache.get("k", 2, broken).value == "new"


def test_a_key_is_refreshed_at_most_once_per_interval() -> None:
    now = [100.0]
    cache: VersionedCache[int] = VersionedCache(
        4, background=True, refresh_interval_s=10.0, clock=lambda: now[0]
    )
    cache.get("k", 1, lambda: Versioned(1, 1))
    now[0] += 4.0
    assert cache.get("k", 2, lambda: Versioned(2, 2)).value == 1  # too soon: no refresh
    cache.wait_for_refreshes(30)
    assert cache.get("k", 2, lambda: Versioned(2, 2)).value == 1
    now[0] += 6.0
    assert cache.get("k", 2, lambda: Versioned(2, 2)).value == 1  # starts the refresh
    cache.wait_for_refreshes(30)
    assert cache.get("k", 2, lambda: Versioned(3, 3)).value == 2
