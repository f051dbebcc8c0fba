"""What an operator's restore of a large log costs, end to end, on each engine (issue 17,
"Figures": restore time for a 1,000,000-entry log).

    python bench/bench_restore_1m.py [--entries 1000000] [--engines sqlite,postgresql]
        [--after-backup 20000] [--quick] [--out bench/results/restore_1m.json]

The log is built in-process with bench_rebuild's builder (``Ledger.append_direct``, the
real sequencer path: key registrations, then role grants and revocations on them), after
``terang init`` as an operator runs it. Then, with the writer stopped:

SQLite
  ``terang db backup`` (the online backup API, run as the CLI); the restore: the copy put
  in place of the database file (``cp``), then opened as ``terang serve`` opens it
  (``Ledger(...)``: the migrations check, then the rollback check against the state file
  ``keys/log.checkpoint``); then ``terang serve`` on it and ``terang verify URL --key``
  as a separate process, exactly as an auditor runs it (bench/verify_bench.py's
  ``verify_once``).

PostgreSQL (a throwaway cluster of its own, scripts/pg_throwaway.py, with WAL archiving
turned on as docs/operating-postgresql.md "Point-in-time recovery" step 1 does)
  ``dump``: the ``<!-- backup-drill -->`` block of docs/operating-postgresql.md#backups,
  run by bash unchanged (pg_dump -Fc, pg_dumpall --roles-only, CREATE DATABASE,
  pg_restore), each command timed by an ``$EPOCHREALTIME`` trace; then opened as serve
  opens it and verified;
  ``base``: ``pg_basebackup --wal-method=stream --checkpoint=fast`` into a new directory,
  then ``--after-backup`` more entries written and archived (what a point-in-time
  recovery replays), then the PITR restore: the copy into a new data directory,
  ``recovery.signal`` with ``restore_command`` from the archive, ``hot_standby = off``
  and ``recovery_target_action = 'promote'``, timed until it is out of recovery and
  accepts connections (``pg_ctl start -w`` returns earlier: as soon as recovery has
  begun); then opened as serve opens it and verified. The dump restore is verified and
  dropped before the base backup, which then holds the log alone.

Recorded per step: seconds, entries/s, bytes (backup, dump, base backup, WAL replayed),
the CPU load average before and after each engine, and the commit. The throwaway primary
runs with fsync off (it only builds the log); the restored PostgreSQL server runs with
the defaults (fsync on), as a real one would. ``--quick``: 2,000 entries, the smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_common import RATE_LIMITS_OFF_ENV, BenchError, git, load_average
from bench_rebuild import Workload, grow
from ledger_bench import load_pg_throwaway
from nacl.signing import SigningKey
from rich.console import Console
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from verify_bench import verify_once

from ledger.keys import load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
TERANG = [sys.executable, "-m", "terang.cli"]
DOC = REPO / "docs" / "operating-postgresql.md"
KEYS = 10_000
"""Documents in the projections (bench_rebuild's workload: registrations, then grants)."""
console = Console(stderr=True)


def per_s(entries: int, seconds: float) -> int:
    return round(entries / max(seconds, 1e-9))


def timed(argv: list[str], *, cwd: Path, env: dict[str, str], what: str) -> float:
    """Run ``argv`` to completion; its wall seconds. A failure is a BenchError."""
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise BenchError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (a file: its size)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_log(
    workdir: Path, url: str, entries: int, progress: bool
) -> tuple[Ledger, str, Workload]:
    """``terang init`` in ``workdir`` on ``url``, then the log grown to ``entries``.

    Returns the open builder (its key file is ``workdir/keys/log.key``, so its checkpoints
    go to the state file ``keys/log.checkpoint`` a restore is compared with), the log's
    verifier key and the workload (to write more of it later)."""
    env = {**os.environ, **RATE_LIMITS_OFF_ENV, "TERANG_DATABASE_URL": url}
    timed([*TERANG, "init"], cwd=workdir, env=env, what="terang init")
    settings = Settings(
        database_url=url,
        log_key_file=workdir / "keys" / "log.key",
        limits=Limits(checkpoint_interval_ms_min=1000),
    )
    ledger = Ledger(settings, all_kinds())
    authority = load_client_key(workdir / "offline-keys" / "authority.key")
    keys = [SigningKey.generate() for _ in range(min(KEYS, max(1, entries // 2)))]
    workload = Workload(authority, keys, ledger.origin)
    grow(ledger, workload, entries, progress)
    return ledger, ledger.verifier_key(), workload


def open_as_serve(workdir: Path, url: str) -> dict[str, Any]:
    """Open the restored database as ``terang serve`` does before it serves: the
    migrations check (``Ledger(...)``), then the rollback check against the state file."""
    settings = Settings(database_url=url, log_key_file=workdir / "keys" / "log.key")
    started = time.monotonic()
    ledger = Ledger(settings, all_kinds())
    opened = time.monotonic()
    try:
        if ledger.guard is None:
            raise BenchError("no rollback guard: the state file is missing")
        report = ledger.guard.check()
        checked = time.monotonic()
        size = ledger.size()
    finally:
        ledger.close()
    finding = report.findings[0].error().code if report.findings else None
    return {
        "tree_size": size,
        "open_and_migrations_check_s": round(opened - started, 3),
        "rollback_check_s": round(checked - opened, 3),
        "held_read_only": finding,
    }


def verify_served(workdir: Path, url: str, vkey: str, name: str) -> dict[str, Any]:
    """``terang serve`` on ``url`` and ``terang verify`` against it, each a process of its
    own (bench/verify_bench.py), from a fresh verify state: the whole log is checked."""
    where = workdir / f"verify-{name}"
    where.mkdir()
    env = {
        **os.environ,
        **RATE_LIMITS_OFF_ENV,
        "TERANG_DATABASE_URL": url,
        "TERANG_LOG_KEY_FILE": str(workdir / "keys" / "log.key"),
    }
    figures = verify_once(where, env, vkey, 0)
    return {
        "tree_size": figures["tree_size"],
        "seconds": figures["seconds"],
        "entries_per_s": figures["entries_per_s"],
        "peak_rss_mb": figures["peak_rss_mb"],
        "projections_compared": figures["projections_compared"],
    }


# ---------------------------------------------------------------------------- SQLite


def run_sqlite(entries: int, progress: bool) -> dict[str, Any]:
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="terang-restore-1m-") as tmp:
        workdir = Path(tmp)
        live = workdir / "terang.db"
        started = time.monotonic()
        ledger, vkey, _ = build_log(workdir, f"sqlite:///{live}", entries, progress)
        build_s = time.monotonic() - started
        size = ledger.size()
        ledger.close()

        copy = workdir / "backups" / "terang-backup.db"
        copy.parent.mkdir()
        env = {**os.environ, "TERANG_DATABASE_URL": f"sqlite:///{live}"}
        backup_s = timed(
            [*TERANG, "db", "backup", str(copy)], cwd=workdir, env=env, what="terang db backup"
        )
        # The restore: the machine lost its disk; the copy goes in place of the file.
        restored = workdir / "restored" / "terang.db"
        restored.parent.mkdir()
        copy_s = timed(
            ["cp", str(copy), str(restored)], cwd=workdir, env=dict(os.environ), what="cp"
        )
        url = f"sqlite:///{restored}"
        opened = open_as_serve(workdir, url)
        if opened["tree_size"] != size or opened["held_read_only"]:
            raise BenchError(f"the restored copy is not the log: {opened}")
        verified = verify_served(workdir, url, vkey, "sqlite")
        if verified["tree_size"] != size:
            raise BenchError(f"verified {verified['tree_size']} of {size} entries")
        restore_s = copy_s + opened["open_and_migrations_check_s"] + opened["rollback_check_s"]
        return {
            "engine": "sqlite",
            "entries": size,
            "build_s": round(build_s, 1),
            "build_entries_per_s": per_s(size, build_s),
            "database_bytes": live.stat().st_size,
            "backup": {
                "command": "terang db backup FILE",
                "seconds": round(backup_s, 2),
                "entries_per_s": per_s(size, backup_s),
                "bytes": copy.stat().st_size,
            },
            "restore": {
                "steps_s": {
                    "cp_into_place": round(copy_s, 2),
                    "open_and_migrations_check": opened["open_and_migrations_check_s"],
                    "rollback_check": opened["rollback_check_s"],
                },
                "seconds": round(restore_s, 2),
                "entries_per_s": per_s(size, restore_s),
                "held_read_only": opened["held_read_only"],
            },
            "verify": verified,
            "restore_and_verify_s": round(restore_s + verified["seconds"], 1),
            "load_average_before": load_before,
            "load_average_after": load_average(),
        }


# ------------------------------------------------------------------------ PostgreSQL


def documented_block(marker: str) -> str:
    found = re.search(
        rf"<!-- {marker} -->\n```sh\n(.*?)```\n<!-- /{marker} -->", DOC.read_text(), re.S
    )
    if found is None:
        raise BenchError(f"docs/operating-postgresql.md has no {marker} block")
    return found.group(1)


TRACE = re.compile(r"^(\++) (\d+\.\d+) (.*)$")


def run_traced(script: str, *, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Run ``script`` by bash, unchanged, with ``set -x`` and a timestamp in each trace
    line; the wall seconds of each top-level command, by its program's name."""
    prologue = "PS4='+ ${EPOCHREALTIME} '\nset -x\n"
    done = subprocess.run(
        ["bash", "-c", prologue + script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    ended = time.time()
    if done.returncode != 0:
        raise BenchError(f"the documented block failed ({done.returncode}):\n{done.stderr}")
    starts: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = TRACE.match(line)
        if match and match.group(1) == "+":  # top level, not a $(...) inside one
            program = match.group(3).split()[0].split("=")[0]
            starts.append((program, float(match.group(2))))
    steps: dict[str, float] = {}
    for (program, at), (_, following) in zip(starts, [*starts[1:], ("", ended)], strict=True):
        if program not in {"set", "stamp"}:
            name = "psql_create_database" if program == "psql" else program
            steps[name] = round(steps.get(name, 0.0) + following - at, 3)
    return steps


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def scalar(url: str, sql: str) -> Any:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def run_as(cluster: Any, argv: list[str], what: str) -> float:
    """``argv`` as the cluster's OS user (PostgreSQL refuses root); its wall seconds."""
    return timed(cluster.run_as.wrap(argv), cwd=cluster.root, env=dict(os.environ), what=what)


def owned_dir(cluster: Any, path: Path) -> Path:
    path.mkdir(mode=0o700)
    if cluster.run_as.name is not None:
        os.chown(path, cluster.run_as.uid, cluster.run_as.gid)
    return path


def turn_on_archiving(cluster: Any) -> Path:
    """archive_mode on (a restart), into a directory beside the data directory."""
    archive = owned_dir(cluster, cluster.root / "wal-archive")
    command = (
        f"test ! -f {archive}/%f && cp %p {archive}/%f.part && mv {archive}/%f.part {archive}/%f"
    )
    scalar(cluster.superuser_url, "ALTER SYSTEM SET archive_mode = 'on'")
    scalar(cluster.superuser_url, f"ALTER SYSTEM SET archive_command = '{command}'")
    pg_ctl = str(cluster.bindir / "pg_ctl")
    log = str(cluster.log_file)
    run_as(
        cluster,
        [pg_ctl, "restart", "-D", str(cluster.datadir), "-l", log, "-w", "-m", "fast"],
        "pg_ctl restart",
    )
    cluster.pid = int((cluster.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
    if scalar(cluster.superuser_url, "SHOW archive_mode") != "on":
        raise BenchError("archive_mode did not turn on")
    return archive


def wait_archived(cluster: Any) -> None:
    """Switch to a new WAL segment and wait until the archiver has copied the old one."""
    segment = scalar(cluster.superuser_url, "SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + 120
    while (
        scalar(cluster.superuser_url, "SELECT last_archived_wal FROM pg_stat_archiver") or ""
    ) < segment:
        if time.monotonic() > deadline:
            raise BenchError(f"WAL segment {segment} was not archived in 120 s")
        time.sleep(0.2)


def out_of_recovery(url: str) -> bool:
    try:
        return scalar(url, "SELECT NOT pg_is_in_recovery()") is True
    except OperationalError:  # not accepting connections yet
        return False


@contextmanager
def restored_cluster(
    pg: ModuleType, primary: Any, base: Path, archive: Path
) -> Iterator[tuple[Any, dict[str, float]]]:
    """The PITR restore of ``base`` to the end of ``archive``, started on its own port;
    the seconds of the copy and of ``pg_ctl start -w`` (recovery done, promoted)."""
    root = Path(tempfile.mkdtemp(prefix="terang-pg-", dir=primary.root.parent))
    if primary.run_as.name is not None:
        os.chown(root, primary.run_as.uid, primary.run_as.gid)
    data = root / "data"
    steps = {
        "copy_s": run_as(primary, ["cp", "-a", f"{base}/.", str(owned_dir(primary, data))], "cp -a")
    }
    with (data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"restore_command = 'cp {archive}/%f %p'\n"
            "recovery_target_timeline = 'current'\n"
            "recovery_target_action = 'promote'\n"
            "hot_standby = off\n"
            "archive_mode = off\n"
        )
    (data / "recovery.signal").touch()
    if primary.run_as.name is not None:
        os.chown(data / "recovery.signal", primary.run_as.uid, primary.run_as.gid)
    port = pg._free_port()
    options = f"-c port={port} -c listen_addresses={pg.HOST} -c unix_socket_directories={root}"
    started = time.monotonic()
    steps["pg_ctl_start_w_s"] = run_as(
        primary,
        [
            str(primary.bindir / "pg_ctl"),
            "start",
            "-D",
            str(data),
            "-l",
            str(root / "recovery.log"),
            "-w",
            "-t",
            "86400",
            "-o",
            options,
        ],
        "pg_ctl start (recovery)",
    )
    cluster = pg.Cluster(
        root=root,
        port=port,
        pid=int((data / "postmaster.pid").read_text().split("\n", 1)[0]),
        bindir=primary.bindir,
        run_as=primary.run_as,
    )
    try:
        # pg_ctl -w returns once recovery has begun (with hot_standby off the postmaster
        # reports "standby" then), not once it is done: wait for a connection that is
        # out of recovery, which is when Terang can open it.
        deadline = time.monotonic() + 3600
        while not out_of_recovery(cluster.superuser_url):
            if time.monotonic() > deadline:
                raise BenchError(
                    f"recovery not done in an hour:\n{pg._tail(root / 'recovery.log')}"
                )
            time.sleep(0.05)
        steps["start_until_recovered_s"] = time.monotonic() - started
        yield cluster, steps
    finally:
        cluster.stop()  # and removes root


def run_postgresql(entries: int, after_backup: int, progress: bool) -> dict[str, Any]:
    pg = load_pg_throwaway()
    load_before = load_average()
    with (
        tempfile.TemporaryDirectory(prefix="terang-restore-1m-") as tmp,
        pg.start_cluster() as primary,
    ):
        workdir = Path(tmp)
        archive = turn_on_archiving(primary)
        started = time.monotonic()
        ledger, vkey, workload = build_log(workdir, primary.url, entries, progress)
        build_s = time.monotonic() - started
        size = ledger.size()
        database_bytes = scalar(primary.url, "SELECT pg_database_size(current_database())")
        admin = make_url(primary.url).set(database="postgres").render_as_string(hide_password=False)
        try:
            # dump: the documented block, unchanged; the restored copy opened and verified,
            # then dropped, so that the base backup below holds the log alone (and its
            # recovery does not replay the restore's WAL).
            dump_dir = workdir / "dump"
            dump_dir.mkdir()
            env = {
                **os.environ,
                "PATH": f"{primary.bindir}:{os.environ.get('PATH', '')}",
                "PGURL": libpq(primary.url),
                "PGADMIN_URL": libpq(admin),
                "RESTORE_DB": "terang_restored",
            }
            steps = run_traced(documented_block("backup-drill"), cwd=dump_dir, env=env)
            dump_file = next(dump_dir.glob("terang-*.pgc"))
            dumped_url = (
                make_url(primary.url)
                .set(database="terang_restored")
                .render_as_string(hide_password=False)
            )
            restored_bytes = scalar(dumped_url, "SELECT pg_database_size(current_database())")
            dump_restore_s = steps["psql_create_database"] + steps["pg_restore"]
            opened_dump = open_as_serve(workdir, dumped_url)
            if opened_dump["tree_size"] != size or opened_dump["held_read_only"]:
                raise BenchError(f"the dump restore is not the log: {opened_dump}")
            verified_dump = verify_served(workdir, dumped_url, vkey, "dump")
            scalar(admin, 'DROP DATABASE "terang_restored"')

            # base: a base backup, then more writes, which only the WAL archive holds.
            base = primary.root / "base-backup"  # pg_basebackup creates it
            base_s = run_as(
                primary,
                [
                    str(primary.bindir / "pg_basebackup"),
                    f"--dbname={libpq(admin)}",
                    f"--pgdata={base}",
                    "--wal-method=stream",
                    "--checkpoint=fast",
                    "--label=terang bench",
                ],
                "pg_basebackup",
            )
            base_bytes = tree_bytes(base)
            lsn_at_backup = scalar(admin, "SELECT pg_current_wal_lsn()")
            grow(ledger, workload, size + after_backup, progress)
            final_size = ledger.size()
        finally:
            ledger.close()
        wal_after = int(
            scalar(admin, f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{lsn_at_backup}')")
        )
        wait_archived(primary)

        with restored_cluster(pg, primary, base, archive) as (restored, base_steps):
            opened_base = open_as_serve(workdir, restored.url)
            if opened_base["tree_size"] != final_size or opened_base["held_read_only"]:
                raise BenchError(f"the PITR restore is not the whole log: {opened_base}")
            verified_base = verify_served(workdir, restored.url, vkey, "base")
        base_restore_s = base_steps["copy_s"] + base_steps["start_until_recovered_s"]
        return {
            "engine": "postgresql",
            "server": "PostgreSQL 15, throwaway cluster; restored server with default settings",
            "entries": size,
            "build_s": round(build_s, 1),
            "build_entries_per_s": per_s(size, build_s),
            "database_bytes": database_bytes,
            "dump": {
                "commands": "docs/operating-postgresql.md#backups block, run unchanged",
                "steps_s": steps,
                "dump_s": steps["pg_dump"],
                "dump_entries_per_s": per_s(size, steps["pg_dump"]),
                "dump_bytes": dump_file.stat().st_size,
                "restore_s": round(dump_restore_s, 2),
                "restore_entries_per_s": per_s(size, dump_restore_s),
                "restored_database_bytes": restored_bytes,
                "open": opened_dump,
                "verify": verified_dump,
                "restore_and_verify_s": round(
                    dump_restore_s
                    + opened_dump["open_and_migrations_check_s"]
                    + opened_dump["rollback_check_s"]
                    + verified_dump["seconds"],
                    1,
                ),
            },
            "base_backup": {
                "commands": "pg_basebackup --wal-method=stream --checkpoint=fast; restore "
                "with recovery.signal, restore_command, recovery_target_action=promote",
                "backup_s": round(base_s, 2),
                "backup_entries_per_s": per_s(size, base_s),
                "backup_bytes": base_bytes,
                "entries_after_backup": final_size - size,
                "wal_bytes_after_backup": wal_after,
                "restore_steps_s": {k: round(v, 2) for k, v in base_steps.items()},
                "restore_s": round(base_restore_s, 2),
                "restore_entries_per_s": per_s(final_size, base_restore_s),
                "open": opened_base,
                "verify": verified_base,
                "restore_and_verify_s": round(
                    base_restore_s
                    + opened_base["open_and_migrations_check_s"]
                    + opened_base["rollback_check_s"]
                    + verified_base["seconds"],
                    1,
                ),
            },
            "load_average_before": load_before,
            "load_average_after": load_average(),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--after-backup",
        type=int,
        default=20_000,
        help="PostgreSQL: entries written after the base backup (WAL replayed)",
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="2,000 entries: the smoke test")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "restore_1m.json")
    args = parser.parse_args(argv)
    entries, after = (2000, 200) if args.quick else (args.entries, args.after_backup)
    document: dict[str, Any] = {
        "bench": "restore_1m",
        "commit": git("rev-parse", "--short", "HEAD"),
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "workload": f"{KEYS} key registrations, then role grants and revocations on them",
        "results": [],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            figures = run_sqlite(entries, not args.no_progress)
        elif engine == "postgresql":
            figures = run_postgresql(entries, after, not args.no_progress)
        else:
            raise BenchError(f"unknown engine {engine!r}")
        console.print(figures)
        document["results"].append(figures)
        # Written after each engine: a long run that fails later keeps what it measured.
        args.out.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
