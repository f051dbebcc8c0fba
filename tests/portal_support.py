"""Test helper: the demo kabupaten built once per test module and engine.

``terang demo`` takes seconds (more on PostgreSQL), and the portal's tests only read,
so a module builds it once per engine through ``demo_site`` and every test of the
module shares it. Not a test module: test modules wrap ``demo_site`` in their own
module-scoped fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Harness, _fresh_postgres_database, make_harness

from terang.demo import load_demo

ENGINES = ["sqlite", "postgresql"]


@dataclass
class DemoSite:
    harness: Harness
    summary: dict[str, Any]

    @property
    def year(self) -> int:
        return int(self.summary["budget_year"])


def demo_site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    """Yield the demo on ``request.param`` (``sqlite`` or ``postgresql``), then drop it."""
    workdir = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        databases: Iterator[str] = iter([f"sqlite:///{workdir / 'terang.db'}"])
    else:
        databases = _fresh_postgres_database(request.getfixturevalue("postgres_server_url"))
    url = next(databases)
    harness = make_harness(url)
    try:
        summary = load_demo(harness.ledger, harness.authority, workdir / "demo-keys")
        harness.ledger.publisher.publish(force=True)  # a checkpoint covering every entry
        yield DemoSite(harness, summary)
    finally:
        harness.ledger.close()
        next(databases, None)  # drops the PostgreSQL database


# -- reading the portal's HTML in tests ------------------------------------------------

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[Element | str]
    """Child elements and text, in document order."""

    @property
    def children(self) -> list[Element]:
        return [part for part in self.parts if isinstance(part, Element)]

    @property
    def text(self) -> str:
        """The text inside, whitespace runs collapsed."""
        raw = "".join(part if isinstance(part, str) else part.text for part in self.parts)
        return " ".join(raw.split())

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id: str) -> Element:
        found = self.find_all(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def values(self) -> list[str]:
        """The ``value`` of every ``<data>`` inside, in document order."""
        return [e.attrs["value"] for e in self.iter() if e.tag == "data"]


def parse_html(text: str) -> Element:
    """A small DOM of ``text`` (the portal writes well-formed HTML: a test fails loudly if a
    tag is closed that was never opened)."""
    from html.parser import HTMLParser

    root = Element("#document", {}, [])
    stack = [root]

    class Builder(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            element = Element(tag, {k: v or "" for k, v in attrs}, [])
            stack[-1].parts.append(element)
            if tag not in VOID_TAGS:
                stack.append(element)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            stack[-1].parts.append(Element(tag, {k: v or "" for k, v in attrs}, []))

        def handle_endtag(self, tag: str) -> None:
            if tag in VOID_TAGS:
                return
            assert stack[-1].tag == tag, f"</{tag}> closes <{stack[-1].tag}>"
            stack.pop()

        def handle_data(self, data: str) -> None:
            stack[-1].parts.append(data)

    builder = Builder(convert_charrefs=True)
    builder.feed(text)
    builder.close()
    assert stack == [root], f"unclosed: {[e.tag for e in stack[1:]]}"
    return root
