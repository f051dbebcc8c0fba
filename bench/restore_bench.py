"""What a restore costs on the embedded SQLite engine: the backup, the rollback check at
start, and catching up from the published tiles (issue 17, items 5 and 7).

Builds a log of ``--entries`` key registrations (batches of 1,000), backs it up with
``terang db backup``'s online backup API when half of it is written, writes the rest,
and publishes the static tiles (checkpoint and entry bundles) into a directory as a
tiles publisher would. Then it times, on the restored older copy:

- ``check_held_ms``: the start's rollback check (state file ahead) that holds it;
- ``catch_up_s`` and ``catch_up_entries_per_s``: ``ledger.catch_up`` from the tiles
  directory (chain, root and replay, one transaction);
- ``check_clear_ms``: the same check once caught up (root at the state file's size).

Run: ``python bench/restore_bench.py [--entries 20000] [--quick]``; writes
bench/results/restore.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import REPO, git, load_average
from nacl.signing import SigningKey

from ledger.backup import backup_sqlite
from ledger.catch_up import catch_up
from ledger.keys import client_key_id
from ledger.limits import TILE_WIDTH, Limits
from ledger.note import generate_signer
from ledger.rollback_guard import Mirror
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from ledger.tiles import encode_entry_bundle, entries_path
from terang.app import all_kinds

ORIGIN = "bench.terang.example/restore"
BATCH = 1000


def registrations(authority: SigningKey, count: int) -> list[SignedStatement]:
    now = datetime.now(UTC)
    out = []
    for _ in range(count):
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "officer", "roles": []}
        out.append(
            make_signed(
                authority,
                "registry.key.registered",
                client_key_id(key),
                body,
                at=now,
                origin=ORIGIN,
            )
        )
    return out


def grow(ledger: Ledger, authority: SigningKey, count: int) -> None:
    while count > 0:
        n = min(BATCH, count)
        ledger.append_direct(registrations(authority, n))
        count -= n
    ledger.publisher.publish(force=True)


def publish_tiles(ledger: Ledger, directory: Path) -> None:
    newest = ledger.latest_checkpoint()
    if newest is None:
        raise RuntimeError("no checkpoint to publish")
    (directory / "tile" / "entries").mkdir(parents=True)
    (directory / "checkpoint").write_text(newest.note)
    for start in range(0, newest.size, TILE_WIDTH):
        chunk = [
            ledger.entry(seq).entry_bytes()
            for seq in range(start, min(start + TILE_WIDTH, newest.size))
        ]
        width = None if len(chunk) == TILE_WIDTH else len(chunk)
        path = directory / entries_path(start // TILE_WIDTH, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_entry_bundle(chunk))


def run(entries: int, work: Path) -> dict[str, Any]:
    signer = generate_signer(ORIGIN)
    authority = SigningKey.generate()
    state_file = work / "keys" / "log.checkpoint"
    url = f"sqlite:///{work / 'terang.db'}"

    def open_ledger(database_url: str) -> Ledger:
        settings = Settings(
            database_url=database_url,
            limits=Limits(checkpoint_interval_ms_min=0),
            state_file=state_file,
        )
        return Ledger(settings, all_kinds(), log_signer=signer)

    live = open_ledger(url)
    genesis = make_signed(
        authority,
        "ledger.genesis",
        "genesis",
        {
            "origin": ORIGIN,
            "log_verifier_key": signer.verifier_key(),
            "authorities": [{"name": "root", "public_key": b64encode(bytes(authority.verify_key))}],
        },
        at=datetime.now(UTC),
        origin=ORIGIN,
    )
    live.append_direct([genesis])
    started = time.perf_counter()
    grow(live, authority, entries // 2)
    backup_at = live.size()
    t = time.perf_counter()
    backup = backup_sqlite(url, work / "backup.db")
    backup_s = time.perf_counter() - t
    grow(live, authority, entries - entries // 2)
    build_s = time.perf_counter() - started - backup_s
    size = live.size()
    tiles = work / "tiles"
    publish_tiles(live, tiles)
    live.close()

    restored_path = work / "restored.db"
    shutil.copyfile(backup.path, restored_path)
    restored = open_ledger(f"sqlite:///{restored_path}")
    t = time.perf_counter()
    assert restored.guard is not None
    report = restored.guard.check()
    check_held_ms = (time.perf_counter() - t) * 1000
    if not report.findings:
        raise RuntimeError("the restored backup was not held")
    t = time.perf_counter()
    result = catch_up(restored, Mirror(str(tiles)))
    catch_up_s = time.perf_counter() - t
    t = time.perf_counter()
    cleared = restored.guard.check()
    check_clear_ms = (time.perf_counter() - t) * 1000
    restored.close()
    if cleared.findings or result.to_size != size:
        raise RuntimeError("the caught-up database is still behind")
    missing = result.to_size - result.from_size
    return {
        "engine": "sqlite",
        "entries": size,
        "backup_at_size": backup_at,
        "backup_bytes": backup.size_bytes,
        "build_s": round(build_s, 2),
        "backup_s": round(backup_s, 3),
        "check_held_ms": round(check_held_ms, 2),
        "catch_up_entries": missing,
        "catch_up_s": round(catch_up_s, 2),
        "catch_up_entries_per_s": round(missing / catch_up_s),
        "check_clear_ms": round(check_clear_ms, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="1,000 entries (the smoke test)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "restore.json")
    args = parser.parse_args(argv)
    entries = 1000 if args.quick else args.entries
    with tempfile.TemporaryDirectory(prefix="terang-restore-bench-") as tmp:
        figures = run(entries, Path(tmp))
    out = {
        "bench": "restore",
        "commit": git("rev-parse", "--short", "HEAD"),
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "load_average": load_average()},
        "results": figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    json.dump(figures, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
