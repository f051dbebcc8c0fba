"""Shared fixtures: every storage test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``TEST_DATABASE_URL`` (scripts/test.sh starts a throwaway
cluster and sets it); if unset, the session starts its own throwaway cluster. With
``TERANG_TEST_POSTGRES=skip`` (set loudly by scripts/test.sh when no server can be
started outside CI) the PostgreSQL cases are reported as skipped. With ``CI=true`` a
missing PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from nacl.signing import SigningKey
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import Signer, generate_signer
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "terang.test/log"

# Browser fixtures (headless Chromium via Playwright) for tests/browser/; a plugin module
# rather than tests/browser/conftest.py, which would shadow this module's name. The
# benches' smoke tests take their engine fixture from bench_support the same way.
pytest_plugins = ["browser_harness", "bench_support"]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def pg_throwaway() -> Any:
    """scripts/pg_throwaway.py as a module (it runs outside the venv, so not a package)."""
    loaded = sys.modules.get("terang_pg_throwaway")
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(
        "terang_pg_throwaway", REPO / "scripts" / "pg_throwaway.py"
    )
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = harness  # dataclasses need the module registered
    spec.loader.exec_module(harness)
    return harness


def _cannot_start(what: str, exc: Exception) -> NoReturn:
    """With CI=true a component that will not start fails the test; otherwise it skips."""
    if _truthy(os.environ.get("CI")):
        pytest.fail(f"CI=true and {what} could not be started: {exc}")
    pytest.skip(f"{what} could not be started: {exc}")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL database on a server we may create databases on."""
    provided = os.environ.get("TEST_DATABASE_URL")
    if provided:
        yield provided
        return
    if os.environ.get("TERANG_TEST_POSTGRES") == "skip":
        if _truthy(os.environ.get("CI")):
            pytest.fail("CI=true: PostgreSQL tests may not be skipped")
        pytest.skip("TERANG_TEST_POSTGRES=skip: no PostgreSQL on this machine")
    try:
        cluster = pg_throwaway().start_cluster()
    except Exception as exc:
        _cannot_start("PostgreSQL", exc)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Any]:
    """A throwaway cluster of the tests' own, even when ``TEST_DATABASE_URL`` is given: for
    tests that restart the server (``pg_ctl restart``) or fill its disk, which must not
    disturb the shared server. ``.url``, ``.superuser_url``, ``.datadir``, ``.run_as``."""
    if os.environ.get("TERANG_TEST_POSTGRES") == "skip" and not _truthy(os.environ.get("CI")):
        pytest.skip("TERANG_TEST_POSTGRES=skip: no PostgreSQL on this machine")
    try:
        cluster = pg_throwaway().start_cluster()
    except Exception as exc:
        _cannot_start("PostgreSQL", exc)
    try:
        yield cluster
    finally:
        cluster.stop()


@dataclass(frozen=True)
class StreamingPair:
    """A throwaway primary and a hot standby streaming its WAL (pg_throwaway.start_standby)."""

    primary: Any
    standby: Any

    def on_standby(self, sql: str) -> Any:
        """Run one statement on the standby as superuser (replay control, LSNs)."""
        engine = create_engine(self.standby.superuser_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()


@pytest.fixture
def streaming_replica() -> Iterator[StreamingPair]:
    """Its own primary (REPLICATION_SETTINGS) and standby, whatever TEST_DATABASE_URL says:
    a provided server cannot be made to feed a replica. CI=true: failing to start either
    is a failure, never a skip."""
    if os.environ.get("TERANG_TEST_POSTGRES") == "skip":
        if _truthy(os.environ.get("CI")):
            pytest.fail("CI=true: PostgreSQL tests may not be skipped")
        pytest.skip("TERANG_TEST_POSTGRES=skip: no PostgreSQL on this machine")
    harness = pg_throwaway()
    try:
        primary = harness.start_cluster(settings=harness.REPLICATION_SETTINGS)
    except Exception as exc:
        _cannot_start("a PostgreSQL primary for the replica", exc)
    try:
        standby = harness.start_standby(primary)
    except Exception as exc:
        primary.stop()
        _cannot_start("a streaming replica (pg_basebackup -R, hot standby)", exc)
    try:
        yield StreamingPair(primary, standby)
    finally:
        try:
            standby.stop()
        finally:
            primary.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'terang.db'}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def postgres_database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, for what only PostgreSQL has (roles, TRUNCATE)."""
    yield from _fresh_postgres_database(postgres_server_url)


def _fresh_postgres_database(server_url: str) -> Iterator[str]:
    name = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Clock:
    """A test clock: starts at a fixed instant and moves only when told."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Harness:
    """A ledger with a genesis, a root authority key and helpers to sign as anyone."""

    ledger: Ledger
    authority: SigningKey
    log_signer: Signer
    clock: Clock
    keys: dict[str, SigningKey] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """The log's origin: what every statement is signed for."""
        return self.ledger.origin

    def sign(
        self,
        key: SigningKey,
        statement_type: str,
        subject: str,
        body: dict[str, Any],
        *,
        nonce: str | None = None,
    ) -> SignedStatement:
        return make_signed(
            key,
            statement_type,
            subject,
            body,
            at=self.clock(),
            origin=self.ledger.origin,
            nonce=nonce,
            limits=self.ledger.limits,
        )

    def register(self, label: str, roles: list[str]) -> SigningKey:
        """Register a new key holding ``roles``, signed by the root authority."""
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": label, "roles": roles}
        self.ledger.append_direct(
            [self.sign(self.authority, "registry.key.registered", client_key_id(key), body)]
        )
        self.keys[label] = key
        return key


