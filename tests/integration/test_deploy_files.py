"""The files under ``deploy/`` are what docs/deploying.md says, and they work as shipped.

* the systemd unit passes ``systemd-analyze verify`` once pointed at a real ``terang``;
* the container definition copies every package the project ships and installs the
  hash-checked lock before Terang (no engine runs containers here, so it is read, not
  built);
* the environment example names only settings Terang reads.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{name} is required in CI (it comes with Debian's systemd package)")
        pytest.skip(f"{name} is not installed")
    return found


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "systemd" / "terang.service").read_text()
    terang = Path(sys.executable).parent / "terang"
    assert terang.exists()
    assert "ExecStart=/opt/terang/venv/bin/terang serve" in unit
    local = tmp_path / "terang.service"
    local.write_text(unit.replace("/opt/terang/venv/bin/terang", str(terang)))
    result = subprocess.run(
        [_tool("systemd-analyze"), "verify", str(local)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and output == "", output


def test_the_container_copies_every_package_and_installs_the_lock_first() -> None:
    containerfile = (DEPLOY / "container" / "Containerfile").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    copied = set(re.findall(r"^COPY (\S+) \1$", containerfile, flags=re.MULTILINE))
    assert set(shipped) <= copied, f"not copied into the image: {set(shipped) - copied}"
    for source in re.findall(r"^COPY (\S+)", containerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
    lock_install = containerfile.index("--require-hashes -r deploy/requirements.lock")
    assert lock_install < containerfile.index("--no-deps .")


def test_the_environment_example_names_only_real_settings() -> None:
    names = re.findall(
        r"^(TERANG_[A-Z_]+)=",
        (DEPLOY / "systemd" / "terang.env.example").read_text(),
        flags=re.MULTILINE,
    )
    assert names
    sources = "\n".join(
        path.read_text()
        for package in ("ledger", "terang", "procurement")
        for path in (ROOT / package).rglob("*.py")
    )
    unknown = [name for name in names if f'"{name}"' not in sources]
    assert unknown == [], f"settings nothing reads: {unknown}"
