"""The log side of c2sp.org/tlog-witness: collect witness cosignatures of checkpoints.

After the publisher signs a checkpoint, a background thread submits it to every
configured witness with ``POST <witness>/add-checkpoint``::

    old <the largest size this witness cosigned for us, 0 if none>
    <consistency proof from that size, one base64 hash a line>
    <empty line>
    <the signed checkpoint note>

and stores each cosignature it gets back, after verifying it with the witness's
cosignature/v1 verifier key, in the append-only table ``ledger_cosignatures``. The
``old`` size comes from that table, so nothing here is mutable state. A ``409``
answer carries the witness's own latest size (``text/x.tlog.size``); the log retries
once from that size. Any other failure (timeout, 4xx, 5xx, a cosignature that does
not verify) is logged and retried at the next checkpoint or after
``retry_interval_s``: collecting never blocks or fails an append.

Configuration: ``TERANG_WITNESSES`` is a comma-separated list of ``VKEY=URL`` pairs,
``VKEY`` a witness's cosignature verifier key (``name+keyid+base64``, type 0x04) and
``URL`` its submission prefix (``http(s)://...``, no comma), e.g.::

    TERANG_WITNESSES="witness.example/w1+1a2b3c4d+BG...=https://w1.example/witness"
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import httpx
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ledger import storage
from ledger.authority import META_NAMESPACE
from ledger.checkpoint import Checkpoint
from ledger.clock import Clock, utc_now
from ledger.errors import ClientError, FormatError, TerangError, require
from ledger.limits import VERIFIER_KEY_CHARS_MAX, WITNESS_RESPONSE_BYTES_MAX
from ledger.note import (
    CosignatureVerifier,
    Signature,
    add_signatures,
    parse_decimal,
    parse_verifier_key,
    split_note,
)
from ledger.proofs import consistency
from ledger.publisher import PublishedCheckpoint, checkpoint_at, latest_checkpoint
from ledger.statement import format_time
from ledger.time_anchor import WITNESS_POLICY_KEY, WitnessPolicy
from ledger.tlog_proof import TlogProof

log = logging.getLogger(__name__)

ENV_VAR = "TERANG_WITNESSES"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_URL = re.compile(r"https?://[^\s,]+")

cosignatures = Table(
    "ledger_cosignatures",
    storage.metadata,
    Column("witness_key", String(VERIFIER_KEY_CHARS_MAX), nullable=False),
    Column("tree_size", BigInteger, nullable=False),  # a ledger_checkpoints.tree_size
    Column("signature", Text, nullable=False),
    Column("cosigned_at", BigInteger, nullable=False),
    Column("collected_at", String(32), nullable=False),
    PrimaryKeyConstraint("witness_key", "tree_size", name="pk_ledger_cosignatures"),
    Index("ix_ledger_cosignatures_tree_size", "tree_size"),
)
"""Append-only (alembic 0002): one verified cosignature line per witness and checkpoint."""


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness the log asks for cosignatures: its verifier and submission prefix."""

    verifier: CosignatureVerifier
    url: str

    @property
    def key(self) -> str:
        """The witness's verifier key string, which identifies it in the database."""
        return self.verifier.verifier_key()


def parse_witness(item: str) -> WitnessEndpoint:
    """One ``VKEY=URL`` pair (the URL starts at the first ``=http://`` or ``=https://``)."""
    match = re.search(r"=(https?://)", item)
    if match is None:
        raise ClientError(f"witness {item!r}: expected VKEY=URL", code="bad_witness")
    vkey, url = item[: match.start()], item[match.start() + 1 :]
    require(
        _URL.fullmatch(url) is not None,
        ClientError(f"witness URL {url!r} must be http(s)://... without spaces or commas"),
    )
    require(
        len(vkey) <= VERIFIER_KEY_CHARS_MAX,
        ClientError(f"witness key longer than {VERIFIER_KEY_CHARS_MAX} characters"),
    )
    verifier = parse_verifier_key(vkey)
    if not isinstance(verifier, CosignatureVerifier):
        raise ClientError(
            f"witness key {vkey!r} is not a cosignature/v1 (type 0x04) key", code="bad_witness"
        )
    return WitnessEndpoint(verifier, url.rstrip("/"))


