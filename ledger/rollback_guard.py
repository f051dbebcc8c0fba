"""A restore never forks the log: the service compares itself with what it published.

An older backup restored and served holds the same log key as the log that went on
without it. If it took writes, seqs it lacks would get other entries, and its next
checkpoint would contradict one already signed and handed out: a fork, which every
witness, monitor and receipt holder can prove (docs/operating-postgresql.md, "Never roll
the log back"). So before the writer or the publisher runs, ``RollbackGuard.check``
learns the newest checkpoints it can from outside the database and holds the service
read-only while the database is behind any of them.

Rules, in the order applied:

1. Sources, each read once per check, in this order: (a) the *state file*, where the
   publisher writes every checkpoint it signs, atomically and after its database commit
   (so the file is never ahead of the database that signed it); (b) each configured
   witness's latest cosigned checkpoint (``GET <witness>/<sha256(origin) hex>/checkpoint``,
   ``witness.server``); (c) each configured mirror's ``checkpoint`` file (a URL prefix or a
   directory of published tiles, c2sp.org/tlog-tiles).
2. A source's checkpoint counts only when its note is signed by this log's own key for
   this origin (``ledger.checkpoint.open_checkpoint``). Anything else (a forged or foreign
   state file, a mirror of another log) is ignored with a warning naming the source: it
   can neither hold nor free the writer. A source that cannot be read (absent, timeout,
   HTTP error) is skipped with a warning: the guard judges what it can learn.
3. A counted checkpoint of size n against the local tree of size m (``judge``, pure):
   n > m: the database is *behind* (``log_behind_published``). n <= m: the local root at
   size n must equal the checkpoint's root; every root of an older size follows from the
   stored perfect subtrees, so this is the consistency check at no network cost. A
   different root: the database *disagrees* (``log_disagrees_with_published``), it was
   already written on after a restore or changed behind the service's back.
4. Any finding holds the service: the sequencer refuses every job with 503 and that
   finding's code, the publisher signs nothing, ``/readyz`` is red and names the source,
   and the start logs it at ERROR. Reads go on. The first finding in source order is the
   one writes answer with; all are listed.
5. Nothing here ever resolves a finding by itself (never auto-fork). The operator restores
   a newer backup or the missing entries and restarts, or starts with the unsafe override
   (``TERANG_UNSAFE_IGNORE_PUBLISHED``), which logs each finding at ERROR and lets writes
   through; its risk is stated in docs/operating.md ("Restore").
6. While the process runs, ``recheck`` reads the sources again (``Ledger`` every
   ``guard_recheck_s``): a second writer under the same key (an older copy started beside
   the live one, a standby promoted while the old primary still takes writes) shows up as
   a source ahead of this database, and the hold starts there. A recheck only adds
   findings: one already held stays until a restart, even when its source has gone quiet
   since (an unreachable witness must not free the writer), and a recheck never rewrites
   the state file (the publisher keeps it).

The check runs in ``Ledger.start`` (``terang serve``) and otherwise before the first write
or publication of a process (``ensure_checked``). With no source configured it is free.
Sources are read outside the guard's lock, so a slow witness delays only the check, never
a write asking whether it is held.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy import Engine

from ledger import merkle, storage
from ledger.checkpoint import Checkpoint, open_checkpoint_any
from ledger.errors import LogBehindPublished, LogDisagreesWithPublished, TerangError
from ledger.files import write_atomically
from ledger.limits import SOURCE_BYTES_MAX
from ledger.note import Verifier
from ledger.publisher import latest_checkpoint

log = logging.getLogger(__name__)

CHECKPOINT_FILE_NAME = "checkpoint"
"""SPEC: c2sp.org/tlog-tiles: the checkpoint is served at ``<prefix>/checkpoint``."""
SOURCE_TIMEOUT_S = 5.0
"""Per witness or mirror request: a start waits at most this long for each one."""
HOLD_RETRY_AFTER_S = 60
"""Retry-After of a held write: only the operator can clear it, retrying soon is useless."""
DOCS_POINTER = "docs/operating.md#restore"


# ---------------------------------------------------------------------------------------
# The state file.


class StateFile:
    """The newest checkpoint the publisher signed, kept outside the database.

    ``save`` writes a new file beside the old one, syncs it and renames it into place,
    then syncs the directory: after a crash the file holds the old note or the new one,
    never a mix. The note is public (it is what ``/log/checkpoint`` serves).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        """The stored note, or None when no file exists yet."""
        try:
            with self.path.open("rb") as f:
                raw = f.read(SOURCE_BYTES_MAX + 1)
        except FileNotFoundError:
            return None
        if len(raw) > SOURCE_BYTES_MAX:
            raise OSError(f"{self.path} is larger than {SOURCE_BYTES_MAX} bytes")
        return raw.decode("utf-8", "replace")

    def save(self, note: str) -> None:
        write_atomically(self.path, note.encode("utf-8"), mode=0o644)


