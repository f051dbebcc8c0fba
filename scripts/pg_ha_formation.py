#!/usr/bin/env python3
"""Start and stop a throwaway pg_auto_failover formation: a monitor, a primary and a
synchronous secondary, for the high-availability tests and the failover bench.

Standard library only, like ``scripts/pg_throwaway.py``, whose helpers it reuses (where
the PostgreSQL binaries are, which OS user the servers run as, ``initdb``, process and
temporary-directory checks).

Command line::

    python3 scripts/pg_ha_formation.py start --state FILE  # prints the URL, leaves it running
    python3 scripts/pg_ha_formation.py status --state FILE # ``pg_autoctl show state``
    python3 scripts/pg_ha_formation.py stop --state FILE   # stops it, removes its directory
    python3 scripts/pg_ha_formation.py run -- CMD ARGS...  # start, run CMD with
                                                           # TERANG_HA_DATABASE_URL set, stop

``start`` prints the multi-host SQLAlchemy URL of the formation's database on stdout (and
nothing else)::

    postgresql+psycopg2://postgres@/terang_ha?host=127.0.0.1:P1&host=127.0.0.1:P2
        &target_session_attrs=read-write&connect_timeout=2

libpq tries the hosts in order and keeps the first that accepts writes, so after a
failover a new connection reaches the promoted node with no change of URL.

Python API::

    with start_formation() as formation:
        formation.url              # SQLAlchemy multi-host URL (above)
        formation.primary()        # name of the node the monitor holds as primary
        formation.kill_node(name)  # kill -9 the node: its postmaster and its keeper
        formation.wait_primary(not_node=name)  # until another node is promoted

What it builds (all on 127.0.0.1, ``--auth trust --no-ssl``: a throwaway, never a
deployment):

1. ``initdb`` of each node's data directory by ``pg_throwaway`` (C locale, a unix
   socket inside the formation's own directory: Debian's default socket directory
   ``/var/run/postgresql`` is not writable by the throwaway user).
2. ``pg_autoctl create monitor`` and ``pg_autoctl run`` for it, in the background.
3. ``pg_autoctl create postgres`` for ``node1`` (it becomes the primary, with database
   ``terang_ha``) and ``node2`` (a ``pg_basebackup`` of it, a secondary in the
   replication quorum: the primary's ``synchronous_standby_names`` is
   ``ANY 1 (pgautofailover_standby_2)``, so a commit returns once the secondary has it).
4. Wait until the monitor reports one ``primary`` and one ``secondary``, each in its
   assigned state.

With ``fast_failover`` (the default; ``--default-failover`` on the command line turns
it off) the monitor's health checks and demote timeout and the keepers' partition
timeout are tightened (``FAST_FAILOVER_SETTINGS``, ``FAST_NETWORK_PARTITION_S``), so a
killed primary's secondary is promoted in about 9 s rather than the 51 s of
pg_auto_failover's defaults (bench/results/failover.json).

Each ``pg_autoctl run`` is started in its own session, so ``kill_node`` can kill -9 the
keeper, the postmaster and every backend of one node at once, as a machine that dies.
(Killing the postmaster alone is not a failover: its keeper restarts it in place.)

Exit status: 0 on success; 3 when PostgreSQL binaries or ``pg_autoctl`` are missing
(Debian: ``apt-get install postgresql-15-auto-failover pg-auto-failover-cli``); 1 on any
other failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

sys.path.insert(0, str(Path(__file__).resolve().parent))
# A stdlib-only sibling script, not a package: import it from this directory.
import pg_throwaway
from pg_throwaway import (
    HOST,
    SUPERUSER,
    BinariesNotFoundError,
    PgThrowawayError,
    RunAs,
)

DB_NAME = "terang_ha"
NODES = ("node1", "node2")
FORMATION_READY_S_MAX = 90.0
"""How long a new formation may take to report a healthy primary and secondary."""
FAILOVER_S_MAX = 120.0
"""How long ``wait_primary`` waits for the monitor to promote another node."""
STOP_S_MAX = 30.0
CONNECT_TIMEOUT_S = 2
"""libpq ``connect_timeout`` in the URL: a host that does not answer is skipped after
this long (a dead machine on a real network; on 127.0.0.1 a dead port refuses at once)."""

# pg_auto_failover's monitor defaults: a check every 5 s, 5 s timeout, 2 retries 2 s
# apart, unhealthy after 20 s. Tightened for the throwaway formation so a test sees a
# failover in seconds; the same names are the operator's knobs (docs/operating-postgresql.md).
FAST_FAILOVER_SETTINGS = {
    "pgautofailover.health_check_period": "1000",
    "pgautofailover.health_check_timeout": "1000",
    "pgautofailover.health_check_max_retries": "1",
    "pgautofailover.health_check_retry_delay": "500",
    "pgautofailover.node_considered_unhealthy_timeout": "2000",
    # Before promoting, the monitor waits this long for the lost primary to demote
    # itself (default 30 s); the primary's keeper does so after losing the monitor and
    # its standbys for ``timeout.network_partition_timeout`` (default 20 s, here
    # FAST_NETWORK_PARTITION_S). The wait must stay longer than that, or an isolated
    # primary could still take writes beside the promoted one: split brain.
    "pgautofailover.primary_demote_timeout": "6000",
}
FAST_NETWORK_PARTITION_S = 3

EXIT_NO_BINARIES = pg_throwaway.EXIT_NO_BINARIES
EXIT_FAILURE = pg_throwaway.EXIT_FAILURE


class AutoctlNotFoundError(BinariesNotFoundError):
    """``pg_autoctl`` (or its PostgreSQL extension) is not installed."""


def _log(message: str) -> None:
    print(f"pg_ha_formation: {message}", file=sys.stderr, flush=True)


def find_autoctl() -> Path:
    """``$PG_AUTOCTL``, else ``pg_autoctl`` on PATH, else raise AutoctlNotFoundError."""
    explicit = os.environ.get("PG_AUTOCTL")
    found = explicit or shutil.which("pg_autoctl") or "/usr/bin/pg_autoctl"
    if os.access(found, os.X_OK):
        return Path(found)
    raise AutoctlNotFoundError(
        f"pg_autoctl not found ({'PG_AUTOCTL=' + explicit if explicit else 'not on PATH'}). "
        "Install it (Debian: apt-get install postgresql-15-auto-failover "
        "pg-auto-failover-cli) or set PG_AUTOCTL."
    )


def _check_extension(bindir: Path) -> None:
    sharedir = bindir.parent.parent.parent.parent / "share" / "postgresql" / bindir.parent.name
    control = sharedir / "extension" / "pgautofailover.control"
    if not control.exists():
        raise AutoctlNotFoundError(
            f"the pgautofailover extension is missing ({control}); Debian: apt-get install "
            f"postgresql-{bindir.parent.name}-auto-failover"
        )


def multi_host_url(ports: Sequence[int], *, driver: str = "+psycopg2") -> str:
    """The formation's URL: every node, the writable one chosen by libpq.

    SQLAlchemy's psycopg2 dialect turns repeated ``host=H:P`` into libpq's
    ``host=H1,H2 port=P1,P2``; ``target_session_attrs=read-write`` makes libpq skip a
    node that is down or a standby (read-only).
    """
    query = "&".join(f"host={HOST}:{port}" for port in ports)
    attrs = f"target_session_attrs=read-write&connect_timeout={CONNECT_TIMEOUT_S}"
    if driver:
        return f"postgresql{driver}://{SUPERUSER}@/{DB_NAME}?{query}&{attrs}"
    hosts = ",".join(f"{HOST}:{port}" for port in ports)
    return f"postgresql://{SUPERUSER}@{hosts}/{DB_NAME}?{attrs}"


@dataclass
class Formation:
    """A running throwaway formation. ``stop()`` (or leaving ``with``) destroys it."""

    root: Path
    monitor_port: int
    node_ports: dict[str, int]
    bindir: Path
    autoctl_path: Path
    run_as: RunAs = field(repr=False)
    keepers: dict[str, int] = field(default_factory=dict)
    """Process-group id of each ``pg_autoctl run`` (``monitor`` and each node)."""
    stopped: bool = field(default=False, repr=False)

    # ---- where things are

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def pgdata(self, name: str) -> Path:
        return self.root / name / "data"

    def log_file(self, name: str) -> Path:
        return self.root / f"{name}.log"

    @property
    def monitor_uri(self) -> str:
        return (
            f"postgres://autoctl_node@{HOST}:{self.monitor_port}/pg_auto_failover?sslmode=disable"
        )

    @property
    def url(self) -> str:
        """SQLAlchemy multi-host URL of the formation's database."""
        return multi_host_url(list(self.node_ports.values()))

    @property
    def dsn(self) -> str:
        """libpq multi-host URL (psql, psycopg2.connect)."""
        return multi_host_url(list(self.node_ports.values()), driver="")

    def node_dsn(self, name: str) -> str:
        """libpq URL of one node, whatever its role."""
        return f"postgresql://{SUPERUSER}@{HOST}:{self.node_ports[name]}/{DB_NAME}"

    def env(self) -> dict[str, str]:
        env = pg_throwaway._child_env()
        env.update(
            # pg_autoctl keeps its config and state under XDG directories; the throwaway
            # user has no home, so they live inside the formation.
            XDG_CONFIG_HOME=str(self.root / "xdg" / "config"),
            XDG_DATA_HOME=str(self.root / "xdg" / "data"),
            XDG_RUNTIME_DIR=str(self.root / "xdg" / "run"),
            PGHOST=str(self.socket_dir),
            PGUSER=SUPERUSER,
            PATH=f"{self.bindir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        )
        return env

    # ---- pg_autoctl

    def autoctl(self, *args: str, what: str, timeout: float = 60) -> str:
        argv = self.run_as.wrap([str(self.autoctl_path), *args])
        try:
            proc = subprocess.run(
                argv,
                cwd=self.root,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise PgThrowawayError(f"{what} timed out after {timeout:.0f}s") from exc
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-pg_throwaway.LOG_TAIL_LINES :]
            raise PgThrowawayError(
                f"{what} failed (exit {proc.returncode})\n" + "\n".join(f"    | {t}" for t in tail)
            )
        return proc.stdout

    def _run_keeper(self, name: str) -> None:
        """``pg_autoctl run`` for one node, in the background, in its own session."""
        log = open(self.log_file(name), "ab")  # noqa: SIM115 (the child keeps it)
        try:
            proc = subprocess.Popen(
                self.run_as.wrap(
                    [str(self.autoctl_path), "run", "--pgdata", str(self.pgdata(name))]
                ),
                cwd=self.root,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.keepers[name] = proc.pid

    def _initdb(self, name: str) -> None:
        node_root = self.root / name
        node_root.mkdir()
        self._chown(node_root)
        pg_throwaway._initdb(self.bindir, node_root, self.run_as)
        with open(self.pgdata(name) / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# pg_ha_formation: a throwaway formation\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "unix_socket_permissions = 0777\n"
                # The OS page cache survives a killed postmaster; only a machine crash
                # would need fsync, and nothing here outlives the test.
                "fsync = off\n"
                "timezone = 'UTC'\n"
            )

    def _chown(self, path: Path) -> None:
        if self.run_as.name is not None:
            os.chown(path, self.run_as.uid, self.run_as.gid)

    # ---- state

    def state(self) -> list[dict[str, object]]:
        """``pg_autoctl show state --json``: one object per node."""
        out = self.autoctl(
            "show", "state", "--pgdata", str(self.pgdata("monitor")), "--json", what="show state"
        )
        nodes = json.loads(out)
        if not isinstance(nodes, list):
            raise PgThrowawayError(f"pg_autoctl show state: not a list: {out[:200]}")
        return nodes

    def show_state(self) -> str:
        return self.autoctl("show", "state", "--pgdata", str(self.pgdata("monitor")), what="show")

    def primary(self) -> str | None:
        """The node that is, and is assigned to be, writable (single, primary, wait_primary)."""
        for node in self.state():
            reported, assigned = node.get("current_group_state"), node.get("assigned_group_state")
            if reported == assigned and reported in ("single", "primary", "wait_primary"):
                return str(node["nodename"])
        return None

    def healthy(self) -> bool:
        """One primary and a secondary for every other node, each in its assigned state."""
        roles = sorted(
            str(n.get("current_group_state"))
            for n in self.state()
            if n.get("current_group_state") == n.get("assigned_group_state")
        )
        return roles == sorted(["primary"] + ["secondary"] * (len(self.node_ports) - 1))

    def wait_healthy(self, timeout_s: float = FORMATION_READY_S_MAX) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if self.healthy():
                    return
            except (PgThrowawayError, ValueError):
                pass  # the monitor is still starting
            if time.monotonic() > deadline:
                raise PgThrowawayError(
                    f"formation not healthy after {timeout_s:.0f}s:\n{self._diagnostics()}"
                )
            time.sleep(0.25)

    def wait_primary(self, *, not_node: str, timeout_s: float = FAILOVER_S_MAX) -> str:
        """Wait until a node other than ``not_node`` is primary; return its name."""
        deadline = time.monotonic() + timeout_s
        while True:
            with contextlib.suppress(PgThrowawayError, ValueError):
                name = self.primary()
                if name is not None and name != not_node:
                    return name
            if time.monotonic() > deadline:
                raise PgThrowawayError(
                    f"no node promoted after {timeout_s:.0f}s:\n{self._diagnostics()}"
                )
            time.sleep(0.2)

    def _diagnostics(self) -> str:
        parts = []
        with contextlib.suppress(PgThrowawayError):
            parts.append(self.show_state())
        for name in ("monitor", *self.node_ports):
            log = self.log_file(name)
            parts.append(f"  last lines of {log}:\n{pg_throwaway._tail(log)}")
        return "\n".join(parts)

    # ---- faults

    def kill_node(self, name: str) -> None:
        """kill -9 one node as a machine that dies: its keeper, postmaster and backends.

        The postmaster alone is not enough for a failover: its keeper would restart it in
        place within a second, and the monitor would keep it as primary.
        """
        postmaster = self._postmaster_pid(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.keepers[name], signal.SIGKILL)
        if postmaster is not None and pg_throwaway._is_postgres(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(postmaster, signal.SIGKILL)

    def _postmaster_pid(self, name: str) -> int | None:
        try:
            return pg_throwaway._postmaster_pid(self.pgdata(name))
        except PgThrowawayError:
            return None

    # ---- teardown

    def stop(self) -> None:
        """Stop every keeper (SIGTERM, then SIGKILL) and remove the directory. Idempotent."""
        if self.stopped:
            return
        problems: list[str] = []
        postmasters = {name: self._postmaster_pid(name) for name in ("monitor", *self.node_ports)}
        # Nodes first, the monitor last, so no keeper sees the monitor vanish mid-stop.
        for name in (*self.node_ports, "monitor"):
            pgid = self.keepers.get(name)
            if pgid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_S_MAX
        while time.monotonic() < deadline and any(
            pg_throwaway._pid_alive(p) for p in self.keepers.values()
        ):
            time.sleep(0.1)
        for name, pgid in self.keepers.items():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            pid = postmasters.get(name)
            if pid is not None and pg_throwaway._pid_alive(pid) and pg_throwaway._is_postgres(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                time.sleep(0.2)
                if pg_throwaway._pid_alive(pid):
                    problems.append(f"{name}: postmaster {pid} survived SIGKILL")
        pg_throwaway._rmtree(self.root)
        self.stopped = True
        if problems:
            raise PgThrowawayError("; ".join(problems))

    def __enter__(self) -> Formation:
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
            "monitor_port": self.monitor_port,
            "node_ports": self.node_ports,
            "bindir": str(self.bindir),
            "autoctl": str(self.autoctl_path),
            "run_as": self.run_as.name,
            "run_as_uid": self.run_as.uid,
            "run_as_gid": self.run_as.gid,
            "keepers": self.keepers,
            "url": self.url,
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> Formation:
        try:
            name = state.get("run_as")
            node_ports = state["node_ports"]
            keepers = state["keepers"]
            assert isinstance(node_ports, dict) and isinstance(keepers, dict)
            return cls(
                root=Path(str(state["root"])),
                monitor_port=int(str(state["monitor_port"])),
                node_ports={str(k): int(v) for k, v in node_ports.items()},
                bindir=Path(str(state["bindir"])),
                autoctl_path=Path(str(state["autoctl"])),
                run_as=RunAs(
                    name if isinstance(name, str) else None,
                    int(str(state["run_as_uid"])),
                    int(str(state["run_as_gid"])),
                ),
                keepers={str(k): int(v) for k, v in keepers.items()},
            )
        except (KeyError, ValueError, AssertionError) as exc:
            raise PgThrowawayError(f"state file: {exc!r}") from exc


def _tune_monitor(formation: Formation) -> None:
    sets = [f"ALTER SYSTEM SET {name} = {value}" for name, value in FAST_FAILOVER_SETTINGS.items()]
    argv = [str(formation.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    argv += ["-h", HOST, "-p", str(formation.monitor_port), "-U", SUPERUSER]
    argv += ["-d", "pg_auto_failover"]
    for sql in [*sets, "SELECT pg_reload_conf()"]:
        argv += ["-c", sql]
    pg_throwaway._run(argv, what="tune the monitor", cwd=formation.root)


def start_formation(*, fast_failover: bool = True) -> Formation:
    """Create, start and return a healthy formation (monitor, primary, secondary)."""
    bindir = pg_throwaway.find_bindir()
    autoctl = find_autoctl()
    _check_extension(bindir)
    run_as = pg_throwaway.resolve_run_as()
    parent = pg_throwaway._temp_parent(run_as)
    root = Path(tempfile.mkdtemp(prefix="terang-ha-", dir=parent))
    formation = Formation(
        root=root,
        monitor_port=pg_throwaway._free_port(),
        node_ports={name: pg_throwaway._free_port() for name in NODES},
        bindir=bindir,
        autoctl_path=autoctl,
        run_as=run_as,
    )
    try:
        os.chmod(root, 0o700)
        formation._chown(root)
        for sub in ("sock", "xdg"):
            (root / sub).mkdir()
            formation._chown(root / sub)
        pgctl = str(bindir / "pg_ctl")
        common = ["--pgctl", pgctl, "--hostname", HOST, "--listen", HOST, "--auth", "trust"]
        common.append("--no-ssl")

        formation._initdb("monitor")
        formation.autoctl(
            "create", "monitor", "--pgdata", str(formation.pgdata("monitor")),
            "--pgport", str(formation.monitor_port), *common,
            what="pg_autoctl create monitor",
        )  # fmt: skip
        formation._run_keeper("monitor")
        pg_throwaway._wait_ready(bindir, root, formation.monitor_port)
        if fast_failover:
            _tune_monitor(formation)

        for name in NODES:
            if name == NODES[0]:
                formation._initdb(name)  # the standby's is a pg_basebackup of the primary
            else:
                (root / name).mkdir()
                formation._chown(root / name)
            formation.autoctl(
                "create", "postgres", "--pgdata", str(formation.pgdata(name)),
                "--pgport", str(formation.node_ports[name]), "--name", name,
                "--dbname", DB_NAME, "--username", SUPERUSER,
                "--monitor", formation.monitor_uri, *common,
                what=f"pg_autoctl create postgres ({name})", timeout=120,
            )  # fmt: skip
            if fast_failover:
                formation.autoctl(
                    "config", "set", "--pgdata", str(formation.pgdata(name)),
                    "timeout.network_partition_timeout", str(FAST_NETWORK_PARTITION_S),
                    what=f"pg_autoctl config set ({name})",
                )  # fmt: skip
            formation._run_keeper(name)
            if name == NODES[0]:
                deadline = time.monotonic() + FORMATION_READY_S_MAX
                while formation.primary() != name:
                    if time.monotonic() > deadline:
                        raise PgThrowawayError(f"{name} never became primary")
                    time.sleep(0.2)
        formation.wait_healthy()
        return formation
    except BaseException:
        try:
            formation.stop()
        except PgThrowawayError as exc:
            _log(f"cleanup after failed start: {exc}")
        raise


# --------------------------------------------------------------------------- CLI


def _read_state(path: Path) -> Formation:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PgThrowawayError(f"cannot read state file {path}: {exc}") from exc
    if not isinstance(state, dict):
        raise PgThrowawayError(f"state file {path} is not a JSON object")
    return Formation.from_state(state)


def _cmd_start(state_path: Path | None, fast_failover: bool) -> int:
    formation = start_formation(fast_failover=fast_failover)
    if state_path is not None:
        try:
            tmp = state_path.with_name(state_path.name + ".tmp")
            tmp.write_text(json.dumps(formation.to_state(), indent=2) + "\n")
            tmp.replace(state_path)
        except OSError as exc:
            formation.stop()
            raise PgThrowawayError(f"cannot write state file {state_path}: {exc}") from exc
    else:
        _log(f"no --state given: the formation in {formation.root} must be stopped by hand")
    _log("\n" + formation.show_state())
    print(formation.url, flush=True)
    return 0


def _cmd_stop(state_path: Path) -> int:
    if not state_path.exists():
        _log(f"state file {state_path} does not exist; nothing to stop")
        return 0
    _read_state(state_path).stop()
    state_path.unlink(missing_ok=True)
    return 0


def _cmd_run(command: list[str], fast_failover: bool) -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise PgThrowawayError("run: no command given")
    with start_formation(fast_failover=fast_failover) as formation:
        env = dict(os.environ, TERANG_HA_DATABASE_URL=formation.url)
        return subprocess.run(command, env=env, check=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("start", "start a formation, print its URL, leave it running"),
        ("run", "run a command with TERANG_HA_DATABASE_URL set, then stop"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument(
            "--default-failover",
            dest="fast_failover",
            action="store_false",
            help="keep pg_auto_failover's default health checks (promotion in about 51 s)",
        )
        if name == "start":
            p.add_argument("--state", type=Path, help="write the formation's state here")
        else:
            p.add_argument("cmd", nargs=argparse.REMAINDER)
    for name in ("stop", "status"):
        sub.add_parser(name).add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)

    try:
        if args.command == "start":
            return _cmd_start(args.state, args.fast_failover)
        if args.command == "stop":
            return _cmd_stop(args.state)
        if args.command == "status":
            print(_read_state(args.state).show_state(), end="")
            return 0
        return _cmd_run(list(args.cmd), args.fast_failover)
    except BinariesNotFoundError as exc:
        _log(str(exc))
        return EXIT_NO_BINARIES
    except PgThrowawayError as exc:
        _log(str(exc))
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
