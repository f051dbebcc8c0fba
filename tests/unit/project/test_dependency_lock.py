"""The production lock (``deploy/requirements.lock``) matches what Terang declares.

Production installs the lock with ``--require-hashes`` (docs/deploying.md), and the test
command installs it before the dev tools, so the suite runs on the versions production
runs. A dependency added to pyproject.toml but not locked, or a lock that no longer
satisfies a declared range, would make those two installs disagree: caught here.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "deploy" / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} in the lock does not satisfy {requirement}"
        )


def test_every_pin_carries_a_hash() -> None:
    text = (ROOT / "deploy" / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    pinned = [block for block in blocks if PIN.match(block)]
    assert len(pinned) == len(locked()) > 10
    assert all("--hash=sha256:" in block for block in pinned)


def test_the_suite_runs_on_the_locked_versions() -> None:
    """The test command installed the lock first: what runs here is what production runs."""
    drifted = {
        name: (version, metadata.version(name))
        for name, version in locked().items()
        if metadata.version(name) != version
    }
    assert drifted == {}, f"installed versions differ from deploy/requirements.lock: {drifted}"
