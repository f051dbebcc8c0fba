"""Rate limits per client (IP address) and per signer (key id): token buckets.

Each bucket holds up to its limit (``client_write_requests_per_min_max`` = 600: up to
600 tokens) and refills evenly over its window (10 a second). A request spends what it
costs (1 per request, or 1 per statement); a request that finds too few tokens is
refused with ``TooManyRequests`` (429) and a Retry-After of the seconds until enough
have come back, and spends nothing. A limit of 0 turns its bucket off.

Guarantees:

1. Memory is bounded: at most ``rate_limited_clients_max`` buckets per limit; the least
   recently used go first. A forgotten bucket comes back full, which costs at most one
   window's worth of requests from a client that was idle longest.
2. Thread-safe: the event loop (the middleware) and request worker threads (the write
   API) take from the same buckets.
3. Time is ``time.monotonic``, not the ledger's clock: a bucket measures elapsed time,
   which a wall clock set back (or a test's fixed clock) would not.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ledger.errors import TooManyRequests
from ledger.limits import Limits

MINUTE_S = 60.0
HOUR_S = 3600.0


@dataclass
class _Bucket:
    tokens: float
    updated_s: float


class RateLimiter:
    """One limit (its setting's ``name``): a bucket per key."""

    def __init__(
        self,
        name: str,
        per_window: int,
        window_s: float,
        *,
        keys_max: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.capacity = float(per_window)
        self.refill_per_s = per_window / window_s
        self.keys_max = keys_max
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def take(self, key: str, cost: int = 1) -> None:
        """Spend ``cost`` tokens of ``key``'s bucket, or raise ``TooManyRequests``."""
        self._spend(key, cost, spend=True)

    def check(self, key: str, cost: int = 1) -> None:
        """Raise ``TooManyRequests`` unless ``key`` holds ``cost`` tokens; spend none
        (a request whose cost is known only after its body was read is turned away
        before reading it when its client could not pay even the least)."""
        self._spend(key, cost, spend=False)

    def _spend(self, key: str, cost: int, *, spend: bool) -> None:
        if not self.enabled or cost <= 0:
            return
        with self._lock:
            now = self.clock()
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(self.capacity, now)
            else:
                elapsed = max(0.0, now - bucket.updated_s)
                bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.refill_per_s)
                bucket.updated_s = now
            self._buckets[key] = bucket  # most recently used last
            while len(self._buckets) > self.keys_max:
                self._buckets.popitem(last=False)
            if bucket.tokens >= cost:
                if spend:
                    bucket.tokens -= cost
                return
            missing = cost - bucket.tokens
        retry_after_s = max(1, math.ceil(missing / self.refill_per_s))
        raise TooManyRequests(
            f"{self.name}: {key} has spent its rate ({int(self.capacity)} per "
            f"{self._window_text()}); retry after {retry_after_s} s",
            retry_after_s=retry_after_s,
            limit=self.name,
        )

    def _window_text(self) -> str:
        window_s = self.capacity / self.refill_per_s
        return "hour" if window_s >= HOUR_S else "minute"


class RateLimits:
    """Every rate limit of one service, built from its ``Limits``."""

    def __init__(self, limits: Limits, *, clock: Callable[[], float] = time.monotonic) -> None:
        keys_max = limits.rate_limited_clients_max

        def limiter(name: str, window_s: float) -> RateLimiter:
            per_window: int = getattr(limits, name)
            return RateLimiter(name, per_window, window_s, keys_max=keys_max, clock=clock)

        self.client_reads = limiter("client_read_requests_per_min_max", MINUTE_S)
        self.client_writes = limiter("client_write_requests_per_min_max", MINUTE_S)
        self.client_statements = limiter("client_statements_per_min_max", MINUTE_S)
        self.signer_statements = limiter("signer_statements_per_min_max", MINUTE_S)
        self.client_self_registrations = limiter("client_self_registrations_per_hour_max", HOUR_S)
