"""Procurement registers its types in one shape (issue 11 item 3; procurement/registration.py).

A reducer is a module-level function that takes the rule book as an argument; each
module lists its reducers in one ``REDUCERS`` table; ``procurement.kinds`` binds one rule
book to every row. These tests fail if a module slips back to closures built inside a
function, if a reducer is left out of its table, or if a module with reducers is left
out of ``procurement.kinds.MODULES`` (its types would silently not be registered).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from procurement_support import OCID

from ledger.kinds import KindRegistry
from ledger.state import State
from ledger.statement import LoggedEntry, Statement
from procurement import kinds
from procurement.registration import ProcurementKind, bind_all
from procurement.rules import RULES, RuleBook
from redflags.reducer import FOLLOWED_TYPES
from redflags.reducer import prefetch as follower_prefetch
from terang.app import all_kinds

PROCUREMENT = Path(kinds.__file__).resolve().parent


def _module_reducers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("reduce_")
    ]


def test_no_procurement_reducer_is_a_closure() -> None:
    for path in sorted(PROCUREMENT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for outer in ast.walk(tree):
            if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nested = [
                node.name
                for node in ast.walk(outer)
                if node is not outer
                and isinstance(node, ast.FunctionDef)
                and node.name.startswith("reduce_")
            ]
            assert not nested, f"{path.name}: {outer.name} defines reducers {nested}"


def test_every_module_with_reducers_is_registered_and_lists_them_all() -> None:
    listed = {module.__name__ for module in kinds.MODULES}
    for path in sorted(PROCUREMENT.glob("*.py")):
        names = _module_reducers(path)
        if not names:
            continue
        module = importlib.import_module(f"procurement.{path.stem}")
        assert module.__name__ in listed, f"{module.__name__} has reducers but is not in MODULES"
        in_table = {row.reduce for row in module.REDUCERS}
        for name in names:
            assert getattr(module, name) in in_table, f"{module.__name__}.{name}: no row"


def test_the_composition_root_registers_every_row_as_written() -> None:
    registry = all_kinds()
    assert len({row.type for row in kinds.TABLE}) == len(kinds.TABLE), "a type twice"
    for row in kinds.TABLE:
        kind = registry.get(row.type)
        assert (kind.roles, kind.description, kind.self_signed) == (
            row.roles,
            row.description,
            row.self_signed,
        )
        # The red flag follower's hint joins the owner's on the types it follows.
        statement = Statement(row.type, OCID, "0" * 64, "2026-06-01T00:00:00.000Z", "n", {})
        owner = list(row.prefetch(statement))
        if row.type in FOLLOWED_TYPES:
            assert list(kind.prefetch(statement)) == [*owner, *follower_prefetch(statement)]
        else:
            assert kind.prefetch is row.prefetch


def test_binding_hands_each_reducer_the_rule_book_it_was_given() -> None:
    """The rule book is data given at binding, not a default: a test book reaches the
    reducer as it is (test_unit_procurement_rup.py and _rules_2025.py rely on it)."""
    seen: list[tuple[object, object, RuleBook]] = []

    def record(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
        seen.append((state, entry, rules))

    book = RuleBook([])
    row = ProcurementKind(
        "procurement.test.recorded", frozenset({"auditor"}), record, "a test", lambda _: ()
    )
    (kind,) = bind_all((row,), book)
    state, entry = object(), object()
    kind.reduce(state, entry)  # type: ignore[arg-type]
    assert seen == [(state, entry, book)]
    assert book is not RULES


def test_register_adds_exactly_the_table() -> None:
    registry = KindRegistry()
    kinds.register(registry, RuleBook([]))
    assert registry.types() == sorted(row.type for row in kinds.TABLE)
