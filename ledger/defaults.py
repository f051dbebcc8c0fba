"""Where a fresh deployment keeps things, when nothing says otherwise.

These are the defaults every entry point names (``terang --help``, ``Settings``, the
bootstrap). They live here, in a module that imports nothing, so that the command line
can show them without loading the database layer: a client command (``terang submit``,
``terang vendor bid``) never touches a database and should start at once.
"""

from __future__ import annotations

from typing import Final

DEFAULT_DATABASE_URL: Final = "sqlite:///./terang.db"
DEFAULT_LOG_KEY_FILE: Final = "keys/log.key"
DEFAULT_ORIGIN: Final = "terang.example/kabupaten-demo"
"""The origin line of a new log when ``terang init --origin`` is not given."""
DEFAULT_AUTHORITY_KEY_FILE: Final = "offline-keys/authority.key"
DEFAULT_WITNESS_KEY_FILE: Final = "keys/witness.key"
DB_WAIT_S_DEFAULT: Final = 120.0
GUARD_RECHECK_S_DEFAULT: Final = 60
"""How often a running service compares itself again with its published checkpoints
(``ledger.rollback_guard`` rule 6, ``TERANG_GUARD_RECHECK_S``; 0: only at start). A
second writer under the same key is held within this long; each check costs one small
read per witness or mirror and O(log n) stored nodes."""
"""How long ``terang serve`` waits for a PostgreSQL that is not up yet (``--db-wait``)."""
DEFAULT_WITNESS_DATABASE_URL: Final = "sqlite:///./witness.db"
"""A local witness's own database (``terang witness serve --db``), never the log's."""
DEMO_KEYS_DIR: Final = "demo-keys"
"""Where ``terang demo`` writes the demo people's private keys (never the log key's
directory)."""
