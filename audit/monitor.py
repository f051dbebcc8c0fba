"""A monitor: follow logs' checkpoints and raise the alarm on a split view.

For each followed log (its URL and Ed25519 verifier key, supplied by the operator,
never taken from the log) the monitor polls ``/log/checkpoint``, verifies the log's
signature, and checks every new checkpoint against the last one it verified:

* same size, other root hash: two histories signed by one key, ``SplitView``;
* different sizes: it fetches ``/api/v1/proofs/consistency?first=&second=`` from the
  log (or, from a static tiles mirror, builds the proof from its hash tiles) and
  checks the RFC 6962 proof; if it fails, the log rewrote history or forked,
  ``Inconsistent`` (a ``SplitView`` too, so catching ``SplitView`` catches both).

It can also be given witnesses (c2sp.org/tlog-witness monitoring endpoints
``<prefix>/<sha256(origin) hex>/checkpoint``), whose views are checked the same way,
and checkpoints observed elsewhere (``check_notes``), e.g. cosigned checkpoints
collected from different witnesses or users. A checkpoint older than the last one
verified is checked too (proof from it to the newer one), so a log cannot answer
different parties with different old trees either.

The alarm carries the evidence: both signed checkpoint notes and, when sizes
differ, the consistency proof that failed. ``SplitView.evidence`` is a JSON document
(``write_evidence``) that anyone can check with the log's verifier key alone.

State, the last verified checkpoint of each log, lives in a JSON file written
atomically (temporary file, fsync, ``os.replace``), and is re-verified on load with
the configured key, so a tampered state file is refused, not trusted.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from audit.remote import FetchError
from ledger import log_keys, merkle, tiles
from ledger.checkpoint import Checkpoint, open_checkpoint_note
from ledger.clock import Clock, utc_now
from ledger.errors import (
    ClientError,
    ProofError,
    SignatureError,
    TerangError,
    VerificationError,
)
from ledger.files import write_atomically
from ledger.limits import HASH_BYTES, Limits
from ledger.merkle import EMPTY_ROOT, roots_from_consistency_proof, verify_consistency
from ledger.note import CosignatureVerifier, Verifier, b64encode, open_note, parse_verifier_key
from ledger.statement import LoggedEntry, b64decode_strict, format_time
from witness.store import origin_hash

log = logging.getLogger(__name__)

STATE_VERSION = 1
EVIDENCE_VERSION = 1
CONSISTENCY_PATH = "/api/v1/proofs/consistency"
HOW_TO_CHECK = (
    "Every note in 'checkpoints' verifies under 'log_verifier_key' (C2SP signed-note, "
    "Ed25519). Two of them with the same tree size and different root hashes, or two "
    "for which no RFC 6962 consistency proof exists (the one the log served, in "
    "'consistency_proof', fails), show that the log signed two different histories."
)


class SplitView(VerificationError):
    """Two valid signed checkpoints of one log that cannot both be true."""

    code = "split_view"

    def __init__(self, message: str, evidence: dict[str, Any]) -> None:
        super().__init__(message, origin=evidence.get("origin"))
        self.evidence = evidence


class Inconsistent(SplitView):
    """Two valid signed checkpoints of different sizes with no valid consistency proof."""

    code = "inconsistent"


# ---------------------------------------------------------------------------------------
# What is followed.


@dataclass(frozen=True)
class FollowedLog:
    url: str
    """Base URL of the log (the one serving ``/log/checkpoint``)."""
    verifier: Verifier
    origin: str = ""
    """The checkpoint origin; defaults to the verifier key's name."""
    tiles_only: bool = False
    """The URL is a static tlog-tiles mirror (``terang publish-tiles``): consistency
    proofs are built from its hash tiles instead of asked for."""

    def __post_init__(self) -> None:
        if not self.origin:
            object.__setattr__(self, "origin", self.verifier.name)
        object.__setattr__(self, "url", self.url.rstrip("/"))


@dataclass(frozen=True)
class WitnessView:
    """A witness's monitoring prefix; with a verifier, its cosignature is required."""

    url: str
    verifier: CosignatureVerifier | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))