def make_harness(
    database_url: str,
    *,
    limits: Limits | None = None,
    log_signer: Signer | None = None,
    authority: SigningKey | None = None,
    clock: Clock | None = None,
    genesis: bool = True,
    state_file: Path | None = None,
    mirrors: str = "",
    unsafe_ignore_published: bool = False,
    guard_recheck_s: int = 0,
    next_log_signer: Signer | None = None,
) -> Harness:
    clock = clock or Clock(datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC))
    log_signer = log_signer or generate_signer(ORIGIN)
    authority = authority or SigningKey.generate()
    settings = Settings(
        database_url=database_url,
        limits=limits or Limits(checkpoint_interval_ms_min=0),
        state_file=state_file,
        mirrors=mirrors,
        unsafe_ignore_published=unsafe_ignore_published,
        guard_recheck_s=guard_recheck_s,
    )
    ledger = Ledger(
        settings, all_kinds(), clock=clock, log_signer=log_signer, next_log_signer=next_log_signer
    )
    harness = Harness(ledger, authority, log_signer, clock)
    if genesis and ledger.size() == 0:
        genesis_statement = harness.sign(
            authority,
            "ledger.genesis",
            "genesis",
            {
                "origin": log_signer.name,
                "log_verifier_key": log_signer.verifier_key(),
                "authorities": [
                    {"name": "root", "public_key": b64encode(bytes(authority.verify_key))}
                ],
            },
        )
        ledger.append_direct([genesis_statement])
        ledger.publisher.publish(force=True)
    return harness


@pytest.fixture
def harness(database_url: str) -> Iterator[Harness]:
    h = make_harness(database_url)
    try:
        yield h
    finally:
        h.ledger.close()


@pytest.fixture
def postgres_harness(postgres_database_url: str) -> Iterator[Harness]:
    h = make_harness(postgres_database_url)
    try:
        yield h
    finally:
        h.ledger.close()


@pytest.fixture
def harness_factory(database_url: str) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def factory(**kwargs: Any) -> Harness:
        h = make_harness(database_url, **kwargs)
        made.append(h)
        return h

    yield factory
    for h in made:
        h.ledger.close()


# -- a real `terang serve` process, set up with the CLI (end-to-end tests) --------------

TERANG = [sys.executable, "-m", "terang.cli"]


