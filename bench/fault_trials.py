"""Fault trials: break the service or its database under write load, then check the log.

One harness for the bench (``bench/bench_fault_trials.py``, 50 trials per engine) and for
the test suite (``tests/integration/test_fault_trials.py``, a few). Issue 17, item 6.

A trial, in order:

1. Writers (threads, each with its own ``LedgerClient``) append without pause: some one
   statement per request, some batches. Every receipt a writer receives is recorded with
   the statement's signer and nonce: that is what the log has promised.
2. After a random delay the fault strikes: ``kill -9`` of the ``terang serve`` process
   (then it is started again, timed until it answers), or ``pg_ctl restart`` of the
   PostgreSQL server under it. The writers' client resends what failed, with the same
   signed statement, as a real client does.
3. The writers stop; the database is read behind the service's back and checked
   (``check_log``): seqs 0..n-1 with no gap and no duplicate; every entry's leaf hash and
   ``prev`` link; exactly the tree nodes of n leaves, each the hash of its children; every
   stored checkpoint's root equal to the tree's root at its size; the projection rows
   equal to what replaying the log through the reducers gives (nothing half-written);
   every received receipt present with the same seq, the same leaf hash and its own
   signer and nonce.
4. ``terang verify`` (the auditor's tool, over HTTP) passes, keeping its state file
   across trials, so each verified checkpoint is also proved consistent with the last.

Nothing here asserts: a trial returns what it found (``TrialResult.problems``), and the
caller (a test, or the bench writing figures) decides.

The benches run as scripts, so this module is imported as ``fault_trials`` with
``bench/`` on ``sys.path``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_common import HOST, RATE_LIMITS_OFF_ENV, REPO, BenchError, Service, free_port
from nacl.signing import SigningKey
from sqlalchemy import text

from audit.verifier import LogReplayer
from ledger import merkle, storage
from ledger.client import LedgerClient, RemoteError, ServiceUnreachable
from ledger.keys import client_key_id, load_client_key
from ledger.limits import Limits
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from terang.app import all_kinds

ORIGIN = "fault-trials.example/terang"
TERANG = [sys.executable, "-m", "terang.cli"]
READY_TIMEOUT_S = 60.0
WRITERS_JOIN_S_MAX = 90.0
"""A writer stuck in the client's resends (11.5 s of backoff, plus Retry-After waits) is
still well inside this."""


# ------------------------------------------------------------------ the deployment


@dataclass(frozen=True)
class Deployment:
    """A log set up with the CLI, as an operator does, in its own working directory."""

    workdir: Path
    database_url: str
    env: dict[str, str]
    authority: SigningKey
    verifier_key: str

    @property
    def verify_state(self) -> Path:
        return self.workdir / "verify-state.json"


def service_env(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every ``terang`` command: no TERANG_* of the caller's, this
    database, rate limits off (the writers share one address and one signer)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    env |= RATE_LIMITS_OFF_ENV
    env |= {
        "TERANG_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    return env | dict(extra or {})


def terang(deployment_dir: Path, env: Mapping[str, str], *args: str, timeout_s: float = 300) -> str:
    done = subprocess.run(
        [*TERANG, *args],
        cwd=deployment_dir,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"terang {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def prepare(
    workdir: Path, database_url: str, extra_env: Mapping[str, str] | None = None
) -> Deployment:
    """``terang init`` in ``workdir``: log key, root authority key (offline-keys/), genesis."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = service_env(database_url, extra_env)
    authority_file = workdir / "offline-keys" / "authority.key"
    out = terang(
        workdir, env, "init", "--origin", ORIGIN, "--authority-key-out", str(authority_file)
    )
    # init prints an advice line before its JSON.
    init = json.loads(out[out.index("{") :])
    return Deployment(
        workdir, database_url, env, load_client_key(authority_file), init["verifier_key"]
    )


