"""Verify a running log through its public read API only (``terang verify``).

The auditor supplies the log's verifier key out of band; nothing the server says
about its own key is trusted. Steps, each raising at the first fault:

1. fetch ``/log/checkpoint`` and check its signature and origin;
2. if a state file holds a checkpoint verified before: the new one must not be
   smaller, and an RFC 6962 consistency proof from the old to the new must verify
   (a rewritten history fails here), and the replayed root at the old size must be
   the old root;
3. stream every entry bundle ``/log/tile/entries/<N>[.p/<W>]`` up to the checkpoint
   size (a fetch thread reads ahead), check signatures on a worker thread (PyNaCl
   releases the GIL, so both cores work) and replay every entry in order through
   the same reducers the server runs (``LogReplayer``): bytes, seq, prev chain,
   signer, signature, role, module rules;
4. compare the replayed root with the checkpoint's and the served partial hash
   tiles with the replayed ones (full tiles were compared during the replay), then
   check that every tender closing's time anchor is a tree head of this log (a
   consistency proof from its size to the checkpoint, against the replayed root);
5. compare EVERY published row of ``/api/v1/projections`` with the replay: a row
   last written at or before the checkpoint must equal the replayed document; a row
   the replay does not have, or a replayed document not published, is a fault; a
   row claiming an entry the log does not have is a fault (``projection_beyond_log``);
   a row written after the checkpoint is compared on a catch-up replay to a newer
   checkpoint, right after the entry that last wrote it (``projection_not_covered``
   if no checkpoint covers that entry within ``catch_up_s_max``);
6. save the (first) checkpoint to the state file (atomically) for the next run.

Against a tiles-only mirror (``tiles_only``: ``terang publish-tiles`` served by any
web server) the consistency proofs of steps 2 and 4 are built from the mirror's hash
tiles, a partial tile it no longer serves is read from its full tile (as the spec
allows), and step 5 is not done: the report names it in ``projections_not_checked``.

Memory holds one read-ahead window of bundles, the O(log n) Merkle frontier and
the replayed state; it does not grow with the number of entries.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from audit.evidence import EvidenceCheck, load_evidence
from audit.limits import (
    PROCESS_ENTRIES_MIN,
    PROJECTION_CATCH_UP_S_MAX,
    PUSHBACK_RETRIES_MAX,
    READ_AHEAD_BUNDLES_MAX,
)
from audit.parse_ahead import ParseAhead, default_workers
from audit.policy import Policy
from audit.verifier import LogFault, LogReplayer
from ledger import merkle, tiles
from ledger.authority import GENESIS_TYPE, KEY_NAMESPACE, KEY_REGISTERED_TYPE
from ledger.checkpoint import Checkpoint, open_checkpoint, open_checkpoint_any
from ledger.client import PUSHBACK_STATUSES, retry_after_s
from ledger.errors import SignatureError, TerangError, VerificationError
from ledger.files import write_atomically
from ledger.kinds import KindRegistry
from ledger.limits import FULL_TILE_BYTES, HASH_BYTES, TILE_WIDTH, Limits
from ledger.note import Verifier, open_note, parse_verifier_key
from ledger.statement import LoggedEntry, b64decode_strict
from procurement.lifecycle import TENDER_NAMESPACE

PROJECTION_PAGE_ROWS = 1000
CATCH_UP_POLL_S = 0.2

Progress = Callable[[int, int], None]


class FetchError(TerangError):
    """The log could not be read (transport or HTTP error): not evidence of a fault."""

    http_status = 502
    code = "fetch_failed"


@dataclass(frozen=True)
class VerifyReport:
    origin: str
    tree_size: int
    root_hash: bytes
    checkpoint: str
    projections_compared: int
    projections_newer: int
    """Rows last written after the checkpoint: compared on a catch-up replay."""
    previous_size: int | None
    legacy_entries: int = 0
    """Entries in the legacy v1 format, whose signatures do not name this log."""
    caught_up_to: int | None = None
    """The size of the newer checkpoint the catch-up replay reached, if it ran."""
    evidence_checked: int = 0
    """Held receipts and checkpoints found consistent with the served entries."""
    simulated_clock: bool = False
    """The log declared at seq 1 that its logging times are simulated (a demo log):
    ``logged_at`` vouches for nothing and was not checked for order."""
    projections_not_checked: str | None = None
    """Why the published projections were not compared with the replay (None: they were):
    a tiles-only mirror publishes none, or the caller asked not to."""


def _get(
    client: httpx.Client,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET ``path``; a log that pushes back (its per-client rate spent, or too many heavy
    reads: 429 or 503 with Retry-After, docs/operating.md) is waited for, up to
    ``PUSHBACK_RETRIES_MAX`` times, since a full verification reads many tiles fast."""
    for attempt in range(PUSHBACK_RETRIES_MAX + 1):
        try:
            response = client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise FetchError(f"GET {path}: {exc}") from exc
        if response.status_code in PUSHBACK_STATUSES and attempt < PUSHBACK_RETRIES_MAX:
            sleep(retry_after_s(response))
            continue
        if response.status_code != 200:
            raise FetchError(
                f"GET {path}: HTTP {response.status_code}", status=response.status_code
            )
        return response.content
    raise FetchError(f"GET {path}: no answer")  # not reached: the last attempt raises


