"""docs/design.md and CONTRIBUTING.md stay true to the code they name.

Both pages send a newcomer to files and functions by name; a rename that leaves them
behind would send the next person to nothing. So every inline code span that names a
file of the repository must exist, every ``module.attribute`` (or ``path.py:attribute``)
must import and resolve, and the newcomer's path in docs/design.md must list files that
exist (or are marked ``(new)`` in a folder that exists). The facts that path relies on
(registration is automatic, postings need an undo) are checked against the code too.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from dataclasses import fields
from pathlib import Path

import pytest

from budgeting import reducers
from budgeting import statements as st
from ledger.limits import Limits
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[3]
PAGES = ("docs/design.md", "CONTRIBUTING.md")
USER_PAGES = tuple(
    str(path.relative_to(REPO))
    for path in sorted((REPO / "docs").glob("*.md"))
    if path.name != "design.md"
)
"""The other pages name fewer files, but every one they name must exist too."""
LIMITS_MODULES = tuple(
    importlib.import_module(f"{room}.limits")
    for room in (
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
)
"""The rooms' limits modules (tests/unit/project/test_limits_in_one_place.py)."""
OCDS_FIELDS = frozenset(
    {"planning.budget.id", "planning.budget.amount", "planning.rationale", "planning.milestones"}
)
"""OCDS release fields a page cites (docs/procurement.md) that start like a room's name:
OCDS's ``planning`` section, not the ``planning`` room."""
ENVIRONMENT_SETTING = re.compile(r"TERANG_([A-Z0-9_]+_(?:MAX|MIN))")


@functools.cache
def setting_names() -> set[str]:
    """The settings an operator sets with ``TERANG_<FIELD>``: ledger's and documents'."""
    from procurement.documents import DocumentLimits

    return {f.name for f in fields(Limits)} | {f.name for f in fields(DocumentLimits)}


@functools.cache
def dotted_constants() -> set[str]:
    """Dotted names the rooms define as data, not code: projection namespaces
    (``procurement.vendor``) and signature domains (``terang.statement.v2``), i.e. the
    value of every module-level string or bytes constant that looks dotted."""
    found = set()
    for room in ROOMS:
        for path in (REPO / room).rglob("*.py"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                    node.value, ast.Constant
                ):
                    value = node.value.value
                    if isinstance(value, bytes):
                        value = value.decode("ascii", "replace").rstrip("\x00")
                    if isinstance(value, str) and DOTTED.fullmatch(value):
                        found.add(value)
    return found


ROOMS = (
    "ledger",
    "budgeting",
    "planning",
    "procurement",
    "audit",
    "witness",
    "portal",
    "workspace",
    "terang",
)
# Paths are checked when they start at one of these: a span such as ``keys/log.key`` or
# ``tile/<L>/<N>`` names something of a deployment or a URL, not of this repository.
PATH_ROOTS = (*ROOMS, "tests", "docs", "bench", "deploy", "scripts", ".ci")
ROOT_FILES = ("README.md", "CONTRIBUTING.md", "pyproject.toml", "alembic.ini")

FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
SPAN = re.compile(r"`([^`]+)`(\**\s*\(new\))?")
DOTTED = re.compile(rf"(?:{'|'.join(ROOMS)})(?:\.\w+)+")
PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*/?")
FILE_ATTRIBUTE = re.compile(r"([\w./-]+\.py):([\w.]+)")
# A limit's name (``clock_skew_s_max``) or a format's bound (``TREE_SIZE_MAX``): the pages
# cite them bare, and they must be ledger.limits' own.
LIMIT = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:max|min)")
BOUND = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:MAX|MIN)")
LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]+))?\)")


def page_text(page: str) -> str:
    return (REPO / page).read_text(encoding="utf-8")


