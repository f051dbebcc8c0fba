"""Figures that are costly to compute, kept per version of the data they summarise.

The budget explorer sums every line of a fiscal year (seconds at 50,000 lines: see
``bench/results/budgeting.json``), far over a page's time budget. But the sums change
only when a posting of that year is logged, and every such posting rewrites the fiscal
year's document, so its ``updated_seq`` is a version: sums computed at that version
are exact for as long as it stays the same.

Rules:

1. A value is stored with the version it was computed at (``compute`` reads the data
   and says which version it saw), never the version a caller asked for.
2. A miss (no value for the key at all) computes in the caller's thread, once: other
   callers of the same key wait for it rather than compute it again.
3. An older value is served at once while ONE background refresh computes the new
   one, so a busy log never makes visitors wait for the sums; a page shows the tree
   size its figures are as of, so a stale value is labelled as such.
4. A key is refreshed at most once per ``refresh_interval_s`` (from the end of its
   last computation): while postings stream in, the sums cost at most one computation
   per interval, not one per posting. Staleness is bounded by the interval plus one
   computation.
5. At most ``entries_max`` keys are kept (least recently used evicted).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ledger.errors import InvariantBroken, require

log = logging.getLogger(__name__)

V = TypeVar("V")


@dataclass(frozen=True)
class Versioned(Generic[V]):
    version: int
    value: V


class VersionedCache(Generic[V]):
    def __init__(
        self,
        entries_max: int,
        *,
        background: bool = True,
        refresh_interval_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        require(entries_max >= 1, InvariantBroken("a cache keeps at least one entry"))
        self.entries_max = entries_max
        self.background = background
        self.refresh_interval_s = refresh_interval_s
        self.clock = clock
        self._values: OrderedDict[Hashable, Versioned[V]] = OrderedDict()
        self._computed_at: dict[Hashable, float] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._refreshing: dict[Hashable, threading.Thread] = {}

    def get(self, key: Hashable, version: int, compute: Callable[[], Versioned[V]]) -> Versioned[V]:
        """The value of ``key`` at ``version`` or, while it is being refreshed, an older one."""
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                if found.version >= version:
                    return found
                if self.background:
                    fresh = self.clock() - self._computed_at.get(key, 0.0)
                    if key not in self._refreshing and fresh >= self.refresh_interval_s:
                        thread = threading.Thread(
                            target=self._refresh, args=(key, compute), daemon=True
                        )
                        self._refreshing[key] = thread
                        thread.start()
                    return found
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._values.get(key)
                if found is not None and found.version >= version:
                    return found
            return self._store(key, compute())

    def _refresh(self, key: Hashable, compute: Callable[[], Versioned[V]]) -> None:
        try:
            self._store(key, compute())
        except Exception:  # a failed refresh keeps the old value; the next request retries
            log.exception("refreshing cached figures for %r failed", key)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def _store(self, key: Hashable, computed: Versioned[V]) -> Versioned[V]:
        with self._lock:
            current = self._values.get(key)
            if current is None or computed.version >= current.version:
                self._values[key] = computed
            self._computed_at[key] = self.clock()
            self._values.move_to_end(key)
            while len(self._values) > self.entries_max:
                evicted, _ = self._values.popitem(last=False)
                self._key_locks.pop(evicted, None)
                self._computed_at.pop(evicted, None)
            return self._values[key]

    def wait_for_refreshes(self, timeout_s: float) -> None:
        """Join the refreshes running now (a clean shutdown; tests)."""
        with self._lock:
            running = list(self._refreshing.values())
        for thread in running:
            thread.join(timeout_s)
