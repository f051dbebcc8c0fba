"""The state that reducers read and write: namespaced JSON documents by key.

A reducer sees only ``State``: ``get`` and ``put`` of one document by (namespace,
key), never a scan, so replaying an entry costs O(1) lookups on any backend. The
server backs it with the ``projection_rows`` table inside the append transaction;
the offline verifier backs it with a dict. ``Overlay`` stages a job's writes so a
rejected statement leaves nothing behind, and commits them into its parent when the
job is accepted.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from typing import Any, Protocol

Document = dict[str, Any]
Key = tuple[str, str]


def copy_document(value: Any) -> Any:
    """A deep copy of plain JSON data: new dicts and lists all the way down.

    Every read of the state returns one (a reducer may change what it got), so this is
    on the hot path of every append and replay. ``marshal`` round-trips JSON data
    (dict, list, str, int, float, bool, None) in C, three times faster than walking it
    in Python (about 5 us against 15 us for a budget line); format version 2 is the last
    without back-references, so a list that appears twice becomes two lists, as the
    walk makes it. A value marshal cannot carry (a reducer's bug: the projection stores
    JSON) takes the walk, which copies what it knows and shares the rest."""
    try:
        # S302 is about bytes from outside; these are made on this line from our own value.
        return marshal.loads(marshal.dumps(value, _MARSHAL_NO_REFERENCES))  # noqa: S302
    except ValueError:
        return _copy_walk(value)


_MARSHAL_NO_REFERENCES = 2


def _copy_walk(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_walk(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_walk(item) for item in value]
    return value


class State(Protocol):
    def get(self, namespace: str, key: str) -> Document | None:
        """The document, or None. Callers get a private copy they may change."""

    def put(self, namespace: str, key: str, value: Document) -> None:
        """Replace the document. The state takes ownership: do not change it afterwards."""


class DictState:
    """In-memory state: the verifier's replay target and the tests' reference."""

    def __init__(self) -> None:
        self.documents: dict[Key, Document] = {}

    def get(self, namespace: str, key: str) -> Document | None:
        found = self.documents.get((namespace, key))
        return copy_document(found) if found is not None else None

    def put(self, namespace: str, key: str, value: Document) -> None:
        self.documents[(namespace, key)] = value

    def items(self) -> Iterator[tuple[Key, Document]]:
        return iter(sorted(self.documents.items()))


class Overlay:
    """Staged writes over a parent state; ``commit`` applies them, dropping discards."""

    def __init__(self, parent: State) -> None:
        self.parent = parent
        self.changes: dict[Key, Document] = {}

    def get(self, namespace: str, key: str) -> Document | None:
        staged = self.changes.get((namespace, key))
        if staged is not None:
            return copy_document(staged)  # type: ignore[no-any-return]
        return self.parent.get(namespace, key)

    def put(self, namespace: str, key: str, value: Document) -> None:
        self.changes[(namespace, key)] = value

    def commit(self) -> None:
        for (namespace, key), value in self.changes.items():
            self.parent.put(namespace, key, value)
        self.changes = {}
