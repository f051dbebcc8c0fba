"""Read-replica lag under the batch load: how far the read side trails the primary.

Run ``python bench/bench_replica_lag.py --help``. It starts its own throwaway PostgreSQL
primary and hot standby (scripts/pg_throwaway.py: ``pg_basebackup -R``, streaming
replication), ``terang init`` on the primary, and ``terang serve`` with
``TERANG_DATABASE_URL`` on the primary and ``TERANG_READ_DATABASE_URL`` on the standby.
Then it drives the same batch load as bench/ledger_bench.py (pre-signed registrations,
POSTed in batches from several client threads) while a sampler reads, every
``--sample-ms``:

* the primary's size (``max(seq)+1``) and the standby's, straight from each database;
* the size the read side answers with (``X-Terang-Tree-Size`` of ``GET /log/checkpoint``
  on the served app: what a reader is told);
* PostgreSQL's own view, ``pg_stat_replication`` on the primary: ``replay_lag`` and the
  WAL bytes between ``pg_current_wal_lsn()`` and ``replay_lsn``.

Figures (written to ``--out``, default bench/results/replica_lag.json):

* ``standby_visibility_lag_ms``: for each primary reading of size n during the load,
  the time until the standby first held n entries (p50, p99, max): the replica lag.
* ``served_visibility_lag_ms``: the same until the read side first answered a size
  >= n: what a reader sees, so it includes the read's own latency under the load
  (``served_read_ms``). Both are within about one sample period of the truth.
* ``entries_behind``: primary size minus the standby's, at the same sample.
* ``pg_replay_lag_ms`` and ``wal_bytes_behind``: PostgreSQL's figures.
* ``catch_up_s``: from the last batch's receipt to the read side holding every entry.

Everything it starts is stopped and removed before it exits, also on failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bench_common import BenchError, latency_summary, percentile, running
from ledger_bench import (
    ORIGIN,
    Server,
    console,
    encode_batch,
    load_pg_throwaway,
    machine_facts,
    presign,
    register_bench_signer,
    run_requests,
    service_env,
    terang_executable,
)
from sqlalchemy import create_engine, text

from ledger.keys import load_client_key
from ledger.reads import TREE_SIZE_HEADER

REPO = Path(__file__).resolve().parents[1]
SCHEMA = "terang-replica-lag-bench/1"
CATCH_UP_S_MAX = 120.0


@dataclass
class Sample:
    """One round of readings, each with its own clock reading (they are sequential)."""

    t: float
    """When the primary's size was read."""
    primary_size: int
    standby_t: float
    """When the standby's size was read (just after the primary's)."""
    standby_size: int
    served_t: float
    """When the read side answered."""
    served_size: int | None
    replay_lag_ms: float | None
    wal_bytes_behind: int | None


@dataclass
class Sampler:
    """A thread that samples both databases and the served read side (module docstring)."""

    primary_url: str
    standby_url: str
    served_url: str
    period_s: float
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, name="replica-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def latest(self) -> Sample | None:
        return self.samples[-1] if self.samples else None

    def _run(self) -> None:
        primary = create_engine(self.primary_url, isolation_level="AUTOCOMMIT")
        standby = create_engine(self.standby_url, isolation_level="AUTOCOMMIT")
        size_sql = text("SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries")
        replication_sql = text(
            "SELECT extract(epoch FROM replay_lag) * 1000, "
            "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication"
        )
        try:
            with (
                primary.connect() as p,
                standby.connect() as s,
                httpx.Client(base_url=self.served_url, timeout=10) as client,
            ):
                while not self._stop.is_set():
                    t = time.perf_counter()
                    try:
                        primary_size = int(p.execute(size_sql).scalar_one())
                        row = p.execute(replication_sql).first()
                        standby_size = int(s.execute(size_sql).scalar_one())
                        standby_t = time.perf_counter()
                        served = client.get("/log/checkpoint")
                        served_t = time.perf_counter()
                        header = served.headers.get(TREE_SIZE_HEADER)
                    except Exception as exc:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                        self._stop.wait(self.period_s)
                        continue
                    self.samples.append(
                        Sample(
                            t,
                            primary_size,
                            standby_t,
                            standby_size,
                            served_t,
                            None if header is None else int(header),
                            None if row is None or row[0] is None else float(row[0]),
                            None if row is None or row[1] is None else int(row[1]),
                        )
                    )
                    self._stop.wait(max(0.0, self.period_s - (time.perf_counter() - t)))
        finally:
            primary.dispose()
            standby.dispose()


def visibility_lags_s(
    samples: Sequence[Sample], start: float, end: float, *, served: bool
) -> list[float]:
    """For each primary reading in [start, end], the time until the standby (or, with
    ``served``, the read side's answer) first held at least that many entries.

    Measured from the primary's reading to the first later reading at least that large,
    that same round's included: too high by up to that reading's own duration, too low
    by up to a period (the commit came before the primary's reading).
    """
    lags: list[float] = []
    j = 0
    for i, sample in enumerate(samples):
        if not start <= sample.t <= end:
            continue
        j = max(j, i)
        while j < len(samples) and _held(samples[j], served) < sample.primary_size:
            j += 1
        if j == len(samples):
            break  # not held by the end of sampling: counted in catch_up_s instead
        seen = samples[j].served_t if served else samples[j].standby_t
        lags.append(seen - sample.t)
    return lags


