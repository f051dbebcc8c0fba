"""The catalogue of statement types: which roles may sign each, and its reducer.

Modules (budgeting, procurement, the ledger's own authority registry) register
their kinds here at start-up; the ledger imports none of them. The sequencer and the
verifier look a statement's type up in the same catalogue, so a write accepted by
the server is replayed by the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ledger.errors import ClientError, Conflict, InvariantBroken
from ledger.state import State
from ledger.statement import LoggedEntry, Statement

ROLES = frozenset(
    {
        "authority",
        "finance",
        "procurement_officer",
        "committee_member",
        "vendor",
        "auditor",
        # May sign only procurement.tender.closed: the server's closer holds it, so a
        # key kept on the server cannot open, evaluate or award anything.
        "tender_closer",
    }
)


class Rejected(Conflict):
    """A reducer refused a statement given the current state (409): nothing is logged."""

    code = "rejected"


class UnknownType(ClientError):
    code = "unknown_statement_type"


Reducer = Callable[[State, LoggedEntry], None]
StateKey = tuple[str, str]
Prefetch = Callable[[Statement], Iterable[StateKey]]


def no_prefetch(_: Statement) -> Iterable[StateKey]:
    return ()


@dataclass(frozen=True)
class StatementKind:
    """One statement type.

    ``roles``: the signer must hold at least one of them at this point of the log.
    ``self_signed``: the signer need not be registered yet, because the statement
    registers the signer's own key (vendor self-registration); the reducer checks it.
    ``prefetch``: the state keys the reducer will read, if known from the statement
    alone; the sequencer loads them for a whole batch in one query. A hint only:
    a key not named is still read on demand.
    """

    type: str
    roles: frozenset[str]
    reduce: Reducer
    description: str = ""
    self_signed: bool = False
    prefetch: Prefetch = no_prefetch

    def __post_init__(self) -> None:
        unknown = self.roles - ROLES
        if unknown:
            raise InvariantBroken(f"{self.type}: unknown role(s) {sorted(unknown)}")
        if not self.roles and not self.self_signed:
            raise InvariantBroken(f"{self.type}: a kind needs roles or self_signed")


class KindRegistry:
    def __init__(self, kinds: Iterable[StatementKind] = ()) -> None:
        self._kinds: dict[str, StatementKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: StatementKind) -> None:
        if kind.type in self._kinds:
            raise InvariantBroken(f"statement type {kind.type} registered twice")
        self._kinds[kind.type] = kind

    def get(self, statement_type: str) -> StatementKind:
        kind = self._kinds.get(statement_type)
        if kind is None:
            raise UnknownType(
                f"unknown statement type {statement_type!r}",
                statement_type=statement_type,
            )
        return kind

    def types(self) -> list[str]:
        return sorted(self._kinds)
