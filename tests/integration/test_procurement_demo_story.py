"""The demo tells one believable story (issue 13 item 9), on both engines, on the demo as
`terang init` + `terang demo` leave it: each tender is funded by a budget line of the OPD
its title names and of an account its category buys with, and its history runs forward
in time along the log.

The expectations are written out here, from the titles, not derived from the demo's own
plan tables (``procurement.demo.WHERE``), so a tender moved to an unrelated line fails."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from sqlalchemy import create_engine, select

from budgeting import reducers as budget
from ledger import storage
from ledger.authority import CLOCK_SIMULATED_TYPE
from procurement import lifecycle as lc
from procurement.reads import document, prefixed, scan
from redflags.reducer import FLAG_NAMESPACE

EDUCATION = "1.01.0.00.0.00.01.0000"
DINKES = "1.02.0.00.0.00.01.0000"
RSUD = "1.02.0.00.0.00.02.0000"
PUPR = "1.03.0.00.0.00.01.0000"
DISHUB = "2.15.0.00.0.00.01.0000"
KOMINFO = "2.16.2.20.2.21.01.0000"
PERTANIAN = "3.27.0.00.0.00.01.0000"
KECAMATAN = {"7.01.0.00.0.00.01.0000", "7.01.0.00.0.00.02.0000", "7.01.0.00.0.00.03.0000"}

# The OPD a title names, first match wins (lower case). None: an office's own needs
# (cleaning, stationery, meetings, vehicles), which any OPD may buy.
TITLE_OPDS: tuple[tuple[tuple[str, ...], set[str] | None], ...] = (
    (("rsud",), {RSUD}),
    (("rambu", "marka"), {DISHUB}),
    (("puskesmas", "kesehatan", "kedokteran", "ambulans"), {DINKES, RSUD}),
    (("sekolah", "sd negeri", "smp", "kelas"), {EDUCATION}),
    (("kecamatan",), KECAMATAN),
    (("jalan", "jembatan", "talud", "air bersih", "drainase"), {PUPR}),
    (("irigasi",), {PERTANIAN}),
    (("sistem informasi", "internet"), {KOMINFO}),
    (("kantor", "kendaraan", "rapat", "aparatur"), None),
)

# The account a tender of each category is paid from, by what its title buys (first
# match wins, whole words): works on belanja modal gedung (5.2.03) or jalan, irigasi and
# jaringan (5.2.04), goods on belanja modal peralatan (5.2.02.*) or belanja barang
# (5.1.02.01), services on belanja jasa kantor (5.1.02.02.01) or pemeliharaan
# (5.1.02.03), consulting on jasa konsultansi konstruksi (5.1.02.02.04) or non
# konstruksi (5.1.02.02.05).
TITLE_ACCOUNTS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "works": (
        (("gedung", "kelas", "puskesmas", "sekolah", "bangunan", "kantor"), "5.2.03"),
        (("jalan", "jembatan", "talud", "irigasi", "air bersih", "drainase", "rambu"), "5.2.04"),
    ),
    "goods": (
        (("kendaraan", "ambulans"), "5.2.02.02"),
        (("komputer", "computer", "laptop"), "5.2.02.10"),
        (("kedokteran", "kesehatan"), "5.2.02.07"),
        (("mebel", "meubelair", "penyimpan"), "5.2.02.05"),
        (("makanan", "rapat", "alat tulis"), "5.1.02.01"),
    ),
    "other_services": (
        (("pemeliharaan",), "5.1.02.03"),
        (("jasa",), "5.1.02.02.01"),
    ),
    "consulting": (
        (("perencanaan jalan",), "5.1.02.02.04"),
        (("sistem informasi",), "5.1.02.02.05"),
    ),
}


def _first(title: str, rules: tuple[tuple[tuple[str, ...], object], ...]) -> object:
    """What the first rule with a word of ``title`` expects (whole words: "pembangunan"
    is not "bangunan")."""
    lowered = title.lower()
    for words, expected in rules:
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in words):
            return expected
    raise AssertionError(f"no expectation written for {title!r}: add it to the table")


def test_every_demo_tender_is_on_a_line_of_its_opd_and_category(
    service: tuple[str, Path, dict[str, str]],
) -> None:
    _url, _directory, env = service
    engine = create_engine(env["TERANG_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            tenders = prefixed(conn, lc.TENDER_NAMESPACE, "ocds-t3r4ng-", limit=500)
            lines = {t["ocid"]: document(conn, budget.NS_LINE, t["budget_line"]) for t in tenders}
    finally:
        engine.dispose()
    assert len(tenders) == 43  # DEMO-001 .. DEMO-043, every one checked below
    wrong = []
    for tender in tenders:
        title, category, line = tender["title"], tender["category"], lines[tender["ocid"]]
        assert line is not None, tender["ocid"]
        opds = _first(title, TITLE_OPDS)
        account = _first(title, TITLE_ACCOUNTS[category])
        assert isinstance(account, str)
        if (opds is not None and line["opd"] not in opds) or not line["account"].startswith(
            account
        ):
            wrong.append((tender["ocid"], title, category, line["opd"], line["account"]))
    assert wrong == []


def test_the_demo_log_runs_forward_in_time(service: tuple[str, Path, dict[str, str]]) -> None:
    """Along seq, ``logged_at`` never decreases after the simulated clock's declaration
    (seq 1, logged at the real time, like the genesis of `terang init` before it), and
    every entry is logged when what it records could have happened: a posting on or after
    its value date, a tender after the DPA of the line that funds it."""
    _url, _directory, env = service
    engine = create_engine(env["TERANG_DATABASE_URL"])
    e = storage.entries.c
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(e.seq, e.logged_at, e.statement_type).order_by(e.seq)).all()
            postings = prefixed(conn, budget.NS_POSTING, "0", limit=10_000)
            tenders = prefixed(conn, lc.TENDER_NAMESPACE, "ocds-t3r4ng-", limit=500)
            lines = {
                t["budget_line"]: document(conn, budget.NS_LINE, t["budget_line"]) for t in tenders
            }
    finally:
        engine.dispose()
    logged_at = {row.seq: row.logged_at for row in rows}
    assert [row.seq for row in rows] == list(range(len(rows)))
    assert rows[1].statement_type == CLOCK_SIMULATED_TYPE
    backwards = [
        (before.seq, before.logged_at, after.logged_at)
        for before, after in itertools.pairwise(rows[2:])
        if after.logged_at < before.logged_at
    ]
    assert backwards == []
    # A year of history before the real time of the declaration, and DEMO-005 at it.
    assert rows[2].logged_at < rows[1].logged_at <= rows[-1].logged_at

    dated = [p for p in postings if p.get("date")]
    assert len(dated) > 2000
    early = [p["posting_id"] for p in dated if logged_at[p["seq"]][:10] < p["date"]]
    assert early == []
    for tender in tenders:
        line = lines[tender["budget_line"]]
        assert line is not None
        dpa = line["opened_seq"]
        assert dpa < tender["seqs"]["package.created"], tender["ocid"]
        assert logged_at[dpa] <= tender["created_at"], tender["ocid"]


def test_the_demo_bids_show_the_red_flags_the_docs_name(
    service: tuple[str, Path, dict[str, str]],
) -> None:
    """docs/red-flags.md names the demo's price flags: an identical price (DEMO-014, R028
    and R024 at 0%), a 1.1% gap (DEMO-027) and a 1.8% gap after rounding (DEMO-029)."""
    _url, _directory, env = service
    engine = create_engine(env["TERANG_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            flags = dict(scan(conn, FLAG_NAMESPACE, "ocds-t3r4ng-"))
    finally:
        engine.dispose()
    year = next(iter(flags)).split("-")[2]
    prices = {
        key.split("-DEMO-")[1]: flag["value"]
        for key, flag in flags.items()
        if key.endswith("|R024") and flag["status"] == "raised"
    }
    assert prices == {"014|R024": "0.0000", "027|R024": "0.0112", "029|R024": "0.0178"}
    identical = [k for k, f in flags.items() if k.endswith("|R028") and f["status"] == "raised"]
    assert identical == [f"ocds-t3r4ng-{year}-DEMO-014|R028"]