class TerangService(Service):
    """``terang serve`` in a subprocess on a port fixed at the first start, so the writers'
    URL stays valid across restarts."""

    def __init__(self, deployment: Deployment, *, ready_timeout_s: float = READY_TIMEOUT_S) -> None:
        super().__init__(
            deployment.workdir / "serve.log", ready_timeout_s=ready_timeout_s, stop_timeout_s=30
        )
        self.deployment = deployment

    def start(self) -> None:
        if not self.port:
            self.port = free_port()
        command = [*TERANG, "serve", "--host", HOST, "--port", str(self.port)]
        self.launch(command, self.deployment.env, cwd=self.deployment.workdir)

    def kill_9(self) -> None:
        """SIGKILL, as the OOM killer or a power cut would: no cleanup of any kind."""
        proc, self.proc = self.proc, None
        if proc is None:
            raise BenchError("kill_9: the service is not running")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@contextlib.contextmanager
def serving(deployment: Deployment) -> Iterator[TerangService]:
    service = TerangService(deployment)
    try:
        service.start()
        yield service
    finally:
        service.stop()


# ------------------------------------------------------------------ the writers


class RecordingTransport(httpx.HTTPTransport):
    """Counts every answer by status, and every failed connection, as the client saw it
    before its own resending hid them."""

    def __init__(self, seen: Counter[str], lock: threading.Lock) -> None:
        super().__init__()
        self.seen = seen
        self.lock = lock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = super().handle_request(request)
        except httpx.TransportError as exc:
            with self.lock:
                self.seen[type(exc).__name__] += 1
            raise
        with self.lock:
            self.seen[str(response.status_code)] += 1
        return response


@dataclass(frozen=True)
class Acknowledged:
    """One receipt a writer received: the log's promise about one statement."""

    seq: int
    leaf_hash: str
    signer: str
    nonce: str
    duplicate: bool
    """The statement was already logged when this receipt was given: a resend after the
    first answer was lost (the kill struck between the commit and the response)."""

    @classmethod
    def of(cls, signed: SignedStatement, receipt: Mapping[str, Any]) -> Acknowledged:
        """From the statement sent and the receipt (``ReceiptPublic`` JSON) it got."""
        return cls(
            int(receipt["seq"]),
            str(receipt["leaf_hash"]),
            signed.statement.signer,
            signed.statement.nonce,
            bool(receipt["duplicate"]),
        )


class Writer(threading.Thread):
    """Appends registrations signed by the root authority until told to stop: one per
    request (``batch_size`` 1) or batches. Records every receipt, and what it gave up on."""

    def __init__(
        self,
        deployment: Deployment,
        url: str,
        batch_size: int,
        stop: threading.Event,
        *,
        label: str = "",
    ) -> None:
        super().__init__(daemon=True, name=f"writer{label}-batch-{batch_size}")
        self.deployment = deployment
        self.url = url
        self.batch_size = batch_size
        self.stop = stop
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.acknowledged: list[Acknowledged] = []
        self.unacknowledged = 0
        """Statements whose request ended without a receipt (every resend failed): they
        may or may not be logged, but at most once, and nobody was promised anything."""
        self.refusals: Counter[str] = Counter()
        self.failure: BaseException | None = None

    def new_statement(self) -> SignedStatement:
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "v", "roles": ["vendor"]}
        return make_signed(
            self.deployment.authority,
            "registry.key.registered",
            client_key_id(key),
            body,
            at=datetime.now(UTC),
            origin=ORIGIN,
        )

    def run(self) -> None:
        transport = RecordingTransport(self.seen, self.lock)
        try:
            with LedgerClient(self.url, transport=transport, timeout_s=60) as client:
                while not self.stop.is_set():
                    self.one_request(client)
        except BaseException as exc:  # reported by the trial, never lost in a thread
            self.failure = exc

    def one_request(self, client: LedgerClient) -> None:
        batch = [self.new_statement() for _ in range(self.batch_size)]
        try:
            if self.batch_size == 1:
                receipts = [client.submit(batch[0])]
            else:
                receipts = client.submit_batch(batch)["receipts"]
        except ServiceUnreachable:
            self.unacknowledged += len(batch)
            return
        except RemoteError as refused:
            self.refusals[refused.code] += 1
            self.unacknowledged += len(batch)
            return
        if len(receipts) != len(batch):
            raise BenchError(f"{len(batch)} statements sent, {len(receipts)} receipts")
        with self.lock:
            for signed, receipt in zip(batch, receipts, strict=True):
                self.acknowledged.append(Acknowledged.of(signed, receipt))

    def acknowledged_count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