def parse_witnesses(text: str) -> tuple[WitnessEndpoint, ...]:
    """``TERANG_WITNESSES``: ``VKEY=URL`` pairs separated by commas (blank: none)."""
    endpoints = tuple(parse_witness(item.strip()) for item in text.split(",") if item.strip())
    keys = [(w.verifier.name, w.verifier.key_id) for w in endpoints]
    require(len(set(keys)) == len(keys), ClientError("a witness key is listed twice"))
    return endpoints


# ---------------------------------------------------------------------------------------
# Reads.


def last_cosigned_size(conn: Connection, witness_key: str) -> int:
    """The largest checkpoint size this witness cosigned for us (0: never)."""
    c = cosignatures.c
    size = conn.execute(select(func.max(c.tree_size)).where(c.witness_key == witness_key)).scalar()
    return 0 if size is None else int(size)


def cosignatures_at(conn: Connection, tree_size: int) -> list[Signature]:
    """The stored cosignature lines of the checkpoint of ``tree_size``, oldest witness first."""
    c = cosignatures.c
    rows = conn.execute(
        select(c.signature).where(c.tree_size == tree_size).order_by(c.witness_key)
    ).all()
    return [Signature.parse_line(row.signature) for row in rows]


def logged_witness_policy(conn: Connection) -> WitnessPolicy | None:
    """The witness policy the log holds (``ledger.witness_policy.set``), or None: then
    the time of every entry is vouched for by the operator's clock alone."""
    p = storage.projection_rows.c
    raw = conn.execute(
        select(p.value).where(p.namespace == META_NAMESPACE, p.key == WITNESS_POLICY_KEY)
    ).scalar()
    return None if raw is None else WitnessPolicy.from_document(json.loads(raw))


def earliest_witnessed_size(conn: Connection, policy: WitnessPolicy, seq: int) -> int | None:
    """The smallest checkpoint that includes entry ``seq`` and holds cosignatures of a
    quorum of the policy's witnesses (their timestamps say when the entry existed)."""
    c = cosignatures.c
    keys = [w.verifier_key() for w in policy.witnesses]
    sizes = (
        select(c.tree_size)
        .where(c.witness_key.in_(keys), c.tree_size > seq)
        .group_by(c.tree_size)
        .having(func.count() >= policy.quorum)
        .subquery()
    )
    size = conn.execute(select(func.min(sizes.c.tree_size))).scalar()
    return None if size is None else int(size)


def anchor_note(
    conn: Connection,
    witnesses: Sequence[CosignatureVerifier],
    quorum: int,
    not_after: int,
    *,
    tree_size_above: int = 0,
) -> str | None:
    """The newest checkpoint cosigned by ``quorum`` of ``witnesses`` at or before
    ``not_after`` (POSIX seconds), with exactly those cosignatures: a time anchor
    (``ledger.time_anchor``). None when no checkpoint above ``tree_size_above`` has one.

    Cost: one grouped range scan of the witnesses' cosignatures above
    ``tree_size_above`` (the primary key orders them by witness, then size).
    """
    c = cosignatures.c
    keys = [w.verifier_key() for w in witnesses]
    timely = (c.witness_key.in_(keys), c.cosigned_at <= not_after, c.tree_size > tree_size_above)
    sizes = (
        select(c.tree_size)
        .where(*timely)
        .group_by(c.tree_size)
        .having(func.count() >= quorum)
        .subquery()
    )
    size = conn.execute(select(func.max(sizes.c.tree_size))).scalar()
    if size is None:
        return None
    checkpoint = checkpoint_at(conn, int(size))
    if checkpoint is None:
        return None
    rows = conn.execute(
        select(c.signature).where(*timely, c.tree_size == size).order_by(c.witness_key)
    ).all()
    return add_signatures(checkpoint.note, [Signature.parse_line(r.signature) for r in rows])


def cosigned_note(conn: Connection, checkpoint: PublishedCheckpoint) -> str:
    """The checkpoint note with every stored witness cosignature appended."""
    found = cosignatures_at(conn, checkpoint.size)
    return add_signatures(checkpoint.note, found) if found else checkpoint.note


