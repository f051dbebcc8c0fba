#!/usr/bin/env python3
"""Start and stop a throwaway PostgreSQL cluster for the test suite.

Standard library only: this runs before (and independently of) the project's
virtualenv.

Command line::

    python3 scripts/pg_throwaway.py start --state FILE   # prints the URL, leaves it running
        [--replication]                                  # (REPLICATION_SETTINGS, for a primary)
    python3 scripts/pg_throwaway.py stop --state FILE    # stops it and removes its directory
    python3 scripts/pg_throwaway.py run -- CMD ARGS...   # start, run CMD with
                                                         # TEST_DATABASE_URL set, stop
    python3 scripts/pg_throwaway.py start-standby --primary-state P --state FILE
        # a hot standby of the cluster in P (pg_basebackup -R), prints its URL

``start`` prints ``postgresql+psycopg2://postgres@127.0.0.1:<port>/terang_test`` on
stdout (and nothing else); diagnostics go to stderr.

Python API::

    with start_cluster() as cluster:
        cluster.url            # SQLAlchemy URL of the ``terang_test`` database
        cluster.superuser_url  # SQLAlchemy URL of the ``postgres`` maintenance database
        cluster.dsn            # libpq URL of ``terang_test`` (for psycopg2.connect)

    with start_cluster(settings=REPLICATION_SETTINGS) as primary:
        with start_standby(primary) as standby:   # streaming replica, read-only
            standby.url

A standby is made by the engine's own tools: ``pg_basebackup -R -X stream`` from the
primary (trust authentication admits the replication connection from 127.0.0.1), then
started as a hot standby on its own port. Stop it before its primary.

The cluster is disposable: ``fsync``, ``synchronous_commit`` and
``full_page_writes`` are off, authentication is ``trust``, and it listens on
127.0.0.1 only (plus a unix socket inside its own temporary directory).

PostgreSQL refuses to run as root. When run as root, the cluster's directory is
owned by, and the server runs as, the dedicated system user ``terang-pg``
(created with ``useradd --system`` if missing; the distribution's ``postgres``
user is used if ``useradd`` is unavailable). Otherwise it runs as the current user.

Binaries are looked up in: ``$PG_BIN``; ``/usr/lib/postgresql/15/bin``; the newest
``/usr/lib/postgresql/*/bin``; ``pg_config --bindir``.

Exit status: 0 on success; 3 when no PostgreSQL binaries are found; 1 on any
other failure (the caller decides whether that is fatal).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

DB_NAME = "terang_test"
SUPERUSER = "postgres"
SERVICE_USER = "terang-pg"
FALLBACK_USER = "postgres"
HOST = "127.0.0.1"
READY_TIMEOUT = 30.0
LOG_TAIL_LINES = 30
# sun_path is 108 bytes on Linux; PostgreSQL appends "/.s.PGSQL.<port>" (+ ".lock").
MAX_SOCKET_DIR_LEN = 107 - len("/.s.PGSQL.65535.lock")
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "pg_isready", "psql")
STANDBY_BINARIES = ("pg_basebackup",)
# For a primary that feeds a standby: WAL for replication (the default, said anyway), and
# commits that flush their WAL before returning, so the walsender ships each commit at
# once (with synchronous_commit=off it waits for the WAL writer, up to wal_writer_delay,
# and replica lag measures that instead). fsync stays off: a throwaway cluster.
REPLICATION_SETTINGS = ("wal_level=replica", "max_wal_senders=4", "synchronous_commit=on")

EXIT_NO_BINARIES = 3
EXIT_FAILURE = 1


class PgThrowawayError(RuntimeError):
    """The throwaway cluster could not be started or stopped."""


class BinariesNotFoundError(PgThrowawayError):
    """No usable PostgreSQL server binaries were found."""


# --------------------------------------------------------------------------- binaries


def _has_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in REQUIRED_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """Locate the PostgreSQL server binaries, or raise BinariesNotFoundError."""
    tried: list[str] = []
    env_bin = os.environ.get("PG_BIN")
    if env_bin:
        # An explicit choice must not silently fall back to something else.
        if _has_binaries(Path(env_bin)):
            return Path(env_bin)
        raise BinariesNotFoundError(
            f"PG_BIN={env_bin} does not contain all of {', '.join(REQUIRED_BINARIES)}"
        )

    candidates = [Path("/usr/lib/postgresql/15/bin")]
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for candidate in candidates:
        tried.append(str(candidate))
        if _has_binaries(candidate):
            return candidate

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            tried.append(f"{out} (pg_config --bindir)")
            if _has_binaries(Path(out)):
                return Path(out)
    else:
        tried.append("pg_config (not on PATH)")

    raise BinariesNotFoundError(
        "PostgreSQL server binaries not found (need "
        + ", ".join(REQUIRED_BINARIES)
        + "). Tried: "
        + "; ".join(tried)
        + ". Install them (Debian: apt-get install postgresql-15) or set PG_BIN."
    )


# --------------------------------------------------------------------------- OS user


@dataclass(frozen=True)
class RunAs:
    """Who the server runs as; ``name is None`` means the current user."""

    name: str | None
    uid: int
    gid: int

    def wrap(self, argv: Sequence[str]) -> list[str]:
        """Prefix argv so that it runs as this user."""
        if self.name is None:
            return list(argv)
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", self.name, "--", *argv]
        su = shutil.which("su")
        if su:
            # The service user's login shell is nologin, so name one explicitly.
            return [su, "-s", "/bin/sh", self.name, "-c", shlex.join(argv)]
        raise PgThrowawayError(
            f"need runuser or su to run PostgreSQL as {self.name!r} (it refuses to run as root)"
        )


def _lookup_user(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def resolve_run_as() -> RunAs:
    """Pick the OS user the server runs as (creating ``terang-pg`` when root)."""
    if os.geteuid() != 0:
        return RunAs(None, os.geteuid(), os.getegid())

    entry = _lookup_user(SERVICE_USER)
    if entry is None:
        useradd = shutil.which("useradd")
        detail = "useradd not found"
        if useradd:
            proc = subprocess.run(
                [
                    useradd,
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE_USER,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            detail = proc.stderr.strip() or f"exit status {proc.returncode}"
            # Re-check either way: a concurrent run may have created it first.
            entry = _lookup_user(SERVICE_USER)
        if entry is None:
            entry = _lookup_user(FALLBACK_USER)
            if entry is None:
                raise PgThrowawayError(
                    f"running as root, but could not create OS user {SERVICE_USER!r} "
                    f"({detail}) and no {FALLBACK_USER!r} user exists; PostgreSQL "
                    "refuses to run as root"
                )
            _log(f"could not create {SERVICE_USER!r} ({detail}); using {FALLBACK_USER!r}")
    if entry.pw_uid == 0:
        raise PgThrowawayError(f"OS user {entry.pw_name!r} has uid 0; PostgreSQL refuses root")
    return RunAs(entry.pw_name, entry.pw_uid, entry.pw_gid)


# --------------------------------------------------------------------------- helpers


def _log(message: str) -> None:
    print(f"pg_throwaway: {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _traversable_by(path: Path, run_as: RunAs) -> bool:
    """Whether every ancestor of ``path`` can be searched (x) by ``run_as``."""
    if run_as.name is None:
        return True
    for ancestor in [path, *path.parents]:
        st = ancestor.stat()
        if st.st_uid == run_as.uid:
            bit = stat.S_IXUSR
        elif st.st_gid == run_as.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _temp_parent(run_as: RunAs) -> Path:
    """A temp parent the server user can reach and whose paths fit a unix socket."""
    candidates = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")]  # noqa: S108
    rejected: list[str] = []
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
            if not resolved.is_dir():
                rejected.append(f"{candidate} (not a directory)")
                continue
            # mkdtemp adds "/terang-pg-" + 8 random characters.
            if len(str(resolved)) + 20 > MAX_SOCKET_DIR_LEN:
                rejected.append(f"{candidate} (too long for a unix socket path)")
                continue
            if not _traversable_by(resolved, run_as):
                rejected.append(f"{candidate} (not traversable by {run_as.name})")
                continue
        except OSError as exc:
            rejected.append(f"{candidate} ({exc})")
            continue
        return resolved
    raise PgThrowawayError("no usable temporary directory: " + "; ".join(rejected))


def _child_env() -> dict[str, str]:
    # Stray PG* variables (PGDATA, PGPORT, PGHOST, ...) would redirect the tools,
    # and an uninstalled LANG/LC_* would make initdb/postgres complain.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
    env["LANG"] = "C"
    env["LC_ALL"] = "C"
    env["TZ"] = "UTC"
    return env


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc})"
    tail = text.splitlines()[-lines:]
    if not tail:
        return f"(server log {path} is empty)"
    return "\n".join(f"    | {line}" for line in tail)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers signal 0; treat it as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_postgres(pid: int) -> bool:
    """Guard against pid reuse before killing a pid read from a state file."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv0 = fh.read().split(b"\0", 1)[0]
    except OSError:
        return False
    return os.path.basename(argv0).startswith((b"postgres", b"postmaster"))