def spans(text: str) -> list[tuple[str, bool]]:
    """Inline code spans outside fenced blocks, whitespace collapsed, and whether each is
    marked ``(new)`` (a hypothetical name the newcomer's path would add)."""
    prose = FENCE.sub("", text)
    return [(re.sub(r"\s+", " ", m[1]).strip(), bool(m[2])) for m in SPAN.finditer(prose)]


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and getattr the rest."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def defined(path: Path, dotted: str) -> bool:
    """Whether ``dotted`` (``name`` or ``Class.method``) is defined at the top of ``path``."""
    body: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for name in dotted.split("."):
        found = [
            node
            for node in body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ]
        if not found:
            return False
        body = found[0].body
    return True


def is_repo_path(span: str) -> bool:
    if span in ROOT_FILES:
        return True
    return "/" in span and PATH.fullmatch(span) is not None and span.split("/")[0] in PATH_ROOTS


def check_span(span: str, types: set[str], *, user_page: bool = False) -> str | None:
    """What is wrong with one span, or None (also for spans that name no code).

    A user page also cites query parameters and rule-set keys that look like limits
    (``value_max``, ``bid_window_days_min``), so there only ``TERANG_<FIELD>`` settings
    and upper-case bounds are checked, not every lower-case ``*_max``."""
    span = span.removesuffix("()")
    if m := ENVIRONMENT_SETTING.fullmatch(span):
        known = setting_names()
        return None if m[1].lower() in known else f"{span}: no such setting"
    if span in dotted_constants() or span in OCDS_FIELDS:
        return None
    if m := FILE_ATTRIBUTE.fullmatch(span):
        path, attribute = m[1], m[2]
        if not (REPO / path).is_file():
            return f"{span}: no file {path}"
        if path.split("/")[0] not in ROOMS:  # tests, bench, scripts: read, not imported
            return None if defined(REPO / path, attribute) else f"{span}: not defined there"
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        try:
            resolve(f"{module}.{attribute}")
        except (ImportError, AttributeError) as exc:
            return f"{span}: {exc}"
        return None
    if LIMIT.fullmatch(span) and not user_page:
        known = {f.name for f in fields(Limits)} | {"entry_bytes_max"}
        return None if span in known else f"{span}: not a field of ledger.limits.Limits"
    if BOUND.fullmatch(span):
        if any(hasattr(module, span) for module in LIMITS_MODULES):
            return None
        return f"{span}: not a bound in any room's limits.py"
    if is_repo_path(span):
        return None if (REPO / span).exists() else f"{span}: no such file or folder"
    if DOTTED.fullmatch(span):
        if span in types:
            return None  # a statement type, such as procurement.tender.opened
        try:
            resolve(span)
        except (ImportError, AttributeError) as exc:
            return f"{span}: neither code nor a registered statement type ({exc})"
    return None


@functools.cache
def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, - for spaces."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def headings(path: Path) -> set[str]:
    prose = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(line.lstrip("#")) for line in prose.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("page", PAGES)
def test_every_named_file_and_function_exists(page: str) -> None:
    types = set(all_kinds().types())
    found = spans(page_text(page))
    named = [s for s, new in found if not new and (is_repo_path(s) or DOTTED.fullmatch(s))]
    assert all(":" not in s or FILE_ATTRIBUTE.fullmatch(s) for s, _ in found if ".py:" in s)
    assert len(named) >= 40, f"{page} names only {len(named)} files and functions"
    faults = [fault for s, new in found if not new and (fault := check_span(s, types))]
    assert faults == [], f"{page}:\n" + "\n".join(faults)


@pytest.mark.parametrize("page", USER_PAGES)
def test_user_docs_name_files_and_code_that_exist(page: str) -> None:
    types = set(all_kinds().types())
    found = spans(page_text(page))
    faults = [
        fault for s, new in found if not new and (fault := check_span(s, types, user_page=True))
    ]
    assert faults == [], f"{page}:\n" + "\n".join(faults)


@pytest.mark.parametrize("page", PAGES)
def test_links_reach_files_and_headings(page: str) -> None:
    base = (REPO / page).parent
    faults = []
    for target, anchor in LINK.findall(FENCE.sub("", page_text(page))):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        linked = (base / target).resolve() if target else REPO / page
        if not linked.exists():
            faults.append(f"link to missing {target}")
        elif anchor and linked.suffix == ".md" and anchor not in headings(linked):
            faults.append(f"{target or page}#{anchor}: no such heading")
    assert faults == [], f"{page}:\n" + "\n".join(faults)


