"""A small kabupaten for planning reducer tests, on an in-memory state (no database).

Not a test module: the planning tests import it. It registers the budget codes and
three lines the links need (through budgeting's own reducers), two kecamatan with their desa, and
keys for each role with their seats, the way the registry would hold them. Statements
are applied as the sequencer does: staged in an ``Overlay``, committed when accepted,
and the role check of ``ledger.kinds`` is made first (a signer must hold one of the
kind's roles).
"""

from __future__ import annotations

from typing import Any

import pytest

from budgeting import reducers as budgeting_reducers
from budgeting import statements as budget
from ledger.authority import KEY_NAMESPACE
from ledger.errors import TerangError
from ledger.kinds import Rejected
from ledger.state import DictState, Overlay, copy_document
from ledger.statement import Statement
from planning import statements as st
from planning.reducers import ROLES, Context, apply_statement

YEAR = 2027
OPD = "1.02.0.00.0.00.01.0000"
BUDGET_STRUCTURE = [
    ("fiscal_year", str(YEAR), "APBD Tahun Anggaran 2027"),
    ("fiscal_year", str(YEAR + 1), "APBD Tahun Anggaran 2028"),
    ("programme", "1", "Urusan Pemerintahan Wajib yang Berkaitan dengan Pelayanan Dasar"),
    ("programme", "1.02", "Urusan Pemerintahan Bidang Kesehatan"),
    ("programme", "1.02.02", "Program Pemenuhan Upaya Kesehatan Perorangan"),
    ("programme", "1.02.02.2.01", "Penyediaan Fasilitas Pelayanan Kesehatan"),
    ("programme", "1.02.02.2.01.0001", "Pembangunan Puskesmas"),
    ("programme", "1.02.02.2.01.0002", "Pengembangan Puskesmas"),
    ("opd", OPD, "Dinas Kesehatan"),
    ("account", "5", "Belanja Daerah"),
    ("account", "5.2", "Belanja Modal"),
    ("account", "5.2.03", "Belanja Modal Gedung dan Bangunan"),
    ("account", "5.2.03.01", "Belanja Modal Bangunan Gedung"),
    ("account", "5.2.03.01.01", "Belanja Modal Bangunan Gedung Kantor"),
    ("account", "5.2.03.01.01.0007", "Belanja Modal Bangunan Kesehatan"),
    ("funding_source", "DAK-FISIK", "Dana Alokasi Khusus Fisik"),
]
L1 = f"{YEAR}:{OPD}:1.02.02.2.01.0001:5.2.03.01.01.0007:DAK-FISIK"
L2 = f"{YEAR}:{OPD}:1.02.02.2.01.0002:5.2.03.01.01.0007:DAK-FISIK"
L_NEXT_YEAR = f"{YEAR + 1}:{OPD}:1.02.02.2.01.0001:5.2.03.01.01.0007:DAK-FISIK"
BUDGET_LINES = (L1, L2, L_NEXT_YEAR)

KEC_A = "32.04.05"
KEC_B = "32.04.06"
DESA_A1 = "32.04.05.2001"
DESA_A2 = "32.04.05.2002"
DESA_B1 = "32.04.06.1001"
LOGGED_AT = "2026-03-02T01:00:00.000Z"
SUB_A = "1.02.02.2.01.0001"  # Pembangunan Puskesmas: L1's sub kegiatan
SUB_B = "1.02.02.2.01.0002"  # L2's
ROLE_KEYS = {
    "bappeda": ["bappeda"],
    "finance": ["finance"],
    "desa_a1": ["desa_proposer"],
    "desa_a2": ["desa_proposer"],
    "desa_b1": ["desa_proposer"],
    "warga_a1": ["community_proposer"],
    "dprd": ["dprd"],
    "forum_a": ["kecamatan_forum"],
    "forum_b": ["kecamatan_forum"],
    "kabupaten": ["kabupaten_forum"],
}
SEATS = {
    "desa_a1": DESA_A1,
    "desa_a2": DESA_A2,
    "desa_b1": DESA_B1,
    "warga_a1": DESA_A1,
    "forum_a": KEC_A,
    "forum_b": KEC_B,
}


class MissingRoleInTest(TerangError):
    code = "missing_role"
    http_status = 403


