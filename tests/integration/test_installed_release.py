"""An installed release works without the checkout (issue 17, item 9: production installs).

The container and ``pip install --no-deps .`` install a wheel; before the alembic
environment moved into the ``ledger`` package, such an install could not migrate
(alembic looked for ``alembic/env.py`` beside site-packages and found the alembic
library instead). Here a wheel is built from a copy of the sources, installed into a
directory of its own, and run from elsewhere: it must migrate, set up a log and answer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _copy_sources(destination: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, destination / name)
    for package in packages:
        shutil.copytree(
            ROOT / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


def test_a_wheel_installed_elsewhere_migrates_and_serves_its_files(tmp_path: Path) -> None:
    source, wheels, target, work = (tmp_path / d for d in ("src", "wheels", "site", "work"))
    for directory in (source, wheels, work):
        directory.mkdir()
    _copy_sources(source)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--quiet", "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("terang-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "ledger/schema/env.py",
        "ledger/schema/script.py.mako",
        "ledger/schema/versions/0001_ledger_core.py",
        "portal/templates/base.html",
        "workspace/templates/base.html",
        "workspace/static/keys.js",
        "workspace/static/canonical.js",
        "workspace/static/sealed.js",
        "workspace/static/vendor/noble.js",
        "workspace/static/vendor/LICENSE",
    ):
        assert shipped in names, f"{shipped} is not in the wheel"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
         "--quiet", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    # The installed copy comes first; the checkout is nowhere on the path.
    env = {**os.environ, "PYTHONPATH": str(target), "TERANG_DATABASE_URL": "sqlite:///t.db"}
    where = subprocess.run(
        [sys.executable, "-c", "import ledger.migrations as m; print(m.SCRIPT_LOCATION)"],
        cwd=work, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(target)), where.stdout + where.stderr

    def terang(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "terang.cli", *args],
            cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"terang {' '.join(args)}: {result.stderr}"
        return result.stdout

    head = sorted((ROOT / "ledger" / "schema" / "versions").glob("0*.py"))[-1].stem
    assert terang("db", "upgrade").startswith(f"schema at {head}")  # the newest migration
    terang("init", "--origin", "kab-contoh.example/terang")
    assert json.loads(terang("info"))["tree_size"] == 1
