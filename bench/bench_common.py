"""Helpers the benches share: latency summaries, /proc readings, machine facts, git,
and a `terang serve`-like service in a subprocess.

The benches run as scripts (``python bench/x.py``), so ``bench/`` is first on
``sys.path`` and they import this module as ``bench_common``.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import resource
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

REPO: Final = Path(__file__).resolve().parents[1]
HOST: Final = "127.0.0.1"


RATE_LIMITS_OFF: Final = {
    "client_read_requests_per_min_max": 0,
    "client_write_requests_per_min_max": 0,
    "client_statements_per_min_max": 0,
    "signer_statements_per_min_max": 0,
    "client_self_registrations_per_hour_max": 0,
}
"""Per-client and per-signer rates off (ledger.limits, 0 = off): a bench's clients all
share one address, and it measures the service, not what one client is allowed
(bench/abuse_bench.py measures that)."""
RATE_LIMITS_OFF_ENV: Final = {"TERANG_" + k.upper(): str(v) for k, v in RATE_LIMITS_OFF.items()}


class BenchError(RuntimeError):
    """A phase of the benchmark failed."""


# ------------------------------------------------------------------------ measuring


VERIFY_LOOP_N: Final = 20_000
"""Signatures checked by ``verify_ceiling``: about 2 s of one core."""


def verify_ceiling() -> dict[str, Any]:
    """Ed25519 verifies per second on one core, PyNaCl, as the sequencer calls it."""
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    signed = [key.sign(f"statement {i}".encode() * 8) for i in range(1000)]
    verify = key.verify_key.verify
    start = time.perf_counter()
    for i in range(VERIFY_LOOP_N):
        verify(signed[i % 1000])
    seconds = time.perf_counter() - start
    return {"verifies": VERIFY_LOOP_N, "verifies_per_s": round(VERIFY_LOOP_N / seconds)}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return ordered[rank]


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    """Count, p50, p99, mean and max of ``seconds``, in milliseconds."""
    if not seconds:
        return {"n": 0}
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 3),
        "p99_ms": round(percentile(seconds, 99) * 1000, 3),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 3),
        "max_ms": round(max(seconds) * 1000, 3),
    }


def mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def own_cpu_s() -> float:
    """CPU seconds (user + system) of this process so far: on a shared, loaded machine
    wall time overstates the work; the benches report both."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def own_peak_rss_mib() -> float:
    """This process's peak resident set size (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def proc_status_kib(pid: int, name: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (VmHWM: peak resident set size)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git(*args: str) -> str:
    """``git args`` in the repository: its output without trailing whitespace, or ""."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.rstrip()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# ------------------------------------------------------------------ the service


class Service:
    """A service in a subprocess of its own session (so Ctrl-C reaches the bench, which
    stops it in order), ready once ``GET /log/checkpoint`` answers 200."""

    def __init__(self, log_path: Path, *, ready_timeout_s: float, stop_timeout_s: float) -> None:
        self.log_path = log_path
        self.ready_timeout_s = ready_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kib: int | None = None
        self.rss_kib: int | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Pick ``self.port`` and ``launch`` the service on it."""
        raise NotImplementedError

    def launch(
        self, command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None
    ) -> None:
        """Start ``command`` (which serves on ``self.port``) and wait until it is ready."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.ready_timeout_s
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"the service exited early:\n{self.log_tail()}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise BenchError(f"the service was not ready after {self.ready_timeout_s} s")
            time.sleep(0.1)

    def _ready(self) -> bool:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                conn.request("GET", "/log/checkpoint")
                return conn.getresponse().status == 200
            finally:
                conn.close()
        return False

    def cpu_s(self) -> float:
        assert self.proc is not None
        return proc_cpu_s(self.proc.pid) or 0.0

    def rss_peak_kib(self) -> int | None:
        return None if self.proc is None else proc_status_kib(self.proc.pid, "VmHWM")

    def stop(self) -> None:
        """Read the peak and current RSS, then SIGTERM (graceful), then SIGKILL.
        Idempotent."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            self.peak_rss_kib = proc_status_kib(proc.pid, "VmHWM")
            self.rss_kib = proc_status_kib(proc.pid, "VmRSS")
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=self.stop_timeout_s)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


ServiceT = TypeVar("ServiceT", bound=Service)


@contextlib.contextmanager
def running(service: ServiceT) -> Iterator[ServiceT]:
    """``service`` started, and stopped on the way out (also when starting fails)."""
    try:
        service.start()
        yield service
    finally:
        service.stop()


@contextlib.contextmanager
def fresh_database(
    engine: str, sqlite_file: Path, name: str, postgres_url: str | None
) -> Iterator[str]:
    """A fresh database URL: the SQLite file ``sqlite_file``, or a new PostgreSQL database
    named ``<name>_<random>`` on the server of ``postgres_url``, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if engine == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    if not postgres_url:
        raise BenchError("--engines postgresql needs --pg-url")
    db_name = f"{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield make_url(postgres_url).set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()