# ---------------------------------------------------------------------------------------
# Sources.


@dataclass(frozen=True)
class Source:
    """Somewhere a checkpoint of this log may be found, and how to read its note."""

    name: str
    """Shown to the operator: ``state file PATH``, ``witness URL``, ``mirror URL``."""
    read: Callable[[], str | None]
    """The note text, None when nothing is published there; raises ``OSError`` or
    ``httpx.HTTPError`` when the source cannot be read."""


def state_file_source(state_file: StateFile) -> Source:
    return Source(f"state file {state_file.path}", state_file.read)


def _http_get(client: httpx.Client, url: str, bytes_max: int) -> bytes | None:
    with client.stream("GET", url) as response:
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > bytes_max:
                raise httpx.DecodingError(f"{url}: larger than {bytes_max} bytes")
    return body


def _http_note(client: httpx.Client, url: str) -> str | None:
    body = _http_get(client, url, SOURCE_BYTES_MAX)
    return None if body is None else body.decode("utf-8", "replace")


def witness_source(witness_url: str, origin: str, client: httpx.Client) -> Source:
    """A witness's latest cosigned checkpoint of this log (its monitoring endpoint)."""
    url = f"{witness_url.rstrip('/')}/{hashlib.sha256(origin.encode()).hexdigest()}/checkpoint"
    return Source(f"witness {witness_url}", lambda: _http_note(client, url))


class Mirror:
    """A copy of the published log: an ``http(s)://`` prefix or a directory on this host,
    laid out as c2sp.org/tlog-tiles (``checkpoint``, ``tile/entries/...``)."""

    def __init__(self, location: str, client: httpx.Client | None = None) -> None:
        self.is_url = location.startswith(("http://", "https://"))
        self.location = location.rstrip("/") if self.is_url else location.removeprefix("file://")
        self.client = client

    @property
    def name(self) -> str:
        return f"mirror {self.location}"

    def get(self, path: str, bytes_max: int) -> bytes | None:
        """The file at ``path`` under the mirror; None when it has none there."""
        if self.is_url:
            if self.client is None:
                raise httpx.TransportError(f"{self.name}: no HTTP client")
            return _http_get(self.client, f"{self.location}/{path}", bytes_max)
        try:
            with (Path(self.location) / path).open("rb") as f:
                data = f.read(bytes_max + 1)
        except FileNotFoundError:
            return None
        if len(data) > bytes_max:
            raise OSError(f"{self.name}/{path} is larger than {bytes_max} bytes")
        return data

    def note(self) -> str | None:
        data = self.get(CHECKPOINT_FILE_NAME, SOURCE_BYTES_MAX)
        return None if data is None else data.decode("utf-8", "replace")


def mirror_source(location: str, client: httpx.Client) -> Source:
    """``<location>/checkpoint``: an ``http(s)://`` prefix, or a directory on this host."""
    mirror = Mirror(location, client)
    return Source(mirror.name, mirror.note)


