"""Every ``terang`` command line in the operators' pages (and the officer's walkthrough)
exists as written.

An operator copies these lines during an outage; a renamed option there costs minutes
when they are dearest. Each code-block line that runs ``terang`` is resolved through the
real CLI: the subcommand must exist and every ``--option`` must be one it takes.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from terang.cli import app

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGES = (
    "cli.md",
    "deploying.md",
    "operating.md",
    "operating-postgresql.md",
    "shape-single-sqlite.md",
    "shape-single-postgresql.md",
    "shape-ha.md",
    "runbook.md",
    "officer.md",
)
SHELL_FENCES = ("", "sh", "bash", "console", "shell")


def shell_blocks(text: str) -> list[str]:
    """The bodies of fenced code blocks marked sh, bash, console or nothing."""
    blocks: list[str] = []
    current: list[str] | None = None
    shell = False
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current, shell = [], line[3:].strip() in SHELL_FENCES
            else:
                if shell:
                    blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def command_lines(text: str) -> list[str]:
    """Lines of shell code blocks that run terang (continuations joined)."""
    found = []
    for block in shell_blocks(text):
        for raw in block.replace("\\\n", " ").splitlines():
            line = raw.strip().removeprefix("$ ")
            # Comments and leading environment assignments (VAR=value terang ...) go.
            words = re.sub(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+", "", line.split("#", 1)[0])
            # terang at the start of a command: the line's, after && | ; or a venv's bin/.
            match = re.search(r"(?:^|(?:&&|\||;)\s*|/bin/)terang\s+(\S.*)$", words)
            if match:
                found.append(match.group(1).strip())
    return found


def is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The (sub)command ``words`` name, and the words after it. Typer ships its own
    copy of click, so groups are recognised by their ``commands`` table."""
    command: Any = typer.main.get_command(app)
    rest = list(words)
    while is_group(command) and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


@pytest.mark.parametrize("page", PAGES)
def test_every_terang_line_names_real_commands_and_options(page: str) -> None:
    lines = command_lines((DOCS / page).read_text())
    for line in lines:
        words = []
        for word in shlex.split(line.replace("…", "x"), posix=True):
            if word in ("&&", "||", "|", ";", ">", "2>"):
                break  # the next command, or a redirection
            words.append(word.removesuffix(";"))
            if word.endswith(";"):
                break
        command, rest = resolve(words)
        if is_group(command) and rest and rest[0].isupper():
            continue  # a synopsis: `terang vendor COMMAND ...`
        assert not is_group(command), f"{page}: `terang {line}`: no such command"
        options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for word in (w.strip("[]|") for w in rest):  # synopses: [--db URL] [--a | --b]
            if word.startswith("--"):
                name = word.split("=", 1)[0]
                assert name in options, f"{page}: `terang {line}`: {name} is not an option"


def test_the_checker_sees_lines_and_catches_a_wrong_option() -> None:
    text = (
        "```sql\nSELECT 1; -- terang serve --not-shell\n```\n\n"
        "```sh\nterang serve --no-such-flag\n.venv/bin/terang db backup /x\n```\n"
    )
    lines = command_lines(text)
    assert lines == ["serve --no-such-flag", "db backup /x"]
    command, rest = resolve(shlex.split(lines[0]))
    assert command.name == "serve" and rest == ["--no-such-flag"]
    assert "--no-such-flag" not in {o for p in command.params for o in p.opts}
    assert "--db-wait" in {o for p in command.params for o in p.opts}
    backup, _ = resolve(shlex.split(lines[1]))
    assert backup.name == "backup"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {
        slug(line.lstrip("#"))
        for line in page.read_text().splitlines()
        if line.startswith("#") and not line.startswith("#!")
    }


@pytest.mark.parametrize("page", PAGES)
def test_links_between_operator_pages_reach_their_headings(page: str) -> None:
    text = (DOCS / page).read_text()
    for target, anchor in re.findall(r"\]\(([\w.-]+\.md)?#([\w-]+)\)", text):
        linked = DOCS / (target or page)
        assert linked.exists(), f"{page}: link to missing page {target}"
        assert anchor in anchors(linked), f"{page}: {target or page}#{anchor} has no such heading"