@dataclass(frozen=True)
class Observed:
    """A checkpoint whose log signature verified, and where it was seen."""

    checkpoint: Checkpoint
    note: str
    source: str

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "tree_size": self.checkpoint.size,
            "root_hash": b64encode(self.checkpoint.root_hash),
            "note": self.note,
        }


@dataclass(frozen=True)
class PollResult:
    origin: str
    source: str
    tree_size: int | None
    status: str
    """``new`` (state advanced), ``same``, ``older`` (consistent, not newer),
    ``absent`` (a witness has nothing yet) or ``unavailable`` (fetch failed)."""
    detail: str = ""


# ---------------------------------------------------------------------------------------
# The pure check.


def _evidence(
    kind: str,
    message: str,
    log_: FollowedLog,
    checkpoints: Sequence[Observed],
    proof: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "version": EVIDENCE_VERSION,
        "alarm": kind,
        "message": message,
        "origin": log_.origin,
        "log_verifier_key": log_.verifier.verifier_key(),
        "log_url": log_.url,
        "detected_at": format_time(now),
        "checkpoints": [c.describe() for c in checkpoints],
        "consistency_proof": proof,
        "how_to_check": HOW_TO_CHECK,
    }


ProofSource = Callable[[int, int], list[bytes]]


def check_pair(
    log_: FollowedLog,
    first: Observed,
    second: Observed,
    proofs: ProofSource,
    *,
    now: datetime | None = None,
) -> None:
    """Raise ``SplitView``/``Inconsistent`` unless the two checkpoints can both be true.

    ``proofs(a, b)`` gives the log's consistency proof from size a to b (it may raise
    ``FetchError``: no verdict then, nothing is alarmed). From a tiles-only mirror the
    proof is built from its tiles, so a proof that does not even reproduce the newer
    checkpoint's root shows only that the mirror's tiles are wrong: ``FetchError``, no
    verdict. One that reproduces the newer root but not the older is a real alarm.
    """
    now = now or utc_now()
    a, b = sorted((first, second), key=lambda o: o.checkpoint.size)
    ca, cb = a.checkpoint, b.checkpoint
    if ca.size == cb.size:
        if ca.root_hash != cb.root_hash:
            message = (
                f"split view of {log_.origin}: two signed checkpoints of size {ca.size} "
                f"with different root hashes ({a.source} and {b.source})"
            )
            raise SplitView(message, _evidence("split_view", message, log_, [a, b], None, now))
        return
    if ca.size == 0:
        if ca.root_hash != EMPTY_ROOT:
            message = f"{log_.origin} signed a checkpoint of size 0 whose root is not SHA-256('')"
            raise Inconsistent(message, _evidence("inconsistent", message, log_, [a, b], None, now))
        return
    proof = proofs(ca.size, cb.size)
    if log_.tiles_only:
        try:
            _, new_root = roots_from_consistency_proof(ca.size, cb.size, proof, ca.root_hash)
        except ProofError as exc:
            raise FetchError(
                f"{log_.url}: the mirror's tiles give no proof: {exc.message}"
            ) from exc
        if new_root != cb.root_hash:
            raise FetchError(
                f"{log_.url}: the mirror's hash tiles for size {cb.size} do not hash to that "
                "checkpoint's root: the mirror serves wrong tiles (no verdict on the log)",
                fault="bad_tile",
            )
    try:
        verify_consistency(ca.size, cb.size, proof, ca.root_hash, cb.root_hash)
    except ProofError as exc:
        message = (
            f"{log_.origin} is not consistent: no valid consistency proof from size "
            f"{ca.size} ({a.source}) to size {cb.size} ({b.source}): {exc.message}"
        )
        failed = {
            "first": ca.size,
            "second": cb.size,
            "proof": [b64encode(h) for h in proof],
            "source": (
                f"{log_.url}/log/tile/ (built from the hash tiles of size {cb.size})"
                if log_.tiles_only
                else f"{log_.url}{CONSISTENCY_PATH}?first={ca.size}&second={cb.size}"
            ),
            "error": exc.message,
        }
        raise Inconsistent(
            message, _evidence("inconsistent", message, log_, [a, b], failed, now)
        ) from exc


def write_evidence(path: Path, error: SplitView) -> Path:
    """Write the alarm's evidence as JSON, atomically; returns the path."""
    _write_atomic(path, json.dumps(error.evidence, indent=2, sort_keys=True) + "\n")
    return path