def with_cosignatures(conn: Connection, proofs: Mapping[int, TlogProof]) -> dict[int, TlogProof]:
    """The proofs with their checkpoints' stored witness cosignatures appended.

    A tlog-proof then carries the checkpoint exactly as ``/log/checkpoint`` serves it, so
    a client with a witness policy can check the receipt alone. Cosignatures arrive after
    the checkpoint is published: a receipt issued at once may carry none, and the same
    proof fetched later (``GET /api/v1/entries/{seq}/tlog-proof``) carries them. One
    query per distinct checkpoint (a batch's receipts share one).
    """
    cosigned: dict[str, str] = {}
    out: dict[int, TlogProof] = {}
    for seq, proof in proofs.items():
        note = proof.checkpoint_note
        if note not in cosigned:
            size = Checkpoint.parse(split_note(note).text).size
            found = cosignatures_at(conn, size)
            cosigned[note] = add_signatures(note, found) if found else note
        # No cosignature yet (the usual case for a fresh receipt): keep the proof as built.
        out[seq] = (
            proof if cosigned[note] == note else replace(proof, checkpoint_note=cosigned[note])
        )
    return out


# ---------------------------------------------------------------------------------------
# Collecting.


@dataclass(frozen=True)
class CollectResult:
    """What happened with one witness for one checkpoint."""

    witness: str
    tree_size: int
    outcome: str
    """``cosigned``, ``already`` (nothing to do) or ``failed``."""
    detail: str = ""


class WitnessFailure(TerangError):
    """A witness did not give a usable cosignature this time (logged, retried later)."""

    http_status = 502
    code = "witness_failed"