def parse_mirrors(text: str) -> tuple[str, ...]:
    """``TERANG_MIRROR_URL``: URLs or directories separated by commas (blank: none)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


# ---------------------------------------------------------------------------------------
# Judging (pure).


@dataclass(frozen=True)
class Claim:
    """A checkpoint signed by this log, and where it was found."""

    source: str
    checkpoint: Checkpoint


@dataclass(frozen=True)
class Finding:
    """A source this database contradicts (rule 3)."""

    kind: Literal["behind", "disagrees"]
    source: str
    source_size: int
    local_size: int

    def error(self) -> LogBehindPublished:
        details: dict[str, Any] = {
            "source": self.source,
            "source_size": self.source_size,
            "local_size": self.local_size,
            "action": (
                "the operator must restore a newer backup or bring back the missing entries "
                f"and restart; {DOCS_POINTER}"
            ),
        }
        if self.kind == "behind":
            return LogBehindPublished(
                f"read-only: {self.source} holds a checkpoint of size {self.source_size} "
                f"signed by this log, but this database holds only {self.local_size} "
                "entries (an older backup?); writing now would fork the log. Nothing was "
                "changed; reads still work",
                retry_after_s=HOLD_RETRY_AFTER_S,
                **details,
            )
        return LogDisagreesWithPublished(
            f"read-only: {self.source} holds a checkpoint of size {self.source_size} signed "
            "by this log whose root differs from this database's tree at that size (the "
            "log was written on after a restore, or changed behind the service's back). "
            "Nothing was changed; reads still work",
            retry_after_s=HOLD_RETRY_AFTER_S,
            **details,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "source_size": self.source_size,
            "local_size": self.local_size,
        }


def judge(
    local_size: int, root_at: Callable[[int], bytes], claims: Sequence[Claim]
) -> list[Finding]:
    """Rule 3 for each claim, in order. ``root_at(n)``: the local root at size n <= local."""
    findings: list[Finding] = []
    for claim in claims:
        size = claim.checkpoint.size
        if size > local_size:
            findings.append(Finding("behind", claim.source, size, local_size))
        elif root_at(size) != claim.checkpoint.root_hash:
            findings.append(Finding("disagrees", claim.source, size, local_size))
    return findings


# ---------------------------------------------------------------------------------------
# The guard.


@dataclass(frozen=True)
class Report:
    """What one check learnt: the findings, and each source's outcome."""

    local_size: int
    findings: tuple[Finding, ...]
    sources: tuple[dict[str, Any], ...]