def _write_atomic(path: Path, text: str) -> None:
    write_atomically(path.resolve(), text.encode("utf-8"))


# ---------------------------------------------------------------------------------------
# State.


@dataclass(frozen=True)
class LearnedKey:
    """A log key learnt across a rotation (``ledger.log_keys``): named by the log's
    ``/log/key-history``, and accepted because its hand-over checkpoint is signed by the
    key before it and by it, and includes the rotation entry naming it."""

    key: Verifier
    handover_size: int
    handover_note: str


def open_followed(
    followed: FollowedLog,
    learned: Sequence[LearnedKey],
    note: str,
    *,
    witnesses: Sequence[CosignatureVerifier] = (),
    min_witnesses: int = 0,
) -> Checkpoint:
    """Open a checkpoint under the key in force at its size: the configured key up to
    the first hand-over, each learnt key from its hand-over to the next one's."""
    chain = [(followed.verifier, 0), *((k.key, k.handover_size) for k in learned)]
    first_error: SignatureError | None = None
    for index in range(len(chain) - 1, -1, -1):
        key, from_size = chain[index]
        try:
            cp, _ = open_checkpoint_note(
                note, followed.origin, key, witnesses=witnesses, min_witnesses=min_witnesses
            )
        except SignatureError as exc:
            first_error = first_error or exc
            continue
        until = chain[index + 1][1] if index + 1 < len(chain) else None
        if cp.size < from_size or (until is not None and cp.size > until):
            raise SignatureError(
                f"checkpoint of size {cp.size} is signed by {key.verifier_key()}, which the "
                f"log's rotations give sizes {from_size} to {until} only",
                size=cp.size,
            )
        return cp
    raise first_error or SignatureError("checkpoint is not signed by the log")


def _learned_chain(followed: FollowedLog, items: Any) -> list[LearnedKey]:
    """Learnt keys kept in the state file, each hand-over re-checked against the key
    before it (the configured key first)."""
    learned: list[LearnedKey] = []
    previous = followed.verifier
    for item in items or []:
        key = parse_verifier_key(item["verifier_key"])
        if not isinstance(key, Verifier):
            raise ClientError("a learnt log key must be an Ed25519 key")
        opened = open_note(item["handover_note"], [previous, key])
        cp = Checkpoint.parse(opened.text)
        if not (opened.verified_by(previous) and opened.verified_by(key)):
            raise SignatureError("a kept hand-over is not signed by both keys")
        if cp.size != int(item["handover_size"]) or cp.origin != followed.origin:
            raise SignatureError("a kept hand-over does not match its size or origin")
        learned.append(LearnedKey(key, cp.size, item["handover_note"]))
        previous = key
    return learned