def _held(sample: Sample, served: bool) -> int:
    return (sample.served_size or 0) if served else sample.standby_size


def summary(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    pg = load_pg_throwaway()
    settings = {**vars(args), "out": str(args.out)}
    result: dict[str, Any] = {"schema": SCHEMA, "machine": machine_facts(), "args": settings}
    with (
        tempfile.TemporaryDirectory(prefix="terang-replica-bench-") as tmp,
        pg.start_cluster(settings=pg.REPLICATION_SETTINGS) as primary,
        pg.start_standby(primary) as standby,
    ):
        work = Path(tmp)
        console.print(f"primary on :{primary.port}, hot standby on :{standby.port}")
        log_key = work / "keys" / "log.key"
        # The root authority key is an offline key: never in the service's key directory.
        authority_key = work / "offline-keys" / "authority.key"
        init = subprocess.run(
            [
                terang_executable(),
                "init",
                "--origin",
                ORIGIN,
                "--authority-key-out",
                str(authority_key),
            ],
            env=service_env(primary.url, log_key),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if init.returncode != 0:
            raise BenchError(f"terang init failed:\n{init.stdout}\n{init.stderr}")
        server = Server(primary.url, log_key, work / "serve.log")
        server.env["TERANG_READ_DATABASE_URL"] = standby.url
        with running(server):
            signer = register_bench_signer(server.url, load_client_key(authority_key))
            statements = presign(signer, 0, args.entries, "the batch load")
            bodies = [
                encode_batch(statements[i : i + args.batch_size])
                for i in range(0, len(statements), args.batch_size)
            ]
            console.print(
                f"POSTing {len(bodies)} batches of {args.batch_size} from {args.clients} "
                f"threads, sampling every {args.sample_ms:g} ms"
            )
            sampler = Sampler(primary.url, standby.url, server.url, args.sample_ms / 1000)
            with sampler:
                start = time.perf_counter()
                load = run_requests(
                    server.url, "/api/v1/statements/batch", bodies, args.clients, args.batch_size
                )
                end = time.perf_counter()
                final = _primary_size(primary.url)
                deadline = end + CATCH_UP_S_MAX
                while (latest := sampler.latest()) is None or (latest.served_size or 0) < final:
                    if time.perf_counter() > deadline:
                        raise BenchError(f"the read side did not catch up in {CATCH_UP_S_MAX} s")
                    time.sleep(args.sample_ms / 1000)
                caught_up = latest.served_t
        if load.errors:
            raise BenchError(f"{len(load.errors)} batches failed: {load.errors[:3]}")
        result["load"] = _figures(sampler.samples, start, end, caught_up, load, final)
        result["load"]["sample_errors"] = sampler.errors[:5]
    return result


def _primary_size(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _figures(
    samples: Sequence[Sample], start: float, end: float, caught_up: float, load: Any, final: int
) -> dict[str, Any]:
    during = [s for s in samples if start <= s.t <= end]
    standby_ms = [lag * 1000 for lag in visibility_lags_s(samples, start, end, served=False)]
    served_ms = [lag * 1000 for lag in visibility_lags_s(samples, start, end, served=True)]
    replay = [s.replay_lag_ms for s in during if s.replay_lag_ms is not None]
    wal = [float(s.wal_bytes_behind) for s in during if s.wal_bytes_behind is not None]
    figures = {
        "entries": load.ok,
        "log_size_at_end": final,
        "load_wall_s": round(load.wall_s, 3),
        "entries_per_s": round(load.ok / load.wall_s, 1) if load.wall_s else None,
        "standby_visibility_lag_ms": summary(standby_ms),
        "served_visibility_lag_ms": summary(served_ms),
        "served_read_ms": summary([(s.served_t - s.standby_t) * 1000 for s in during]),
        "entries_behind": summary([float(s.primary_size - s.standby_size) for s in during]),
        "served_entries_behind": summary(
            [float(s.primary_size - (s.served_size or 0)) for s in during]
        ),
        "pg_replay_lag_ms": summary(replay),
        "wal_bytes_behind": summary(wal),
        # 0: the read side held every entry by the time the last receipt arrived.
        "catch_up_s": round(max(0.0, caught_up - end), 3),
        "batch_latency_ms": latency_summary(load.latencies_s),
        "samples_during_load": len(during),
    }
    return {"figures": figures}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        epilog="See the module docstring for what each figure means.",
    )
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the load")
    parser.add_argument("--batch-size", type=int, default=1000, help="statements per batch")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--sample-ms", type=float, default=20.0, help="sampling period")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "replica_lag.json")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    console.print(json.dumps(result["load"]["figures"], indent=2))
    console.print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
