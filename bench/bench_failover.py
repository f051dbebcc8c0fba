"""Failover bench: the write outage when a pg_auto_failover primary dies under load.

Each trial starts a throwaway formation (scripts/pg_ha_formation.py: a monitor, a
primary, a synchronous secondary), sets up the log with ``terang init`` and serves it
with ``terang serve`` through the formation's multi-host URL, runs ``--writers`` client
threads (``LedgerClient``, each statement resent until it is logged) for ``--before-s``,
kills the primary node with SIGKILL (postmaster and keeper), and keeps writing for
``--after-s`` after the first write that succeeded after the kill. Then it checks what
the test checks (every receipt in the log at its seq with its leaf hash, no seq missing
or repeated, each statement once) and runs ``terang verify`` against the service.

Figures per trial: ``promoted_s`` (kill to the monitor's new primary), ``outage_s``
(kill to the first write begun after it that succeeded), the slowest write (the ones
in flight across the failover), receipts answered as duplicates, and write rates before
and after. ``--modes fast,default``: the formation's tightened health checks
(``FAST_FAILOVER_SETTINGS``) and pg_auto_failover's own defaults.

    python bench/bench_failover.py [--trials 3] [--modes fast,default] [--out FILE]

Writes bench/results/failover.json. Needs root or a user PostgreSQL will run as, and
Debian's ``postgresql-15-auto-failover`` and ``pg-auto-failover-cli``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_common import REPO, BenchError, Service, free_port, git, latency_summary, load_average
from ledger_bench import ORIGIN, READY_TIMEOUT_S, STOP_TIMEOUT_S, registration, service_env
from ledger_bench import terang_executable as terang
from sqlalchemy import create_engine, select

from ledger import storage
from ledger.client import LedgerClient, RemoteError, ServiceUnreachable
from ledger.keys import load_client_key
from ledger.statement import SignedStatement

PHASE_S_MAX = 180.0


def formation_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pg_ha_formation", REPO / "scripts" / "pg_ha_formation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Server(Service):
    def __init__(self, url: str, log_key: Path, log_path: Path, cwd: Path) -> None:
        super().__init__(log_path, ready_timeout_s=READY_TIMEOUT_S, stop_timeout_s=STOP_TIMEOUT_S)
        self.env = service_env(url, log_key)
        self.cwd = cwd

    def start(self) -> None:
        self.port = free_port()
        self.launch(
            [terang(), "serve", "--host", "127.0.0.1", "--port", str(self.port)], self.env, self.cwd
        )


@dataclass
class Written:
    statement: SignedStatement
    began: float
    ended: float
    receipt: dict[str, Any]


@dataclass
class Load:
    url: str
    authority: Any
    writers: int
    stop: threading.Event = field(default_factory=threading.Event)
    written: list[Written] = field(default_factory=list)
    pushback_seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    counter: int = 0

    def start(self) -> None:
        for index in range(self.writers):
            thread = threading.Thread(target=self._write, name=f"w{index}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def _write(self) -> None:
        with LedgerClient(self.url, timeout_s=60) as client:
            while not self.stop.is_set():
                with self.lock:
                    self.counter += 1
                    index = self.counter
                signed = registration(self.authority, index, at=datetime.now(UTC), real_key=True)
                began = time.monotonic()
                while True:
                    try:
                        receipt = client.submit(signed)
                        break
                    except (RemoteError, ServiceUnreachable) as refused:
                        if isinstance(refused, RemoteError) and refused.http_status not in (
                            429,
                            503,
                        ):
                            raise
                        with self.lock:
                            self.pushback_seen += 1
                with self.lock:
                    self.written.append(Written(signed, began, time.monotonic(), receipt))

    def done_after(self, moment: float) -> list[Written]:
        with self.lock:
            return [w for w in self.written if w.began > moment]

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=PHASE_S_MAX)


def check_log(url: str, written: Sequence[Written]) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            e = storage.entries.c
            rows = conn.execute(select(e.seq, e.leaf_hash, e.signer, e.nonce).order_by(e.seq)).all()
    finally:
        engine.dispose()
    if [r.seq for r in rows] != list(range(len(rows))):
        raise BenchError("a seq is missing or repeated")
    by_pair: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        by_pair.setdefault((r.signer, r.nonce), []).append(r.seq)
    for w in written:
        s = w.statement.statement
        seq = w.receipt["seq"]
        if (
            by_pair.get((s.signer, s.nonce)) != [seq]
            or rows[seq].leaf_hash.hex() != w.receipt["leaf_hash"]
        ):
            raise BenchError(f"receipt for seq {seq} is not what the log holds")
    return {"tree_size": len(rows), "receipts_checked": len(written)}


def trial(script: ModuleType, mode: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    with script.start_formation(fast_failover=mode == "fast") as formation:
        log_key, authority_key = work / "keys" / "log.key", work / "offline" / "authority.key"
        init = subprocess.run(
            [terang(), "init", "--origin", ORIGIN, "--authority-key-out", str(authority_key)],
            cwd=work,
            env=service_env(formation.url, log_key),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if init.returncode != 0:
            raise BenchError(f"terang init: {init.stderr}")
        server = Server(formation.url, log_key, work / "serve.log", work)
        server.start()
        try:
            load = Load(server.url, load_client_key(authority_key), args.writers)
            load.start()
            time.sleep(args.before_s)
            before = len(load.done_after(0.0))
            old = formation.primary()
            killed_at = time.monotonic()
            formation.kill_node(old)
            new = formation.wait_primary(not_node=old, timeout_s=PHASE_S_MAX)
            promoted_s = time.monotonic() - killed_at
            deadline = time.monotonic() + PHASE_S_MAX
            while not load.done_after(killed_at):
                if time.monotonic() > deadline:
                    raise BenchError("no write succeeded after the failover")
                time.sleep(0.05)
            resumed = min(w.ended for w in load.done_after(killed_at))
            time.sleep(max(0.0, resumed + args.after_s - time.monotonic()))
            load.finish()
            after = [w for w in load.written if w.began >= resumed]
            figures = check_log(formation.url, load.written)
            verify = subprocess.run(
                [
                    terang(),
                    "verify",
                    server.url,
                    "--key",
                    _verifier_key(server.url),
                    "--no-progress",
                    "--state",
                    str(work / "verify-state.json"),
                ],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        finally:
            server.stop()
    return {
        "mode": mode,
        "killed": old,
        "promoted": new,
        "promoted_s": round(promoted_s, 2),
        "outage_s": round(resumed - killed_at, 2),
        "write_latency": latency_summary([w.ended - w.began for w in load.written]),
        "receipts": len(load.written),
        "duplicates": sum(bool(w.receipt["duplicate"]) for w in load.written),
        "pushback_past_client_budget": load.pushback_seen,
        "writes_per_s_before": round(before / args.before_s, 1),
        "writes_per_s_after": round(len(after) / args.after_s, 1),
        "verify_ok": verify.returncode == 0,
        **figures,
    }


def _verifier_key(url: str) -> str:
    with LedgerClient(url) as client:
        return client.verifier_key()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else "")
    parser.add_argument("--trials", type=int, default=3, help="trials per mode")
    parser.add_argument("--modes", default="fast,default", help="fast, default, or both")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--before-s", type=float, default=10.0)
    parser.add_argument("--after-s", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "failover.json")
    args = parser.parse_args(argv)
    script = formation_script()
    results: dict[str, Any] = {
        "bench": "failover",
        "machine": {
            "git_commit": git("rev-parse", "HEAD"),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_at_start": load_average(),
            "pg_autoctl": subprocess.run(
                [str(script.find_autoctl()), "--version"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.splitlines()[:1],
        },
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "fast_failover_settings": {
            **script.FAST_FAILOVER_SETTINGS,
            "timeout.network_partition_timeout": script.FAST_NETWORK_PARTITION_S,
        },
        "trials": [],
    }
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        for number in range(1, args.trials + 1):
            with tempfile.TemporaryDirectory(prefix="terang-failover-") as tmp:
                figures = trial(script, mode, args, Path(tmp))
            print(f"{mode} #{number}: {json.dumps(figures)}", flush=True)
            results["trials"].append(figures)
    summary: dict[str, Any] = {}
    for mode in {t["mode"] for t in results["trials"]}:
        ours = [t for t in results["trials"] if t["mode"] == mode]
        summary[mode] = {
            "trials": len(ours),
            "outage_s_min": min(t["outage_s"] for t in ours),
            "outage_s_max": max(t["outage_s"] for t in ours),
            "promoted_s_max": max(t["promoted_s"] for t in ours),
            "all_verified": all(t["verify_ok"] for t in ours),
        }
    results["summary"] = summary
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(results, indent=2) + "\n")
    tmp_out.replace(args.out)
    print(json.dumps(summary, indent=2))
    return 0 if all(s["all_verified"] for s in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
