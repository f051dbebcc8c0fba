"""Benchmark the red flags read model: recomputing every flag by replay, and its cost.

    python bench/redflags_bench.py [--tenders 10000] [--out bench/results/redflags.json]

Builds the procurement bench's log of ``--tenders`` tenders in its mix of states
(``procurement_bench.build_tenders``: sealed bids, openings, evaluations, awards,
contracts and payments, on SQLite through the real sequencer), then replays the whole
log twice with the verifier's replay (``audit.verifier.LogReplayer``: every check, every
reducer) into a fresh in-memory state: once with the red flag follower registered
(``terang.app.all_kinds``) and once without it. Recorded: entries and tenders, the
flags and tallies the replay made (by rule), both replays' wall time and entries/s,
and the follower's share of the replay. The issue asks for the figure at 10,000
tenders.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import git, load_average
from procurement_bench import ORIGIN, build_tenders
from sqlalchemy import create_engine, select

from audit.verifier import LogReplayer
from budgeting import reducers as budgeting_reducers
from ledger import storage
from ledger.keys import write_secret_file
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.note import generate_signer
from ledger.service import default_kinds
from procurement import kinds as procurement_kinds
from redflags.reducer import FLAG_NAMESPACE, TALLY_NAMESPACE
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]


def without_redflags() -> KindRegistry:
    """``all_kinds`` minus the red flag follower: the baseline replay."""
    registry = default_kinds()
    budgeting_reducers.register(registry)
    procurement_kinds.register(registry)
    return registry


def replay(db: str, kinds: KindRegistry) -> tuple[float, int, LogReplayer]:
    engine = create_engine(db)
    e = storage.entries.c
    origin = None
    started = time.perf_counter()
    count = 0
    with engine.connect() as conn:
        first = conn.execute(select(e.entry_bytes).where(e.seq == 0)).scalar_one()
        origin = json.loads(bytes(first))["statement"]["body"]["origin"]
        replayer = LogReplayer(kinds, Limits(), origin)
        for (raw,) in conn.execution_options(yield_per=2000).execute(
            select(e.entry_bytes).order_by(e.seq)
        ):
            replayer.feed(bytes(raw))
            count += 1
    engine.dispose()
    return time.perf_counter() - started, count, replayer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "redflags.json")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="replays of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db = f"sqlite:///{workdir / 'terang.db'}"
        write_secret_file(workdir / "log.key", generate_signer(ORIGIN).private_key())
        build, states = build_tenders(db, workdir, args.tenders, args.progress)
        # Alternate the two replays and keep each one's fastest: other work on the machine
        # slows single runs by more than the difference being measured.
        base_runs, flag_runs = [], []
        for _ in range(args.rounds):
            base_s, entries, _ = replay(db, without_redflags())
            flags_s, entries_again, replayer = replay(db, all_kinds())
            assert entries == entries_again
            base_runs.append(base_s)
            flag_runs.append(flags_s)
        base_s, flags_s = min(base_runs), min(flag_runs)
    documents = dict(replayer.state.items())
    flags = [doc for (ns, _), doc in documents.items() if ns == FLAG_NAMESPACE]
    tallies = sum(1 for (ns, _) in documents if ns == TALLY_NAMESPACE)
    by_rule = Counter(f"{f['rule']} {f['status']}" for f in flags)
    result: dict[str, Any] = {
        "bench": "redflags",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git("rev-parse", "HEAD"),
        "machine": {"python": platform.python_version(), "load_average": load_average()},
        "tenders": args.tenders,
        "states": states,
        "entries": entries,
        "build_seconds": build["seconds"],
        "replay_without_redflags_s": round(base_s, 2),
        "replay_with_redflags_s": round(flags_s, 2),
        "replay_runs_s": {
            "without": [round(x, 2) for x in base_runs],
            "with": [round(x, 2) for x in flag_runs],
        },
        "entries_per_s_with_redflags": round(entries / flags_s),
        "redflags_share_of_replay": round((flags_s - base_s) / flags_s, 3),
        "flags": len(flags),
        "flags_by_rule": dict(sorted(by_rule.items())),
        "tally_documents": tallies,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
