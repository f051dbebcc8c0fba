"""Verify a running log through its public read API only (C2SP tlog-tiles).

Fetches ``/log/checkpoint``, checks its signature with the verifier key the auditor
supplies (never the one the server offers), then streams every entry bundle
``/log/tile/entries/<N>[.p/<W>]`` up to the checkpoint's size through
``LogReplayer`` and compares the replayed root with the checkpoint's. Memory stays
flat: one bundle at a time and an O(log n) frontier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from audit.verifier import LogFault, LogReplayer
from ledger import tiles
from ledger.checkpoint import open_checkpoint
from ledger.errors import TerangError, VerificationError
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.note import Verifier, parse_verifier_key


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


def _get(client: httpx.Client, path: str) -> bytes:
    try:
        response = client.get(path)
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {path}: {exc}") from exc
    if response.status_code != 200:
        raise FetchError(f"GET {path}: HTTP {response.status_code}", status=response.status_code)
    return response.content


def verify_log(
    client: httpx.Client,
    verifier_key: str,
    kinds: KindRegistry,
    limits: Limits,
    *,
    prefix: str = "/log",
    on_progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Check the whole log behind ``client``; raise ``LogFault`` at the first fault."""
    verifier = parse_verifier_key(verifier_key)
    if not isinstance(verifier, Verifier):
        raise VerificationError("the log's verifier key must be an Ed25519 note key")
    note = _get(client, f"{prefix}/checkpoint").decode("utf-8")
    checkpoint = open_checkpoint(note, verifier.name, verifier)
    replayer = LogReplayer(kinds, limits)
    size = checkpoint.size
    full_bundles, last_width = divmod(size, tiles.TILE_WIDTH)
    for index in range(full_bundles + (1 if last_width else 0)):
        width = last_width if index == full_bundles else None
        path = f"{prefix}/{tiles.entries_path(index, width)}"
        try:
            data = _get(client, path)
        except FetchError as exc:
            if exc.details.get("status") != 404:
                raise
            # SPEC: tlog-tiles: a log MUST serve what a checkpoint it signed covers.
            raise LogFault(
                f"entries {index * tiles.TILE_WIDTH}+: the checkpoint covers them but the log "
                f"does not serve {path}",
                seq=index * tiles.TILE_WIDTH,
                fault="missing_entries",
            ) from exc
        try:
            bundle = tiles.decode_entry_bundle(data, width or tiles.TILE_WIDTH)
        except TerangError as exc:
            raise LogFault(
                f"entry bundle {index}: {exc.message}",
                seq=index * tiles.TILE_WIDTH,
                fault="bad_bundle",
            ) from exc
        for entry_bytes in bundle:
            replayer.feed(entry_bytes)
        if on_progress is not None:
            on_progress(replayer.size, size)
    replayer.check_checkpoint(note, verifier.name, verifier)
    return VerifyReport(checkpoint.origin, size, checkpoint.root_hash, note)
