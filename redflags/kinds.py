"""Wiring: the red flag follower on procurement's statement types (composition root)."""

from __future__ import annotations

from ledger.kinds import KindRegistry
from redflags.reducer import FOLLOWED_TYPES, make_follower, prefetch


def register(registry: KindRegistry) -> None:
    """Follow procurement's kinds; call after ``procurement.kinds.register``."""
    registry.follow(FOLLOWED_TYPES, make_follower(), name="redflags", prefetch=prefetch)
