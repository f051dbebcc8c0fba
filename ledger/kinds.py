"""The catalogue of statement types: which roles may sign each, and its reducer.

Modules (budgeting, procurement, the ledger's own authority registry) register
their kinds here at start-up; the ledger imports none of them. The sequencer and the
verifier look a statement's type up in the same catalogue, so a write accepted by
the server is replayed by the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

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
        # The kepala daerah (bupati, wali kota, gubernur): approves a multi-year contract
        # (kontrak tahun jamak) where the procurement rule set in force allows it.
        "head_of_region",
        # Planning (planning/, e-musrenbang → RKPD): who proposes and who decides.
        "desa_proposer",
        "community_proposer",
        "dprd",
        "kecamatan_forum",
        "kabupaten_forum",
        "bappeda",
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

    def follow(
        self,
        types: Iterable[str],
        follower: Reducer,
        *,
        name: str,
        prefetch: Prefetch = no_prefetch,
    ) -> None:
        """Run ``follower`` after the reducer of each of ``types``, on the same state.

        Why a follower and not a second reducer: a statement type has one owner, the
        room whose reducer decides whether it is accepted (``register`` refuses a type
        twice). A read model derived from another room's statements (``redflags``)
        must see every entry live and by replay, in the same transaction as the
        entry, without any say in acceptance. So a follower runs only once the
        owner's reducer has accepted the statement, inside the same staged state (its
        writes commit with the entry's, or are dropped with them), and it may never
        refuse: a follower that raises ``Rejected`` is a bug in the follower, raised
        as ``InvariantBroken`` (a 500 and a failed verify, never a silent 409 that
        would turn a read model into a rule). Followers of one type run in the order
        they were added; the verifier and ``rebuild-projections`` replay through the
        same registry, so the derived rows are checked like every other projection.

        ``prefetch`` names the keys the follower reads that its statement alone names;
        they join the owner's hint, so the sequencer loads both with the batch.
        """
        for statement_type in types:
            kind = self.get(statement_type)
            self._kinds[statement_type] = replace(
                kind,
                reduce=_followed(kind.reduce, follower, name, statement_type),
                prefetch=kind.prefetch
                if prefetch is no_prefetch
                else _joined(kind.prefetch, prefetch),
            )

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


def _followed(reduce: Reducer, follower: Reducer, name: str, statement_type: str) -> Reducer:
    """``reduce``, then ``follower`` (see ``KindRegistry.follow``)."""

    def reduce_then_follow(state: State, entry: LoggedEntry) -> None:
        reduce(state, entry)
        try:
            follower(state, entry)
        except Rejected as refusal:
            raise InvariantBroken(
                f"follower {name} refused {statement_type} at seq {entry.seq}: {refusal}"
            ) from refusal

    return reduce_then_follow


def _joined(first: Prefetch, second: Prefetch) -> Prefetch:
    """The keys of ``first`` then of ``second`` (a follower's hint after its owner's)."""

    def both(statement: Statement) -> Iterable[StateKey]:
        return [*first(statement), *second(statement)]

    return both
