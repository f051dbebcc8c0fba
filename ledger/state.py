"""The state that reducers read and write: namespaced JSON documents by key.

A reducer sees only ``State``: ``get`` and ``put`` of one document by (namespace,
key), never a scan, so replaying an entry costs O(1) lookups on any backend. The
server backs it with the ``projection_rows`` table inside the append transaction;
the offline verifier backs it with a dict. ``Overlay`` stages a job's writes so a
rejected statement leaves nothing behind, and commits them into its parent when the
job is accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

Document = dict[str, Any]
Key = tuple[str, str]


def copy_document(value: Any) -> Any:
    """A deep copy of plain JSON data; several times faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: copy_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_document(item) for item in value]
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