class _Mismatch(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class WitnessSet:
    """The witnesses a log asks to cosign, and the thread that asks them.

    ``attach`` binds it to the log's engine (``Ledger`` does that), ``notify`` is the
    publisher's hook (non-blocking), ``start``/``stop`` run the background collector,
    and ``collect`` does one synchronous pass (tests, tools).
    """

    def __init__(
        self,
        witnesses: Sequence[WitnessEndpoint],
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 5.0,
        retry_interval_s: float = 30.0,
    ) -> None:
        self.witnesses = tuple(witnesses)
        self.retry_interval_s = retry_interval_s
        self._own_client = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0)),
            follow_redirects=False,
        )
        self._engine: Engine | None = None
        self._clock: Clock = utc_now
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._collect_lock = threading.Lock()

    def attach(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    @property
    def client(self) -> httpx.Client:
        """The HTTP client that talks to the witnesses (the rollback guard reads their
        latest checkpoints with it too)."""
        return self._client

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise TerangError("WitnessSet is not attached to a ledger", code="not_attached")
        return self._engine

    # -- background ----------------------------------------------------------------

    def notify(self, _checkpoint: PublishedCheckpoint | None = None) -> None:
        """A checkpoint was published: wake the collector (never blocks)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None or not self.witnesses:
            return
        self._stop.clear()
        self._wake.set()  # cosign what is already published, right away
        self._thread = threading.Thread(target=self._run, name="terang-witnessing", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._own_client:
            self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=self.retry_interval_s)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                self.collect()
            except Exception:  # retried at the next checkpoint or interval
                log.exception("collecting witness cosignatures failed")

    # -- one pass -----------------------------------------------------------------

    def collect(self) -> list[CollectResult]:
        """Ask every witness to cosign the latest checkpoint; store what verifies."""
        with self._collect_lock:
            with self.engine.connect() as conn:
                checkpoint = latest_checkpoint(conn)
            if checkpoint is None:
                return []
            results = [self._collect_one(w, checkpoint) for w in self.witnesses]
        for result in results:
            if result.outcome == "failed":
                log.warning(
                    "witness %s did not cosign checkpoint %d: %s",
                    result.witness,
                    result.tree_size,
                    result.detail,
                )
        return results

    def _collect_one(
        self, witness: WitnessEndpoint, checkpoint: PublishedCheckpoint
    ) -> CollectResult:
        size = checkpoint.size
        try:
            with self.engine.connect() as conn:
                old = last_cosigned_size(conn, witness.key)
            if old == size:
                return CollectResult(witness.key, size, "already")
            for attempt in range(2):
                try:
                    signature, timestamp = self._submit(witness, checkpoint, old)
                except _Mismatch as mismatch:
                    if attempt == 1 or mismatch.size == old:
                        raise WitnessFailure(
                            f"witness keeps answering 409 (its size {mismatch.size})"
                        ) from None
                    if mismatch.size > size:
                        raise WitnessFailure(
                            f"witness has size {mismatch.size}, beyond our latest checkpoint "
                            f"{size}: it saw a checkpoint this database does not hold"
                        ) from None
                    old = mismatch.size
                    continue
                self._store(witness, size, signature, timestamp)
                return CollectResult(witness.key, size, "cosigned")
        except TerangError as error:
            return CollectResult(witness.key, size, "failed", error.message)
        except httpx.HTTPError as error:
            return CollectResult(witness.key, size, "failed", f"{type(error).__name__}: {error}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _request_body(self, checkpoint: PublishedCheckpoint, old: int) -> bytes:
        proof: list[bytes] = []
        if 0 < old < checkpoint.size:
            with self.engine.connect() as conn:
                proof = consistency(conn, old, checkpoint.size)
        lines = [f"old {old}", *(base64.b64encode(h).decode("ascii") for h in proof)]
        return ("\n".join(lines) + "\n\n" + checkpoint.note).encode("utf-8")

    def _submit(
        self, witness: WitnessEndpoint, checkpoint: PublishedCheckpoint, old: int
    ) -> tuple[Signature, int]:
        response = self._client.post(
            witness.url + "/add-checkpoint",
            content=self._request_body(checkpoint, old),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        body = response.content[:WITNESS_RESPONSE_BYTES_MAX]
        if response.status_code == 409:
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            text = body.decode("utf-8", "replace")
            if content_type != SIZE_CONTENT_TYPE or not text.endswith("\n"):
                raise WitnessFailure(f"409 without a {SIZE_CONTENT_TYPE} body: {text[:200]!r}")
            try:
                raise _Mismatch(parse_decimal(text[:-1], "witness size"))
            except FormatError as exc:
                raise WitnessFailure(f"409 with a malformed size {text[:40]!r}") from exc
        if response.status_code != 200:
            text = body.decode("utf-8", "replace").strip()
            raise WitnessFailure(f"HTTP {response.status_code}: {text[:300]}")
        return self._verify(witness, checkpoint, body)

    def _verify(
        self, witness: WitnessEndpoint, checkpoint: PublishedCheckpoint, body: bytes
    ) -> tuple[Signature, int]:
        """The witness's cosignature among the returned lines; others are ignored."""
        try:
            text = body.decode("utf-8")
            require(text.endswith("\n"), FormatError("response must end with a newline"))
            lines = [Signature.parse_line(line) for line in text[:-1].split("\n")]
        except (UnicodeDecodeError, FormatError) as exc:
            raise WitnessFailure(f"malformed add-checkpoint response: {exc}") from exc
        body_text = split_note(checkpoint.note).text
        verifier = witness.verifier
        for sig in lines:
            if (sig.name, sig.key_id) != (verifier.name, verifier.key_id):
                continue
            timestamp = verifier.verify_cosignature(body_text, sig.signature)  # SignatureError
            # SPEC: tlog-witness: the cosignature MUST NOT omit the timestamp (zero).
            require(timestamp != 0, WitnessFailure("cosignature has a zero timestamp"))
            return sig, timestamp
        raise WitnessFailure("no cosignature by the configured witness key in the response")

    def _store(self, witness: WitnessEndpoint, size: int, sig: Signature, timestamp: int) -> None:
        line = sig.line[:-1]
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    cosignatures.insert().values(
                        witness_key=witness.key,
                        tree_size=size,
                        signature=line,
                        cosigned_at=timestamp,
                        collected_at=format_time(self._clock()),
                    )
                )
        except IntegrityError:
            # Another collector stored this witness's cosignature of this size first.
            log.info("cosignature of %d by %s was already stored", size, witness.key)
