"""``ocds.changes``: an event release is what changed, and merging gives the whole back.

Property: for any sequence of renderings of a tender (objects, arrays of objects with
``id`` that only grow, arrays of scalars, fields that come and go), publishing the first
and then ``changes`` between consecutive renderings, and merging those releases with
ocdsmerge (the OCDS reference merge), gives every rendering back at every step: the
compiled release of the first n releases is the n-th rendering.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ocds_support import merger

from ledger.errors import InvariantBroken
from procurement import ocds

SCALARS = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "c"]), st.booleans())


@st.composite
def _object(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    """An object as Terang renders one: each field keeps its JSON type (OCDS merging
    cannot change a field from a value to an object); values and lists of values come
    and go, the nested object ``value`` is always there once it exists."""
    found: dict[str, Any] = {}
    for name in ("status", "note"):
        if draw(st.booleans()):
            found[name] = draw(SCALARS)
    if draw(st.booleans()):
        found["roles"] = draw(st.lists(SCALARS, min_size=1, max_size=3))
    if depth > 0:
        found["value"] = draw(_object(depth - 1))
    return found


@st.composite
def renderings(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Successive renderings of one release body: ``items`` (an array merged by ``id``)
    only gains items, and each item's and object's fields change freely."""
    steps = draw(st.integers(1, 6))
    found = []
    ids: list[str] = []
    for _ in range(steps):
        ids = ids + [f"i{len(ids) + n}" for n in range(draw(st.integers(0, 2)))]
        body: dict[str, Any] = draw(_object(1))
        if ids:
            body["items"] = [{"id": i, **draw(_object(1))} for i in ids]
        body["tender"] = {"id": "t", **draw(_object(1))}
        found.append(body)
    return found


def _release(n: int, body: dict[str, Any]) -> dict[str, Any]:
    head = {"ocid": "ocds-abc123-x", "id": f"r{n}", "date": f"2026-01-01T00:00:{n:02d}Z"}
    return {**head, "tag": ["tender"], "initiationType": "tender", **body}


def _without_nulls(value: Any) -> Any:
    """A rendering without empty objects and arrays: a release cannot tell an empty
    object from a missing one (ocdsmerge drops the one and may keep the other)."""
    if isinstance(value, dict):
        kept = {k: _without_nulls(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@settings(max_examples=150, deadline=None)
@given(renderings())
def test_merging_the_changes_gives_every_rendering_back(bodies: list[dict[str, Any]]) -> None:
    merge = merger()
    releases = []
    previous: dict[str, Any] = {}
    for n, body in enumerate(bodies):
        releases.append(_release(n, ocds.changes(previous, body)))
        previous = body
        compiled = merge.create_compiled_release(releases)
        for field in ("id", "date", "tag", "ocid", "initiationType"):
            compiled.pop(field)
        assert _without_nulls(compiled) == _without_nulls(body)


def test_an_unchanged_rendering_publishes_nothing_and_a_change_keeps_the_ids() -> None:
    before = {"tender": {"id": "t", "status": "active", "title": "x"}, "items": [{"id": "1"}]}
    assert ocds.changes(before, before) == {}
    after = {
        "tender": {"id": "t", "status": "complete", "title": "x"},
        "items": [{"id": "1"}, {"id": "2", "awardID": "a"}],
    }
    assert ocds.changes(before, after) == {
        "tender": {"id": "t", "status": "complete"},
        "items": [{"id": "2", "awardID": "a"}],
    }
    contract = {"contracts": [{"id": "c", "awardID": "a", "status": "active"}]}
    ended = {"contracts": [{"id": "c", "awardID": "a", "status": "terminated"}]}
    assert ocds.changes(contract, ended) == {
        "contracts": [{"id": "c", "awardID": "a", "status": "terminated"}]
    }


def test_an_item_or_object_that_disappears_cannot_be_published() -> None:
    import pytest

    with pytest.raises(InvariantBroken):
        ocds.changes({"items": [{"id": "1"}, {"id": "2"}]}, {"items": [{"id": "1"}]})
    with pytest.raises(InvariantBroken):
        ocds.changes({"tender": {"id": "t", "value": {"amount": 1}}}, {"tender": {"id": "t"}})
