"""The OpenAPI tells the truth: Schemathesis, every check, over the whole served API.

The demo kabupaten (``terang init`` + ``terang demo``, on SQLite: the engines are covered
elsewhere) is served by ``terang.app.create_app`` under uvicorn, and Schemathesis's CLI
runs against its ``/openapi.json`` with ``--checks all``: no 5xx; every status, content
type and body as documented (problem+json errors included); every request the schema
allows is accepted (or refused only with a code the operation lists as beyond its
schema, ``x-terang-refusals-beyond-schema``); every request it forbids is refused;
undeclared methods answer 405 with ``Allow``. Deterministic generation and a bound on
examples per operation make it the same run every time.

The CLI runs as a subprocess, not through Schemathesis's pytest plugin: the CLI runs
all of its phases (examples, coverage, fuzzing, stateful) and the unsupported-method
probes, which the plugin's per-operation tests do not. Settings:
``tests/e2e/schemathesis.toml``; hooks: ``tests/e2e/schemathesis_hooks.py``.

Schemathesis is a dev extra. When it is missing the test is skipped with the reason,
except with ``CI=true``, where a missing tool must fail the run, never pass as a skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
import uvicorn
from conftest import Harness, free_port
from sqlalchemy import select

from ledger import storage
from ledger.bootstrap import init_log
from ledger.http_problems import PROBLEM_JSON, PROBLEM_SCHEMA_REF
from ledger.keys import load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from terang.app import all_kinds, create_app
from terang.demo import load_demo

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLES_PER_OPERATION = 20
WORKERS = 1
"""Schemathesis's request threads. One: on CPython 3.11, hypothesis describing filter
lambdas calls ``ast.parse`` from each thread at once, which can fail with
``SystemError: AST constructor recursion depth mismatch`` (seen once in a clean CI run)."""
RUN_S_MAX = 600
"""A hung run fails instead of blocking the suite; a normal run takes about 1-2 minutes."""
SERVER_START_S_MAX = 60
OPERATIONS_MIN = 33
"""Operations in the OpenAPI when this test was written; a run must test them all."""
DEMO_ORIGIN = "kab-contoh.example/terang"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def schemathesis_cli() -> list[str]:
    """The CLI of the Schemathesis installed beside this interpreter (the dev extra)."""
    if importlib.util.find_spec("schemathesis") is None:
        reason = "schemathesis is not installed (pip install -e '.[dev]')"
        if _truthy(os.environ.get("CI")):
            pytest.fail(f"CI=true and the OpenAPI conformance run cannot start: {reason}")
        pytest.skip(reason)
    return [sys.executable, "-m", "schemathesis.cli"]


# Path parameters that name something: half the generated requests use one the demo has,
# so the documented 200 answers (and their bodies) are checked too, not only the 404s.
EXISTING = {
    "path.ocid": ("procurement.contract",),
    "path.vendor_id": ("procurement.vendor",),
    "path.line_id": ("budgeting.line",),
    "path.posting_id": ("budgeting.commitment",),
}


@dataclass(frozen=True)
class Demo:
    url: str
    existing: dict[str, list[str]]

    def config(self) -> str:
        """tests/e2e/schemathesis.toml plus dictionaries of the demo's own names."""
        lines = [(HERE / "schemathesis.toml").read_text(), "[parameters]"]
        for parameter in self.existing:
            name = parameter.replace(".", "_")
            lines.append(f'"{parameter}" = {{ dictionary = "{name}", probability = 0.5 }}')
        for parameter, values in self.existing.items():
            name = parameter.replace(".", "_")
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}"]
        return "\n".join(lines) + "\n"


def _existing(ledger: Ledger) -> dict[str, list[str]]:
    p = storage.projection_rows.c
    found: dict[str, list[str]] = {}
    with ledger.engine.connect() as conn:
        for parameter, namespaces in EXISTING.items():
            keys = conn.execute(
                select(p.key).where(p.namespace.in_(namespaces)).order_by(p.key).limit(3)
            ).scalars()
            found[parameter] = list(keys)
            assert found[parameter], f"the demo has nothing for {parameter}"
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("openapi")
    keys = root / "keys"
    settings = Settings(
        database_url=f"sqlite:///{root / 'terang.db'}",
        log_key_file=keys / "log.key",
        limits=Limits(checkpoint_interval_ms_min=0),
    )
    # The root authority key and the demo's keys live outside the log key's directory.
    authority_key = root / "offline-keys" / "authority.key"
    init_log(settings, all_kinds(), origin=DEMO_ORIGIN, authority_key_file=authority_key)
    ledger = Ledger(settings, all_kinds())
    try:
        load_demo(ledger, load_client_key(authority_key), root / "demo-keys")
        ledger.publisher.publish(force=True)
        ledger.start()  # the sequencer answers the (always refused) generated writes
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(ledger), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, name="openapi-serve", daemon=True)
        thread.start()
        try:
            started = time.monotonic()
            while not server.started:  # waiting for the port, not a timing assertion
                assert thread.is_alive(), "the service did not start"
                assert time.monotonic() - started < SERVER_START_S_MAX, "service did not start"
                time.sleep(0.05)
            yield Demo(f"http://127.0.0.1:{port}", _existing(ledger))
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        ledger.close()


@pytest.mark.slow
def test_schemathesis_finds_no_failure_over_the_whole_api(demo: Demo, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(demo.config())
    command = [
        *schemathesis_cli(),
        "--config-file",
        str(config),
        "run",
        f"{demo.url}/openapi.json",
        "--checks",
        "all",
        "--generation-deterministic",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        str(WORKERS),
        "--no-color",
        "--report-junit-path",
        str(tmp_path / "junit.xml"),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO), *sys.path]),
    }
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_S_MAX,
        check=False,
    )
    elapsed_s = time.monotonic() - started
    summary = result.stdout[-6000:]
    print(f"schemathesis: exit {result.returncode} in {elapsed_s:.1f} s\n{summary}")
    assert result.returncode == 0, f"{result.stdout[-20000:]}\n{result.stderr[-4000:]}"
    # The exit status alone would also be 0 for a run that tested nothing: count.
    suites = ElementTree.parse(tmp_path / "junit.xml").getroot()
    cases = suites.findall(".//testcase")
    operations = {c.get("name") for c in cases}
    assert len(operations) >= OPERATIONS_MIN, sorted(operations)
    assert not suites.findall(".//failure") and not suites.findall(".//error"), summary


def test_every_error_is_documented_as_a_problem_and_every_integer_is_bounded(
    harness: Harness,
) -> None:
    """The static half of the contract, checked without Schemathesis (fast, always run)."""
    schema = create_app(harness.ledger).openapi()
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components and "Problem" in components
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= OPERATIONS_MIN
    for name, operation in operations:
        responses = operation["responses"]
        assert {"413", "429", "503"} <= responses.keys(), name
        for status, response in responses.items():
            if int(status) >= 400:
                content = response.get("content", {})
                assert list(content) == [PROBLEM_JSON], (name, status)
                assert content[PROBLEM_JSON]["schema"] == {"$ref": PROBLEM_SCHEMA_REF}
        for parameter in operation.get("parameters", []):
            kinds = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
            for kind in kinds:
                if kind.get("type") == "integer":
                    assert "maximum" in kind and "minimum" in kind, (name, parameter["name"])
