"""Every bound the audit room enforces, in one place, with units and qualifiers last.

The audit room reads another party's log (remote verify, rebuild, evidence) and serves the
read API; each bound caps what one input or one run may cost. Relations with
the ledger's bounds are checked at import, as ``ledger.limits`` checks its own.
"""

from __future__ import annotations

from budgeting.limits import HISTORY_SEQS_MAX
from ledger.errors import InvariantBroken, require
from ledger.limits import SOURCE_BYTES_MAX
from procurement.limits import FILTER_WINDOW_ROWS_MAX

# evidence an auditor holds (audit.evidence)
EVIDENCE_FILE_BYTES_MAX = 1024 * 1024
"""A receipt or checkpoint is a few kilobytes; anything larger is not one."""
EVIDENCE_FILES_MAX = 100_000
"""Receipts and checkpoints one evidence folder may hold."""

# witness and log policies (audit.policy)
POLICY_NAMES_MAX = 256
"""Logs, witnesses and groups one policy may name: well above the spec's recommended 32
logs, 32 witnesses and 32 groups."""

# the read API (audit.read_api)
RECORD_BUNDLE_ENTRIES_MAX = 1000
"""Entries one subject's record bundle lists (``truncated`` says when more matched)."""

# rebuilding projections (audit.rebuild)
CATCH_UP_ROUNDS_MAX = 5
"""Unlocked replay rounds after the first, while the service keeps appending; what is
left after them is replayed under the write lock."""
CATCH_UP_LOCKED_ENTRIES_MAX = 100
"""Stop the unlocked rounds once at most this many entries are left for the lock."""
CHANGED_EXAMPLES_MAX = 20
"""Changed rows named in the report (the counts cover all of them)."""

# verifying a remote log (audit.remote)
READ_AHEAD_BUNDLES_MAX = 16
"""Entry bundles fetched ahead of the replay (memory: 16 x 256 entries at most)."""
PUSHBACK_RETRIES_MAX = 8
"""Times one GET is retried when the log pushes back (429 or 503 with Retry-After)."""
PROJECTION_CATCH_UP_S_MAX = 10.0
"""How long to wait for a checkpoint covering rows written after the first one, seconds."""

VERIFY_WORKERS_MAX = 8
"""More worker processes than this add memory, not speed (the replay is one thread)."""
PROCESS_ENTRIES_MIN = 4096
"""Below this many entries to replay, parsing stays on a thread: starting a worker
process (about 0.3 s: it imports the ledger) would cost more than it saves."""

# static tiles (audit.static_tiles)
CHECKPOINT_FILE_BYTES_MAX = 1 << 20
"""A checkpoint note with its cosignatures is a few hundred bytes; more is not one."""

require(
    SOURCE_BYTES_MAX <= EVIDENCE_FILE_BYTES_MAX,
    InvariantBroken("every checkpoint the ledger reads must be keepable as evidence"),
)
require(
    SOURCE_BYTES_MAX <= CHECKPOINT_FILE_BYTES_MAX,
    InvariantBroken("every checkpoint the ledger reads must be servable as a static file"),
)
require(CATCH_UP_LOCKED_ENTRIES_MAX >= 1, InvariantBroken("the locked round must make progress"))

# the trace (audit.trace)
TRACE_STEPS_PAGE_MAX = 100
"""Steps one page of a trace shows (``limit``); ``next_after_seq`` names where the next starts."""
TRACE_STEPS_PAGE_DEFAULT = 50
TRACE_STEPS_COLLECTED_MAX = 5000
"""Seqs one trace collects from the projections before paging (``truncated`` says when
more were there): a line's history (1,000) plus its tenders' steps."""
TRACE_TENDERS_MAX = 50
"""Tenders (packages) one budget line's trace follows."""
TRACE_TENDERS_SCANNED_MAX = FILTER_WINDOW_ROWS_MAX
"""Tender documents examined to find the packages on a line that no commitment names yet."""

require(
    0 < TRACE_STEPS_PAGE_DEFAULT <= TRACE_STEPS_PAGE_MAX <= TRACE_STEPS_COLLECTED_MAX,
    InvariantBroken("a trace page must fit the steps a trace collects"),
)
require(
    HISTORY_SEQS_MAX < TRACE_STEPS_COLLECTED_MAX,
    InvariantBroken("a trace must hold a whole line history and more"),
)
