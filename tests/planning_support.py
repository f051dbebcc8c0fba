"""A kabupaten for planning tests on a real ledger: the budget's structure, two funded
lines, the planning keys with their seats, and the story of issue 15 item 1 (three desa,
two merged at the kecamatan, accepted into the RKPD, funded by a DPA line).

Not a test module: tests/integration/test_planning_ledger.py and the portal's planning
page tests import it.
"""

from __future__ import annotations

from typing import Any

from conftest import Harness
from nacl.signing import SigningKey

from budgeting import statements as budget
from budgeting.demo import structure_postings
from budgeting.postings import post_postings
from ledger.keys import client_key_id
from planning import statements as st

YEAR = 2026  # the harness clock is 2026-03-02
DINKES = "1.02.0.00.0.00.01.0000"
SUB = "1.02.02.2.01.0003"
PUSKESMAS = f"{YEAR}:{DINKES}:{SUB}:5.2.03.01.01.0007:DAK-FISIK"
ALKES = f"{YEAR}:{DINKES}:1.02.02.2.01.0014:5.2.02.07.01.0001:DAK-FISIK"
KEC = "32.04.05"
KEC_OTHER = "32.04.06"
DESAS = {"cibiru": "32.04.05.2001", "cinunuk": "32.04.05.2002", "cileunyi": "32.04.05.1003"}
JUTA = 1_000_000 * 100


class Kabupaten:
    """A log with the budget's structure, one funded line, and planning's keys and seats."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.finance = h.register("bpkad", ["finance"])
        post_postings(h.ledger, self.finance, structure_postings(YEAR))
        self.bappeda = h.register("bappeda", ["bappeda"])
        self.kabupaten = h.register("forum kabupaten", ["kabupaten_forum"])
        self.forum = h.register("musrenbang cileunyi", ["kecamatan_forum"])
        self.forum_other = h.register("musrenbang cimenyan", ["kecamatan_forum"])
        self.dprd = h.register("anggota dprd", ["dprd"])
        self.desa = {label: h.register(label, ["desa_proposer"]) for label in DESAS}
        self.do(self.finance, budget.appropriation(PUSKESMAS, "DPA-1", 2_000 * JUTA))
        self.do(self.finance, budget.appropriation(ALKES, "DPA-2", 500 * JUTA))
        self.do(self.bappeda, st.area("kecamatan", KEC, "Cileunyi"))
        self.do(self.bappeda, st.area("kecamatan", KEC_OTHER, "Cimenyan"))
        for label, code in DESAS.items():
            self.do(self.bappeda, st.area("desa", code, label.title()))
            self.do(self.bappeda, st.seat(client_key_id(self.desa[label]), code))
        self.do(self.bappeda, st.seat(client_key_id(self.forum), KEC))
        self.do(self.bappeda, st.seat(client_key_id(self.forum_other), KEC_OTHER))

    def do(self, key: SigningKey, step: st.Step | budget.Posting) -> int:
        signed = step.sign(
            key, at=self.h.clock(), origin=self.h.origin, limits=self.h.ledger.limits
        )
        (receipt,) = self.h.ledger.append_direct([signed])
        return receipt.seq

    def propose(self, label: str, proposal_id: str, estimate_sen: int = 850 * JUTA) -> int:
        return self.do(
            self.desa[label],
            st.proposal(
                proposal_id,
                fiscal_year=YEAR,
                desa=DESAS[label],
                sub_kegiatan=SUB,
                volume="1",
                unit="unit",
                estimate_sen=estimate_sen,
                title=f"Puskesmas pembantu {label}",
                description="Warga berjalan 7 km ke puskesmas terdekat",
            ),
        )


def decide(statement_type: str, proposal_id: str, verdict: str, **kwargs: Any) -> st.Step:
    if verdict in ("merged", "rejected"):
        kwargs.setdefault("reason", "hasil musyawarah")
    return st.decision(statement_type, proposal_id, verdict, **kwargs)


def the_story(kab: Kabupaten) -> dict[str, int]:
    """Three desa propose; Cileunyi's musrenbang merges two into the first, the
    kabupaten forum forwards it, Bappeda accepts it, BPKAD links the DPA line."""
    seqs = {
        "cibiru": kab.propose("cibiru", "MUS-2026-0001"),
        "cinunuk": kab.propose("cinunuk", "MUS-2026-0002", 600 * JUTA),
        "cileunyi": kab.propose("cileunyi", "MUS-2026-0003", 700 * JUTA),
    }
    KD = st.KECAMATAN_DECISION
    seqs["merge2"] = kab.do(kab.forum, decide(KD, "MUS-2026-0002", "merged", into="MUS-2026-0001"))
    seqs["merge3"] = kab.do(kab.forum, decide(KD, "MUS-2026-0003", "merged", into="MUS-2026-0001"))
    seqs["kec"] = kab.do(kab.forum, decide(KD, "MUS-2026-0001", "forwarded", reason="prioritas 1"))
    seqs["kab"] = kab.do(kab.kabupaten, decide(st.KABUPATEN_DECISION, "MUS-2026-0001", "forwarded"))
    seqs["rkpd"] = kab.do(kab.bappeda, decide(st.RKPD_DECISION, "MUS-2026-0001", "accepted"))
    seqs["link"] = kab.do(kab.finance, st.funding("MUS-2026-0001", PUSKESMAS, note="DPA Dinkes"))
    return seqs
