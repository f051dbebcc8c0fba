"""Every Terang error is a class with a stable code, and its status is its class's.

``test_error_codes_documented`` checks that each code is explained in docs/; this module
checks the shape of the family itself, over every module of every room: a code an
integrator can match on (one class per code), a status in the 4xx/5xx range, and no
code path that changes ``http_status`` on an error after it was built (the issue 11
item 4 finding: the composition root used to rewrite statuses on instances).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from ledger.errors import TerangError

REPO = Path(__file__).resolve().parents[3]
ROOMS = tuple(
    tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "root_packages"
    ]
)
"""Every room, as the import contracts list them."""

STATUS_GIVEN_AT_CONSTRUCTION = {
    ("ledger/errors.py", "RoutingRefusal"),  # the framework's status: an open set
    ("ledger/client.py", "RemoteError"),  # the remote server's answer
}
"""Where an instance's ``http_status`` may be set: in these classes' ``__init__`` only,
from data Terang does not choose. Their docstrings say why."""

FAMILY_BASES = {
    "ledger.client.RemoteError",  # the server's code, whatever it is
    "ledger.errors.RoutingRefusal",  # not_found or http_<status>, from the status
    "portal.routing.PageError",  # raised as PageNotFound or PageBadRequest
    "procurement.errors.OpeningFailed",  # raised as one subclass per reason
}
"""Classes that define no code of their own: each is raised only through its
subclasses or with a code given at construction."""


def _all_error_classes() -> list[type[TerangError]]:
    for room in ROOMS:
        package = importlib.import_module(room)
        for module in pkgutil.walk_packages(package.__path__, room + "."):
            importlib.import_module(module.name)

    def walk(cls: type[TerangError]) -> Iterator[type[TerangError]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found = {cls for cls in walk(TerangError) if cls.__module__.split(".")[0] in ROOMS}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_error_class_has_a_well_formed_code_and_an_error_status() -> None:
    classes = _all_error_classes()
    assert len(classes) > 90  # not vacuous: the rooms' classes were found
    for cls in classes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", cls.code), _name(cls)
        assert 400 <= cls.http_status <= 599, _name(cls)


def test_one_class_per_code() -> None:
    """A code names one kind of refusal, so matching on it never merges two."""
    owners: dict[str, list[str]] = {}
    for cls in _all_error_classes():
        if "code" in vars(cls):
            owners.setdefault(cls.code, []).append(_name(cls))
    assert {code: names for code, names in owners.items() if len(names) > 1} == {}


def test_only_the_known_bases_inherit_their_code() -> None:
    inheriting = {_name(cls) for cls in _all_error_classes() if "code" not in vars(cls)}
    assert inheriting == FAMILY_BASES


def _status_assignments() -> set[tuple[str, str, str]]:
    """(file, enclosing class, enclosing function) of every write of ``.http_status``
    to an object, and of every ``setattr(..., "http_status", ...)``."""
    found = set()
    for room in ROOMS:
        for path in sorted((REPO / room).rglob("*.py")):
            where = str(path.relative_to(REPO))
            found |= _StatusWrites(where).scan(ast.parse(path.read_text(encoding="utf-8")))
    return found


class _StatusWrites(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.scope: list[str] = []
        self.found: set[tuple[str, str, str]] = set()

    def scan(self, tree: ast.AST) -> set[tuple[str, str, str]]:
        self.visit(tree)
        return self.found

    def _enter(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _enter

    def _record(self) -> None:
        self.found.add((self.where, ".".join(self.scope[:-1]), ".".join(self.scope[-1:])))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)
        self.generic_visit(node)

    def _check_target(self, target: ast.expr) -> None:
        targets = target.elts if isinstance(target, ast.Tuple) else [target]
        if any(isinstance(t, ast.Attribute) and t.attr == "http_status" for t in targets):
            self._record()

    def visit_Call(self, node: ast.Call) -> None:
        if (
            getattr(node.func, "id", None) == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "http_status"
        ):
            self._record()
        self.generic_visit(node)


def test_nothing_changes_http_status_on_an_error_instance() -> None:
    """Statuses come from classes; the two errors that carry someone else's status take
    it in ``__init__`` and nowhere else."""
    allowed = {(where, cls, "__init__") for where, cls in STATUS_GIVEN_AT_CONSTRUCTION}
    assert _status_assignments() == allowed


def test_the_status_scan_sees_a_write_on_an_instance() -> None:
    """Not vacuous: the rewrite this test forbids (``error.http_status = 404`` in a
    handler, as terang/app.py had) is found, in a function or at module level."""
    source = (
        "def handler(error):\n    error.http_status = 404\n"
        "problem.http_status += 1\nsetattr(problem, 'http_status', 400)\n"
    )
    found = _StatusWrites("terang/app.py").scan(ast.parse(source))
    assert found == {("terang/app.py", "", "handler"), ("terang/app.py", "", "")}