def _fetch_bundle(client: httpx.Client, prefix: str, index: int, width: int | None) -> list[bytes]:
    path = f"{prefix}/{tiles.entries_path(index, width)}"
    first = index * TILE_WIDTH
    try:
        data, fell_back = _get_tile(client, prefix, path, tiles.entries_path(index))
    except FetchError as exc:
        if exc.details.get("status") != 404:
            raise
        # SPEC: tlog-tiles: a log MUST serve what a checkpoint it signed covers.
        raise LogFault(
            f"entries {first}+: the checkpoint covers them but the log does not serve {path}",
            seq=first,
            fault="missing_entries",
        ) from exc
    try:
        if fell_back:  # the full bundle: the partial one's entries are its first ones
            return tiles.decode_entry_bundle(data, TILE_WIDTH)[: width or TILE_WIDTH]
        return tiles.decode_entry_bundle(data, width or TILE_WIDTH)
    except TerangError as exc:
        raise LogFault(
            f"entry bundle {index}: {exc.message}", seq=first, fault="bad_bundle"
        ) from exc


def _get_tile(client: httpx.Client, prefix: str, path: str, full: str) -> tuple[bytes, bool]:
    """A tile or bundle at ``path``; a partial one that is gone (404) is read from its
    full tile ``full`` instead: (bytes, True). SPEC: tlog-tiles: a log "MAY delete any
    partial tile once the corresponding full tile is available" and clients "MAY fetch
    the full tile ... as a fallback" (a mirror that grew while we read it)."""
    try:
        return _get(client, path), False
    except FetchError as exc:
        if exc.details.get("status") != 404 or ".p/" not in path:
            raise
        try:
            return _get(client, f"{prefix}/{full}"), True
        except FetchError:
            raise exc from None


Prefetched = bytes | BaseException
"""A full hash tile fetched ahead, or the error fetching it gave (raised when it is checked,
so a fault is still reported where the replay reaches it)."""


