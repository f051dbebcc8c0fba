"""``terang demo``: the people of a believable kabupaten and their keys.

Registers one key per role (BPKAD finance, the procurement officer, three Pokja
committee members, two vendors, an Inspektorat auditor). The budgeting and
procurement modules add their own demo postings on top (procurement: tenders in every
state, a contract and a payment; ``procurement.demo``). Idempotent: keys that are
already registered are left as they are.

Demo only: every demo person's private key, the Pokja members' box keys included, is
written to ``demo-keys/`` on this machine as ``DEMO-<label>.key`` / ``.box``, with a
``README.txt`` saying so. Whoever holds the machine can therefore act as any demo
person and open the demo tenders' sealed bids: the demo shows the protocol, not its
guarantee against the operator. That is why the directory is never the service's key
directory (the log key's; refused with ``demo_keys_beside_log_key``) and why
``terang demo`` says it on every run.

Time: the demo logs a year of history in the past on a simulated clock
(``budgeting.demo.SimulatedLog``): the people's keys, then the budget and the tenders
merged in time order (``procurement.demo._schedule``), so after the declaration below
``logged_at`` never decreases. But it starts a year before the genesis that ``terang
init`` logged at the real time, which the time-order rule refuses on any other log
(``ledger.replay.check_time_order``). So the demo first declares it, as entry 1 right
after the genesis (``ledger.clock.simulated``, signed by the authority): a demo needs a
fresh log, and verifiers and the portal say that its logging times vouch for nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from budgeting.demo import SimulatedLog, load_budget_demo
from ledger.authority import (
    CLOCK_KEY,
    CLOCK_SIMULATED_SEQ,
    CLOCK_SIMULATED_TYPE,
    KEY_NAMESPACE,
    KEY_REGISTERED_TYPE,
    META_NAMESPACE,
)
from ledger.defaults import DEMO_KEYS_DIR
from ledger.errors import ClientError, Conflict
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.kinds import Rejected
from ledger.service import Ledger
from ledger.signing import make_signed
from ledger.statement import b64encode
from procurement.demo import demo_key_file, load_procurement_demo

DEMO_KEYS_README = "README.txt"
DEMO_KEYS_README_TEXT = """\
DEMO KEYS ONLY - never use this layout for real data.

`terang demo` wrote every demo person's private key here (DEMO-<label>.key), and the
demo Pokja committee's X25519 box keys (DEMO-pokja1.box .. DEMO-pokja3.box). Whoever
can read this directory can sign as any demo person and open the demo tenders' sealed
bids: on this machine the demo tenders are NOT sealed against the operator.

