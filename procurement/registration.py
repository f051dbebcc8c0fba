"""How a procurement module registers its statement types: one table, rules as data.

The one shape (issue 11 item 3), followed by every procurement module that owns
statement types (``procurement.kinds.MODULES``):

1. A reducer is a small module-level function ``reduce_<step>(state, entry, rules)``.
   The rule book is an argument, not a closure: the reducer can be read, called and
   tested on its own, and the rules it applies are visible at the call. It reads a rule
   set only through ``rules.in_force(at)`` (a step judged under the set in force at its
   logging time) or ``rules.by_id(doc["rule_set"])`` (a tender judged under the set it
   was announced under). A reducer that applies no rule takes the argument and ignores
   it, so every row has the same shape.
2. The module lists its reducers in one table, ``REDUCERS``: a tuple of
   ``ProcurementKind`` rows, one per statement type (type, signer roles, reducer, the
   description, the prefetch hint, and ``self_signed`` for a self-registration). Two
   types may share one reducer (a bid submitted or replaced).
3. ``procurement.kinds.make_kinds`` binds one rule book to every row of every module
   (``ProcurementKind.bind``) and nothing else builds a procurement
   ``ledger.kinds.StatementKind``. Tests pass their own rule book the same way.

Nothing here reads a clock, a database or a file: binding is a pure function of the
table and the rule book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ledger.kinds import Prefetch, StatementKind
from ledger.state import State
from ledger.statement import LoggedEntry
from procurement.rules import RuleBook

Reducer = Callable[[State, LoggedEntry, RuleBook], None]
"""A procurement reducer: the state, the entry and the rule book, passed as data."""


@dataclass(frozen=True)
class ProcurementKind:
    """One row of a module's ``REDUCERS`` table: a statement type before its rules."""

    type: str
    roles: frozenset[str]
    reduce: Reducer
    description: str
    prefetch: Prefetch
    self_signed: bool = False
    """As ``ledger.kinds.StatementKind.self_signed``: the statement registers its signer."""

    def bind(self, rules: RuleBook) -> StatementKind:
        """The ledger's kind for this row, its reducer applying ``rules``."""
        return StatementKind(
            self.type,
            self.roles,
            partial(_apply, self.reduce, rules),
            self.description,
            self_signed=self.self_signed,
            prefetch=self.prefetch,
        )


def _apply(reduce: Reducer, rules: RuleBook, state: State, entry: LoggedEntry) -> None:
    reduce(state, entry, rules)


def bind_all(table: tuple[ProcurementKind, ...], rules: RuleBook) -> tuple[StatementKind, ...]:
    """Every row of ``table`` bound to ``rules``, in table order."""
    return tuple(row.bind(rules) for row in table)
