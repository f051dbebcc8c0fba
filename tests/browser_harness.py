"""Browser tests: Debian's headless Chromium, driven by Playwright, against the real app.

A pytest plugin (``tests/conftest.py`` lists it in ``pytest_plugins``; a second
``conftest.py`` under ``tests/browser/`` would shadow the root one for every
``from conftest import ...``). The tests live in ``tests/browser/``; run only them with
``.venv/bin/pytest tests/browser``. Fixtures:

* ``portal_server`` (session): a demo kabupaten (``terang init`` + ``terang demo``, on
  SQLite: the storage engines are covered elsewhere) served by ``terang.app.create_app``
  under uvicorn in a thread on a free port. Its log asks one witness
  (``witness.test/w1``), whose cosignature of the latest checkpoint is stored, so pages
  carry a cosigned checkpoint. Tests may add routes to ``portal_server.app`` (a route
  added after start-up is still served: Starlette reads its routes per request).
* ``browser`` (session): ``/usr/bin/chromium`` (or ``TERANG_CHROMIUM``) launched by
  Playwright through ``executable_path``. Never ``playwright install``: downloading a
  browser fails on these machines, and Debian's ``chromium`` is what scripts/test.sh
  installs.
* ``page`` (function): a fresh browser context and page. After each test a full-page
  screenshot goes to ``artifacts/screenshots/<test>.png`` (``TERANG_ARTIFACTS_DIR``
  moves ``artifacts/``), and an uncaught JavaScript error on the page fails the test.

When Chromium or Playwright is missing: with ``CI=true`` the test FAILS; otherwise it is
skipped with the reason (scripts/test.sh sets ``TERANG_TEST_BROWSER=skip`` and
``TERANG_TEST_BROWSER_REASON`` when it could not install ``chromium``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from ledger.checkpoint import Checkpoint
from ledger.keys import load_client_key
from ledger.limits import Limits
from ledger.note import CosignatureSigner, generate_cosigner, split_note
from ledger.publisher import latest_checkpoint
from ledger.service import Ledger, Settings
from ledger.statement import format_time

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TERANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # we run as root in CI, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
ARTIFACTS = Path(os.environ.get("TERANG_ARTIFACTS_DIR", REPO / "artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
DEMO_ORIGIN = "kab-contoh.example/terang"
WITNESS_NAME = "witness.test/w1"
SERVER_START_S_MAX = 30
BROWSER_TESTS = REPO / "tests" / "browser"
AXE_SCRIPT = BROWSER_TESTS / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core for the accessibility audits (tests/browser/test_browser_a11y.py, and the
standalone verifier's in test_browser_standalone_verifier.py)."""
_taken: list[Path] = []


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def browser_unavailable(reason: str) -> None:
    """Fail in CI (a missing browser must never pass as a skip there), else skip loudly."""
    if _truthy(os.environ.get("CI")):
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass
class PortalServer:
    """The running app and what a test needs to reason about its data."""

    url: str
    app: FastAPI
    ledger: Ledger
    witness: CosignatureSigner
    demo: dict[str, Any]
    keys_dir: Path
    screenshots: Path = field(default=SCREENSHOTS)

    def latest_note(self) -> str:
        with self.ledger.engine.connect() as conn:
            published = latest_checkpoint(conn)
        assert published is not None
        return published.note


def _store_cosignature(ledger: Ledger, witness: CosignatureSigner) -> None:
    """The witness's cosignature of the latest checkpoint, stored as the collector would."""
    from ledger.witnessing import cosignatures

    with ledger.engine.connect() as conn:
        published = latest_checkpoint(conn)
    assert published is not None
    body = split_note(published.note).text
    Checkpoint.parse(body)  # a cosignature is only ever over a checkpoint body
    timestamp = int(time.time())
    line = witness.cosign(body, timestamp).line[:-1]
    with ledger.engine.begin() as conn:
        already = conn.execute(
            select(cosignatures.c.tree_size).where(cosignatures.c.tree_size == published.size)
        ).first()
        if already is None:
            conn.execute(
                cosignatures.insert().values(
                    witness_key=witness.verifier().verifier_key(),
                    tree_size=published.size,
                    signature=line,
                    cosigned_at=timestamp,
                    collected_at=format_time(ledger.clock()),
                )
            )


