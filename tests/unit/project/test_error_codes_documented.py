"""Every error code the code can raise is in the docs, so a user who meets one can look it up.

An integrator scripting against the API, or an operator reading `error[<code>]: ...` from
the CLI, needs each code explained somewhere. The codes are collected from the source as
written: ``rejected("code", ...)`` (procurement's refusals), any ``code="..."`` argument,
the default of a helper's ``code`` parameter (``procurement.fields.bad``), the codes of
a module's table that a loop passes on as ``code=`` (``ledger.text``'s rules), and every
error class's ``code = "..."`` (the opening's reasons and the portal's page errors are
such classes). A new code without a line in docs/ fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ROOMS = (
    "ledger",
    "budgeting",
    "planning",
    "procurement",
    "redflags",
    "audit",
    "witness",
    "portal",
    "workspace",
    "terang",
)


def raised_codes() -> dict[str, str]:
    """Each code literal in the rooms' source -> the first file that uses it."""
    found: dict[str, str] = {}
    for room in ROOMS:
        for path in sorted((REPO / room).rglob("*.py")):
            where = str(path.relative_to(REPO))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for code in _table_codes(tree):
                found.setdefault(code, where)
            for node in ast.walk(tree):
                for code in _codes_in(node):
                    found.setdefault(code, where)
    return found


def _table_codes(tree: ast.Module) -> list[str]:
    """``for pattern, code, what in _RULES: raise Error(..., code=code)``: the strings at
    ``code``'s place in the rows of the module-level table ``_RULES``."""
    tables = {
        target.id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple | ast.List)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    codes = []
    for loop in ast.walk(tree):
        if not (
            isinstance(loop, ast.For)
            and isinstance(loop.target, ast.Tuple)
            and isinstance(loop.iter, ast.Name)
            and loop.iter.id in tables
        ):
            continue
        passed_on = {
            keyword.value.id
            for node in ast.walk(loop)
            if isinstance(node, ast.Call)
            for keyword in node.keywords
            if keyword.arg == "code" and isinstance(keyword.value, ast.Name)
        }
        for index, name in enumerate(loop.target.elts):
            if not (isinstance(name, ast.Name) and name.id in passed_on):
                continue
            for row in tables[loop.iter.id].elts:
                if isinstance(row, ast.Tuple) and index < len(row.elts):
                    cell = row.elts[index]
                    if isinstance(cell, ast.Constant) and isinstance(cell.value, str):
                        codes.append(cell.value)
    return codes


def _codes_in(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        codes = [
            kw.value.value
            for kw in node.keywords
            if kw.arg == "code" and isinstance(kw.value, ast.Constant)
        ]
        if name == "rejected" and node.args and isinstance(node.args[0], ast.Constant):
            codes.append(node.args[0].value)
        return [c for c in codes if isinstance(c, str)]
    if isinstance(node, ast.FunctionDef):
        arguments = node.args.posonlyargs + node.args.args
        defaults = dict(zip(reversed(arguments), reversed(node.args.defaults), strict=False))
        defaults |= {
            a: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d
        }
        return [
            default.value
            for argument, default in defaults.items()
            if argument.arg == "code"
            and isinstance(default, ast.Constant)
            and isinstance(default.value, str)
        ]
    if isinstance(node, ast.ClassDef):
        return [
            statement.value.value
            for statement in node.body
            if isinstance(statement, ast.Assign)
            and [getattr(t, "id", None) for t in statement.targets] == ["code"]
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ]
    return []


def test_the_scan_finds_the_codes_it_should() -> None:
    """Not vacuous: each way of raising a code is seen."""
    codes = raised_codes()
    assert len(codes) > 200
    assert codes["bad_amendment_number"] == "procurement/contracts.py"  # rejected("...")
    assert codes["backup_exists"] == "ledger/backup.py"  # code="..."
    assert codes["log_behind_published"] == "ledger/errors.py"  # class attribute
    assert codes["not_enough_shares"] == "procurement/errors.py"  # an opening reason
    assert codes["page_not_found"] == "portal/routing.py"  # a portal page error
    assert codes["page_bad_request"] == "portal/routing.py"
    assert codes["text_bidi_control"] == "ledger/text.py"  # a table of rules, passed on
    helper = ast.parse('def bad(field, message, code="bad_field", *, hint=None): pass')
    assert _codes_in(helper.body[0]) == ["bad_field"]  # procurement.fields.bad's default


def test_every_raised_code_is_documented() -> None:
    docs = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))
    missing = {code: where for code, where in raised_codes().items() if f"`{code}`" not in docs}
    assert not missing, (
        "error codes raised but explained in no page of docs/ (add a row to the error table "
        f"of docs/api.md, docs/budgeting.md or docs/procurement.md): {missing}"
    )