def run(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*TERANG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"terang {' '.join(args)}: {result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TERANG_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }


@dataclass(frozen=True)
class DemoSetup:
    """A directory and database after `terang init` (twice) and `terang demo`."""

    directory: Path
    postgres_template: str | None = None
    """The PostgreSQL database to copy (CREATE DATABASE ... TEMPLATE), or None (SQLite)."""
    postgres_server: str | None = None
    """A database on the same server to run CREATE and DROP DATABASE from."""
    failed: str | None = None
    """Why `init` or `demo` failed, told to every later test instead of a copy of the wreck."""

    def drop_template(self) -> None:
        if self.postgres_template is None or self.postgres_server is None:
            return
        name = make_url(self.postgres_template).database
        admin = create_engine(self.postgres_server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except OperationalError:
            pass  # a throwaway cluster already stopped, and its databases with it
        finally:
            admin.dispose()


def _set_up_demo(directory: Path, database_url: str) -> None:
    """`terang init` twice and `terang demo`, as an operator runs them, checking what they
    promise."""
    env = _cli_env(database_url)
    run(directory, env, "init", "--origin", "kab-contoh.example/terang")
    again = json.loads(run(directory, env, "init", "--origin", "kab-contoh.example/terang"))
    assert again["created_genesis"] is False  # idempotent
    demo = subprocess.run(
        [*TERANG, "demo"], cwd=directory, env=env, capture_output=True, text=True, timeout=600
    )
    assert demo.returncode == 0, demo.stderr
    # Demo keys are demo-only and say so (issue 10, item 7): their own directory, DEMO names,
    # a README, and a warning that the demo Pokja's box keys sit on this machine.
    assert "box keys" in demo.stderr and "not sealed" in demo.stderr
    assert (directory / "demo-keys" / "README.txt").exists()
    assert (directory / "demo-keys" / "DEMO-pokja1.box").exists()
    # Only the log key is secret here; log.checkpoint is the rollback guard's state file
    # (the newest signed checkpoint, public), kept beside the key.
    assert sorted(p.name for p in (directory / "keys").iterdir()) == ["log.checkpoint", "log.key"]


@pytest.fixture(scope="session")
def demo_setups(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, DemoSetup]]:
    """One `init` + `demo` per engine for the whole session, made on first use by
    `service`; each test then gets a copy (a few hundred ms instead of about 15 s)."""
    setups: dict[str, DemoSetup] = {}
    yield setups
    for setup in setups.values():
        setup.drop_template()


def _demo_setup(
    engine: str, setups: dict[str, DemoSetup], request: pytest.FixtureRequest
) -> DemoSetup:
    if engine in setups:
        if setups[engine].failed is not None:
            pytest.fail(f"the demo set-up failed in an earlier test: {setups[engine].failed}")
        return setups[engine]
    directory = request.getfixturevalue("tmp_path_factory").mktemp(f"demo-{engine}")
    if engine == "sqlite":
        setups[engine] = DemoSetup(directory)
        database_url = f"sqlite:///{directory / 'terang.db'}"
    else:
        server_url = request.getfixturevalue("postgres_server_url")
        template = make_url(server_url).set(database="demo_" + uuid.uuid4().hex[:12])
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{template.database}"'))
        admin.dispose()
        database_url = template.render_as_string(hide_password=False)
        setups[engine] = DemoSetup(directory, database_url, server_url)  # dropped at the end
    try:
        _set_up_demo(directory, database_url)
    except BaseException as exc:
        setups[engine] = replace(setups[engine], failed=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return setups[engine]


def _copy_demo(setup: DemoSetup, directory: Path, database_url: str) -> None:
    """The demo's files into ``directory`` and its database into ``database_url``'s."""
    shutil.copytree(setup.directory, directory, dirs_exist_ok=True)
    if setup.postgres_template is None:
        # The SQLite file came with the directory, at the path database_url names.
        assert Path(make_url(database_url).database or "").exists()
        return
    target = make_url(database_url).database
    source = make_url(setup.postgres_template).database
    admin = create_engine(setup.postgres_server or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{target}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    admin.dispose()


@pytest.fixture
def service(
    tmp_path: Path,
    database_url: str,
    demo_setups: dict[str, DemoSetup],
    request: pytest.FixtureRequest,
) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """A `terang serve` of its own over a private copy of the demo (`init` + `demo`, made
    once per engine): a test may write to it, or tamper with it, alone."""
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    _copy_demo(_demo_setup(engine, demo_setups, request), tmp_path, database_url)
    env = _cli_env(database_url)
    with serving(tmp_path, env) as url:
        yield url, tmp_path, {**env, "TERANG_URL": url}


@contextlib.contextmanager
def serving(
    cwd: Path,
    env: dict[str, str],
    *options: str,
    log: list[str] | None = None,
    stop_signal: int = signal.SIGTERM,
) -> Iterator[str]:
    """``terang serve [options]`` on a free port in ``cwd``: its URL once
    ``/log/checkpoint`` answers 200; stopped with ``stop_signal`` on exit, when its
    stderr is appended to ``log``. The stderr goes to a file, not a pipe nobody reads
    while the server runs (a full pipe would block its logging)."""
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        server = subprocess.Popen(
            [*TERANG, "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )

        def written() -> str:
            stderr.seek(0)
            return stderr.read()

        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(url + "/log/checkpoint").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, written()
                assert time.monotonic() < deadline, "service did not start"
                time.sleep(0.2)
            yield url
        finally:
            server.send_signal(stop_signal)
            server.wait(timeout=30)
            if log is not None:
                log.append(written())