In a real deployment each key is made on its holder's own machine (`terang keygen`,
`terang committee register-box-key`) and only its public half reaches the server; the
root authority key stays offline; the service's key directory holds the log key only.
"""
DEMO_KEYS_WARNING = (
    "DEMO: the demo people's private keys, including the demo Pokja committee's box keys, "
    "sit on this machine in {keys_dir}/ (see its README.txt), so the demo tenders' sealed "
    "bids are not sealed against whoever holds this machine. Never use demo keys for real data."
)

DEMO_PEOPLE = (
    ("finance", "BPKAD Kabupaten Contoh — Bendahara Umum Daerah", ["finance"]),
    ("procurement", "Bagian Pengadaan Barang/Jasa — PPK", ["procurement_officer"]),
    # The server's closer (TERANG_PROCUREMENT_KEY_FILE=demo-keys/DEMO-closer.key): close only.
    ("closer", "Terang — penutup tender otomatis", ["tender_closer"]),
    ("pokja1", "Pokja Pemilihan — Anggota 1", ["committee_member"]),
    ("pokja2", "Pokja Pemilihan — Anggota 2", ["committee_member"]),
    ("pokja3", "Pokja Pemilihan — Anggota 3", ["committee_member"]),
    ("vendor1", "CV Maju Jaya Konstruksi", ["vendor"]),
    ("vendor2", "PT Sinar Terang Abadi", ["vendor"]),
    ("auditor", "Inspektorat Daerah — Auditor", ["auditor"]),
)


def _key(keys_dir: Path, label: str) -> SigningKey:
    path = demo_key_file(keys_dir, label)
    return load_client_key(path) if path.exists() else generate_client_key(path)


def prepare_demo_keys_dir(ledger: Ledger, keys_dir: Path) -> None:
    """Refuse the service's key directory; write the README that says these keys are the demo's."""
    service_keys = ledger.settings.log_key_file.parent.resolve()
    if keys_dir.resolve() == service_keys:
        raise ClientError(
            f"--keys-dir {str(keys_dir)!r} is the service's key directory (the log key's); "
            f"demo keys go in a directory of their own (default {DEMO_KEYS_DIR}/)",
            code="demo_keys_beside_log_key",
        )
    keys_dir.mkdir(parents=True, exist_ok=True)
    readme = keys_dir / DEMO_KEYS_README
    if not readme.exists():
        readme.write_text(DEMO_KEYS_README_TEXT, encoding="utf-8")


SIMULATED_CLOCK_REASON = (
    "terang demo: a year of invented history logged on a simulated clock; "
    "the logging times of this log vouch for nothing"
)


def declare_simulated_clock(ledger: Ledger, authority: SigningKey) -> None:
    """Log ``ledger.clock.simulated`` as entry 1, or check it is there already."""
    from sqlalchemy import select

    from ledger import storage

    with ledger.engine.connect() as conn:
        declared = storage.projection_rows.c
        found = conn.execute(
            select(declared.key).where(
                declared.namespace == META_NAMESPACE, declared.key == CLOCK_KEY
            )
        ).first()
    if found is not None:
        return
    declaration = make_signed(
        authority,
        CLOCK_SIMULATED_TYPE,
        CLOCK_KEY,
        {"reason": SIMULATED_CLOCK_REASON},
        at=ledger.clock(),
        origin=ledger.origin,
    )
    try:
        ledger.append_direct([declaration])
    except Rejected as refused:
        raise Conflict(
            "terang demo needs a fresh log (just `terang init`): its simulated clock must be "
            f"declared right after the genesis (seq {CLOCK_SIMULATED_SEQ}, or 2 after a "
            f"witness policy), and this log has {ledger.size()} entries",
            code="demo_needs_fresh_log",
        ) from refused


def load_demo(ledger: Ledger, authority: SigningKey, keys_dir: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from ledger import storage

    prepare_demo_keys_dir(ledger, keys_dir)
    declare_simulated_clock(ledger, authority)
    # The demo's history runs on one simulated clock, from the start of the fiscal year
    # (the year before the clock's) forward: the people's keys on 2 January, then the
    # budget's registrations and DPA, then the year's postings and tenders in time order.
    year = ledger.clock().year - 1
    log = SimulatedLog(ledger)
    log.at(datetime(year, 1, 2, 0, 0, tzinfo=UTC))
    registered = 0
    signed = []
    for label, name, roles in DEMO_PEOPLE:
        key = _key(keys_dir, label)
        key_id = client_key_id(key)
        with ledger.engine.connect() as conn:
            exists = conn.execute(
                select(storage.projection_rows.c.key).where(
                    storage.projection_rows.c.namespace == KEY_NAMESPACE,
                    storage.projection_rows.c.key == key_id,
                )
            ).first()
        if exists:
            continue
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": name, "roles": roles}
        signed.append(
            make_signed(
                authority, KEY_REGISTERED_TYPE, key_id, body, at=log.now, origin=ledger.origin
            )
        )
        registered += 1
    if signed:
        log.append(signed, room="keys")
    # -- budgeting (issue 4): the APBD and a year of postings, signed by BPKAD --
    budget, budget_steps = load_budget_demo(ledger, _key(keys_dir, "finance"), log)
    # -- procurement (issue 5): tenders in every state on the demo budget's lines, merged
    # in time order with the budget's year --
    procurement = load_procurement_demo(ledger, keys_dir, year, log, budget_steps)
    return {
        "registered_keys": registered,
        **budget.summary(),
        **procurement,
        "tree_size": ledger.size(),
        "demo_keys_dir": str(keys_dir),
    }
