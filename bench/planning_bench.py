"""Benchmark the planning room: logging proposals and decisions, and reading them back.

    python bench/planning_bench.py [--proposals 10000] [--out bench/results/planning.json]

Builds a fresh SQLite log (genesis, Bappeda, the budget's structure, 20 kecamatan of 10
desa each, a proposer key seated at every desa and a forum key at every kecamatan),
then logs ``--proposals`` usulan through the real sequencer in jobs of 500, and has each
kecamatan forward half of its proposals and reject a tenth. Recorded: the append rate of
proposals and of decisions; the HTTP read latency (median, p90 over 50 calls each, through
``terang.app.create_app``) of one proposal, of the first page of a common filter, of a
rare filter that stops at the scan bound (``PROPOSALS_SCANNED_PER_PAGE_MAX``), and of
paging through one kecamatan; and the full replay of the log (``audit.verifier``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import git, load_average, percentile
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import select

from audit.verifier import LogReplayer
from budgeting.demo import structure_postings
from ledger import storage
from ledger.clock import utc_now
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import generate_signer
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from planning import statements as st
from planning.limits import PROPOSALS_SCANNED_PER_PAGE_MAX
from terang.app import all_kinds, create_app

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "bench.terang.example/planning"
JOB_STATEMENTS = 500
KECAMATAN = 20
DESA_PER_KECAMATAN = 10
SUB = "1.02.02.2.01.0003"  # a sub kegiatan of the demo budget's structure
CALLS = 50


def _register(
    authority: SigningKey, key: SigningKey, name: str, roles: list[str], origin: str
) -> SignedStatement:
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": name, "roles": roles}
    return make_signed(
        authority, "registry.key.registered", client_key_id(key), body, at=utc_now(), origin=origin
    )


def _append(ledger: Ledger, statements: list[SignedStatement]) -> float:
    started = time.perf_counter()
    for start in range(0, len(statements), JOB_STATEMENTS):
        ledger.append_direct(statements[start : start + JOB_STATEMENTS])
    return time.perf_counter() - started


def _timed(client: TestClient, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    seconds = []
    answer: Any = None
    for _ in range(CALLS):
        started = time.perf_counter()
        answer = client.get(url, params=params)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    body = answer.json()
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "p90_ms": round(percentile(seconds, 90) * 1000, 2),
        "items": len(body.get("items", [])) if "items" in body else None,
        "next_after": body.get("next_after"),
    }


def run(proposals: int, workdir: Path) -> dict[str, Any]:
    db = f"sqlite:///{workdir / 'planning.db'}"
    settings = Settings(database_url=db, limits=Limits())
    ledger = Ledger(settings, all_kinds(), log_signer=generate_signer(ORIGIN))
    origin = ledger.origin
    authority, bappeda, finance = (SigningKey.generate() for _ in range(3))
    genesis = make_signed(
        authority,
        "ledger.genesis",
        "genesis",
        {
            "origin": origin,
            "log_verifier_key": ledger.verifier_key(),
            "authorities": [{"name": "root", "public_key": b64encode(bytes(authority.verify_key))}],
        },
        at=utc_now(),
        origin=origin,
    )
    ledger.append_direct([genesis])
    year = utc_now().year + 1
    setup: list[SignedStatement] = [
        _register(authority, bappeda, "Bappeda", ["bappeda"], origin),
        _register(authority, finance, "BPKAD", ["finance"], origin),
    ]
    _append(ledger, setup)
    _append(
        ledger,
        [p.sign(finance, at=utc_now(), origin=origin) for p in structure_postings(year)],
    )
    forums: dict[str, SigningKey] = {}
    desas: list[tuple[str, SigningKey]] = []
    keys: list[SignedStatement] = []
    areas: list[SignedStatement] = []
    for k in range(1, KECAMATAN + 1):
        kecamatan = f"32.04.{k:02d}"
        forums[kecamatan] = SigningKey.generate()
        keys.append(
            _register(authority, forums[kecamatan], f"Musrenbang {k}", ["kecamatan_forum"], origin)
        )
        areas.append(
            st.area("kecamatan", kecamatan, f"Kecamatan {k}").sign(
                bappeda, at=utc_now(), origin=origin
            )
        )
        for d in range(1, DESA_PER_KECAMATAN + 1):
            desa = f"{kecamatan}.{2000 + d}"
            key = SigningKey.generate()
            desas.append((desa, key))
            keys.append(_register(authority, key, f"Desa {desa}", ["desa_proposer"], origin))
            areas.append(
                st.area("desa", desa, f"Desa {desa}").sign(bappeda, at=utc_now(), origin=origin)
            )
    _append(ledger, keys)
    _append(ledger, areas)
    seats = [
        st.seat(client_key_id(key), desa).sign(bappeda, at=utc_now(), origin=origin)
        for desa, key in desas
    ]
    seats += [
        st.seat(client_key_id(key), kec).sign(bappeda, at=utc_now(), origin=origin)
        for kec, key in forums.items()
    ]
    _append(ledger, seats)

    submitted: list[SignedStatement] = []
    ids: list[tuple[str, str]] = []
    for n in range(proposals):
        desa, key = desas[n % len(desas)]
        proposal_id = f"MUS-{year}-{n:06d}"
        ids.append((proposal_id, desa[:8]))
        step = st.proposal(
            proposal_id,
            fiscal_year=year,
            desa=desa,
            sub_kegiatan=SUB,
            volume="1",
            unit="unit",
            estimate_sen=(100 + n % 900) * 1_000_000 * 100,
            title=f"Usulan {n}",
            description="Pembangunan sarana kesehatan desa",
        )
        submitted.append(step.sign(key, at=utc_now(), origin=origin))
    submit_s = _append(ledger, submitted)
    decided: list[SignedStatement] = []
    for n, (proposal_id, kecamatan) in enumerate(ids):
        if n % 10 == 0:
            step = st.decision(
                st.KECAMATAN_DECISION, proposal_id, "rejected", reason="bukan kewenangan"
            )
        elif n % 2 == 0:
            step = st.decision(st.KECAMATAN_DECISION, proposal_id, "forwarded")
        else:
            continue
        decided.append(step.sign(forums[kecamatan], at=utc_now(), origin=origin))
    decide_s = _append(ledger, decided)

    reads: dict[str, Any] = {}
    with TestClient(create_app(ledger)) as client:
        reads["one proposal"] = _timed(
            client, f"/api/v1/planning/proposals/{ids[len(ids) // 2][0]}"
        )
        reads["first page, stage=awaiting_kabupaten, limit=100"] = _timed(
            client, "/api/v1/planning/proposals", {"stage": "awaiting_kabupaten", "limit": 100}
        )
        reads["rare filter (no match), one page"] = _timed(
            client, "/api/v1/planning/proposals", {"stage": "accepted", "limit": 100}
        )
        started = time.perf_counter()
        pages = 0
        after = ""
        while True:
            body = client.get(
                "/api/v1/planning/proposals",
                params={"kecamatan": "32.04.07", "limit": 100, "after": after},
            ).json()
            pages += 1
            if body["next_after"] is None:
                break
            after = body["next_after"]
        reads["all of one kecamatan, pages of 100"] = {
            "pages": pages,
            "total_ms": round((time.perf_counter() - started) * 1000, 1),
        }

    e = storage.entries.c
    with ledger.engine.connect() as conn:
        raw = [bytes(r) for (r,) in conn.execute(select(e.entry_bytes).order_by(e.seq))]
    replayer = LogReplayer(all_kinds(), ledger.limits, origin)
    started = time.perf_counter()
    for entry in raw:
        replayer.feed(entry)
    replay_s = time.perf_counter() - started
    ledger.close()
    return {
        "proposals": proposals,
        "decisions": len(decided),
        "entries": len(raw),
        "submit_s": round(submit_s, 2),
        "proposals_per_s": round(proposals / submit_s),
        "decide_s": round(decide_s, 2),
        "decisions_per_s": round(len(decided) / decide_s),
        "reads": reads,
        "scan_bound": PROPOSALS_SCANNED_PER_PAGE_MAX,
        "replay_s": round(replay_s, 2),
        "replay_entries_per_s": round(len(raw) / replay_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "planning.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        result = run(args.proposals, Path(scratch))
    result.update(
        {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git("rev-parse", "--short", "HEAD"),
            "python": platform.python_version(),
            "load_average": load_average(),
            "engine": "sqlite",
        }
    )
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
