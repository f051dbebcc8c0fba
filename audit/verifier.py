"""The verifier's core: replay a log's entries and check everything, with no I/O.

Fed entry bytes in order (from tiles, the JSON API or a downloaded copy), it checks
for each entry, in this order:

1. the bytes parse strictly as a v1 logged entry in canonical (RFC 8785) form;
2. its ``seq`` is the next index;
3. ``prev`` is the leaf hash of the entry before (32 zero bytes for entry 0);
4. its format ``v`` is not below the one before: once a log has a v2 entry (statement
   signatures bound to its origin) it has no v1 entry after it, so an operator cannot
   slip in a v1 entry to carry a statement not signed for this log;
5. ``replay.check_time_order``: its ``logged_at`` is not before the entry before's
   (fault ``logged_at_backwards``), unless the log declared a simulated clock right
   after its genesis (``simulated_clock``: demo logs; reported, never silent);
6. ``replay.apply_entry`` for this log's ``origin``: known type, registered unrevoked
   signer, valid signature (made for this log), the role the type requires at that
   point of the log, the module's reducer;

and keeps the RFC 6962 frontier (O(log n) hashes) so that at any size it can
compare its own root with a signed checkpoint's. Memory stays flat except for the
replayed state itself. The first fault raises ``LogFault`` naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger import log_keys, merkle
from ledger.authority import CLOCK_SIMULATED_SEQ, clock_is_simulated
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.errors import TerangError, VerificationError
from ledger.kinds import KindRegistry
from ledger.limits import TILE_HEIGHT, TILE_WIDTH, Limits
from ledger.log_keys import Rotation
from ledger.merkle import NodeId
from ledger.note import AnyVerifier, Verifier
from ledger.replay import apply_entry, check_time_order
from ledger.state import DictState
from ledger.statement import ZERO_HASH, LoggedEntry


class LogFault(VerificationError):
    """The log is not what it claims; ``seq`` and ``fault`` say where and what."""

    code = "log_fault"


@dataclass
class LogReplayer:
    kinds: KindRegistry
    limits: Limits
    origin: str
    """The log's origin (its checkpoint origin line): signatures must be made for it."""
    state: DictState = field(default_factory=DictState)
    size: int = 0
    last_leaf: bytes = ZERO_HASH
    last_logged_at: str | None = None
    simulated_clock: bool = False
    """The log declared right after its genesis that its logging times are simulated
    (a demo log): ``logged_at`` then vouches for nothing and is not checked for order."""
    frontier: dict[NodeId, bytes] = field(default_factory=dict)
    pending_leaves: list[bytes] = field(default_factory=list)
    open_tiles: dict[int, list[bytes]] = field(default_factory=dict)
    full_tiles: list[tuple[int, int, bytes]] = field(default_factory=list)
    version: int = 1
    """The format ``v`` of the last entry fed (the next one may not be lower)."""
    legacy_entries: int = 0
    """Entries in the legacy v1 format: their signatures are not bound to this log."""
    rotations: list[Rotation] = field(default_factory=list)
    """The log key rotations replayed so far (``ledger.log_keys``), in order."""

    def feed(self, entry_bytes: bytes) -> LoggedEntry:
        seq = self.size
        try:
            entry = LoggedEntry.parse(entry_bytes, self.limits)
        except TerangError as exc:
            raise LogFault(
                f"entry {seq}: does not parse: {exc.message}", seq=seq, fault="malformed"
            ) from exc
        return self.feed_parsed(entry)

    def feed_parsed(self, entry: LoggedEntry) -> LoggedEntry:
        """Check and apply an entry parsed strictly by ``LoggedEntry.parse``.

        Strict parsing guarantees ``entry.entry_bytes()`` are the bytes that were
        fetched, so the leaf hash is computed over exactly what the log served.
        """
        seq = self.size
        entry_bytes = entry.entry_bytes()
        if entry.seq != seq:
            raise LogFault(f"entry {seq}: claims seq {entry.seq}", seq=seq, fault="seq_mismatch")
        if entry.prev != self.last_leaf:
            raise LogFault(
                f"entry {seq}: prev {entry.prev.hex()} is not the leaf hash of entry {seq - 1} "
                f"({self.last_leaf.hex()})",
                seq=seq,
                fault="broken_chain",
            )
        if entry.version < self.version:
            raise LogFault(
                f"entry {seq}: format v{entry.version} after a v{self.version} entry: a log "
                "never goes back to statement signatures not bound to its origin",
                seq=seq,
                fault="version_downgrade",
            )
        try:
            check_time_order(self.last_logged_at, entry, simulated=self.simulated_clock)
            apply_entry(self.state, self.kinds, entry, origin=self.origin)
        except TerangError as exc:
            raise LogFault(
                f"entry {seq}: {exc.code}: {exc.message}", seq=seq, fault=exc.code
            ) from exc
        if entry.signed.statement.type == log_keys.ROTATED_TYPE:
            if entry.signed.statement.body.get("origin") != self.origin:
                raise LogFault(
                    f"entry {seq}: a log key rotation for another origin",
                    seq=seq,
                    fault="log_key_wrong_origin",
                )
            self.rotations = log_keys.rotations(self.state)
        self.last_logged_at = entry.logged_at
        if seq <= CLOCK_SIMULATED_SEQ + 1:  # only set-up entries may declare it
            self.simulated_clock = clock_is_simulated(self.state)
        leaf = merkle.leaf_hash(entry_bytes)
        self.pending_leaves.append(leaf)
        self.size = seq + 1
        self.last_leaf = leaf
        self.version = entry.version
        self.legacy_entries += entry.version == 1
        if len(self.pending_leaves) >= TILE_WIDTH:
            self._integrate()
        return entry

    def _integrate(self) -> None:
        """Fold the pending leaves into the frontier (batched: per-leaf folding dominated)."""
        if not self.pending_leaves:
            return
        integrated = self.size - len(self.pending_leaves)
        for node_id, node in merkle.append_leaves(integrated, self.frontier, self.pending_leaves):
            self.frontier[node_id] = node
            level, index = node_id
            if level % TILE_HEIGHT == 0:
                self._tile_node(level // TILE_HEIGHT, index, node)
        keep = set(merkle.nodes_for_root(self.size))
        self.frontier = {k: v for k, v in self.frontier.items() if k in keep}
        self.pending_leaves = []

    def root(self) -> bytes:
        self._integrate()
        return merkle.root_hash(self.size, self.frontier)

    def _tile_node(self, tile_level: int, index: int, node: bytes) -> None:
        """Collect the hashes of the tile being filled at ``tile_level``."""
        hashes = self.open_tiles.setdefault(tile_level, [])
        hashes.append(node)
        if len(hashes) == TILE_WIDTH:
            self.full_tiles.append((tile_level, index // TILE_WIDTH, b"".join(hashes)))
            self.open_tiles[tile_level] = []

    def take_full_tiles(self) -> list[tuple[int, int, bytes]]:
        """Tiles completed since the last call: (tile level, tile index, 8,192 bytes)."""
        done, self.full_tiles = self.full_tiles, []
        return done

    def partial_tiles(self) -> list[tuple[int, int, bytes]]:
        """The partial tile of every level at the current size (tlog-tiles rightmost tiles)."""
        self._integrate()
        return [
            (level, (self.size >> (TILE_HEIGHT * (level + 1))), b"".join(hashes))
            for level, hashes in sorted(self.open_tiles.items())
            if hashes
        ]

    def key_in_force(self, genesis: Verifier) -> Verifier:
        """The key that signs the checkpoint of the replayed size, starting from the
        ``genesis`` key the auditor trusts and following the replayed rotations
        (``ledger.log_keys``); a first rotation not from ``genesis`` is a fault."""
        if not self.rotations:
            return genesis
        first = self.rotations[0]
        if first.previous.verifier_key() != genesis.verifier_key():
            raise LogFault(
                f"entry {first.seq}: the log key rotation hands over from "
                f"{first.previous.verifier_key()}, not from the log key "
                f"{genesis.verifier_key()} given to the verifier",
                seq=first.seq,
                fault="log_key_chain_broken",
            )
        key = genesis
        for rotation in self.rotations:
            if rotation.seq < self.size:
                key = rotation.new
        return key

    def check_checkpoint(self, note: str, origin: str, log_verifier: AnyVerifier) -> Checkpoint:
        """The checkpoint is signed by the log key in force at its size (``log_verifier``
        is the genesis key, followed across rotations) and its root is the replayed root."""
        if self.rotations and isinstance(log_verifier, Verifier):
            in_force = self.key_in_force(log_verifier)
            try:
                checkpoint = open_checkpoint(note, origin, in_force)
            except TerangError as exc:
                raise LogFault(
                    f"the checkpoint of size {self.size} is not signed by the log key in "
                    f"force at that size ({in_force.verifier_key()}): {exc.message}",
                    fault="checkpoint_wrong_key",
                    key_in_force=in_force.verifier_key(),
                ) from exc
        else:
            checkpoint = open_checkpoint(note, origin, log_verifier)
        if checkpoint.size != self.size:
            raise LogFault(
                f"checkpoint is for size {checkpoint.size}, replayed {self.size}",
                fault="size_mismatch",
            )
        if checkpoint.root_hash != self.root():
            raise LogFault(
                f"checkpoint root {checkpoint.root_hash.hex()} differs from the root of the "
                f"entries ({self.root().hex()}) at size {self.size}",
                fault="root_mismatch",
            )
        return checkpoint
