"""A small budget for reducer tests, applied to an in-memory state (no database).

Not a test module: the reducer tests import it. It registers one fiscal year, two
OPDs and the codes four lines need, and applies postings the way the sequencer does
(staged in an ``Overlay``, committed only when accepted).
"""

from __future__ import annotations

import pytest

from budgeting import statements as st
from budgeting.reducers import Context, apply_statement
from ledger.errors import TerangError
from ledger.state import DictState, Overlay, copy_document
from ledger.statement import Statement

YEAR = 2026
LOGGED_AT = "2026-12-31T02:00:00.000Z"
OPD_A = "1.02.0.00.0.00.01.0000"
OPD_B = "1.03.0.00.0.00.01.0000"
L1 = f"{YEAR}:{OPD_A}:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"
L2 = f"{YEAR}:{OPD_A}:1.02.02.2.01.0002:5.1.02.01.01.0026:DAU"
L3 = f"{YEAR}:{OPD_B}:1.03.03.2.01.0001:5.1.02.01.01.0024:DAU"
REVENUE = f"{YEAR}:{OPD_A}:-:4.1.01.09.01.0001:PAD"
FINANCING_OUT = f"{YEAR}:{OPD_A}:-:6.2.02.01.01.0001:PAD"

STRUCTURE = [
    ("fiscal_year", str(YEAR), "APBD Tahun Anggaran 2026"),
    ("programme", "1", "Urusan Pemerintahan Wajib yang Berkaitan dengan Pelayanan Dasar"),
    ("programme", "1.02", "Urusan Pemerintahan Bidang Kesehatan"),
    ("programme", "1.02.02", "Program Pemenuhan Upaya Kesehatan Perorangan"),
    ("programme", "1.02.02.2.01", "Penyediaan Fasilitas Pelayanan Kesehatan"),
    ("programme", "1.02.02.2.01.0001", "Pembangunan Puskesmas"),
    ("programme", "1.02.02.2.01.0002", "Pengembangan Puskesmas"),
    ("programme", "1.03", "Urusan Pemerintahan Bidang Pekerjaan Umum dan Penataan Ruang"),
    ("programme", "1.03.03", "Program Pengelolaan dan Pengembangan Sistem Air Minum"),
    ("programme", "1.03.03.2.01", "Pengelolaan dan Pengembangan SPAM di Daerah Kabupaten"),
    ("programme", "1.03.03.2.01.0001", "Pembangunan SPAM Jaringan Perpipaan"),
    ("opd", OPD_A, "Dinas Kesehatan"),
    ("opd", OPD_B, "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("account", "4", "Pendapatan Daerah"),
    ("account", "4.1", "Pendapatan Asli Daerah (PAD)"),
    ("account", "4.1.01", "Pajak Daerah"),
    ("account", "4.1.01.09", "Pajak Reklame"),
    ("account", "4.1.01.09.01", "Pajak Reklame Papan/Billboard/Videotron/Megatron"),
    ("account", "4.1.01.09.01.0001", "Pajak Reklame Papan/Billboard"),
    ("account", "5", "Belanja Daerah"),
    ("account", "5.1", "Belanja Operasi"),
    ("account", "5.1.02", "Belanja Barang dan Jasa"),
    ("account", "5.1.02.01", "Belanja Barang"),
    ("account", "5.1.02.01.01", "Belanja Barang Pakai Habis"),
    ("account", "5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor"),
    ("account", "5.1.02.01.01.0026", "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak"),
    ("account", "6", "Pembiayaan Daerah"),
    ("account", "6.2", "Pengeluaran Pembiayaan Daerah"),
    ("account", "6.2.02", "Penyertaan Modal Daerah"),
    ("account", "6.2.02.01", "Penyertaan Modal Daerah"),
    ("account", "6.2.02.01.01", "Penyertaan Modal Daerah pada BUMD"),
    ("account", "6.2.02.01.01.0001", "Penyertaan Modal pada Perumda Air Minum"),
    ("funding_source", "DAU", "Dana Alokasi Umum"),
    ("funding_source", "PAD", "Pendapatan Asli Daerah"),
]


class Book:
    """Postings applied to a ``DictState`` with consecutive seqs, as the log would."""

    def __init__(self, *, logged_at: str = LOGGED_AT) -> None:
        self.state = DictState()
        self.seq = 0
        self.logged_at = logged_at

    def post(self, posting: st.Posting) -> int:
        """Apply ``posting`` at the next seq; raise (and change nothing) if refused."""
        self.seq += 1
        statement = Statement(
            posting.type, posting.subject, "0" * 64, self.logged_at, posting.nonce, posting.body
        )
        staged = Overlay(self.state)
        try:
            apply_statement(staged, statement, Context(self.seq, self.logged_at))
        except Exception:
            self.seq -= 1  # a refused statement gets no seq, as in the sequencer
            raise
        staged.commit()
        return self.seq

    def post_raw(self, statement_type: str, subject: str, body: dict[str, object]) -> int:
        return self.post(st.Posting(statement_type, subject, dict(body)))

    def line(self, line_id: str) -> dict[str, object]:
        doc = self.state.documents[("budgeting.line", line_id)]
        return doc

    def snapshot(self) -> dict[tuple[str, str], object]:
        return {key: copy_document(doc) for key, doc in self.state.documents.items()}


def structured_book() -> Book:
    book = Book()
    for kind, code, name in STRUCTURE:
        book.post(st.structure(kind, code, name))
    return book


RP = 100  # sen per rupiah


def juta(n: int) -> int:
    """n million rupiah, in sen."""
    return n * 1_000_000 * RP


def refused(book: Book, posting: st.Posting, code: str) -> TerangError:
    """Post, expect refusal with ``code``, and check nothing changed."""
    before = book.snapshot()
    seq = book.seq
    with pytest.raises(TerangError) as caught:
        book.post(posting)
    assert caught.value.code == code, caught.value.message
    assert book.snapshot() == before and book.seq == seq
    return caught.value


def funded(book: Book, line: str = L1, amount: int = juta(100), cash: int | None = None) -> None:
    """Appropriate ``amount`` to ``line`` and allot ``cash`` (default: all of it) in January."""
    book.post(st.appropriation(line, f"DPA-{line}", amount))
    cash = amount if cash is None else cash
    if cash:
        book.post(st.allotment(line, f"AK-{line}", [(1, cash)]))
