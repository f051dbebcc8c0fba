"""Rate limits (ledger.ratelimit), the heavy-read rule and the abuse limits' cross-checks:
pure code, a fake monotonic clock, no database."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.errors import InvariantBroken, TooManyRequests
from ledger.limits import Limits
from ledger.ratelimit import RateLimiter
from terang.limits_middleware import is_heavy_read


class FakeMonotonic:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


def limiter(per_minute: int, clock: FakeMonotonic, keys_max: int = 100) -> RateLimiter:
    return RateLimiter("test_per_min_max", per_minute, 60.0, keys_max=keys_max, clock=clock)


def test_a_bucket_allows_its_burst_then_refuses_with_the_wait() -> None:
    clock = FakeMonotonic()
    bucket = limiter(60, clock)  # one a second
    for _ in range(60):
        bucket.take("a")
    with pytest.raises(TooManyRequests) as refused:
        bucket.take("a")
    assert refused.value.http_status == 429
    assert refused.value.retry_after_s == 1
    assert refused.value.details["limit"] == "test_per_min_max"
    bucket.take("b")  # another key has its own bucket


def test_a_bucket_refills_evenly_and_a_refusal_spends_nothing() -> None:
    clock = FakeMonotonic()
    bucket = limiter(60, clock)
    bucket.take("a", 60)
    with pytest.raises(TooManyRequests) as refused:
        bucket.take("a", 10)
    assert refused.value.retry_after_s == 10
    clock.now_s += 10
    bucket.take("a", 10)  # the refused attempt took nothing: 10 s gave back 10
    with pytest.raises(TooManyRequests):
        bucket.take("a", 1)
    clock.now_s += 3600
    bucket.take("a", 60)  # full again, never more than full
    with pytest.raises(TooManyRequests):
        bucket.take("a", 1)


def test_zero_turns_a_limit_off() -> None:
    bucket = limiter(0, FakeMonotonic())
    for _ in range(10_000):
        bucket.take("a", 1000)


def test_memory_is_bounded_and_the_least_recently_seen_go_first() -> None:
    clock = FakeMonotonic()
    bucket = limiter(1, clock, keys_max=2)
    bucket.take("a")
    bucket.take("b")
    bucket.take("c")  # forgets "a", the least recently seen
    assert len(bucket._buckets) == 2
    bucket.take("a")  # a forgotten bucket comes back full
    with pytest.raises(TooManyRequests):
        bucket.take("a")


def test_big_pages_bulk_reads_reports_bundles_and_exports_are_heavy() -> None:
    def scope(method: str, path: str, query: bytes = b"") -> dict[str, Any]:
        return {"method": method, "path": path, "query_string": query}

    assert is_heavy_read(scope("GET", "/api/v1/entries", b"limit=1000"), 100)
    assert not is_heavy_read(scope("GET", "/api/v1/entries", b"limit=100"), 100)
    assert not is_heavy_read(scope("GET", "/api/v1/entries", b"limit=abc"), 100)
    assert is_heavy_read(scope("GET", "/api/v1/procurement/ocds/records", b"year=2026"), 100)
    assert is_heavy_read(scope("HEAD", "/api/v1/budget/reports/lra", b"year=2026"), 100)
    assert is_heavy_read(scope("GET", "/api/v1/records/ocds-abc/bundle"), 100)
    assert is_heavy_read(scope("GET", "/tender.csv"), 100)
    assert not is_heavy_read(scope("GET", "/log/checkpoint"), 100)
    assert not is_heavy_read(scope("GET", "/log/tile/0/000"), 100)
    assert not is_heavy_read(scope("POST", "/api/v1/procurement/ocds/records"), 100)


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_statements_per_min_max": 999},  # a full batch could never be admitted
        {"signer_statements_per_min_max": 999},
        {"client_self_registrations_per_hour_max": 5},  # below the per-request figure
        {"heavy_reads_max": 0},
        {"request_body_read_ms_max": 0},
    ],
)
def test_limits_that_contradict_each_other_are_refused(overrides: dict[str, int]) -> None:
    with pytest.raises(InvariantBroken):
        Limits(**overrides)


def test_the_abuse_limits_come_from_the_environment() -> None:
    limits = Limits.from_env(
        {"TERANG_CLIENT_WRITE_REQUESTS_PER_MIN_MAX": "0", "TERANG_HEAVY_READS_MAX": "2"}
    )
    assert limits.client_write_requests_per_min_max == 0
    assert limits.heavy_reads_max == 2
    assert Limits.from_env({}).client_statements_per_min_max == 10_000
    assert Limits(client_statements_per_min_max=0).client_statements_per_min_max == 0  # off


def test_check_refuses_an_empty_bucket_without_spending() -> None:
    clock = FakeMonotonic()
    bucket = limiter(60, clock)
    bucket.check("a", 60)
    bucket.take("a", 60)  # check spent nothing: all 60 are still there
    with pytest.raises(TooManyRequests):
        bucket.check("a")
