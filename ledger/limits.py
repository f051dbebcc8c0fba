"""Every bound the ledger enforces, in one place, with units last in the names.

Each limit is a documented default that an operator can change through the
environment variable named beside it (``TERANG_<NAME upper>``). Limits are checked
against each other at construction so a configuration cannot contradict itself
(a statement limit above what a tlog-tiles entry bundle can hold, say).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from ledger.errors import InvariantBroken, require

# -- fixed by the formats --------------------------------------------------------------
# Not settings: a log or a verifier that changed one would speak another format. Every
# module that parses or builds these formats (merkle, tiles, checkpoint, note, tlog_proof)
# takes its bounds from here, so a bound is defined once and the relations between them
# are checked below, at import.

HASH_BYTES = 32
"""SHA-256 output: every leaf, node, root and proof element of an RFC 6962 tree."""
TREE_SIZE_MAX = 2**64 - 1
"""SPEC: RFC 6962 §3.5 and tlog-checkpoint carry the tree size as a uint64; larger sizes
are refused, never wrapped."""
LEAF_INDEX_MAX = TREE_SIZE_MAX - 1
"""The largest leaf index of a tree whose size fits a uint64 (tlog-proof's index)."""
INCLUSION_PROOF_HASHES_MAX = 64
"""An RFC 6962 inclusion path is never longer than the tree is tall (log2 of 2^64)."""
TILE_HEIGHT = 8
"""SPEC: tlog-tiles: a tile spans 8 tree levels, so tile level ``L`` holds tree level ``8L``."""
TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile; also entries in a full entry bundle."""
FULL_TILE_BYTES = TILE_WIDTH * HASH_BYTES
PARTIAL_TILE_WIDTH_MAX = TILE_WIDTH - 1
"""SPEC: tlog-tiles: a partial tile's ``.p/<W>`` is 1..255."""
TILE_LEVEL_MAX = 63
"""SPEC: tlog-tiles: ``<L>`` is between 0 and 63."""
TILE_INDEX_MAX = 2**64 - 1
"""SPEC: tlog-tiles: ``<N>`` is a uint64."""
# SPEC: C2SP tlog-tiles: entry bundles are big-endian uint16 length-prefixed, so one
# logged entry can never exceed 65,535 bytes.
ENTRY_BUNDLE_ENTRY_BYTES_MAX = 65_535
# SPEC: signed-note: verifiers SHOULD cap the number of signatures and MUST accept at
# least 16; 100 is the cap of the Go reference implementation (sumdb/note.Open).
NOTE_SIGNATURES_MAX = 100
COSIGNATURE_TIMESTAMP_MAX = 2**63 - 1
"""SPEC: tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1."""

require(TILE_WIDTH == 256, InvariantBroken("tlog-tiles tiles are 256 hashes wide"))
require(
    TILE_HEIGHT * (TILE_LEVEL_MAX + 1) >= INCLUSION_PROOF_HASHES_MAX,
    InvariantBroken("the tile levels must cover every level of a 2^64 tree"),
)
require(
    TREE_SIZE_MAX == (1 << INCLUSION_PROOF_HASHES_MAX) - 1,
    InvariantBroken("an inclusion path bound must match the tree size bound"),
)
require(
    ENTRY_BUNDLE_ENTRY_BYTES_MAX == (1 << 16) - 1,
    InvariantBroken("entry bundle lengths are uint16"),
)


# Every seq and tree size is stored in a signed 64-bit column (SQLite INTEGER, PostgreSQL
# BIGINT). A larger integer from a request would reach the driver and fail there (SQLite:
# OverflowError, a 500 that also drops the client's keep-alive connection), so the API
# refuses it as a malformed parameter (422) before any query, and says so in the OpenAPI.
DATABASE_INTEGER_MAX = 2**63 - 1

# Widths of the ledger_entries columns (alembic 0001): a limit may not exceed them.
COLUMN_CHARS = {"type_chars_max": 64, "subject_chars_max": 128, "nonce_chars_max": 64}


# -- fixed bounds of the ledger's modules -----------------------------------------------
# Not operator settings either: each bounds one module's work or input, and is named here
# so that a bound is defined once and its relations with the others are checked below.

# canonical JSON (ledger.canonical)
JSON_SAFE_INTEGER_MAX = 2**53 - 1
"""SPEC: RFC 7493 (I-JSON) §2.2: integers beyond ±(2^53 - 1) are not interoperable."""
NESTING_DEPTH_MAX = 32
"""Deepest value ``canonical_bytes`` accepts (depth 0 is the statement itself)."""
PARSE_NESTING_DEPTH_MAX = NESTING_DEPTH_MAX + 1
"""Arrays and objects open one inside another that ``parse_json_object`` accepts: the
deepest value ``canonical_bytes`` accepts (values at depth 0 to ``NESTING_DEPTH_MAX``),
so parsing never refuses what could be logged. Checked on the bytes BEFORE decoding:
the standard library's decoder recurses per level and raises ``RecursionError`` (not a
``ValueError``) near Python's recursion limit, which would be a 500, not a 4xx."""

# storage (ledger.storage)
QUERY_KEYS_MAX = 400
"""Keys (or key pairs) one lookup query names: at most 800 bound parameters, under the
999 that SQLite builds before 3.32 allow (SQLITE_MAX_VARIABLE_NUMBER), and a size at
which PostgreSQL still plans an index scan."""

# the authority's registry (ledger.authority) and the replay (ledger.replay)
REGISTRY_NAME_CHARS_MAX = 200
"""A registered key holder's name (ledger.authority)."""
GENESIS_AUTHORITIES_MAX = 16
"""Authority keys the genesis entry may name."""
SIGNER_KEYS_CACHED_MAX = 4096
"""Registered public keys kept decoded by the replay (32 bytes each, plus the text)."""

# time anchors and witnesses (ledger.time_anchor, ledger.witnessing, ledger.rollback_guard)
WITNESSES_MAX = 16
"""Witnesses one time anchor may name."""
GRACE_S_DEFAULT = 300
"""Five minutes: a checkpoint is published within ``checkpoint_interval_ms_min`` of a
commit and witnesses answer within seconds; the grace covers that and a witness
retry (``WitnessSet.retry_interval_s``, 30 s) several times over."""
GRACE_S_MAX = 86_400
"""A time anchor's grace is at most a day."""
ANCHOR_CHARS_MAX = 16_384
"""A checkpoint note with ``WITNESSES_MAX`` cosignatures is about 2 KiB."""
VERIFIER_KEY_CHARS_MAX = 512
"""Longest verifier key (a witness's or an anchor's) accepted: the column is VARCHAR(512)."""
WITNESS_RESPONSE_BYTES_MAX = 64 * 1024
"""Largest answer read from a witness (a cosignature line is under 200 bytes)."""
SOURCE_BYTES_MAX = 64 * 1024
"""Largest checkpoint note read from any source (a note with a few dozen cosignatures
is under 8 KiB)."""

# catching up from a backup (ledger.catch_up)
CATCH_UP_ENTRIES_MAX = 100_000
"""Entries one run appends (rule 2). Beyond it, recover the database itself
(point-in-time recovery, a standby): a run holds its entries in memory."""
ENTRY_BUNDLE_BYTES_MAX = TILE_WIDTH * (2 + ENTRY_BUNDLE_ENTRY_BYTES_MAX)

# the client (ledger.client) and waiting for the database (ledger.db_wait)
RETRY_AFTER_S_MAX = 60
"""Longest ``Retry-After`` the client obeys in one wait (a larger one is cut to this)."""
CLIENT_RETRIES_MAX = 5
"""Times the client resends one request after a lost connection. Safe for writes too: a
statement is logged at most once per signer and nonce, so a resent one gets the receipt
of the first (docs/api.md, ``nonce_reused``)."""
PUSHBACK_WAIT_S_MAX = 90.0
"""How long, in all, the client waits out push back (429/503) for one request, each
resend after the ``Retry-After`` it was given. A PostgreSQL failover answers 503
``database_unavailable`` with ``Retry-After: 2`` until a standby is promoted, which
pg_auto_failover does in about 51 s with its default health checks
(bench/results/failover.json): 90 s waits that out, so a write in flight at a failover is
still logged, once, instead of failing and being signed again under a new nonce."""
CONNECT_BACKOFF_S_MAX = 4.0
"""Waits between resends after a lost connection: 0.5, 1, 2, 4, 4 s (11.5 s in all),
about as long as a PostgreSQL failover or a service restart takes."""
DB_WAIT_BACKOFF_S_MAX = 5.0
"""Longest wait between two tries while the database is not yet up (ledger.db_wait)."""

require(
    PARSE_NESTING_DEPTH_MAX == NESTING_DEPTH_MAX + 1,
    InvariantBroken("parsing must accept exactly what canonical_bytes accepts"),
)
require(
    2 * QUERY_KEYS_MAX <= 999,
    InvariantBroken("a lookup of key pairs must stay under SQLite's 999 bound parameters"),
)
require(
    WITNESSES_MAX < NOTE_SIGNATURES_MAX,
    InvariantBroken("an anchored checkpoint carries the log's signature and every witness's"),
)
require(
    ANCHOR_CHARS_MAX <= SOURCE_BYTES_MAX,
    InvariantBroken("every anchor a statement may carry must be readable from a source"),
)
require(
    0 < GRACE_S_DEFAULT <= GRACE_S_MAX,
    InvariantBroken("the default anchor grace must be a valid grace"),
)
require(
    RETRY_AFTER_S_MAX <= PUSHBACK_WAIT_S_MAX,
    InvariantBroken("the client must be able to wait out one Retry-After it obeys"),
)


@dataclass(frozen=True)
class Limits:
    statement_bytes_max: int = 16 * 1024
    """Canonical bytes of one signed statement (the client's part of an entry)."""
    entry_overhead_bytes_max: int = 1024
    """Room reserved for what the log adds around a statement (seq, time, prev, signature)."""
    type_chars_max: int = 64
    subject_chars_max: int = 128
    nonce_chars_max: int = 64
    nonce_chars_min: int = 16
    clock_skew_s_max: int = 300
    """How far a statement's client time may be from the server's logging time."""
    batch_statements_max: int = 1000
    """Statements in one POST of the batch API (one atomic job)."""
    group_commit_statements_max: int = 2000
    """Statements the sequencer folds into one database transaction."""
    queue_jobs_max: int = 10_000
    """Jobs waiting for the sequencer before requests are pushed back with 503."""
    request_body_bytes_max: int = 8 * 1024 * 1024
    checkpoint_interval_ms_min: int = 200
    """Shortest time between two published checkpoints (rate limit)."""
    append_timeout_ms_max: int = 30_000

    # -- what one anonymous client may cost (docs/operating.md) -------------------------
    # Rates are token buckets: a client may spend the whole per-minute (per-hour) figure at
    # once, and it refills evenly over the minute (hour). 0 turns a rate limit off.
    request_body_read_ms_max: int = 30_000
    """Time for a request's whole body to arrive (slow bodies are cut off with 408)."""
    keep_alive_s_max: int = 5
    """Idle seconds uvicorn keeps a connection open between requests (timeout_keep_alive)."""
    connections_max: int = 1000
    """Open connections and requests uvicorn serves at once; past it, 503 (limit_concurrency)."""
    client_read_requests_per_min_max: int = 6000
    """GET and HEAD requests of one client (IP address)."""
    client_write_requests_per_min_max: int = 600
    """Other requests (POST, ...) of one client."""
    client_statements_per_min_max: int = 10_000
    """Statements one client submits, admitted or not."""
    signer_statements_per_min_max: int = 10_000
    """Statements submitted under one signer (key id), from any client."""
    self_registrations_per_request_max: int = 10
    """Self-signed statements (vendor self-registrations) in one request."""
    client_self_registrations_per_hour_max: int = 20
    """Self-signed statements one client submits."""
    rate_limited_clients_max: int = 100_000
    """Clients and signers whose buckets are remembered (least recently seen go first)."""
    heavy_reads_max: int = 2
    """Heavy reads (bulk OCDS, reports, record bundles, big pages) served at once."""
    heavy_reads_queued_max: int = 16
    """Heavy reads waiting for a turn; past it, 503 + Retry-After."""
    heavy_read_wait_ms_max: int = 10_000
    """How long a heavy read waits for a turn before it gets 503 + Retry-After."""
    light_page_items_max: int = 100
    """A read asking for more items than this (``limit=``) counts as heavy."""

    def __post_init__(self) -> None:
        require(
            self.statement_bytes_max + self.entry_overhead_bytes_max
            <= ENTRY_BUNDLE_ENTRY_BYTES_MAX,
            InvariantBroken(
                "statement_bytes_max + entry_overhead_bytes_max must fit a tlog-tiles "
                f"entry bundle ({ENTRY_BUNDLE_ENTRY_BYTES_MAX} bytes)"
            ),
        )
        require(
            self.batch_statements_max <= self.group_commit_statements_max,
            InvariantBroken("batch_statements_max must not exceed group_commit_statements_max"),
        )
        for name, column_chars in COLUMN_CHARS.items():
            require(
                getattr(self, name) <= column_chars,
                InvariantBroken(f"{name} cannot exceed the database column ({column_chars})"),
            )
        require(
            0 < self.nonce_chars_min <= self.nonce_chars_max,
            InvariantBroken("nonce length bounds are inconsistent"),
        )
        # A bucket smaller than the largest request it admits would refuse that request
        # forever, whatever the client waits.
        for name, largest in (
            ("client_statements_per_min_max", self.batch_statements_max),
            ("signer_statements_per_min_max", self.batch_statements_max),
            ("client_self_registrations_per_hour_max", self.self_registrations_per_request_max),
        ):
            rate = getattr(self, name)
            require(
                rate == 0 or rate >= largest,
                InvariantBroken(f"{name} must be 0 (off) or at least {largest}"),
            )
        require(self.heavy_reads_max >= 1, InvariantBroken("heavy_reads_max must be at least 1"))
        require(
            self.request_body_read_ms_max > 0,
            InvariantBroken("request_body_read_ms_max must be positive"),
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults overridden by ``TERANG_<FIELD>`` environment variables (integers)."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, int] = {}
        for field in fields(cls):
            raw = env.get("TERANG_" + field.name.upper())
            if raw is not None:
                require(
                    raw.isascii() and raw.isdigit(),
                    InvariantBroken(f"TERANG_{field.name.upper()} must be a whole number"),
                )
                values[field.name] = int(raw)
        return cls(**values)

    @property
    def entry_bytes_max(self) -> int:
        return self.statement_bytes_max + self.entry_overhead_bytes_max