def _bundles(
    client: httpx.Client, prefix: str, size: int, start_bundle: int = 0
) -> Iterator[tuple[list[bytes], Prefetched | None]]:
    """Entry bundles in order, read ahead by a fetch thread (bounded window), each with
    the level-0 hash tile over it when it is full: the replay compares that tile after
    the bundle's last entry, and fetching it there would stall the replay on the network."""
    full, last_width = divmod(size, TILE_WIDTH)
    count = full + (1 if last_width else 0)
    window: queue.Queue[tuple[list[bytes], Prefetched | None] | BaseException | None] = queue.Queue(
        READ_AHEAD_BUNDLES_MAX
    )
    stop = threading.Event()

    def fetch() -> None:
        try:
            for index in range(start_bundle, count):
                if stop.is_set():
                    return
                bundle = _fetch_bundle(client, prefix, index, last_width if index == full else None)
                tile: Prefetched | None = None
                if index < full:
                    try:
                        tile = _get(client, f"{prefix}/{tiles.tile_path(0, index)}")
                    except Exception as exc:  # raised by the replay, in its order
                        tile = exc
                window.put((bundle, tile))
            window.put(None)
        except BaseException as exc:
            window.put(exc)

    thread = threading.Thread(target=fetch, name="terang-verify-fetch", daemon=True)
    thread.start()
    try:
        while (item := window.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                window.get_nowait()
        thread.join(timeout=10)


class StateFile:
    """The last checkpoint this auditor verified, per origin (JSON, written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, origin: str) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        found = data.get(origin)
        return found if isinstance(found, dict) else None

    def save(self, origin: str, checkpoint: Checkpoint, note: str) -> None:
        data: dict[str, Any] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
        data[origin] = {
            "size": checkpoint.size,
            "root_hash": checkpoint.root_hash.hex(),
            "note": note,
        }
        write_atomically(self.path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))


def _check_tile(
    client: httpx.Client,
    prefix: str,
    tile: tuple[int, int, bytes],
    prefetched: Prefetched | None = None,
) -> None:
    """The hash tile the log serves must be the one recomputed from its entries.

    ``prefetched``: the full tile as the fetch thread read it ahead (or its error)."""
    level, index, expected = tile
    width = len(expected) // HASH_BYTES
    path = f"{prefix}/{tiles.tile_path(level, index, None if width == TILE_WIDTH else width)}"
    if prefetched is not None and width == TILE_WIDTH:
        if isinstance(prefetched, BaseException):
            raise prefetched
        served = prefetched
    else:
        served, fell_back = _get_tile(client, prefix, path, tiles.tile_path(level, index))
        if fell_back:
            served = served[: len(expected)] if len(served) == FULL_TILE_BYTES else b""
    if served != expected:
        raise LogFault(
            f"hash tile {path} is not the tile of the entries' hashes; proofs built from it "
            "would be wrong",
            fault="bad_tile",
            tile=path,
        )


def _consistency_proof(
    client: httpx.Client,
    prefix: str,
    tiles_only: bool,
    first: tuple[int, bytes],
    second: Checkpoint,
) -> list[bytes]:
    """The consistency proof from ``first`` (size, root) to ``second``: from the log's
    JSON API, or, from a tiles-only mirror, built from its hash tiles of ``second``'s
    size (``ledger.tiles.consistency_proof_from_tiles``). Tiles that do not even hash to
    ``second``'s signed root are the mirror's fault, ``bad_tile``, not evidence that the
    log signed two histories."""
    size, root = first
    if not tiles_only:
        body = json.loads(
            _get(client, "/api/v1/proofs/consistency", {"first": size, "second": second.size})
        )
        return [bytes.fromhex(h) for h in body["proof"]]

    def read_tile(level: int, index: int, width: int | None) -> bytes:
        path = f"{prefix}/{tiles.tile_path(level, index, width)}"
        data, fell_back = _get_tile(client, prefix, path, tiles.tile_path(level, index))
        return data[: (width or TILE_WIDTH) * HASH_BYTES] if fell_back else data

    try:
        proof = tiles.consistency_proof_from_tiles(size, second.size, read_tile)
        _, new_root = merkle.roots_from_consistency_proof(size, second.size, proof, root)
    except FetchError as exc:
        if exc.details.get("status") != 404:
            raise
        raise LogFault(
            f"a hash tile of size {second.size} is not served: {exc.message}", fault="missing_tile"
        ) from exc
    except TerangError as exc:
        raise LogFault(
            f"hash tiles of size {second.size}: {exc.message}", fault="bad_tile"
        ) from exc
    if new_root != second.root_hash:
        raise LogFault(
            f"the hash tiles served for size {second.size} do not hash to that checkpoint's "
            "root: the tiles are wrong (no verdict on the log's consistency)",
            fault="bad_tile",
        )
    return proof


def _check_consistency(
    client: httpx.Client,
    previous: dict[str, Any],
    checkpoint: Checkpoint,
    prefix: str = "/log",
    tiles_only: bool = False,
) -> None:
    old_size = int(previous["size"])
    old_root = bytes.fromhex(previous["root_hash"])
    if checkpoint.size < old_size:
        raise LogFault(
            f"the log shrank: checkpoint size {checkpoint.size} < {old_size} verified before",
            fault="log_shrank",
            previous_checkpoint=previous["note"],
        )
    if old_size == 0:
        return
    if old_size == checkpoint.size:
        proof: list[bytes] = []
    else:
        proof = _consistency_proof(client, prefix, tiles_only, (old_size, old_root), checkpoint)
    try:
        merkle.verify_consistency(old_size, checkpoint.size, proof, old_root, checkpoint.root_hash)
    except VerificationError as exc:
        raise LogFault(
            f"checkpoint of size {checkpoint.size} is not consistent with the one of size "
            f"{old_size} verified before: {exc.message}",
            fault="inconsistent",
            previous_checkpoint=previous["note"],
            proof=[h.hex() for h in proof],
        ) from exc


def _check_time_anchors(
    client: httpx.Client,
    replayer: LogReplayer,
    checkpoint: Checkpoint,
    prefix: str = "/log",
    tiles_only: bool = False,
) -> None:
    """Every tender closing's time anchor is a tree head of *this* log.

    The reducer checked the anchor's signatures and timestamps but cannot see the tree:
    here its root must be the root of the replayed entries at its size, shown by an
    RFC 6962 consistency proof to the verified checkpoint (fault
    ``time_anchor_not_in_log``). One proof per anchored tender.
    """
    for (namespace, ocid), doc in replayer.state.items():
        anchor = doc.get("time_anchor") if namespace == TENDER_NAMESPACE else None
        if anchor is None:
            continue
        size = int(anchor["tree_size"])
        root = bytes.fromhex(anchor["root_hash"])
        # Fetched outside the check: tiles that are wrong are ``bad_tile``, not this fault.
        proof = (
            _consistency_proof(client, prefix, tiles_only, (size, root), checkpoint)
            if 0 < size < checkpoint.size
            else []
        )
        try:
            if size == checkpoint.size:
                if root != checkpoint.root_hash:
                    raise VerificationError("the anchor's root is not the checkpoint's")
            else:
                merkle.verify_consistency(size, checkpoint.size, proof, root, checkpoint.root_hash)
        except VerificationError as exc:
            raise LogFault(
                f"tender {ocid}: its closing's time anchor (size {size}) is not a tree head "
                f"of this log: {exc.message}",
                fault="time_anchor_not_in_log",
                ocid=ocid,
            ) from exc


@dataclass(frozen=True)
class _AheadRow:
    """A published row last written after the checkpoint: compared once the replay
    reaches the entry it names (the last entry of the batch that wrote it)."""

    namespace: str
    key: str
    value: Any
    updated_seq: int


def _projection_fault(row: dict[str, Any] | _AheadRow, expected: Any, size: int) -> LogFault:
    namespace, key, value = (
        (row["namespace"], row["key"], row["value"])
        if isinstance(row, dict)
        else (row.namespace, row.key, row.value)
    )
    if expected is None:
        return LogFault(
            f"projection {namespace}/{key} is published but the replay of the log at size "
            f"{size} has no such document: published {json.dumps(value, sort_keys=True)[:300]}",
            fault="projection_unknown",
            namespace=namespace,
            key=key,
        )
    return LogFault(
        f"projection {namespace}/{key} differs from the replay of the log at size "
        f"{size}: published {json.dumps(value, sort_keys=True)[:300]}, "
        f"replayed {json.dumps(expected, sort_keys=True)[:300]}",
        fault="projection_mismatch",
        namespace=namespace,
        key=key,
    )


def _compare_projections(
    client: httpx.Client, replayer: LogReplayer
) -> tuple[int, list[_AheadRow]]:
    """Compare every published row with the replay at ``replayer.size``.

    Returns the rows compared and the rows last written after it (``ahead``), which the
    caller compares once its replay reaches them. Raises on a difference, on a row the
    replay does not have (``projection_unknown``), on a replayed document that is not
    published (``projection_missing``), and on a row claiming to be written by an
    entry the log does not even have (``projection_beyond_log``: the page's own
    ``tree_size`` is read after its rows, so an honest row is always below it).
    """
    size = replayer.size
    replayed = dict(replayer.state.items())
    seen: set[tuple[str, str]] = set()
    compared = 0
    ahead: list[_AheadRow] = []
    after = ["", ""]
    while True:
        page = json.loads(
            _get(
                client,
                "/api/v1/projections",
                {"after_namespace": after[0], "after_key": after[1], "limit": PROJECTION_PAGE_ROWS},
            )
        )
        for row in page["items"]:
            key = (row["namespace"], row["key"])
            seen.add(key)
            if row["updated_seq"] >= page["tree_size"]:
                raise LogFault(
                    f"projection {key[0]}/{key[1]} claims to be written by entry "
                    f"{row['updated_seq']}, but the log has only {page['tree_size']} entries",
                    fault="projection_beyond_log",
                    namespace=key[0],
                    key=key[1],
                    updated_seq=row["updated_seq"],
                )
            if row["updated_seq"] >= size:
                ahead.append(_AheadRow(key[0], key[1], row["value"], row["updated_seq"]))
                continue
            expected = replayed.get(key)
            if expected != row["value"]:
                raise _projection_fault(row, expected, size)
            compared += 1
        if page["next_after"] is None:
            break
        after = page["next_after"]
    missing = sorted(set(replayed) - seen)
    if missing:
        missing_namespace, missing_key = missing[0]
        raise LogFault(
            f"projection {missing_namespace}/{missing_key} exists in the replay but is not "
            "published",
            fault="projection_missing",
            namespace=missing_namespace,
            key=missing_key,
        )
    return compared, ahead


def _compare_ahead_after(replayer: LogReplayer, ahead: dict[int, list[_AheadRow]]) -> int:
    """Compare the rows last written by the entry just replayed; the number compared."""
    rows = ahead.pop(replayer.size - 1, [])
    for row in rows:
        expected = replayer.state.get(row.namespace, row.key)
        if expected != row.value:
            raise _projection_fault(row, expected, replayer.size)
    return len(rows)


def _open_note(
    note: str,
    policy: Policy | None,
    verifier_key: str | None,
    client: httpx.Client | None = None,
    prefix: str = "/log",
) -> tuple[Checkpoint, Verifier, Verifier]:
    """Verify a checkpoint note under ``policy`` or ``verifier_key``: (checkpoint, the
    key that opened it, the genesis key trusted).

    A log that rotated its key (``ledger.log_keys``) signs its latest checkpoint with a
    key the auditor was not given: the candidates are read from ``/log/key-history``
    and the note opened under the one that signed it. That is provisional: the replay
    then follows the rotation entries from the given key and the checkpoint must be
    signed by the key in force at its size (``LogReplayer.check_checkpoint``), and
    every hand-over checkpoint by both keys (``_check_handovers``).
    """
    if policy is not None:
        checkpoint = policy.verify_checkpoint(note)
        key = next(v for v in policy.logs if v.name == checkpoint.origin)
        return checkpoint, key, key
    if verifier_key is None:
        raise VerificationError("give the log's verifier key or a policy")
    parsed_key = parse_verifier_key(verifier_key)
    if not isinstance(parsed_key, Verifier):
        raise VerificationError("the log's verifier key must be an Ed25519 note key")
    try:
        return open_checkpoint(note, parsed_key.name, parsed_key), parsed_key, parsed_key
    except SignatureError:
        history = None if client is None else _key_history(client, prefix)
        if not history:
            raise
        for item in reversed(history):
            if item.get("rotation_seq") is None:
                continue  # the genesis key is the one given, or the log is not this one
            try:
                candidate = parse_verifier_key(str(item.get("verifier_key")))
            except TerangError:
                continue  # a hint only: a key that does not parse is no candidate
            if not isinstance(candidate, Verifier) or candidate.name != parsed_key.name:
                continue
            try:
                return open_checkpoint(note, parsed_key.name, candidate), candidate, parsed_key
            except SignatureError:
                continue
        raise


def _key_history(client: httpx.Client, prefix: str) -> list[dict[str, Any]] | None:
    """``/log/key-history``'s ``keys`` (None: not served, as by a tiles-only mirror)."""
    try:
        body = json.loads(_get(client, f"{prefix}/key-history"))
    except FetchError as exc:
        if exc.details.get("status") == 404:
            return None
        raise
    except ValueError as exc:
        raise LogFault("/log/key-history is not JSON", fault="bad_key_history") from exc
    keys = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise LogFault("/log/key-history has no list of keys", fault="bad_key_history")
    return keys


def _known_keys(genesis: Verifier, replayer: LogReplayer, opened: Verifier) -> list[Verifier]:
    keys = {genesis.verifier_key(): genesis, opened.verifier_key(): opened}
    for rotation in replayer.rotations:
        keys[rotation.new.verifier_key()] = rotation.new
    return list(keys.values())


def _check_handovers(
    client: httpx.Client,
    replayer: LogReplayer,
    checkpoint: Checkpoint,
    prefix: str,
    tiles_only: bool,
) -> None:
    """Every replayed rotation has its hand-over: a checkpoint of this log signed by both
    the previous and the new key, whose tree includes the rotation entry and no later
    rotation, and that is a tree head of this log (consistent with ``checkpoint``)."""
    if not replayer.rotations:
        return
    history = _key_history(client, prefix) or []
    by_seq = {item.get("rotation_seq"): item for item in history}
    for index, rotation in enumerate(replayer.rotations):
        item = by_seq.get(rotation.seq)
        note = None if item is None else item.get("handover_checkpoint")
        if not isinstance(note, str):
            raise LogFault(
                f"entry {rotation.seq}: the log key rotation has no hand-over checkpoint in "
                f"{prefix}/key-history, though the checkpoint of size {checkpoint.size} "
                "includes it",
                seq=rotation.seq,
                fault="log_key_handover_missing",
            )
        try:
            opened = open_note(note, [rotation.previous, rotation.new])
            handover = Checkpoint.parse(opened.text)
        except TerangError as exc:
            raise LogFault(
                f"entry {rotation.seq}: the hand-over checkpoint does not verify: {exc.message}",
                seq=rotation.seq,
                fault="log_key_handover_unsigned",
            ) from exc
        if not (opened.verified_by(rotation.previous) and opened.verified_by(rotation.new)):
            missing = rotation.new if opened.verified_by(rotation.previous) else rotation.previous
            raise LogFault(
                f"entry {rotation.seq}: the hand-over checkpoint is not signed by "
                f"{missing.verifier_key()}: a hand-over is signed by both the previous and "
                "the new log key",
                seq=rotation.seq,
                fault="log_key_handover_unsigned",
            )
        next_seq = (
            replayer.rotations[index + 1].seq if index + 1 < len(replayer.rotations) else None
        )
        if (
            handover.origin != replayer.origin
            or not rotation.seq < handover.size <= checkpoint.size
            or (next_seq is not None and handover.size > next_seq)
        ):
            raise LogFault(
                f"entry {rotation.seq}: the hand-over checkpoint (size {handover.size}) does "
                "not include the rotation, or includes the next one, or is beyond the "
                "checkpoint verified",
                seq=rotation.seq,
                fault="log_key_handover_bad_size",
            )
        proof = (
            _consistency_proof(
                client, prefix, tiles_only, (handover.size, handover.root_hash), checkpoint
            )
            if handover.size < checkpoint.size
            else []
        )
        try:
            merkle.verify_consistency(
                handover.size, checkpoint.size, proof, handover.root_hash, checkpoint.root_hash
            )
        except VerificationError as exc:
            raise LogFault(
                f"entry {rotation.seq}: the hand-over checkpoint (size {handover.size}) is "
                f"not a tree head of this log: {exc.message}",
                seq=rotation.seq,
                fault="log_key_handover_not_in_log",
            ) from exc


def verify_log(
    client: httpx.Client,
    verifier_key: str | None,
    kinds: KindRegistry,
    limits: Limits,
    *,
    prefix: str = "/log",
    state: StateFile | None = None,
    compare_projections: bool = True,
    on_progress: Progress | None = None,
    policy: Policy | None = None,
    catch_up_s_max: float = PROJECTION_CATCH_UP_S_MAX,
    evidence: Sequence[tuple[str, bytes]] = (),
    tiles_only: bool = False,
    workers: int | None = None,
) -> VerifyReport:
    """Check the whole log behind ``client``; raise ``LogFault`` at the first fault.

    ``tiles_only``: ``client`` serves only the C2SP tlog-tiles paths under ``prefix``
    (a static mirror, ``terang publish-tiles``): consistency proofs are built from its
    hash tiles, and the projections are not compared, since a mirror publishes none
    (the report says so in ``projections_not_checked``; it never passes silently).

    The checkpoint must verify under ``verifier_key``, or, with a C2SP tlog-policy,
    be signed by one of its logs and cosigned by a quorum of its witnesses.
    ``evidence`` is (name, bytes) of held receipts and checkpoints (``audit.evidence``);
    each must agree with the served entries, and an unusable one is ``EvidenceError``.
    ``workers``: processes that parse and check signatures ahead of the replay (default:
    one per core; 0 parses on a thread of this process).
    """
    workers = default_workers() if workers is None else workers
    note = _get(client, f"{prefix}/checkpoint").decode("utf-8")
    checkpoint, verifier, genesis = _open_note(note, policy, verifier_key, client, prefix)
    evidence_keys: Verifier | list[Verifier] = verifier
    if evidence and verifier is not genesis:
        history = _key_history(client, prefix) or []
        evidence_keys = [genesis, verifier]
        for item in history:
            try:
                key = parse_verifier_key(str(item.get("verifier_key")))
            except TerangError:
                continue
            if isinstance(key, Verifier) and key not in evidence_keys:
                evidence_keys.append(key)
    held = EvidenceCheck(
        [load_evidence(name, data, checkpoint.origin, evidence_keys) for name, data in evidence]
    )
    held.check_size(checkpoint.size)
    previous = state.load(checkpoint.origin) if state is not None else None
    if previous is not None:
        _check_consistency(client, previous, checkpoint, prefix, tiles_only)

    replayer = LogReplayer(kinds, limits, checkpoint.origin)
    size = checkpoint.size
    known_keys: dict[str, bytes] = {}
    _replay_to(client, prefix, replayer, size, known_keys, previous, on_progress, {}, held, workers)
    if held.checked != len(held.held):  # every held size is <= size, so each was reached
        raise VerificationError("held evidence left unchecked after the replay")
    replayer.check_checkpoint(note, verifier.name, genesis)
    _check_handovers(client, replayer, checkpoint, prefix, tiles_only)
    for tile in replayer.partial_tiles():
        _check_tile(client, prefix, tile)
    _check_time_anchors(client, replayer, checkpoint, prefix, tiles_only)
    compared = ahead_count = 0
    caught_up_to: int | None = None
    not_checked = None
    if tiles_only:
        not_checked = (
            "a tiles-only mirror publishes no projections: the log (signatures, chain, "
            "replay, root, tiles, time anchors) was verified, the service's published "
            "balances and registry rows were not"
        )
    elif not compare_projections:
        not_checked = "not asked to (--no-projections)"
    if not_checked is None:
        compared, ahead = _compare_projections(client, replayer)
        ahead_count = len(ahead)
        if ahead:
            caught_up_to = _catch_up(
                client, prefix, replayer, (verifier, genesis), ahead, known_keys, catch_up_s_max
            )
            compared += ahead_count
    if state is not None:
        state.save(checkpoint.origin, checkpoint, note)
    return VerifyReport(
        checkpoint.origin,
        size,
        checkpoint.root_hash,
        note,
        compared,
        ahead_count,
        None if previous is None else int(previous["size"]),
        replayer.legacy_entries,
        caught_up_to,
        held.checked,
        replayer.simulated_clock,
        not_checked,
    )


def _catch_up(
    client: httpx.Client,
    prefix: str,
    replayer: LogReplayer,
    keys: tuple[Verifier, Verifier],
    ahead: list[_AheadRow],
    known_keys: dict[str, bytes],
    catch_up_s_max: float,
) -> int:
    """Replay on to a newer checkpoint that covers every row written after the first one,
    comparing each such row right after the entry that last wrote it; the size reached.

    Rows are never compared against a state they were not written in: a row names the
    last entry of the batch that wrote it, and the replay stops there to compare it.
    The newer checkpoint needs only the log's signature (its entries extend the ones
    already verified, through this same replay); the state file keeps the first one.
    """
    verifier, genesis = keys
    needed = max(row.updated_seq for row in ahead) + 1
    deadline = time.monotonic() + catch_up_s_max
    while True:
        note = _get(client, f"{prefix}/checkpoint").decode("utf-8")
        checkpoint = open_checkpoint_any(
            note, verifier.name, _known_keys(genesis, replayer, verifier)
        )
        if checkpoint.size >= needed:
            break
        if time.monotonic() >= deadline:
            first = min(ahead, key=lambda row: row.updated_seq)
            raise LogFault(
                f"projection {first.namespace}/{first.key} claims to be written by entry "
                f"{first.updated_seq}, but no checkpoint covers it (the latest covers "
                f"{checkpoint.size} entries, after waiting {catch_up_s_max:g} s)",
                fault="projection_not_covered",
                namespace=first.namespace,
                key=first.key,
                updated_seq=first.updated_seq,
            )
        time.sleep(CATCH_UP_POLL_S)
    by_seq: dict[int, list[_AheadRow]] = {}
    for row in ahead:
        by_seq.setdefault(row.updated_seq, []).append(row)
    _replay_to(client, prefix, replayer, checkpoint.size, known_keys, None, None, by_seq)
    replayer.check_checkpoint(note, verifier.name, genesis)
    _check_handovers(client, replayer, checkpoint, prefix, False)
    for tile in replayer.partial_tiles():
        _check_tile(client, prefix, tile)
    if by_seq:  # every row's entry was replayed, so nothing can be left
        raise VerificationError("rows left uncompared after the catch-up replay")
    return checkpoint.size


def _replay_to(
    client: httpx.Client,
    prefix: str,
    replayer: LogReplayer,
    size: int,
    known_keys: dict[str, bytes],
    previous: dict[str, Any] | None,
    on_progress: Progress | None,
    ahead: dict[int, list[_AheadRow]],
    held: EvidenceCheck | None = None,
    workers: int = 0,
) -> None:
    """Stream and replay the entries from ``replayer.size`` up to ``size``; ``workers``
    processes parse and pre-verify ahead (``audit.parse_ahead``) when there are enough."""
    start = replayer.size
    if size <= start:
        return
    first_bundle, skip = divmod(start, TILE_WIDTH)

    prefetched: dict[tuple[int, int], Prefetched] = {}

    def numbered() -> Iterator[tuple[int, list[bytes]]]:
        bundles = _bundles(client, prefix, size, first_bundle)
        for index, (bundle, tile) in enumerate(bundles, first_bundle):
            if tile is not None:
                prefetched[(0, index)] = tile  # at most the parse-ahead window's worth
            if index == first_bundle and skip:
                yield index * TILE_WIDTH + skip, bundle[skip:]
            else:
                yield index * TILE_WIDTH, bundle

    # Parse and check signatures ahead, on every core, while the replay runs here.
    in_processes = workers > 0 and size - start >= PROCESS_ENTRIES_MIN
    with ParseAhead(
        replayer.limits,
        replayer.origin,
        workers=workers if in_processes else 0,
        depth=2 * workers if in_processes else 1,
    ) as ahead_parser:
        for parsed in ahead_parser.parsed(numbered(), known_keys):
            _replay(client, prefix, replayer, parsed, known_keys, previous, ahead, held, prefetched)
            if on_progress is not None:
                on_progress(replayer.size, size)


def _replay(
    client: httpx.Client,
    prefix: str,
    replayer: LogReplayer,
    parsed: list[LoggedEntry | LogFault],
    known_keys: dict[str, bytes],
    previous: dict[str, Any] | None,
    ahead: dict[int, list[_AheadRow]],
    held: EvidenceCheck | None,
    prefetched: dict[tuple[int, int], Prefetched],
) -> None:
    for item in parsed:
        if isinstance(item, LogFault):
            raise item
        replayer.feed_parsed(item)
        _learn_keys(replayer, item, known_keys)
        if ahead:
            _compare_ahead_after(replayer, ahead)
        if held is not None:
            held.after_entry(replayer)
        for tile in replayer.take_full_tiles():
            _check_tile(client, prefix, tile, prefetched.pop(tile[:2], None))
        if (
            previous is not None
            and replayer.size == int(previous["size"])
            and replayer.root() != bytes.fromhex(previous["root_hash"])
        ):
            raise LogFault(
                f"the entries up to {replayer.size} no longer hash to the root verified "
                "before: history was rewritten",
                fault="history_rewritten",
                previous_checkpoint=previous["note"],
            )


def _learn_keys(replayer: LogReplayer, entry: LoggedEntry, known_keys: dict[str, bytes]) -> None:
    """Remember keys the entry just registered (read back from the replayed registry)."""
    statement = entry.signed.statement
    if statement.type == KEY_REGISTERED_TYPE:
        key_ids = [statement.subject]
    elif statement.type == GENESIS_TYPE:
        key_ids = [
            key_id for (namespace, key_id) in replayer.state.documents if namespace == KEY_NAMESPACE
        ]
    else:
        return
    for key_id in key_ids:
        document = replayer.state.documents.get((KEY_NAMESPACE, key_id))
        if document is not None:
            known_keys[key_id] = b64decode_strict(document["public_key"], field="public_key")
