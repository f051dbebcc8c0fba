"""``terang demo``: the people of a believable kabupaten and their keys.

Registers one key per role (BPKAD finance, the procurement officer, three Pokja
committee members, two vendors, an Inspektorat auditor). The budgeting and
procurement modules add their own demo postings on top (procurement: tenders in every
state, a contract and a payment; ``procurement.demo``). Idempotent: keys that are
already registered are left as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from budgeting.demo import load_budget_demo
from ledger.authority import KEY_NAMESPACE
from ledger.client import make_signed
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.service import Ledger
from ledger.statement import b64encode
from procurement.demo import load_procurement_demo

DEMO_PEOPLE = (
    ("finance", "BPKAD Kabupaten Contoh — Bendahara Umum Daerah", ["finance"]),
    ("procurement", "Bagian Pengadaan Barang/Jasa — PPK", ["procurement_officer"]),
    ("pokja1", "Pokja Pemilihan — Anggota 1", ["committee_member"]),
    ("pokja2", "Pokja Pemilihan — Anggota 2", ["committee_member"]),
    ("pokja3", "Pokja Pemilihan — Anggota 3", ["committee_member"]),
    ("vendor1", "CV Maju Jaya Konstruksi", ["vendor"]),
    ("vendor2", "PT Sinar Terang Abadi", ["vendor"]),
    ("auditor", "Inspektorat Daerah — Auditor", ["auditor"]),
)


def _key(keys_dir: Path, label: str) -> SigningKey:
    path = keys_dir / f"{label}.key"
    return load_client_key(path) if path.exists() else generate_client_key(path)


def load_demo(ledger: Ledger, authority: SigningKey, keys_dir: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from ledger import storage

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
                authority,
                "registry.key.registered",
                key_id,
                body,
                at=ledger.clock(),
                origin=ledger.origin,
            )
        )
        registered += 1
    if signed:
        ledger.append_direct(signed)
    # -- budgeting (issue 4): the APBD and a year of postings, signed by BPKAD --
    budget = load_budget_demo(ledger, _key(keys_dir, "finance"))
    # -- procurement (issue 5): tenders in every state on the demo budget's lines --
    procurement = load_procurement_demo(ledger, keys_dir, budget["budget_year"])
    return {"registered_keys": registered, **budget, **procurement, "tree_size": ledger.size()}