def key_id(label: str) -> str:
    return f"{sum(label.encode()) % 256:02x}{label.encode().hex()}".ljust(64, "0")[:64]


class World:
    """The budget's codes and lines, and the planning statements, on one ``DictState``."""

    def __init__(self) -> None:
        self.state = DictState()
        self.seq = 0
        for kind, code, name in BUDGET_STRUCTURE:
            self._budget(budget.structure(kind, code, name))
        for line in BUDGET_LINES:
            self._budget(budget.appropriation(line, f"DPA-{line}", 2_000_000_000 * 100))
        for label, roles in ROLE_KEYS.items():
            self.state.put(
                KEY_NAMESPACE,
                key_id(label),
                {"key_id": key_id(label), "roles": roles, "revoked_seq": None},
            )
        self.do("bappeda", st.area("kecamatan", KEC_A, "Cileunyi"))
        self.do("bappeda", st.area("kecamatan", KEC_B, "Cimenyan"))
        for code, name in (
            (DESA_A1, "Cibiru Wetan"),
            (DESA_A2, "Cinunuk"),
            (DESA_B1, "Mekarsaluyu"),
        ):
            self.do("bappeda", st.area("desa", code, name))
        for label, area in SEATS.items():
            self.do("bappeda", st.seat(key_id(label), area))

    def _budget(self, posting: budget.Posting) -> None:
        self.seq += 1
        statement = Statement(
            posting.type, posting.subject, "0" * 64, LOGGED_AT, posting.nonce, posting.body
        )
        budgeting_reducers.apply_statement(
            self.state, statement, budgeting_reducers.Context(self.seq, LOGGED_AT)
        )

    def do(self, label: str, step: st.Step) -> int:
        """Apply ``step`` signed by ``label`` at the next seq; raise (change nothing) if refused."""
        roles = ROLE_KEYS[label]
        if not set(roles) & ROLES[step.type]:
            raise MissingRoleInTest(f"{label} holds none of {sorted(ROLES[step.type])}")
        self.seq += 1
        statement = Statement(
            step.type, step.subject, key_id(label), LOGGED_AT, step.nonce, step.body
        )
        staged = Overlay(self.state)
        try:
            apply_statement(staged, statement, Context(self.seq))
        except Exception:
            self.seq -= 1
            raise
        staged.commit()
        return self.seq

    def proposal(self, proposal_id: str) -> dict[str, Any]:
        doc: dict[str, Any] = self.state.documents[("planning.proposal", proposal_id)]
        return doc

    def snapshot(self) -> dict[tuple[str, str], object]:
        return {key: copy_document(doc) for key, doc in self.state.documents.items()}

    def propose(
        self,
        label: str,
        proposal_id: str,
        *,
        desa: str = DESA_A1,
        sub_kegiatan: str = SUB_A,
        estimate_sen: int = 150_000_000 * 100,
        source: str = "desa",
        year: int = YEAR,
    ) -> int:
        return self.do(
            label,
            st.proposal(
                proposal_id,
                fiscal_year=year,
                desa=desa,
                sub_kegiatan=sub_kegiatan,
                volume="1",
                unit="unit",
                estimate_sen=estimate_sen,
                title=f"Usulan {proposal_id}",
                description="Pembangunan puskesmas pembantu di dusun yang jauh dari puskesmas",
                source=source,
            ),
        )


def decide(statement_type: str, proposal_id: str, verdict: str, **kwargs: Any) -> st.Step:
    if verdict in ("rejected", "merged") and "reason" not in kwargs:
        kwargs["reason"] = "hasil musyawarah forum"
    return st.decision(statement_type, proposal_id, verdict, **kwargs)


def refused(world: World, label: str, step: st.Step, code: str) -> TerangError:
    """Apply, expect refusal with ``code``, and check nothing changed."""
    before = world.snapshot()
    seq = world.seq
    with pytest.raises(TerangError) as caught:
        world.do(label, step)
    assert caught.value.code == code, caught.value.message
    assert world.snapshot() == before and world.seq == seq
    return caught.value


def is_refusal(error: TerangError) -> bool:
    return isinstance(error, Rejected | MissingRoleInTest)
