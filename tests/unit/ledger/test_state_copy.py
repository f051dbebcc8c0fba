"""``copy_document``: every state read returns one, and reducers change what they get.

The copy must be equal, of the same types (``True`` stays a bool, ``1`` an int), and
share no dict or list with the original, or a reducer's change to a document it read
would reach the stored one before the job is accepted."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as hs

from ledger.state import DictState, Overlay, copy_document

json_values = hs.recursive(
    hs.none()
    | hs.booleans()
    | hs.integers(min_value=-(2**70), max_value=2**70)
    | hs.floats(allow_nan=False)
    | hs.text(max_size=20),
    lambda inner: hs.lists(inner, max_size=5) | hs.dictionaries(hs.text(max_size=8), inner),
    max_leaves=40,
)


def _containers(value: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += _containers(item)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            found += _containers(item)
    return found


def _same_types(left: Any, right: Any) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same_types(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return all(_same_types(a, b) for a, b in zip(left, right, strict=True))
    return True


@given(json_values)
def test_the_copy_is_equal_of_the_same_types_and_shares_no_container(value: Any) -> None:
    copied = copy_document(value)
    assert copied == value
    assert _same_types(copied, value)
    originals = {id(c) for c in _containers(value)}
    assert originals.isdisjoint(id(c) for c in _containers(copied))


def test_a_list_held_twice_becomes_two_lists_as_the_walk_made_it() -> None:
    shared: list[int] = [1]
    copied = copy_document({"a": shared, "b": shared})
    copied["a"].append(2)
    assert copied == {"a": [1, 2], "b": [1]}
    assert shared == [1]


def test_a_change_to_a_read_document_reaches_the_state_only_by_put() -> None:
    state = DictState()
    state.put("ns", "k", {"amounts": [1, 2], "nested": {"n": 1}})
    job = Overlay(state)
    doc = job.get("ns", "k")
    assert doc is not None
    doc["amounts"].append(3)
    doc["nested"]["n"] = 2
    assert state.get("ns", "k") == {"amounts": [1, 2], "nested": {"n": 1}}
    again = job.get("ns", "k")
    assert again == {"amounts": [1, 2], "nested": {"n": 1}}
    job.put("ns", "k", doc)
    staged = job.get("ns", "k")
    assert staged == doc and staged is not doc
    job.commit()
    assert state.get("ns", "k") == {"amounts": [1, 2, 3], "nested": {"n": 2}}
