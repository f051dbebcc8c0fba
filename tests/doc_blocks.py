"""The runnable blocks of the operators' pages, for the drill tests that run them as written.

A block is a ``sh`` code fence between ``<!-- NAME -->`` and ``<!-- /NAME -->`` markers; a
drill test runs its body with bash, unchanged, so the page cannot drift from what works.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def marked_block(page: str, name: str) -> str:
    """The body of the ``sh`` fence marked ``name`` in ``docs/<page>``."""
    found = re.search(
        rf"<!-- {re.escape(name)} -->\n```sh\n(.*?)```\n<!-- /{re.escape(name)} -->",
        (DOCS / page).read_text(),
        re.S,
    )
    assert found, f"docs/{page} lost its {name} block"
    return found.group(1)