@dataclass
class MonitorState:
    """The last verified checkpoint of each followed log (by origin), and the log keys
    learnt across rotations."""

    path: Path | None
    latest: dict[str, Observed] = field(default_factory=dict)
    learned: dict[str, list[LearnedKey]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None, logs: Sequence[FollowedLog]) -> MonitorState:
        state = cls(path)
        if path is None or not path.exists():
            return state
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ClientError(f"monitor state {path} is not JSON: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
            raise ClientError(f"monitor state {path}: unknown format")
        by_origin = {f.origin: f for f in logs}
        for origin, entry in (doc.get("logs") or {}).items():
            followed = by_origin.get(origin)
            if followed is None:
                continue  # a log no longer followed: kept out of memory, dropped on save
            try:
                learned = _learned_chain(followed, entry.get("learned_keys"))
                cp = open_followed(followed, learned, entry["note"])
            except (KeyError, TypeError, VerificationError, ClientError) as exc:
                raise ClientError(
                    f"monitor state {path}: the checkpoint kept for {origin} does not verify "
                    "under the configured key; refusing to trust it",
                    origin=origin,
                ) from exc
            state.latest[origin] = Observed(cp, entry["note"], str(entry.get("source", "")))
            if learned:
                state.learned[origin] = learned
        return state

    def save(self) -> None:
        if self.path is None:
            return
        doc = {
            "version": STATE_VERSION,
            "logs": {
                origin: {
                    "tree_size": o.checkpoint.size,
                    "root_hash": b64encode(o.checkpoint.root_hash),
                    "note": o.note,
                    "source": o.source,
                    **(
                        {
                            "learned_keys": [
                                {
                                    "verifier_key": k.key.verifier_key(),
                                    "handover_size": k.handover_size,
                                    "handover_note": k.handover_note,
                                }
                                for k in self.learned[origin]
                            ]
                        }
                        if self.learned.get(origin)
                        else {}
                    ),
                }
                for origin, o in sorted(self.latest.items())
            },
        }
        _write_atomic(self.path, json.dumps(doc, indent=2, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------
# The monitor.


def _default_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0, connect=5.0))


class Monitor:
    def __init__(
        self,
        logs: Sequence[FollowedLog],
        *,
        state_path: Path | None = None,
        witnesses: Sequence[WitnessView] = (),
        client_factory: Callable[[str], httpx.Client] = _default_client,
        clock: Clock = utc_now,
    ) -> None:
        if not logs:
            raise ClientError("a monitor needs at least one log to follow")
        origins = [f.origin for f in logs]
        if len(set(origins)) != len(origins):
            raise ClientError("two followed logs share an origin")
        self.logs = tuple(logs)
        self.witnesses = tuple(witnesses)
        self.clock = clock
        self._client_factory = client_factory
        self._clients: dict[str, httpx.Client] = {}
        self.state = MonitorState.load(state_path, self.logs)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _client(self, base_url: str) -> httpx.Client:
        client = self._clients.get(base_url)
        if client is None:
            client = self._clients[base_url] = self._client_factory(base_url)
        return client

    def _get(self, base_url: str, path: str, **params: int) -> httpx.Response:
        try:
            return self._client(base_url).get(path, params=params or None)
        except httpx.HTTPError as exc:
            raise FetchError(f"GET {base_url}{path}: {exc}") from exc

    def _proof_source(self, followed: FollowedLog) -> ProofSource:
        if followed.tiles_only:
            return self._tile_proof_source(followed)

        def fetch(first: int, second: int) -> list[bytes]:
            response = self._get(followed.url, CONSISTENCY_PATH, first=first, second=second)
            if response.status_code != 200:
                raise FetchError(
                    f"{followed.url}: no consistency proof {first} -> {second} "
                    f"(HTTP {response.status_code})",
                    status=response.status_code,
                )
            try:
                hashes = [bytes.fromhex(h) for h in response.json()["proof"]]
            except (ValueError, KeyError, TypeError) as exc:
                raise FetchError(f"{followed.url}: malformed consistency proof") from exc
            if any(len(h) != HASH_BYTES for h in hashes):
                raise FetchError(f"{followed.url}: consistency proof hashes must be 32 bytes")
            return hashes

        return fetch

    def _tile_proof_source(self, followed: FollowedLog) -> ProofSource:
        """Proofs built from a mirror's hash tiles (SPEC: tlog-tiles; a partial tile it
        no longer serves is read from its full tile, as the spec allows)."""

        def read_tile(level: int, index: int, width: int | None) -> bytes:
            response = self._get(followed.url, "/log/" + tiles.tile_path(level, index, width))
            if response.status_code == 404 and width is not None:
                response = self._get(followed.url, "/log/" + tiles.tile_path(level, index))
                if response.status_code == 200:
                    return response.content[: width * HASH_BYTES]
            if response.status_code != 200:
                raise FetchError(
                    f"{followed.url}: no hash tile {tiles.tile_path(level, index, width)} "
                    f"(HTTP {response.status_code})",
                    status=response.status_code,
                )
            return response.content

        def build(first: int, second: int) -> list[bytes]:
            try:
                return tiles.consistency_proof_from_tiles(first, second, read_tile)
            except FetchError:
                raise
            except TerangError as exc:
                raise FetchError(f"{followed.url}: unusable hash tiles: {exc.message}") from exc

        return build

    # -- log keys across a rotation ---------------------------------------------------

    def _open(
        self,
        followed: FollowedLog,
        note: str,
        *,
        witnesses: Sequence[CosignatureVerifier] = (),
        min_witnesses: int = 0,
    ) -> Checkpoint:
        """Open ``note`` under the key in force at its size; a note by a key not known
        yet makes the monitor read the log's key history once (``_learn``)."""
        learned = self.state.learned.get(followed.origin, [])
        try:
            return open_followed(
                followed, learned, note, witnesses=witnesses, min_witnesses=min_witnesses
            )
        except SignatureError:
            if not self._learn(followed):
                raise
        return open_followed(
            followed,
            self.state.learned.get(followed.origin, []),
            note,
            witnesses=witnesses,
            min_witnesses=min_witnesses,
        )

    def _learn(self, followed: FollowedLog) -> bool:
        """Learn the keys the log rotated to since the last known one: each must come
        with a hand-over checkpoint signed by the key before it and by it, whose tree
        includes (inclusion proof) the rotation entry naming it, and that is consistent
        with the last checkpoint this monitor verified. Whether the rotation entry is
        signed by the region's authority is not checked here (``terang verify`` replays
        it). Whether anything was learnt."""
        if followed.tiles_only:
            return False
        response = self._get(followed.url, "/log/key-history")
        if response.status_code != 200:
            return False
        try:
            items = response.json()["keys"]
        except (ValueError, KeyError, TypeError):
            return False
        learned = self.state.learned.setdefault(followed.origin, [])
        known = {followed.verifier.verifier_key(), *(k.key.verifier_key() for k in learned)}
        progressed = False
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("rotation_seq") is None:
                continue
            if item.get("verifier_key") in known:
                continue
            new_key = parse_verifier_key(str(item.get("verifier_key")))
            note = item.get("handover_checkpoint")
            seq = item.get("rotation_seq")
            if (
                not isinstance(new_key, Verifier)
                or not isinstance(note, str)
                or type(seq) is not int
            ):
                return progressed
            previous_key = learned[-1].key if learned else followed.verifier
            opened = open_note(note, [previous_key, new_key])
            if not (opened.verified_by(previous_key) and opened.verified_by(new_key)):
                raise SignatureError(
                    f"{followed.url}: the hand-over to {new_key.verifier_key()} is not signed "
                    "by both keys"
                )
            handover = Checkpoint.parse(opened.text)
            if handover.origin != followed.origin or handover.size <= seq:
                raise SignatureError(f"{followed.url}: the hand-over does not include entry {seq}")
            self._check_rotation_entry(followed, seq, handover, previous_key, new_key)
            seen = Observed(handover, note, f"{followed.url}/log/key-history")
            previous = self.state.latest.get(followed.origin)
            if previous is not None:
                check_pair(followed, previous, seen, self._proof_source(followed), now=self.clock())
            learned.append(LearnedKey(new_key, handover.size, note))
            known.add(new_key.verifier_key())
            progressed = True
        if progressed:
            self.state.save()
        return progressed

    def _check_rotation_entry(
        self,
        followed: FollowedLog,
        seq: int,
        handover: Checkpoint,
        previous_key: Verifier,
        new_key: Verifier,
    ) -> None:
        """Entry ``seq`` is a rotation from ``previous_key`` to ``new_key``, included in
        the hand-over's tree (RFC 6962 inclusion proof)."""
        response = self._get(followed.url, f"/api/v1/entries/{seq}")
        proof_response = self._get(
            followed.url, "/api/v1/proofs/inclusion", seq=seq, tree_size=handover.size
        )
        if response.status_code != 200 or proof_response.status_code != 200:
            raise FetchError(f"{followed.url}: entry {seq} or its inclusion proof not served")
        try:
            raw = b64decode_strict(response.json()["entry_bytes_b64"], field="entry_bytes_b64")
            proof = [bytes.fromhex(h) for h in proof_response.json()["proof"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise FetchError(f"{followed.url}: malformed entry {seq} or proof") from exc
        entry = LoggedEntry.parse(raw, Limits())
        statement = entry.signed.statement
        if (
            entry.seq != seq
            or statement.type != log_keys.ROTATED_TYPE
            or statement.body.get("verifier_key") != new_key.verifier_key()
            or statement.body.get("previous_verifier_key") != previous_key.verifier_key()
        ):
            raise SignatureError(
                f"{followed.url}: entry {seq} is not the rotation to {new_key.verifier_key()}"
            )
        merkle.verify_inclusion(
            merkle.leaf_hash(raw), seq, handover.size, proof, handover.root_hash
        )

    # -- checking -------------------------------------------------------------------

    def observe(self, followed: FollowedLog, note: str, source: str) -> PollResult:
        """Verify one signed checkpoint and check it against the state; maybe advance it.

        Raises ``SignatureError`` if the log did not sign it (not evidence of anything),
        ``SplitView``/``Inconsistent`` on misbehaviour, ``FetchError`` if a needed
        proof cannot be fetched (no verdict; the state is unchanged).
        """
        checkpoint = self._open(followed, note)
        seen = Observed(checkpoint, note, source)
        previous = self.state.latest.get(followed.origin)
        if previous is not None:
            check_pair(followed, previous, seen, self._proof_source(followed), now=self.clock())
        if previous is None or checkpoint.size > previous.checkpoint.size:
            self.state.latest[followed.origin] = seen
            self.state.save()
            return PollResult(followed.origin, source, checkpoint.size, "new")
        status = "same" if checkpoint.size == previous.checkpoint.size else "older"
        return PollResult(followed.origin, source, checkpoint.size, status)

    def check_notes(
        self, followed: FollowedLog, notes: Sequence[tuple[str, str]]
    ) -> list[PollResult]:
        """Check checkpoints observed elsewhere (``(source, note)`` pairs, e.g. the
        cosigned checkpoints different witnesses or users saw) against each other and
        the state. Unsigned ones raise ``SignatureError``."""
        observed = []
        for source, note in notes:
            cp = self._open(followed, note)
            observed.append(Observed(cp, note, source))
        # Sorted by size, consecutive pairs suffice: consistency is transitive, and
        # equal sizes with different roots end up next to each other.
        ordered = sorted(observed, key=lambda o: (o.checkpoint.size, o.checkpoint.root_hash))
        proofs = self._proof_source(followed)
        for a, b in itertools.pairwise(ordered):
            check_pair(followed, a, b, proofs, now=self.clock())
        return [self.observe(followed, o.note, o.source) for o in ordered]

    def poll_once(self) -> list[PollResult]:
        """Fetch and check every log's checkpoint and every witness's view of it.

        ``SplitView`` propagates at once. Fetch failures and unsigned answers are
        reported as ``unavailable`` results (retry at the next poll).
        """
        results: list[PollResult] = []
        for followed in self.logs:
            source = f"{followed.url}/log/checkpoint"
            results.append(self._poll(followed, followed.url, "/log/checkpoint", source, None))
            for witness in self.witnesses:
                path = f"/{origin_hash(followed.origin)}/checkpoint"
                results.append(self._poll(followed, witness.url, path, witness.url + path, witness))
        return results

    def _poll(
        self,
        followed: FollowedLog,
        base_url: str,
        path: str,
        source: str,
        witness: WitnessView | None,
    ) -> PollResult:
        try:
            response = self._get(base_url, path)
            if witness is not None and response.status_code == 404:
                return PollResult(followed.origin, source, None, "absent")
            if response.status_code != 200:
                raise FetchError(f"GET {source}: HTTP {response.status_code}")
            note = response.text
            if witness is not None and witness.verifier is not None:
                self._open(followed, note, witnesses=[witness.verifier], min_witnesses=1)
            return self.observe(followed, note, source)
        except SplitView:
            raise
        except TerangError as exc:  # unreachable, unsigned or malformed: no verdict
            log.warning("%s: %s", source, exc.message)
            return PollResult(followed.origin, source, None, "unavailable", exc.message)

    def run(
        self,
        interval_s: float,
        stop: threading.Event,
        on_results: Callable[[list[PollResult]], None] | None = None,
    ) -> None:
        """Poll every ``interval_s`` until ``stop`` is set; ``SplitView`` ends the loop."""
        while True:
            results = self.poll_once()
            if on_results is not None:
                on_results(results)
            if stop.wait(interval_s):
                return


def iter_checkpoint_files(paths: Sequence[Path]) -> Iterator[tuple[str, str]]:
    """``(source, note)`` pairs from files that each hold one checkpoint note."""
    for path in paths:
        yield str(path), path.read_text(encoding="utf-8")