# ------------------------------------------------------------------ the checks


def check_log(
    database_url: str, acknowledged: list[Acknowledged], origin: str = ORIGIN
) -> tuple[int, list[str]]:
    """Read the database behind the service's back: the log size and every problem found
    (an empty list: the log is whole and keeps every promise)."""
    problems: list[str] = []
    engine = storage.make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT seq, leaf_hash, entry_bytes, signer, nonce FROM ledger_entries")
            ).all()
            nodes = {
                (int(level), int(idx)): bytes(digest)
                for level, idx, digest in conn.execute(
                    text("SELECT level, idx, hash FROM ledger_tree_nodes")
                )
            }
            checkpoints = conn.execute(
                text("SELECT tree_size, root_hash FROM ledger_checkpoints ORDER BY tree_size")
            ).all()
            projections = {
                (str(namespace), str(key)): json.loads(value)
                for namespace, key, value in conn.execute(
                    text("SELECT namespace, key, value FROM projection_rows")
                )
            }
    finally:
        engine.dispose()

    # 1. No gap and no duplicate seq.
    seqs = sorted(int(row.seq) for row in rows)
    size = len(seqs)
    if seqs != list(range(size)):
        missing = sorted(set(range(max(seqs, default=-1) + 1)) - set(seqs))[:10]
        problems.append(f"seqs are not 0..{size - 1}: missing {missing}, {size} rows")
        return size, problems
    by_seq = {int(row.seq): row for row in rows}
    if len({bytes(row.leaf_hash) for row in rows}) != size:
        problems.append("two entries share a leaf hash")

    # 2. Every entry hashes to its leaf and chains to the one before; replaying the log
    #    through the reducers gives the state the projections must hold.
    replayer = LogReplayer(all_kinds(), Limits(), origin)
    for seq in range(size):
        row = by_seq[seq]
        entry_bytes = bytes(row.entry_bytes)
        if merkle.leaf_hash(entry_bytes) != bytes(row.leaf_hash):
            problems.append(f"entry {seq}: stored leaf hash is not the hash of its bytes")
        try:
            replayer.feed(entry_bytes)
        except Exception as exc:  # a LogFault names the entry and the fault
            problems.append(f"replay: {exc}")
            return size, problems

    # 3. Exactly the tree nodes of `size` leaves (2n - popcount(n) perfect subtrees), each
    #    the hash of its two children: no node of a rolled-back batch was left behind.
    expected_nodes = 2 * size - bin(size).count("1")
    if len(nodes) != expected_nodes:
        problems.append(f"{len(nodes)} tree nodes for {size} leaves, not {expected_nodes}")
    for (level, idx), digest in nodes.items():
        if level == 0:
            row = by_seq.get(idx)
            if row is None or bytes(row.leaf_hash) != digest:
                problems.append(f"leaf node {idx} is not entry {idx}'s leaf hash")
            continue
        left, right = nodes.get((level - 1, 2 * idx)), nodes.get((level - 1, 2 * idx + 1))
        if left is None or right is None or merkle.node_hash(left, right) != digest:
            problems.append(f"node ({level}, {idx}) is not the hash of its children")
    if problems:
        return size, problems
    root = merkle.root_hash(size, {n: nodes[n] for n in merkle.nodes_for_root(size)})
    if root != replayer.root():
        problems.append("the stored tree's root is not the replayed log's root")

    # 4. Every checkpoint signed so far commits to this log's tree at its size.
    for checkpoint in checkpoints:
        at = int(checkpoint.tree_size)
        if at > size:
            problems.append(f"checkpoint at size {at} beyond the log's {size} entries")
            continue
        tree_root = merkle.root_hash(at, {n: nodes[n] for n in merkle.nodes_for_root(at)})
        if bytes(checkpoint.root_hash) != tree_root:
            problems.append(f"checkpoint at size {at}: root is not the tree's root there")

    # 5. Projections hold exactly what the committed entries say.
    replayed = dict(replayer.state.items())
    if projections != replayed:
        extra = sorted(set(projections) - set(replayed))[:5]
        absent = sorted(set(replayed) - set(projections))[:5]
        differing = sorted(
            k for k in set(replayed) & set(projections) if replayed[k] != projections[k]
        )
        problems.append(
            f"projections differ from the replay: extra {extra}, absent {absent}, "
            f"different {differing[:5]}"
        )

    # 6. Every promise kept: the receipt's seq holds that very statement.
    for receipt in acknowledged:
        row = by_seq.get(receipt.seq)
        if row is None:
            problems.append(f"acknowledged seq {receipt.seq} is not in the log")
        elif bytes(row.leaf_hash).hex() != receipt.leaf_hash:
            problems.append(f"acknowledged seq {receipt.seq}: another leaf hash in the log")
        elif (row.signer, row.nonce) != (receipt.signer, receipt.nonce):
            problems.append(f"acknowledged seq {receipt.seq}: another statement in the log")
    if len({r.seq for r in acknowledged}) != len(acknowledged):
        problems.append("two receipts name the same seq")
    return size, problems