class RollbackGuard:
    """Holds writes and publication while a finding stands (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        origin: str,
        log_verifier: Verifier | Sequence[Verifier],
        sources: Sequence[Source],
        *,
        state_file: StateFile | None = None,
        unsafe_override: bool = False,
    ) -> None:
        self.engine = engine
        self.origin = origin
        self.log_verifiers: tuple[Verifier, ...] = (
            (log_verifier,) if isinstance(log_verifier, Verifier) else tuple(log_verifier)
        )
        """Every key of this log the service holds: across a rotation (``ledger.log_keys``)
        a state file or witness may hold a checkpoint signed by the previous or the next."""
        self.sources = tuple(sources)
        self.state_file = state_file
        self.unsafe_override = unsafe_override
        self.report: Report | None = None
        self._lock = threading.Lock()

    # -- the check ------------------------------------------------------------------

    def ensure_checked(self) -> Report:
        report = self.report
        if report is not None:
            return report
        with self._lock:  # the first check of a process: every writer waits for it
            if self.report is None:
                self.report = self._check()
            return self.report

    def check(self) -> Report:
        """Check again (a start does this), replacing what an earlier check found."""
        report = self._check()
        with self._lock:
            self.report = report
        return report

    def recheck(self) -> Report:
        """Check again while running (rule 6): new findings hold from now on, findings
        already held are kept."""
        report = self._check(remember=False)
        with self._lock:
            held = self.report.findings if self.report is not None else ()
            seen = {(f.kind, f.source) for f in held}
            added = tuple(f for f in report.findings if (f.kind, f.source) not in seen)
            if added and not held:
                log.error(
                    "rollback guard: a source is now ahead of this database while it runs "
                    "(another writer under this log key?); writes are held from now on"
                )
            self.report = Report(report.local_size, held + added, report.sources)
            return self.report

    def _check(self, *, remember: bool = True) -> Report:
        claims: list[Claim] = []
        outcomes: list[dict[str, Any]] = []
        for source in self.sources:
            claim, outcome = self._read(source)
            outcomes.append({"source": source.name, **outcome})
            if claim is not None:
                claims.append(claim)
        with self.engine.connect() as conn:
            local_size = storage.tree_size(conn)

            def root_at(size: int) -> bytes:
                return merkle.root_hash(
                    size, storage.fetch_nodes(conn, merkle.nodes_for_root(size))
                )

            findings = judge(local_size, root_at, claims)
            latest = latest_checkpoint(conn)
        for finding in findings:
            log.error(
                "%s: %s%s",
                finding.error().code,
                finding.error().message,
                " -- IGNORED by the unsafe override (TERANG_UNSAFE_IGNORE_PUBLISHED): the "
                "next write forks the log"
                if self.unsafe_override
                else f"; writes and checkpoints are held ({DOCS_POINTER})",
            )
        if findings and self.unsafe_override:
            self._keep_aside()
        elif remember and not findings and latest is not None:
            self._remember(latest.size, latest.note, claims)
        return Report(local_size, tuple(findings), tuple(outcomes))

    def _read(self, source: Source) -> tuple[Claim | None, dict[str, Any]]:
        try:
            note = source.read()
        except (OSError, httpx.HTTPError) as exc:
            log.warning("rollback guard: %s cannot be read (%s); skipped", source.name, exc)
            return None, {"status": "unreadable", "detail": str(exc)[:300]}
        if note is None:
            return None, {"status": "empty"}
        try:
            checkpoint = open_checkpoint_any(note, self.origin, self.log_verifiers)
        except TerangError as exc:
            log.warning(
                "rollback guard: %s holds no checkpoint signed by this log (%s); ignored",
                source.name,
                exc.message,
            )
            return None, {"status": "ignored", "detail": exc.message[:300]}
        return Claim(source.name, checkpoint), {"status": "read", "size": checkpoint.size}

    def _remember(self, size: int, note: str, claims: Sequence[Claim]) -> None:
        """A database ahead of its state file (the first start, an upgrade) writes it."""
        if self.state_file is None:
            return
        name = state_file_source(self.state_file).name
        if any(c.source == name and c.checkpoint.size >= size for c in claims):
            return
        self.save(note)

    def _keep_aside(self) -> None:
        """Under the override, the state file's newer checkpoint is evidence of what was
        published: it is copied aside before the publisher writes over it."""
        if self.state_file is None:
            return
        note = self.state_file.read()
        if note is None:
            return
        aside = self.state_file.path.with_name(self.state_file.path.name + ".before-override")
        if not aside.exists():
            StateFile(aside).save(note)
            log.error("the overridden checkpoint is kept in %s", aside)

    # -- holding ----------------------------------------------------------------------

    @property
    def finding(self) -> Finding | None:
        """The finding writes answer with (None: clear, or overridden)."""
        report = self.ensure_checked()
        if not report.findings or self.unsafe_override:
            return None
        return report.findings[0]

    def refuse_if_held(self) -> None:
        """Raise the first finding's 503 (rule 4); return when writes may go on."""
        finding = self.finding
        if finding is not None:
            raise finding.error()

    def save(self, note: str) -> None:
        """Keep a newly signed checkpoint in the state file; a failure is logged loudly
        (the protection weakens) but never fails the publication."""
        if self.state_file is None:
            return
        try:
            self.state_file.save(note)
        except OSError:
            log.exception("could not write the state file %s", self.state_file.path)

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: held or not, why, and what each source gave."""
        report = self.report
        if report is None:
            return {"checked": False, "held": False}
        return {
            "checked": True,
            "held": bool(report.findings) and not self.unsafe_override,
            "unsafe_override": self.unsafe_override,
            "local_size": report.local_size,
            "findings": [f.to_json() for f in report.findings],
            "sources": list(report.sources),
        }
