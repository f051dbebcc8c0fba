"""The ledger as one object: configuration, engine, sequencer, publisher and reads.

Built once by the composition root (``terang.app``) or a CLI command and passed to
routers; nothing here is a global.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from ledger import admission, authority, log_keys, migrations, rollback_guard, storage, time_anchor
from ledger.authority import GENESIS_TYPE
from ledger.clock import Clock, utc_now
from ledger.defaults import DEFAULT_DATABASE_URL, DEFAULT_LOG_KEY_FILE, GUARD_RECHECK_S_DEFAULT
from ledger.errors import BadSetting, ClientError, Conflict, TerangError, Unavailable
from ledger.keys import KeyFileError, read_secret_file
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.note import Signer, parse_private_key
from ledger.proofs import tlog_proofs
from ledger.publisher import (
    LogKeyNotHeld,
    PublishedCheckpoint,
    Publisher,
    key_history,
    latest_checkpoint,
    stored_rotations,
)
from ledger.ratelimit import RateLimits
from ledger.reads import ReadSide, entry_at
from ledger.region_time import TIME_ZONE_DEFAULT, parse_time_zone
from ledger.rollback_guard import RollbackGuard, Source, StateFile
from ledger.sequencer import Receipt, Sequencer
from ledger.statement import LoggedEntry, SignedStatement
from ledger.witnessing import WitnessSet, parse_witnesses, with_cosignatures

STATE_FILE_SUFFIX = ".checkpoint"
"""The state file's default: the log key file's path with this suffix
(``keys/log.key`` -> ``keys/log.checkpoint``), since it belongs to the key's log, not to
one copy of its database."""

log = logging.getLogger(__name__)


def _env_count(name: str, default: int) -> int:
    """A whole-number setting from the environment; a clear error names a bad one."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise BadSetting(f"{name} must be a whole number, not {raw[:40]!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    log_key_file: Path = Path(DEFAULT_LOG_KEY_FILE)
    log_key: str | None = None
    next_log_key_file: Path | None = None
    """``TERANG_NEXT_LOG_KEY_FILE``: the log key a planned rotation hands over to
    (``ledger.log_keys``); the service refuses a rotation to any key it does not hold."""
    limits: Limits = field(default_factory=Limits)
    witnesses: str = ""
    """``TERANG_WITNESSES``: ``VKEY=URL,...`` (ledger.witnessing); blank: none."""
    db_pool_size: int = storage.POOL_SIZE_DEFAULT
    """``TERANG_DB_POOL_SIZE``: PostgreSQL connections kept open (docs/operating-postgresql.md)."""
    db_max_overflow: int = storage.MAX_OVERFLOW_DEFAULT
    """``TERANG_DB_MAX_OVERFLOW``: extra connections opened under a burst, then closed."""
    state_file: Path | None = None
    """``TERANG_LOG_STATE_FILE``: where every signed checkpoint is kept outside the
    database (``ledger.rollback_guard``). None: beside the log key file when the key is
    read from one, else no state file."""
    mirrors: str = ""
    """``TERANG_MIRROR_URL``: URLs or directories holding a published ``checkpoint`` of
    this log (static tiles), comma-separated; blank: none."""
    unsafe_ignore_published: bool = False
    """``TERANG_UNSAFE_IGNORE_PUBLISHED``: write even behind a published checkpoint,
    which forks the log (docs/operating.md, "Restore"). Logged at ERROR on every start."""
    read_database_url: str | None = None
    """``TERANG_READ_DATABASE_URL``: where public reads go (a streaming replica,
    ``ledger.reads``); unset or blank: the primary, ``database_url``."""
    guard_recheck_s: int = GUARD_RECHECK_S_DEFAULT
    """``TERANG_GUARD_RECHECK_S``: seconds between the restore check's runs while the
    service runs (``ledger.rollback_guard`` rule 6); 0: only at start."""
    time_zone: str = TIME_ZONE_DEFAULT
    """``TERANG_TIME_ZONE``: the region's zone, WIB, WITA or WIT (``ledger.region_time``),
    in which the portal shows times. Data stays UTC."""

    def __post_init__(self) -> None:
        parse_time_zone(self.time_zone)

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        return cls(
            database_url=database_url
            or os.environ.get("TERANG_DATABASE_URL", DEFAULT_DATABASE_URL),
            log_key_file=Path(os.environ.get("TERANG_LOG_KEY_FILE", DEFAULT_LOG_KEY_FILE)),
            log_key=os.environ.get("TERANG_LOG_KEY"),
            next_log_key_file=(
                Path(nxt) if (nxt := os.environ.get("TERANG_NEXT_LOG_KEY_FILE")) else None
            ),
            limits=Limits.from_env(),
            witnesses=os.environ.get("TERANG_WITNESSES", ""),
            db_pool_size=_env_count("TERANG_DB_POOL_SIZE", storage.POOL_SIZE_DEFAULT),
            db_max_overflow=_env_count("TERANG_DB_MAX_OVERFLOW", storage.MAX_OVERFLOW_DEFAULT),
            state_file=Path(state) if (state := os.environ.get("TERANG_LOG_STATE_FILE")) else None,
            mirrors=os.environ.get("TERANG_MIRROR_URL", ""),
            unsafe_ignore_published=os.environ.get("TERANG_UNSAFE_IGNORE_PUBLISHED", "")
            .strip()
            .lower()
            in {"1", "true", "yes", "on"},
            read_database_url=os.environ.get("TERANG_READ_DATABASE_URL") or None,
            guard_recheck_s=_env_count("TERANG_GUARD_RECHECK_S", GUARD_RECHECK_S_DEFAULT),
            time_zone=os.environ.get("TERANG_TIME_ZONE") or TIME_ZONE_DEFAULT,
        )

    def make_engine(self, url: str | None = None) -> Engine:
        """The engine for ``url`` (default ``database_url``), with this deployment's pool
        sizes (the read engine gets the same: it serves the same readers)."""
        url = url or self.database_url
        if url.startswith("sqlite"):
            return storage.make_engine(url)
        return storage.make_engine(
            url, pool_size=self.db_pool_size, max_overflow=self.db_max_overflow
        )

    def resolved_state_file(self, *, key_from_file: bool) -> Path | None:
        """The state file in force: the setting, or beside a log key read from a file."""
        if self.state_file is not None:
            return self.state_file
        if key_from_file:
            return self.log_key_file.with_suffix(STATE_FILE_SUFFIX)
        return None

    def load_log_signer(self) -> Signer:
        text = self.log_key if self.log_key else read_secret_file(self.log_key_file)
        signer = parse_private_key(text)
        if not isinstance(signer, Signer):
            raise KeyFileError("the log key must be an Ed25519 signed-note key")
        return signer

    def load_next_log_signer(self) -> Signer | None:
        """The key of ``TERANG_NEXT_LOG_KEY_FILE``, or None when it is not set."""
        if self.next_log_key_file is None:
            return None
        signer = parse_private_key(read_secret_file(self.next_log_key_file))
        if not isinstance(signer, Signer):
            raise KeyFileError("the next log key must be an Ed25519 signed-note key")
        return signer


@dataclass(frozen=True)
class AppendOutcome:
    receipts: list[Receipt]
    proofs: dict[int, str]
    """tlog-proof text by seq, for entries a published checkpoint already covers."""


class Ledger:
    def __init__(
        self,
        settings: Settings,
        kinds: KindRegistry,
        *,
        engine: Engine | None = None,
        clock: Clock = utc_now,
        log_signer: Signer | None = None,
        migrate: bool = True,
        witnesses: WitnessSet | None = None,
        read_engine: Engine | None = None,
        next_log_signer: Signer | None = None,
    ) -> None:
        self.settings = settings
        self._guard_client: httpx.Client | None = None
        self.limits = settings.limits
        self.kinds = kinds
        self.clock = clock
        self.engine = engine or settings.make_engine()
        if migrate:
            migrations.upgrade(self.engine)
        key_from_file = log_signer is None and not settings.log_key
        if read_engine is None and settings.read_database_url:
            read_engine = settings.make_engine(settings.read_database_url)
        # Public reads (ledger.reads): a replica when one is configured. Never migrated
        # from here: a hot standby is read-only and receives the schema from its primary.
        self.reads = ReadSide(read_engine or self.engine, replica=read_engine is not None)
        self.log_signer = log_signer or settings.load_log_signer()
        self.origin = self.log_signer.name
        self.next_signer = next_log_signer or settings.load_next_log_signer()
        if self.next_signer is not None and self.next_signer.name != self.origin:
            raise BadSetting(
                f"TERANG_NEXT_LOG_KEY_FILE holds a key named {self.next_signer.name!r}, not "
                f"this log's origin {self.origin!r}: make it with terang keygen --log-origin "
                f"{self.origin!r}"
            )
        self.log_keys: dict[str, Signer] = {
            s.verifier_key(): s for s in (self.log_signer, self.next_signer) if s is not None
        }
        """Every log key this service holds, by verifier key (``ledger.log_keys``)."""
        self.publisher = Publisher(
            self.engine,
            self.log_signer,
            self.origin,
            clock,
            self.limits.checkpoint_interval_ms_min,
            keys=self.log_keys,
        )
        if witnesses is None and settings.witnesses:
            witnesses = WitnessSet(parse_witnesses(settings.witnesses))
        self.witnesses = witnesses
        if witnesses is not None:
            witnesses.attach(self.engine, clock)
            self.publisher.after_publish = witnesses.notify
        self.sequencer = Sequencer(
            self.engine,
            kinds,
            self.limits,
            clock,
            after_commit=self.publisher.publish,
            origin=self.origin,
        )
        self.guard = self._rollback_guard(settings, key_from_file)
        """Holds writes and publication while this database is behind a checkpoint the
        log published (``ledger.rollback_guard``); None: no source to compare with."""
        self.publisher.guard = self.guard
        self.sequencer.guard = self.guard
        self.rate_limits = RateLimits(self.limits)
        """Per-client and per-signer buckets, spent by the HTTP layer (ledger.ratelimit)."""
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._guard_watch: threading.Thread | None = None

    def _rollback_guard(self, settings: Settings, key_from_file: bool) -> RollbackGuard | None:
        path = settings.resolved_state_file(key_from_file=key_from_file)
        state_file = None if path is None else StateFile(path)
        sources: list[Source] = []
        if state_file is not None:
            sources.append(rollback_guard.state_file_source(state_file))
        if self.witnesses is not None:
            client = self.witnesses.client
            sources.extend(
                rollback_guard.witness_source(w.url, self.origin, client)
                for w in self.witnesses.witnesses
            )
        mirrors = rollback_guard.parse_mirrors(settings.mirrors)
        if mirrors:
            self._guard_client = httpx.Client(
                timeout=httpx.Timeout(rollback_guard.SOURCE_TIMEOUT_S, connect=2.0),
                follow_redirects=False,
            )
            sources.extend(rollback_guard.mirror_source(m, self._guard_client) for m in mirrors)
        if not sources:
            return None
        return RollbackGuard(
            self.engine,
            self.origin,
            [signer.verifier() for signer in self.log_keys.values()],
            sources,
            state_file=state_file,
            unsafe_override=settings.unsafe_ignore_published,
        )

    def start(self) -> None:
        """Compare with the published checkpoints (``ledger.rollback_guard``), then start
        the group-commit writer and the checkpoint ticker (for a server)."""
        held = False
        in_force = self.verifier_key()
        if in_force not in self.log_keys:
            raise LogKeyNotHeld(
                f"the log key in force is {in_force} (the log rotated to it), which this "
                "service does not hold: set TERANG_LOG_KEY_FILE or TERANG_NEXT_LOG_KEY_FILE "
                'to its file (docs/runbook.md, "Rotate the log key")'
            )
        if self.guard is not None:
            self.guard.check()
            held = self.guard.finding is not None
        else:
            log.warning(
                "no state file, witness or mirror to compare this database with: a restored "
                "older backup would not be noticed (set TERANG_LOG_STATE_FILE)"
            )
        self.sequencer.start()
        if self._ticker is None:
            self._ticker = threading.Thread(
                target=self.publisher.run_until,
                args=(self._stop,),
                name="terang-publisher",
                daemon=True,
            )
            self._ticker.start()
        if self.witnesses is not None and not held:
            self.witnesses.start()  # held: our older checkpoint would only be refused
        guard, interval_s = self.guard, self.settings.guard_recheck_s
        if guard is not None and interval_s > 0 and self._guard_watch is None:
            self._guard_watch = threading.Thread(
                target=self._watch_guard,
                args=(guard, interval_s),
                name="terang-rollback-guard",
                daemon=True,
            )
            self._guard_watch.start()

    def _watch_guard(self, guard: RollbackGuard, interval_s: int) -> None:
        """Compare with the published checkpoints again every ``interval_s`` while the
        service runs (``ledger.rollback_guard`` rule 6): a second writer under this log
        key is held within one interval instead of forking the log until a restart."""
        while not self._stop.wait(interval_s):
            try:
                guard.recheck()
            except Exception as error:  # a failed check is tried again at the next one
                if storage.database_unavailable(error):
                    log.warning(
                        "rollback guard: the database is out of reach (%s); checked again in %d s",
                        type(error).__name__,
                        interval_s,
                    )
                else:
                    log.exception("rollback guard: the check while running failed")

    @property
    def publisher_running(self) -> bool:
        """Whether the checkpoint ticker is alive (``/readyz``)."""
        return self._ticker is not None and self._ticker.is_alive()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=30)
            self._ticker = None
        if self._guard_watch is not None:
            self._guard_watch.join(timeout=30)
            self._guard_watch = None
        if self.witnesses is not None:
            self.witnesses.stop()
        self.sequencer.stop()
        if self._guard_client is not None:
            self._guard_client.close()
        self.engine.dispose()
        if self.reads.engine is not self.engine:
            self.reads.engine.dispose()

    # -- writes -----------------------------------------------------------------------

    def append(
        self, statements: Sequence[SignedStatement], *, admitted: bool = False
    ) -> AppendOutcome:
        """Log one atomic job through the group-commit writer and wait for it.

        The job is admitted first (``ledger.admission``: signer, signature, role, without
        the write lock), so what can be refused early never waits for, nor holds up, the
        sequencer; ``admitted``: the caller just did (``admit``).
        """
        self.check_genesis(statements)
        self.check_log_key_rotation(statements)
        if self.guard is not None:
            self.guard.refuse_if_held()  # before admission: nothing is read for a held write
        if not admitted:
            self.admit(statements)
        future = self.sequencer.submit(statements)
        try:
            receipts = future.result(timeout=self.limits.append_timeout_ms_max / 1000)
        except TimeoutError as exc:
            raise Unavailable("the sequencer did not answer in time", retry_after_s=2) from exc
        return AppendOutcome(receipts, self.proofs_for([r.seq for r in receipts]))

    def append_direct(self, statements: Sequence[SignedStatement]) -> list[Receipt]:
        """Log one atomic job in the caller's thread (bulk tools, init); raise on rejection."""
        self.check_genesis(statements)
        self.check_log_key_rotation(statements)
        (result,) = self.sequencer.append_batch([statements])
        if isinstance(result, TerangError):
            raise result
        return result

    def check_genesis(self, statements: Sequence[SignedStatement]) -> None:
        """A genesis must name this log: its origin and the key that signs its checkpoints.

        The reducer cannot check this (it does not know the log's key), and a genesis
        naming another key would send auditors to verify checkpoints against it.
        """
        for signed in statements:
            statement = signed.statement
            if statement.type != GENESIS_TYPE or self.size() > 0:
                continue  # a second genesis is refused by the sequencer (genesis_position)
            body = statement.body
            if body.get("origin") != self.origin or body.get("log_verifier_key") != (
                self.verifier_key()
            ):
                raise ClientError(
                    "the genesis must name this log's origin and verifier key "
                    f"({self.origin}, {self.verifier_key()})",
                    code="genesis_mismatch",
                )

    def check_log_key_rotation(self, statements: Sequence[SignedStatement]) -> None:
        """A rotation must hand over from the key in force to the key this service holds
        as ``TERANG_NEXT_LOG_KEY_FILE``, for this origin, after the last hand-over.

        The reducer cannot check the first rotation's previous key (it does not know the
        genesis key) nor whether the service holds the new one: a rotation to a key the
        service does not hold would leave it unable to sign another checkpoint.
        """
        for signed in statements:
            statement = signed.statement
            if statement.type != log_keys.ROTATED_TYPE:
                continue
            body = statement.body
            if self.next_signer is None:
                raise ClientError(
                    "this service holds no next log key: write the new key with terang "
                    f"keygen --log-origin {self.origin!r} --out keys/log-next.key, set "
                    "TERANG_NEXT_LOG_KEY_FILE to that file, restart, then rotate "
                    '(docs/runbook.md, "Rotate the log key")',
                    code="next_log_key_not_configured",
                )
            if body.get("verifier_key") != self.next_signer.verifier_key():
                raise ClientError(
                    "the rotation names a key other than TERANG_NEXT_LOG_KEY_FILE's "
                    f"({self.next_signer.verifier_key()}): rotate to that key, or configure "
                    "the key you mean and restart",
                    code="next_log_key_mismatch",
                )
            in_force = self.verifier_key()
            if body.get("origin") != self.origin or body.get("previous_verifier_key") != in_force:
                raise ClientError(
                    f"a rotation must name this log's origin ({self.origin}) and the key in "
                    f"force ({in_force})",
                    code="log_key_rotation_mismatch",
                )
            with self.engine.connect() as conn:
                rotations = stored_rotations(conn)
                latest = latest_checkpoint(conn)
            if rotations and (latest is None or latest.size <= rotations[-1].seq):
                raise Conflict(
                    "the last rotation's hand-over checkpoint is not published yet: wait "
                    "for the next checkpoint, then rotate",
                    code="log_key_handover_pending",
                )

    # -- reads ------------------------------------------------------------------------

    def proofs_for(self, seqs: Sequence[int]) -> dict[int, str]:
        """tlog-proof text of each entry a published checkpoint already covers."""
        if all(seq >= self.publisher.published_size for seq in seqs):
            return {}  # rate-limited: no checkpoint covers them yet (GET .../tlog-proof later)
        with self.engine.connect() as conn:
            proofs = with_cosignatures(conn, tlog_proofs(conn, seqs))
            return {seq: proof.to_text() for seq, proof in proofs.items()}

    def admit(self, statements: Sequence[SignedStatement]) -> None:
        """Refuse, in the caller's thread, what ``ledger.admission`` can tell is bad."""
        with self.engine.connect() as conn:
            admission.admit(conn, self.kinds, self.limits, statements, origin=self.origin)

    def size(self) -> int:
        with self.engine.connect() as conn:
            return storage.tree_size(conn)

    def latest_checkpoint(self) -> PublishedCheckpoint | None:
        with self.engine.connect() as conn:
            return latest_checkpoint(conn)

    def entry(self, seq: int) -> LoggedEntry:
        """Entry ``seq`` on the primary (public reads use ``self.reads``)."""
        with self.engine.connect() as conn:
            return entry_at(conn, seq, self.limits)

    @property
    def time_zone(self) -> str:
        """The region's zone, in which pages show times (``TERANG_TIME_ZONE``)."""
        return self.settings.time_zone

    def witness_keys(self) -> list[str]:
        """The verifier keys of the witnesses asked to cosign each checkpoint."""
        if self.witnesses is None:
            return []
        return [endpoint.key for endpoint in self.witnesses.witnesses]

    def verifier_key(self) -> str:
        """The log key in force: the genesis key, or the one the last rotation named."""
        with self.engine.connect() as conn:
            rotations = stored_rotations(conn)
        return rotations[-1].new.verifier_key() if rotations else self.log_signer.verifier_key()

    def key_history(self, conn: Connection, held_size: int) -> list[dict[str, object]]:
        """Which key signs which tree sizes, with each hand-over checkpoint published
        within ``held_size`` (``GET /log/key-history``)."""
        return key_history(conn, held_size, self.log_signer.verifier_key())


def default_kinds() -> KindRegistry:
    """The ledger's own statement kinds; the composition root adds the modules'."""
    registry = KindRegistry()
    authority.register(registry)
    time_anchor.register(registry)
    log_keys.register(registry)
    return registry