def verify(deployment: Deployment, url: str) -> tuple[bool, float, str]:
    """``terang verify`` against the running service: passed, seconds, its last output."""
    started = time.monotonic()
    done = subprocess.run(
        [
            *TERANG,
            "verify",
            url,
            "--key",
            deployment.verifier_key,
            "--state",
            str(deployment.verify_state),
            "--no-progress",
        ],
        cwd=deployment.workdir,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode == 0, time.monotonic() - started, (done.stdout + done.stderr)[-1500:]


# ------------------------------------------------------------------ one trial


@dataclass
class TrialResult:
    """What one trial found; ``passed`` only with no problem at all."""

    index: int
    fault: str
    delay_s: float
    fault_s: float
    """kill -9: from the kill until the restarted service answered; a PostgreSQL restart:
    how long ``pg_ctl restart`` took."""
    outage_s: float | None
    """From the strike to the first receipt after it: what a writer waits (None: writes
    did not resume)."""
    log_size: int
    acknowledged: int
    acknowledged_as_duplicate: int
    unacknowledged: int
    seen: dict[str, int]
    refusals: dict[str, int]
    problems: list[str] = field(default_factory=list)
    verified: bool | None = None
    verify_s: float | None = None

    @property
    def passed(self) -> bool:
        return not self.problems and self.verified is not False

    def summary(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "fault": self.fault,
            "passed": self.passed,
            "delay_s": round(self.delay_s, 3),
            "fault_s": round(self.fault_s, 3),
            "outage_s": None if self.outage_s is None else round(self.outage_s, 3),
            "log_size": self.log_size,
            "acknowledged": self.acknowledged,
            "acknowledged_as_duplicate": self.acknowledged_as_duplicate,
            "unacknowledged": self.unacknowledged,
            "seen": self.seen,
            "refusals": self.refusals,
            "problems": self.problems[:10],
            "verified": self.verified,
            "verify_s": None if self.verify_s is None else round(self.verify_s, 3),
        }


WRITER_BATCH_SIZES = (1, 1, 10, 25)
"""Two writers of single statements, two of batches (a batch is atomic: all or none)."""


def run_trial(
    index: int,
    deployment: Deployment,
    service: TerangService,
    fault: str,
    strike: Callable[[], float],
    rng: random.Random,
    acknowledged_so_far: list[Acknowledged],
    *,
    run_verify: bool,
    delay_s_max: float = 1.0,
) -> TrialResult:
    """Writers on, the fault ``strike`` (it returns how long it took) at a random instant,
    writers on a moment more, writers off; then the checks. ``acknowledged_so_far``
    collects every receipt of the run, and all of them are checked every time."""
    stop = threading.Event()
    writers = [
        Writer(deployment, service.url, size, stop, label=f"-{number}")
        for number, size in enumerate(WRITER_BATCH_SIZES)
    ]
    for writer in writers:
        writer.start()
    # Strike only once appends are flowing, then at a random instant among them.
    deadline = time.monotonic() + 30
    while sum(w.acknowledged_count() for w in writers) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    delay_s = rng.uniform(0.0, delay_s_max)
    time.sleep(delay_s)
    struck_at = time.monotonic()
    fault_s = strike()
    # Writes must go on after the fault: wait for a few more receipts. The write outage
    # runs from the strike to the first receipt after it (restart plus client backoff).
    resumed_from = sum(w.acknowledged_count() for w in writers)
    outage_s: float | None = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        count = sum(w.acknowledged_count() for w in writers)
        if count > resumed_from and outage_s is None:
            outage_s = time.monotonic() - struck_at
        if count >= resumed_from + 10:
            break
        time.sleep(0.02)
    stop.set()
    for writer in writers:
        writer.join(timeout=WRITERS_JOIN_S_MAX)

    seen: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    problems: list[str] = []
    unacknowledged = 0
    acknowledged = 0
    duplicates = 0
    for writer in writers:
        if writer.is_alive():
            problems.append(f"{writer.name} did not stop within {WRITERS_JOIN_S_MAX} s")
        if writer.failure is not None:
            problems.append(f"{writer.name} failed: {writer.failure!r}")
        seen.update(writer.seen)
        refusals.update(writer.refusals)
        unacknowledged += writer.unacknowledged
        acknowledged += len(writer.acknowledged)
        duplicates += sum(1 for r in writer.acknowledged if r.duplicate)
        acknowledged_so_far.extend(writer.acknowledged)
    if sum(w.acknowledged_count() for w in writers) < resumed_from + 10:
        problems.append("writes did not resume after the fault")
    size, found = check_log(deployment.database_url, acknowledged_so_far)
    problems.extend(found)
    result = TrialResult(
        index,
        fault,
        delay_s,
        fault_s,
        outage_s,
        size,
        acknowledged,
        duplicates,
        unacknowledged,
        dict(seen),
        dict(refusals),
        problems,
    )
    if run_verify:
        result.verified, result.verify_s, output = verify(deployment, service.url)
        if not result.verified:
            result.problems.append(f"terang verify failed: {output}")
    return result


def kill_strike(service: TerangService) -> Callable[[], float]:
    """kill -9 the service, start it again: seconds until it answers."""

    def strike() -> float:
        service.kill_9()
        started = time.monotonic()
        service.start()
        return time.monotonic() - started

    return strike


def kill_trials(
    deployment: Deployment,
    trials: int,
    *,
    seed: int,
    verify_every: int,
    delay_s_max: float = 1.0,
    on_trial: Callable[[TrialResult], None] | None = None,
) -> list[TrialResult]:
    """``trials`` kill -9 trials in a row on one deployment; ``terang verify`` after every
    ``verify_every``-th trial (1: all of them; 0: none) and after the last one."""
    rng = random.Random(seed)
    results: list[TrialResult] = []
    acknowledged: list[Acknowledged] = []
    with serving(deployment) as service:
        for index in range(trials):
            result = run_trial(
                index,
                deployment,
                service,
                "kill -9 service",
                kill_strike(service),
                rng,
                acknowledged,
                run_verify=index == trials - 1
                or (verify_every > 0 and (index + 1) % verify_every == 0),
                delay_s_max=delay_s_max,
            )
            results.append(result)
            if on_trial is not None:
                on_trial(result)
    return results


# ------------------------------------------------------------------ PostgreSQL faults


def load_pg_throwaway() -> Any:
    """scripts/pg_throwaway.py as a module (standard library only; not a package)."""
    import importlib.util

    name = "terang_pg_throwaway"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "pg_throwaway.py")
    if spec is None or spec.loader is None:
        raise BenchError("cannot load scripts/pg_throwaway.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def pg_ctl(cluster: Any, *args: str, timeout_s: float = 120) -> None:
    """``pg_ctl ARGS -D <data>`` on a throwaway cluster, as the user its server runs as.

    ``-l`` names the server's log file: without it the restarted server would keep
    pg_ctl's output pipe open and this call would never return."""
    argv = [
        str(cluster.bindir / "pg_ctl"),
        *args,
        "-D",
        str(cluster.datadir),
        "-l",
        str(cluster.log_file),
        "-w",
        "-t",
        "60",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
    env |= {"LANG": "C", "LC_ALL": "C", "TZ": "UTC"}
    done = subprocess.run(
        cluster.run_as.wrap(argv),
        cwd=cluster.root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"pg_ctl {' '.join(args)}: {(done.stdout + done.stderr)[-1500:]}")
    # The postmaster has a new pid: the cluster's own stop() must find it.
    cluster.pid = int((cluster.datadir / "postmaster.pid").read_text().split("\n", 1)[0])


def postgres_restart_strike(cluster: Any, mode: str) -> Callable[[], float]:
    """``pg_ctl restart -m MODE`` under the service: ``fast`` rolls back open transactions
    and shuts down cleanly; ``immediate`` kills every server process (crash recovery on
    start). Seconds the restart took."""

    def strike() -> float:
        started = time.monotonic()
        pg_ctl(cluster, "restart", "-m", mode)
        return time.monotonic() - started

    return strike


def postgres_restart_trials(
    deployment: Deployment,
    cluster: Any,
    modes: list[str],
    *,
    seed: int,
    on_trial: Callable[[TrialResult], None] | None = None,
) -> list[TrialResult]:
    """One trial per mode in ``modes`` on one running service, ``terang verify`` after
    each. The service is never restarted: it must ride the outage out by itself."""
    rng = random.Random(seed)
    results: list[TrialResult] = []
    acknowledged: list[Acknowledged] = []
    with serving(deployment) as service:
        for index, mode in enumerate(modes):
            result = run_trial(
                index,
                deployment,
                service,
                f"pg_ctl restart -m {mode}",
                postgres_restart_strike(cluster, mode),
                rng,
                acknowledged,
                run_verify=True,
            )
            if service.proc is None or service.proc.poll() is not None:
                result.problems.append("the service exited during the database restart")
            results.append(result)
            if on_trial is not None:
                on_trial(result)
    return results


# ------------------------------------------------------------------ a full disk


@contextlib.contextmanager
def small_filesystem(mount_point: Path, size_mib: int) -> Iterator[Path]:
    """A tmpfs of ``size_mib`` MiB mounted at ``mount_point`` (needs root: CAP_SYS_ADMIN),
    unmounted on the way out. Its size is a cap: memory is used only as it fills."""
    mount_point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"cannot mount a {size_mib} MiB tmpfs: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], capture_output=True, check=False)


def can_mount() -> bool:
    """Whether this process may mount a tmpfs: tried once for real (root is not enough in
    a container without CAP_SYS_ADMIN)."""
    if os.geteuid() != 0:
        return False
    probe = Path(tempfile.mkdtemp(prefix="terang-mount-probe-"))
    try:
        with small_filesystem(probe, 1):
            return True
    except BenchError:
        return False
    finally:
        probe.rmdir()


def fill_filesystem(directory: Path, headroom_bytes: int) -> Path:
    """Write a ballast file into ``directory``'s filesystem until ``headroom_bytes`` are left
    free; deleting it is what the operator's "free some space" stands for."""
    ballast = directory / "ballast.bin"
    stats = os.statvfs(directory)
    to_write = stats.f_bavail * stats.f_frsize - headroom_bytes
    chunk = b"\0" * (1 << 20)
    with ballast.open("wb") as out:
        while to_write > 0:
            out.write(chunk[: min(len(chunk), to_write)])
            to_write -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return ballast


@dataclass
class DiskFullResult:
    """What a disk-full trial saw; ``problems`` empty when every promise held."""

    acknowledged_before_full: int
    refused_status: int | None
    refused_code: str | None
    retry_after: str | None
    reads_while_full: int | None
    refused_statement_logged_once: bool
    acknowledged_after_freeing: int
    log_size: int
    problems: list[str] = field(default_factory=list)
    verified: bool | None = None

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "problems"} | {
            "problems": self.problems[:10]
        }


PROBES_WHILE_FULL_MAX = 500


def disk_full_trial(
    deployment: Deployment, service: TerangService, filesystem: Path, *, headroom_bytes: int
) -> DiskFullResult:
    """Fill ``filesystem`` (where the database lives) under writes until the service
    refuses with ``storage_full``; check nothing acknowledged is lost; free the space and
    check writes resume, the refused statement is then logged once, and verify passes."""
    problems: list[str] = []
    acknowledged: list[Acknowledged] = []
    ballast = fill_filesystem(filesystem, headroom_bytes)
    stop = threading.Event()
    writers = [Writer(deployment, service.url, size, stop) for size in (1, 10)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(w.refusals for w in writers):
        time.sleep(0.05)
    stop.set()
    for writer in writers:
        writer.join(timeout=WRITERS_JOIN_S_MAX)
        acknowledged.extend(writer.acknowledged)
        if writer.failure is not None:
            problems.append(f"{writer.name} failed: {writer.failure!r}")
        if set(writer.refusals) - {"storage_full"}:
            problems.append(f"{writer.name} was refused with {dict(writer.refusals)}")
    if not any(w.refusals for w in writers):
        problems.append("the disk filled up but no write was refused with storage_full")

    # The refusal as an HTTP client sees it, and one statement to retry after. "Full" is
    # not all or nothing: a refused batch needed new pages, while one small statement may
    # still fit in a page the database already has, so statements are sent one by one
    # until one is refused (those taken count as acknowledged like any other).
    probe_writer = Writer(deployment, service.url, 1, stop)
    for _ in range(PROBES_WHILE_FULL_MAX):
        refused_statement = probe_writer.new_statement()
        refused = httpx.post(
            service.url + "/api/v1/statements", json=refused_statement.to_json(), timeout=60
        )
        if refused.status_code != 201:
            break
        acknowledged.append(Acknowledged.of(refused_statement, refused.json()))
    reads = httpx.get(service.url + "/log/checkpoint", timeout=60)
    size_full, found = check_log(deployment.database_url, acknowledged)
    problems.extend(f"while full: {p}" for p in found)

    ballast.unlink()
    retried = httpx.post(
        service.url + "/api/v1/statements", json=refused_statement.to_json(), timeout=60
    )
    again = httpx.post(
        service.url + "/api/v1/statements", json=refused_statement.to_json(), timeout=60
    )
    logged_once = (
        retried.status_code == 201
        and again.status_code == 200
        and again.json().get("seq") == retried.json().get("seq")
    )
    if retried.status_code == 201:
        acknowledged.append(Acknowledged.of(refused_statement, retried.json()))
    after = Writer(deployment, service.url, 5, threading.Event())
    with LedgerClient(service.url) as client:
        for _ in range(20):
            after.one_request(client)
    acknowledged.extend(after.acknowledged)
    size, found = check_log(deployment.database_url, acknowledged)
    problems.extend(f"after freeing: {p}" for p in found)
    result = DiskFullResult(
        acknowledged_before_full=sum(len(w.acknowledged) for w in writers),
        refused_status=refused.status_code,
        refused_code=refused.json().get("code") if refused.status_code >= 400 else None,
        retry_after=refused.headers.get("retry-after"),
        reads_while_full=reads.status_code,
        refused_statement_logged_once=logged_once,
        acknowledged_after_freeing=len(after.acknowledged),
        log_size=size,
        problems=problems,
    )
    if size_full > size:
        problems.append(f"the log shrank from {size_full} to {size} entries")
    if not logged_once:
        problems.append(f"retried after freeing: {retried.status_code}, then {again.status_code}")
    if len(after.acknowledged) != 100:
        problems.append(f"after freeing space {len(after.acknowledged)} of 100 writes logged")
    result.verified, _, output = verify(deployment, service.url)
    if not result.verified:
        problems.append(f"terang verify failed: {output}")
    return result


@contextlib.contextmanager
def postgres_database_on(cluster: Any, directory: Path) -> Iterator[str]:
    """A new database of ``cluster`` whose tables live in ``directory`` (a tablespace
    there, owned by the server's user), dropped with its tablespace on the way out. The
    server's WAL stays in its data directory, so filling ``directory`` fails the writes
    (SQLSTATE 53100) without stopping the server."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    location = directory / "tablespace"
    location.mkdir()
    if cluster.run_as.name is not None:
        os.chown(location, cluster.run_as.uid, cluster.run_as.gid)
    suffix = os.urandom(4).hex()
    tablespace, database = f"small_{suffix}", f"full_{suffix}"
    admin = create_engine(cluster.superuser_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE TABLESPACE {tablespace} LOCATION '{location}'"))
            conn.execute(text(f"CREATE DATABASE {database} TABLESPACE {tablespace}"))
        try:
            yield make_url(cluster.url).set(database=database).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                conn.execute(text(f"DROP TABLESPACE IF EXISTS {tablespace}"))
    finally:
        admin.dispose()