def _rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        raise PgThrowawayError(f"could not remove {path}")


# --------------------------------------------------------------------------- cluster


def _url(port: int, database: str, driver: str = "+psycopg2") -> str:
    return f"postgresql{driver}://{SUPERUSER}@{HOST}:{port}/{database}"


@dataclass
class Cluster:
    """A running throwaway cluster. ``stop()`` (or leaving ``with``) destroys it."""

    root: Path
    port: int
    pid: int
    bindir: Path
    run_as: RunAs = field(repr=False)
    stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``terang_test`` database."""
        return _url(self.port, DB_NAME)

    @property
    def superuser_url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database (as superuser)."""
        return _url(self.port, "postgres")

    @property
    def dsn(self) -> str:
        """libpq URL of the ``terang_test`` database (psycopg2.connect / psql)."""
        return _url(self.port, DB_NAME, driver="")

    def stop(self) -> None:
        """Stop the server (immediate shutdown) and remove its directory. Idempotent."""
        if self.stopped:
            return
        problems: list[str] = []
        if self.datadir.is_dir():
            proc = subprocess.run(
                self.run_as.wrap(
                    [
                        str(self.bindir / "pg_ctl"),
                        "stop",
                        "-D",
                        str(self.datadir),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        "30",
                    ]
                ),
                cwd=self.root,
                env=_child_env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0 and _pid_alive(self.pid):
                problems.append(f"pg_ctl stop: {proc.stderr.strip() or proc.stdout.strip()}")
        if self.pid > 0 and _pid_alive(self.pid) and _is_postgres(self.pid):
            # pg_ctl failed or was unusable; make sure nothing keeps running.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while _pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _pid_alive(self.pid):
                problems.append(f"postmaster pid {self.pid} survived SIGKILL")
        _rmtree(self.root)
        self.stopped = True
        if problems:
            raise PgThrowawayError("; ".join(problems))

    def __enter__(self) -> Cluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- state file (CLI start/stop)

    def to_state(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "datadir": str(self.datadir),
            "pid": self.pid,
            "port": self.port,
            "url": self.url,
            "bindir": str(self.bindir),
            "run_as": self.run_as.name,
            "run_as_uid": self.run_as.uid,
            "run_as_gid": self.run_as.gid,
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> Cluster:
        def get(key: str, kind: type) -> object:
            value = state.get(key)
            if not isinstance(value, kind):
                raise PgThrowawayError(f"state file: {key!r} missing or not {kind.__name__}")
            return value

        name = state.get("run_as")
        return cls(
            root=Path(str(get("root", str))),
            port=int(str(get("port", int))),
            pid=int(str(get("pid", int))),
            bindir=Path(str(get("bindir", str))),
            run_as=RunAs(
                name if isinstance(name, str) else None,
                int(str(get("run_as_uid", int))),
                int(str(get("run_as_gid", int))),
            ),
        )


def _run(
    argv: Sequence[str], *, what: str, cwd: Path, log_file: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=_child_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        log = f"\n  last lines of {log_file}:\n{_tail(log_file)}" if log_file else ""
        raise PgThrowawayError(f"{what} timed out after {exc.timeout:.0f}s{log}") from exc
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()[-LOG_TAIL_LINES:]
        message = f"{what} failed (exit {proc.returncode}): {shlex.join(argv)}"
        if output:
            message += "\n" + "\n".join(f"    | {line}" for line in output)
        if log_file is not None:
            message += f"\n  last lines of {log_file}:\n{_tail(log_file)}"
        raise PgThrowawayError(message)
    return proc


def _initdb(bindir: Path, root: Path, run_as: RunAs) -> None:
    argv = [
        str(bindir / "initdb"),
        "-D",
        str(root / "data"),
        "-A",
        "trust",
        "-U",
        SUPERUSER,
        "-E",
        "UTF8",
        # C collation: always available, deterministic, and independent of the
        # host's installed locales (en_US.UTF-8 is often missing in containers).
        "--locale=C",
        "--no-sync",
        "--no-instructions",
    ]
    _run(run_as.wrap(argv), what="initdb", cwd=root, timeout=120)


def _start_server(
    bindir: Path, root: Path, run_as: RunAs, port: int, settings: Sequence[str] = ()
) -> None:
    options = [
        f"-c listen_addresses={HOST}",
        f"-c port={port}",
        f"-c unix_socket_directories={root}",
        "-c unix_socket_permissions=0777",
        "-c fsync=off",
        "-c synchronous_commit=off",
        "-c full_page_writes=off",
        "-c max_connections=100",
        "-c shared_buffers=32MB",
        "-c dynamic_shared_memory_type=posix",
        "-c log_min_messages=warning",
        "-c logging_collector=off",
        "-c timezone=UTC",
        # Later -c options win: the caller's settings override the defaults above.
        *(f"-c {setting}" for setting in settings),
    ]
    argv = [
        str(bindir / "pg_ctl"),
        "start",
        "-D",
        str(root / "data"),
        "-l",
        str(root / "server.log"),
        "-w",
        "-t",
        str(int(READY_TIMEOUT)),
        "-o",
        " ".join(options),
    ]
    # pg_ctl -w returns once the postmaster reports "ready" in postmaster.pid.
    _run(
        run_as.wrap(argv),
        what="pg_ctl start",
        cwd=root,
        log_file=root / "server.log",
        timeout=READY_TIMEOUT + 15,
    )


def _wait_ready(bindir: Path, root: Path, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last = ""
    while True:
        proc = subprocess.run(
            [str(bindir / "pg_isready"), "-q", "-h", HOST, "-p", str(port), "-U", SUPERUSER],
            cwd=root,
            env=_child_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            return
        last = f"pg_isready exit {proc.returncode}"
        if time.monotonic() > deadline:
            raise PgThrowawayError(
                f"server on {HOST}:{port} not ready after {READY_TIMEOUT:.0f}s ({last})\n"
                f"  last lines of {root / 'server.log'}:\n{_tail(root / 'server.log')}"
            )
        time.sleep(0.1)


def _postmaster_pid(datadir: Path) -> int:
    try:
        return int((datadir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError) as exc:
        raise PgThrowawayError(f"cannot read {datadir / 'postmaster.pid'}: {exc}") from exc


def _bind_failed(error: PgThrowawayError) -> bool:
    text = str(error)
    return "Address already in use" in text


def start_cluster(*, attempts: int = 3, settings: Sequence[str] = ()) -> Cluster:
    """Create, start and return a throwaway cluster with database ``terang_test``.

    ``settings``: extra ``name=value`` server settings (``REPLICATION_SETTINGS`` for a
    primary that will feed ``start_standby``).
    """
    bindir = find_bindir()
    run_as = resolve_run_as()
    parent = _temp_parent(run_as)
    root = Path(tempfile.mkdtemp(prefix="terang-pg-", dir=parent))
    cluster: Cluster | None = None
    try:
        os.chmod(root, 0o700)
        if run_as.name is not None:
            os.chown(root, run_as.uid, run_as.gid)
        _initdb(bindir, root, run_as)

        for attempt in range(1, attempts + 1):
            # Another process may grab the port between our probe and the bind.
            port = _free_port()
            try:
                _start_server(bindir, root, run_as, port, settings)
                break
            except PgThrowawayError as exc:
                if attempt < attempts and _bind_failed(exc):
                    _log(f"port {port} was taken, retrying ({attempt}/{attempts})")
                    continue
                raise

        cluster = Cluster(
            root=root, port=port, pid=_postmaster_pid(root / "data"), bindir=bindir, run_as=run_as
        )
        _wait_ready(bindir, root, port)
        _run(
            [
                str(bindir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                cluster.superuser_url.replace("+psycopg2", ""),
                "-c",
                f"CREATE DATABASE {DB_NAME} TEMPLATE template0 ENCODING 'UTF8'",
            ],
            what=f"CREATE DATABASE {DB_NAME}",
            cwd=root,
            log_file=cluster.log_file,
        )
        return cluster
    except BaseException:
        if cluster is not None:
            try:
                cluster.stop()
            except PgThrowawayError as exc:
                _log(f"cleanup after failed start: {exc}")
        else:
            _rmtree(root)
        raise


def start_standby(primary: Cluster, *, attempts: int = 3) -> Cluster:
    """A hot standby streaming from ``primary``, read-only, on its own port.

    ``pg_basebackup -R`` copies the primary's data directory and writes
    ``standby.signal`` and ``primary_conninfo``; the server then starts in recovery and
    replays the primary's WAL as it streams in (``SELECT pg_wal_replay_pause()`` on the
    standby holds it back, for tests of a lagging replica).
    """
    missing = [n for n in STANDBY_BINARIES if not os.access(primary.bindir / n, os.X_OK)]
    if missing:
        raise BinariesNotFoundError(f"{', '.join(missing)} not in {primary.bindir}")
    run_as = primary.run_as
    root = Path(tempfile.mkdtemp(prefix="terang-pg-", dir=primary.root.parent))
    cluster: Cluster | None = None
    try:
        os.chmod(root, 0o700)
        if run_as.name is not None:
            os.chown(root, run_as.uid, run_as.gid)
        _run(
            run_as.wrap(
                [
                    str(primary.bindir / "pg_basebackup"),
                    "-D",
                    str(root / "data"),
                    "-h",
                    HOST,
                    "-p",
                    str(primary.port),
                    "-U",
                    SUPERUSER,
                    "-R",  # standby.signal + primary_conninfo: start as a standby
                    "-X",
                    "stream",  # WAL during the copy travels with it
                    "-c",
                    "fast",  # an immediate checkpoint, not a spread one
                    "--no-sync",
                ]
            ),
            what="pg_basebackup",
            cwd=root,
            log_file=primary.log_file,
            timeout=120,
        )
        for attempt in range(1, attempts + 1):
            port = _free_port()
            try:
                _start_server(primary.bindir, root, run_as, port, ("hot_standby=on",))
                break
            except PgThrowawayError as exc:
                if attempt < attempts and _bind_failed(exc):
                    _log(f"port {port} was taken, retrying ({attempt}/{attempts})")
                    continue
                raise
        cluster = Cluster(
            root=root,
            port=port,
            pid=_postmaster_pid(root / "data"),
            bindir=primary.bindir,
            run_as=run_as,
        )
        _wait_ready(primary.bindir, root, port)
        return cluster
    except BaseException:
        if cluster is not None:
            try:
                cluster.stop()
            except PgThrowawayError as exc:
                _log(f"cleanup after failed standby start: {exc}")
        else:
            _rmtree(root)
        raise


# --------------------------------------------------------------------------- CLI


def _read_state(path: Path) -> Cluster:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PgThrowawayError(f"cannot read state file {path}: {exc}") from exc
    if not isinstance(state, dict):
        raise PgThrowawayError(f"state file {path} is not a JSON object")
    return Cluster.from_state(state)


def _cmd_start(
    state_path: Path | None, primary_state: Path | None = None, *, replication: bool = False
) -> int:
    if primary_state is None:
        cluster = start_cluster(settings=REPLICATION_SETTINGS if replication else ())
    else:
        cluster = start_standby(_read_state(primary_state))
    if state_path is not None:
        try:
            tmp = state_path.with_name(state_path.name + ".tmp")
            tmp.write_text(json.dumps(cluster.to_state(), indent=2) + "\n")
            tmp.replace(state_path)
        except OSError as exc:
            cluster.stop()
            raise PgThrowawayError(f"cannot write state file {state_path}: {exc}") from exc
    else:
        _log(
            f"no --state given: the cluster in {cluster.root} (pid {cluster.pid}) "
            "must be stopped by hand"
        )
    print(cluster.url, flush=True)
    return 0


def _cmd_stop(state_path: Path) -> int:
    if not state_path.exists():
        _log(f"state file {state_path} does not exist; nothing to stop")
        return 0
    cluster = _read_state(state_path)
    cluster.stop()
    state_path.unlink(missing_ok=True)
    return 0


def _cmd_run(command: list[str]) -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise PgThrowawayError("run: no command given")
    with start_cluster() as cluster:
        env = dict(os.environ, TEST_DATABASE_URL=cluster.url)
        return subprocess.run(command, env=env, check=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start a cluster, print its URL, leave it running")
    p_start.add_argument("--state", type=Path, help="write the cluster's state here (for stop)")
    p_start.add_argument(
        "--replication", action="store_true", help="settings for a primary that feeds a standby"
    )
    p_standby = sub.add_parser(
        "start-standby", help="start a hot standby of the cluster in --primary-state"
    )
    p_standby.add_argument("--primary-state", type=Path, required=True)
    p_standby.add_argument("--state", type=Path, help="write the standby's state here")
    p_stop = sub.add_parser("stop", help="stop the cluster recorded in --state, remove its dir")
    p_stop.add_argument("--state", type=Path, required=True)
    p_run = sub.add_parser("run", help="run a command with TEST_DATABASE_URL set, then stop")
    p_run.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    try:
        if args.command == "start":
            return _cmd_start(args.state, replication=args.replication)
        if args.command == "start-standby":
            return _cmd_start(args.state, args.primary_state)
        if args.command == "stop":
            return _cmd_stop(args.state)
        return _cmd_run(list(args.cmd))
    except BinariesNotFoundError as exc:
        _log(str(exc))
        return EXIT_NO_BINARIES
    except PgThrowawayError as exc:
        _log(str(exc))
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
