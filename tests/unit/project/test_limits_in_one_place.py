"""Each room's bounds live in its ``limits.py``, so a reader finds every bound in one file.

A bound defined in the module that uses it is found only by whoever reads that module; two
modules then grow two bounds for the same thing (the ledger once had three tree-size
bounds and two verifier-key bounds of 512). This test reads the rooms' source and names
every module-level ``*_MAX`` / ``*_MIN`` defined outside the room's ``limits.py``.

Rooms not yet moved over are listed in ``NOT_YET`` (each is work open on issue 11); the
test fails as soon as one of them has its own ``limits.py`` and is still listed, so the
list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ROOMS = (
    "ledger",
    "budgeting",
    "planning",
    "portal",
    "audit",
    "witness",
    "redflags",
    "procurement",
    "workspace",
)
NOT_YET: set[str] = set()
"""Rooms whose bounds are still spread over their modules (issue 11 item 1): none left."""
BOUND = re.compile(r"_?[A-Z][A-Z0-9_]*_(MAX|MIN)")
NOT_BOUNDS = {
    ("ledger/canonical.py", "_SORT_ORDER_SAFE_MAX"): "a character of the sort order, not a bound",
    ("ledger/tiles.py", "_INDEX_GROUPS_MAX"): "digit groups of a uint64, derived from the format",
    ("procurement/demo.py", "COMPETITIVE_HPS_MIN"): "the demo story's HPS figures, not a bound",
    ("procurement/demo.py", "DIRECT_HPS_MAX"): "the demo story's HPS figures, not a bound",
}
"""Names that look like bounds and are not, with the reason."""


def defined_bounds(path: Path) -> list[str]:
    """Module-level names matching ``BOUND`` assigned in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names += [t.id for t in targets if isinstance(t, ast.Name) and BOUND.fullmatch(t.id)]
    return names


def test_every_bound_is_in_its_rooms_limits_module() -> None:
    misplaced = []
    for room in ROOMS:
        if room in NOT_YET:
            continue
        for path in sorted((REPO / room).rglob("*.py")):
            where = str(path.relative_to(REPO))
            if path.name == "limits.py" or "schema/versions" in where:
                continue
            misplaced += [
                f"{where}: {name}"
                for name in defined_bounds(path)
                if (where, name) not in NOT_BOUNDS
            ]
    assert not misplaced, "bounds outside their room's limits.py:\n" + "\n".join(misplaced)


def test_rooms_not_yet_moved_have_no_limits_module() -> None:
    moved = sorted(room for room in NOT_YET if (REPO / room / "limits.py").exists())
    assert not moved, f"{moved} have a limits.py: remove them from NOT_YET"


def test_every_room_in_the_list_exists() -> None:
    assert all((REPO / room / "__init__.py").exists() for room in ROOMS)