def newcomers_path() -> str:
    text = page_text("docs/design.md")
    start = text.index("## 5. A newcomer's path")
    end = text.find("\n## ", start + 1)
    return text[start : None if end < 0 else end]


def test_the_newcomers_path_lists_files_that_exist() -> None:
    rows = [line for line in newcomers_path().splitlines() if line.startswith("| `")]
    listed = [spans(row.split(" | ")[0])[0] for row in rows]
    paths = [path for path, _ in listed]
    assert {
        "budgeting/statements.py",
        "budgeting/errors.py",
        "budgeting/reducers.py",
        "docs/budgeting.md",
    } <= set(paths), "the path names the constant, error, reducer and docs files"
    assert any(p.startswith("tests/unit/") for p in paths), "and a unit test"
    assert any(p.startswith("tests/integration/") for p in paths), "and one on both engines"
    for path, new in listed:
        if new:
            assert (REPO / path).parent.is_dir(), f"{path}: its folder does not exist"
        else:
            assert (REPO / path).is_file(), f"{path}: listed in the newcomer's path, absent"


def test_the_newcomers_example_is_still_hypothetical() -> None:
    """If the example type is ever built for real, the page needs another example."""
    new = {s for s, is_new in spans(newcomers_path()) if is_new and DOTTED.fullmatch(s)}
    assert new == {"budgeting.structure.renamed"}
    assert not new & set(all_kinds().types())


def test_the_code_does_what_the_newcomers_path_says() -> None:
    # Registration is automatic: every reducer in the table becomes a kind that the
    # composition root registers, so terang/app.py is not touched for a new type.
    registered = set(all_kinds().types())
    assert set(reducers.REDUCERS) == {kind.type for kind in reducers.KINDS}
    assert set(reducers.REDUCERS) <= registered
    assert set(reducers.DESCRIPTIONS) == set(reducers.REDUCERS)
    # Every posting but the reversal itself can be undone: a posting type missing from
    # _UNDO would make its reversal a broken invariant, as the page warns.
    assert set(reducers._UNDO) == set(st.POSTING_TYPES) - {st.REVERSAL}
    # Price lists and komponen sets move no amount and are never reversed.
    assert set(st.POSTING_TYPES) | {st.STRUCTURE, *st.RINCIAN_TYPES} == set(reducers.REDUCERS)
    assert not set(st.RINCIAN_TYPES) & set(reducers._UNDO)


def test_the_checker_catches_what_it_is_for() -> None:
    types = {"procurement.tender.opened"}
    assert check_span("ledger.replay.apply_entry", types) is None
    assert check_span("ledger/limits.py:Limits.__post_init__", types) is None
    assert check_span("procurement.tender.opened", types) is None
    assert check_span("ledger/limits.py", types) is None
    assert check_span("keys/log.key", types) is None  # a deployment's file, not the repo's
    assert check_span("ledger.replay.apply_entri", types) is not None
    assert check_span("ledger/limit.py:Limits", types) is not None
    assert check_span("ledger/limits.py:Limit", types) is not None
    assert check_span("budgeting/reducer.py", types) is not None
    test_file = "tests/unit/project/test_design_docs.py"
    assert check_span(f"{test_file}:test_the_checker_catches_what_it_is_for", types) is None
    assert check_span(f"{test_file}:no_such_test", types) is not None
    assert check_span("budgeting.line_renamed.posted", types) is not None
    assert check_span("clock_skew_s_max", types) is None
    assert check_span("TREE_SIZE_MAX", types) is None
    assert check_span("clock_skew_ms_max", types) is not None  # no such limit
    assert check_span("MAX_TREE_SIZE_MAX", types) is not None
    text = "a `ledger.nothing` (new) and **`ledger.other`**\n(new), but `ledger.merkle`"
    assert spans(text) == [
        ("ledger.nothing", True),
        ("ledger.other", True),
        ("ledger.merkle", False),
    ]
