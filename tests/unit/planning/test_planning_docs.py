"""docs/planning.md's examples are statements the room accepts: every `terang submit`
body of a planning type parses with its type's parser, and so does the usulan file,
and every refusal code the reducers raise is in the page's table and its order list."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from planning import errors
from planning import statements as st
from planning.errors import PlanningRejected

PAGE = Path(__file__).resolve().parents[3] / "docs" / "planning.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(PAGE.read_text(encoding="utf-8")) if lang == kind]


def _parse(statement_type: str, body: dict[str, object]) -> None:
    if statement_type == st.AREA:
        st.parse_area(body)
    elif statement_type == st.SEAT:
        st.parse_seat(body)
    elif statement_type == st.PROPOSAL:
        st.parse_proposal(body)
    elif statement_type == st.FUNDING_LINK:
        st.parse_funding(body)
    else:
        st.parse_decision(statement_type, body)


def test_every_submitted_body_parses() -> None:
    checked = 0
    for block in _blocks("sh"):
        for command in block.replace("\\\n", " ").splitlines():
            words = shlex.split(command)
            if words[:2] != ["terang", "submit"]:
                continue
            statement_type = words[words.index("--type") + 1]
            body = words[words.index("--body") + 1]
            assert statement_type in st.TYPES, command
            if body.startswith("@"):
                continue
            _parse(statement_type, json.loads(body))
            checked += 1
    assert checked >= 8  # not vacuous: areas, seat, decisions, link


def test_the_usulan_file_parses() -> None:
    (usulan,) = _blocks("json")
    parsed = st.parse_proposal(json.loads(usulan))
    assert parsed.kecamatan == "32.04.05" and parsed.estimate_sen == 850_000_000_00


def test_every_refusal_code_is_in_the_table_and_the_order_list() -> None:
    text = PAGE.read_text(encoding="utf-8")
    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, PlanningRejected)
        and cls is not PlanningRejected
    }
    assert len(codes) >= 20
    for code in codes:
        assert f"| `{code}` |" in text, code
        assert text.count(f"`{code}`") >= 2, code
