"""What each red flag rule is called and what it means, in Bahasa Indonesia and English.

The API lists it (``GET /api/v1/redflags/rules``) and the portal prints it beside every
flag; ``docs/red-flags.md`` is the long form. Wording is careful on purpose: a flag
says a pattern is present, never that anyone did wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    id: str
    source: str
    """``cardinal`` (the Open Contracting Partnership's indicator of that id) or ``terang``."""
    title_id: str
    title_en: str
    about_id: str
    about_en: str
    scope: str = "tender"
    """What a flag of this rule is about: ``tender``, ``opd`` or ``vendor``."""


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "R003",
        "cardinal",
        "Masa pemasukan penawaran singkat",
        "Short submission period",
        "Waktu dari pengumuman sampai batas akhir penawaran lebih singkat dari minimum metode.",
        "The time from announcement to bid deadline is shorter than the method's minimum.",
    ),
    RuleInfo(
        "R018",
        "cardinal",
        "Hanya satu penawaran",
        "Single bid received",
        "Hanya satu penyedia yang memasukkan penawaran pada metode kompetitif.",
        "Only one vendor bid in a competitive method.",
    ),
    RuleInfo(
        "R024",
        "cardinal",
        "Harga sangat dekat dengan pemenang",
        "Price close to winning bid",
        "Penawaran sah terendah kedua hampir sama dengan harga pemenang.",
        "The second lowest valid bid is very close to the winning price.",
    ),
    RuleInfo(
        "R025",
        "cardinal",
        "Banyak penawaran yang tidak pernah menang",
        "Excessive unsuccessful bids",
        "Penyedia ini sering memasukkan penawaran sah tetapi jarang atau tidak pernah menang.",
        "This vendor often submits valid bids but rarely or never wins.",
        scope="vendor",
    ),
    RuleInfo(
        "R028",
        "cardinal",
        "Harga penawaran identik",
        "Identical bid prices",
        "Penyedia yang berbeda menawarkan harga yang persis sama.",
        "Different vendors bid exactly the same price.",
    ),
    RuleInfo(
        "R030",
        "cardinal",
        "Penawaran terlambat menang",
        "Late bid won",
        "Penawaran pemenang tercatat setelah batas akhir (Terang menolaknya; lihat dokumentasi).",
        "The winning bid was logged after the deadline (Terang refuses these; see the docs).",
    ),
    RuleInfo(
        "R035",
        "cardinal",
        "Semua gugur kecuali pemenang",
        "All except winning bid disqualified",
        "Semua penawaran lain gugur dalam evaluasi; hanya pemenang yang lulus.",
        "Every other bid failed evaluation; only the winner passed.",
    ),
    RuleInfo(
        "R036",
        "cardinal",
        "Penawaran terendah digugurkan",
        "Lowest bid disqualified",
        "Penawaran dengan harga terendah gugur dalam evaluasi.",
        "The lowest priced bid failed evaluation.",
    ),
    RuleInfo(
        "R038",
        "cardinal",
        "Banyak penawaran digugurkan",
        "Excessive disqualified bids",
        "Sebagian besar penawaran kepada OPD ini, atau dari penyedia ini, gugur dalam evaluasi.",
        "Most bids to this OPD, or from this vendor, failed evaluation.",
        scope="opd or vendor",
    ),
    RuleInfo(
        "R048",
        "cardinal",
        "Penyedia dengan jenis barang/jasa sangat beragam",
        "Heterogeneous supplier",
        "Barang/jasa yang dimenangkan penyedia ini tersebar pada banyak golongan pokok KBLI.",
        "The items this vendor was awarded span many KBLI divisions.",
        scope="vendor",
    ),
    RuleInfo(
        "R058",
        "cardinal",
        "Penawaran dengan potongan sangat besar",
        "Heavily discounted bid",
        "Harga pemenang jauh di bawah penawaran sah berikutnya.",
        "The winning price is far below the next valid bid.",
    ),
    RuleInfo(
        "RI-HPS-BAND",
        "terang",
        "Semua penawaran tepat di bawah HPS",
        "All bids just under the HPS",
        "Setiap penawaran yang dibuka berada dalam 1% di bawah HPS.",
        "Every opened bid is within 1% below the owner's estimate (HPS).",
    ),
    RuleInfo(
        "RI-YEAR-END",
        "terang",
        "Penetapan di akhir tahun anggaran",
        "Award at the end of the fiscal year",
        "Kontrak ditetapkan dalam 15 hari terakhir tahun anggaran.",
        "The award was made in the last 15 days of the fiscal year.",
    ),
    RuleInfo(
        "RI-NEW-WINNER",
        "terang",
        "Pemenang baru terdaftar",
        "Recently registered winner",
        "Pemenang terdaftar sebagai penyedia paling lama 30 hari sebelum pengumuman.",
        "The winner registered as a vendor at most 30 days before the announcement.",
    ),
    RuleInfo(
        "RI-REPEAT-WINNER",
        "terang",
        "Pemenang berulang di satu OPD",
        "Repeated winner at one OPD",
        "Penyedia yang sama memenangkan sedikitnya 3 paket dari OPD yang sama dalam setahun.",
        "The same vendor won at least 3 packages from the same OPD in one year.",
    ),
    RuleInfo(
        "RI-SPLIT",
        "terang",
        "Kemungkinan pemecahan paket",
        "Possible package splitting",
        "Beberapa paket pengadaan langsung pada OPD dan rekening yang sama, berdekatan waktunya,"
        " bersama-sama melampaui batas pengadaan langsung.",
        "Several pengadaan langsung packages on one OPD and account, close in time, together"
        " exceed the pengadaan langsung ceiling.",
    ),
    RuleInfo(
        "RI-AMEND-CEILING",
        "terang",
        "Adendum melampaui batas metode",
        "Amendment past the method's ceiling",
        "Adendum kontrak menaikkan nilai melewati batas metode pemilihan yang dipakai.",
        "Contract amendments raised the value past the ceiling of the method used.",
    ),
)

BY_ID = {rule.id: rule for rule in RULES}
RULE_IDS = tuple(rule.id for rule in RULES)
