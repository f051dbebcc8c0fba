"""Every procurement statement kind, registered by the composition root."""

from __future__ import annotations

from ledger.kinds import KindRegistry, StatementKind
from procurement import award, bids, contracts, members, rup, tender, vendors
from procurement.registration import bind_all
from procurement.rules import RULES, RuleBook


def make_kinds(rules: RuleBook = RULES) -> tuple[StatementKind, ...]:
    return (
        *vendors.KINDS,
        *rup.make_kinds(rules),
        *bind_all(tender.REDUCERS, rules),
        *bids.make_kinds(rules),
        *award.KINDS,
        *contracts.make_kinds(rules),
        *members.KINDS,
    )


def register(registry: KindRegistry, rules: RuleBook = RULES) -> None:
    for kind in make_kinds(rules):
        registry.register(kind)