def _serve(app: FastAPI) -> tuple[str, Any, threading.Thread]:
    import uvicorn
    from conftest import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="portal-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S_MAX
    while not server.started:
        assert thread.is_alive(), "the portal server stopped while starting"
        assert time.monotonic() < deadline, "the portal server did not start"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    from ledger.bootstrap import init_log
    from terang.app import all_kinds, create_app
    from terang.demo import load_demo

    root = tmp_path_factory.mktemp("portal")
    keys_dir = root / "demo-keys"
    witness = generate_cosigner(WITNESS_NAME)
    # The witness URL is never called: the collector thread is not started here.
    settings = Settings(
        database_url=f"sqlite:///{root / 'terang.db'}",
        log_key_file=root / "keys" / "log.key",
        limits=Limits(checkpoint_interval_ms_min=0),
        witnesses=f"{witness.verifier().verifier_key()}=http://127.0.0.1:9/witness",
    )
    authority_key = root / "offline-keys" / "authority.key"
    init_log(settings, all_kinds(), origin=DEMO_ORIGIN, authority_key_file=authority_key)
    ledger = Ledger(settings, all_kinds())
    try:
        demo = load_demo(ledger, load_client_key(authority_key), keys_dir)
        ledger.publisher.publish(force=True)
        _store_cosignature(ledger, witness)
        app = create_app(ledger)
        url, server, thread = _serve(app)
        try:
            yield PortalServer(url, app, ledger, witness, demo, keys_dir)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        ledger.close()


def axe_pinned_version() -> str:
    manifest = json.loads((BROWSER_TESTS / "package.json").read_text(encoding="utf-8"))
    return str(manifest["devDependencies"]["axe-core"])


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """The installed axe.min.js, checked to be the pinned version."""
    if os.environ.get("TERANG_TEST_AXE") == "skip":
        browser_unavailable(
            "axe-core: " + os.environ.get("TERANG_TEST_AXE_REASON", "TERANG_TEST_AXE=skip")
        )
    if not AXE_SCRIPT.is_file():
        browser_unavailable(
            f"axe-core is not installed ({AXE_SCRIPT} is missing): npm ci --prefix tests/browser"
        )
    installed = json.loads((AXE_SCRIPT.parent / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == axe_pinned_version(), (
        f"axe-core {installed['version']} is installed but package.json pins "
        f"{axe_pinned_version()}: run npm ci --prefix tests/browser"
    )
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # the dev extra is not installed
        browser_unavailable(f"the playwright package is not installed ({exc})")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    if os.environ.get("TERANG_TEST_BROWSER") == "skip":
        reason = os.environ.get("TERANG_TEST_BROWSER_REASON", "TERANG_TEST_BROWSER=skip")
        browser_unavailable(reason)
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        browser_unavailable(f"{CHROMIUM} not found (Debian: apt-get install chromium)")
    chromium = playwright_session.chromium.launch(
        executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    current = context.new_page()
    errors: list[str] = []
    current.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield current
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        module, _, test = request.node.nodeid.partition("::")
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{Path(module).stem}__{test}")
        shot = SCREENSHOTS / f"{name}.png"
        try:
            if not current.is_closed() and current.url != "about:blank":
                current.screenshot(path=str(shot), full_page=True)
                _taken.append(shot)
                print(f"screenshot: {shot}")
        finally:
            context.close()
    assert not errors, f"uncaught JavaScript errors on the page: {errors}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"browser test screenshots ({len(_taken)}): {SCREENSHOTS}")
