"""Every procurement statement kind, registered by the composition root.

Each module in ``MODULES`` lists its statement types in one table, ``REDUCERS``, of
``procurement.registration.ProcurementKind`` rows (the shape is described there);
``make_kinds`` binds one rule book to every row, in this order. A new module that owns
statement types is added to ``MODULES`` and to nothing else.
"""

from __future__ import annotations

from ledger.kinds import KindRegistry, StatementKind
from procurement import award, bids, contracts, evaluation, members, rup, tender, vendors
from procurement.registration import ProcurementKind, bind_all
from procurement.rules import RULES, RuleBook

MODULES = (vendors, rup, tender, bids, evaluation, award, contracts, members)
TABLE: tuple[ProcurementKind, ...] = tuple(row for module in MODULES for row in module.REDUCERS)
"""Every row of every module's ``REDUCERS``, before a rule book is bound."""


def make_kinds(rules: RuleBook = RULES) -> tuple[StatementKind, ...]:
    return bind_all(TABLE, rules)


def register(registry: KindRegistry, rules: RuleBook = RULES) -> None:
    for kind in make_kinds(rules):
        registry.register(kind)
