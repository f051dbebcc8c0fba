"""Every procurement statement kind, registered by the composition root."""

from __future__ import annotations

from ledger.kinds import KindRegistry, StatementKind
from procurement import vendors

KINDS: tuple[StatementKind, ...] = (*vendors.KINDS,)


def register(registry: KindRegistry) -> None:
    for kind in KINDS:
        registry.register(kind)
