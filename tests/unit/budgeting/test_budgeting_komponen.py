"""Standard price lists (SSH/HSPK/ASB) and the komponen of a budget line (issue 15 item 3).

A price list is logged by finance in versions; a komponen set prices a line's rincian
from the latest version, each total exactly volume × unit price in sen, the set adding
up exactly to the line's budget; a unit price above the standard needs a reason and is
flagged. A line whose budget moved since its komponen were set is not spent until they
are set again. Every refusal changes nothing (``refused`` checks the whole state).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from budgeting_book import L1, L2, LOGGED_AT, YEAR, Book, funded, juta, refused, structured_book
from hypothesis import given
from hypothesis import strategies as strategies

from budgeting import statements as st
from budgeting.errors import KomponenTotalMismatch
from budgeting.limits import KOMPONEN_PER_LINE_MAX, PRICE_ITEMS_PER_STATEMENT_MAX
from budgeting.namespaces import NS_KOMPONEN, NS_POSTING, NS_PRICE_ITEM, NS_PRICE_LIST
from budgeting.reducers import prefetch
from ledger.errors import TerangError
from ledger.statement import Statement

RP = 100
SSH = "SSH-2026"
LEM = st.PriceItem("1.1.7.01.03.09.005", "Lem Aqua/Aibon", "kaleng", 18_500 * RP, "SSH")
KERTAS = st.PriceItem("1.1.7.01.03.01.001", "Kertas HVS A4 70 gram", "rim", 52_000 * RP, "SSH")
PULPEN = st.PriceItem("1.1.7.01.03.02.001", "Pulpen", "buah", 3_000 * RP, "SSH")
HONOR = st.PriceItem("2.1.1.01.01.01.004", "Honorarium Narasumber", "OJ", 900_000 * RP, "SSH")


def published(book: Book, *items: st.PriceItem, version: int = 1, part: int = 1) -> int:
    return book.post(
        st.price_list(
            SSH,
            f"{SSH}-v{version}-{part}",
            version,
            list(items or (LEM, KERTAS, HONOR)),
            name="Standar Satuan Harga 2026",
            document="Perbup 77/2025",
        )
    )


def lem(volume: str, unit_price_sen: int, reason: str | None = None) -> st.KomponenSpec:
    return st.KomponenSpec(
        "Lem Aibon", volume, "kaleng", unit_price_sen, SSH, LEM.code, reason=reason
    )


def priced_book(amount: int = 37 * 100_000 * RP) -> Book:
    """L1 has a budget of ``amount`` (default Rp 3.700.000) and the SSH is published."""
    book = structured_book()
    funded(book, L1, amount)
    published(book)
    return book


def komponen_doc(book: Book, line: str = L1) -> dict[str, Any]:
    return book.state.documents[(NS_KOMPONEN, line)]


def test_a_komponen_set_records_its_prices_and_the_standard_it_was_priced_from() -> None:
    book = priced_book()
    seq = book.post(
        st.komponen_set(
            L1,
            "RINCIAN-L1-1",
            [lem("200", 18_500 * RP)],
            document="DPA-SKPD 1.02/2026",
        )
    )
    doc = komponen_doc(book)
    assert doc["total_sen"] == 3_700_000 * RP and doc["set_seq"] == seq
    (row,) = doc["komponen"]
    assert (row["total_sen"], row["version"], row["standard_price_sen"]) == (
        3_700_000 * RP,
        1,
        18_500 * RP,
    )
    assert row["above_standard"] is False and doc["above_standard_count"] == 0
    # Not a posting: nothing to reverse, but its id is used.
    assert (NS_POSTING, f"{seq:012d}") not in book.state.documents
    refused(book, st.reversal(L1, "X-1", seq, "salah"), "unknown_posting")
    refused(book, st.revision(L1, "RINCIAN-L1-1", RP), "duplicate_posting")


def test_the_lem_aibon_case_a_price_above_the_standard_needs_a_reason() -> None:
    """Rp 82,8 miliar of lem aibon: the unit price, not the line's total, gives it away."""
    book = priced_book(amount=200 * 100_000 * RP)
    error = refused(
        book, st.komponen_set(L1, "R-1", [lem("200", 100_000 * RP)]), "price_above_standard"
    )
    assert error.details["standard_price"] == "18500.00"
    assert error.details["excess"] == "81500.00"
    book.post(st.komponen_set(L1, "R-1", [lem("200", 100_000 * RP, "harga pasar Desember")]))
    (row,) = komponen_doc(book)["komponen"]
    assert row["above_standard"] is True and row["reason"] == "harga pasar Desember"
    assert komponen_doc(book)["above_standard_count"] == 1


def test_the_set_must_add_up_to_the_budget_exactly() -> None:
    book = priced_book()
    error = refused(
        book, st.komponen_set(L1, "R-1", [lem("199", 18_500 * RP)]), "komponen_sum_mismatch"
    )
    assert error.details == {
        "line": L1,
        "komponen_total": "3681500.00",
        "budget": "3700000.00",
        "difference": "-18500.00",
    }
    book.post(
        st.komponen_set(
            L1,
            "R-1",
            [
                lem("199", 18_500 * RP),
                st.KomponenSpec("Ongkos kirim", "1", "paket", 18_500 * RP),  # no standard
            ],
        )
    )
    assert komponen_doc(book)["komponen"][1]["standard_price_sen"] is None


def test_references_are_checked() -> None:
    book = structured_book()
    funded(book, L1, juta(1))
    one_million = [st.KomponenSpec("x", "1", "paket", juta(1), SSH, LEM.code)]
    refused(book, st.komponen_set(L1, "R-1", one_million), "unknown_price_list")
    published(book, LEM)
    refused(
        book,
        st.komponen_set(L1, "R-1", [st.KomponenSpec("x", "1", "rim", juta(1), SSH, "9.9.9")]),
        "unknown_price_item",
    )
    refused(book, st.komponen_set(L2, "R-1", one_million), "unknown_line")


def test_a_new_version_supersedes_and_the_old_stays_readable() -> None:
    book = priced_book()
    book.post(st.komponen_set(L1, "R-1", [lem("200", 18_500 * RP)]))
    published(book, PULPEN, part=2)  # more items for version 1
    refused(book, st.price_list(SSH, "v1-3", 1, [KERTAS]), "duplicate_price_item")
    refused(book, st.price_list(SSH, "v3-1", 3, [KERTAS]), "price_list_version_out_of_order")
    cheaper = st.PriceItem(LEM.code, LEM.uraian, LEM.satuan, 17_000 * RP, "SSH")
    published(book, cheaper, version=2)
    refused(book, st.price_list(SSH, "v1-4", 1, [HONOR]), "price_list_version_out_of_order")
    listing = book.state.documents[(NS_PRICE_LIST, SSH)]
    assert listing["latest_version"] == 2
    assert [v["item_count"] for v in listing["versions"]] == [4, 1]
    old = book.state.documents[(NS_PRICE_ITEM, f"{SSH}:000001:{LEM.code}")]
    assert old["unit_price_sen"] == 18_500 * RP
    # The set priced under version 1 keeps saying so; a new set is priced from version 2.
    assert komponen_doc(book)["komponen"][0]["version"] == 1
    refused(book, st.komponen_set(L1, "R-2", [lem("200", 18_500 * RP)]), "price_above_standard")
    book.post(st.komponen_set(L1, "R-2", [lem("200", 18_500 * RP, "kontrak payung 2025")]))
    row = komponen_doc(book)["komponen"][0]
    assert (row["version"], row["standard_price_sen"], row["above_standard"]) == (
        2,
        17_000 * RP,
        True,
    )
    assert len(komponen_doc(book)["set_seqs"]) == 2


def test_a_line_whose_budget_moved_is_not_spent_until_its_komponen_are_set_again() -> None:
    book = priced_book()
    book.post(st.komponen_set(L1, "R-1", [lem("200", 18_500 * RP)]))
    book.post(st.commitment(L1, "K-1", 1_000_000 * RP, date(YEAR, 1, 5), "SPK-1"))
    book.post(st.revision(L1, "APBDP-1", 185_000 * RP))  # revisions are not blocked
    refused(
        book,
        st.commitment(L1, "K-2", RP, date(YEAR, 1, 6), "SPK-2"),
        "komponen_out_of_step",
    )
    refused(book, st.payment(L1, "P-1", RP, date(YEAR, 1, 6)), "komponen_out_of_step")
    # Paying what is already committed goes on: that contract was priced in step.
    book.post(st.payment(L1, "P-2", RP, date(YEAR, 1, 6), commitment="K-1"))
    book.post(st.komponen_set(L1, "R-2", [lem("210", 18_500 * RP)]))
    book.post(st.commitment(L1, "K-2", RP, date(YEAR, 1, 6), "SPK-2"))


def test_lines_without_komponen_work_as_before() -> None:
    book = structured_book()
    funded(book, L1, juta(10))
    book.post(st.commitment(L1, "K-1", juta(5), date(YEAR, 1, 5), "SPK-1"))
    book.post(st.revision(L1, "APBDP-1", juta(1)))
    book.post(st.payment(L1, "P-1", juta(1), date(YEAR, 1, 6)))
    assert not [key for key in book.state.documents if key[0] == NS_KOMPONEN]


def body_of(posting: st.Posting, **changes: Any) -> dict[str, Any]:
    body = dict(posting.body)
    body["komponen"] = [dict(body["komponen"][0], **changes)]
    return body


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"total": "3700000.01"}, "komponen_total_mismatch"),
        ({"volume": "0"}, "bad_field"),
        ({"volume": "1.2345"}, "bad_field"),
        ({"volume": "01"}, "bad_field"),
        ({"volume": 200}, "bad_field"),
        ({"unit_price": 18500}, "bad_amount"),
        ({"price_list": None}, "bad_subject"),
        ({"item": "a b"}, "bad_field"),
        ({"colour": "red"}, "bad_field"),
        ({"uraian": " Lem"}, "bad_field"),
    ],
)
def test_malformed_komponen_are_refused(changes: dict[str, Any], code: str) -> None:
    book = priced_book()
    posting = st.komponen_set(L1, "R-1", [lem("200", 18_500 * RP)])
    with pytest.raises(TerangError) as caught:
        st.parse_komponen(body_of(posting, **changes))
    assert caught.value.code == code, caught.value.message
    refused(book, st.Posting(posting.type, posting.subject, body_of(posting, **changes)), code)


def test_bounds_on_list_and_set_sizes_and_pairs() -> None:
    posting = st.komponen_set(L1, "R-1", [lem("1", RP)])
    body = dict(posting.body)
    body["komponen"] = body["komponen"] * (KOMPONEN_PER_LINE_MAX + 1)
    with pytest.raises(TerangError, match="1 to 50 komponen"):
        st.parse_komponen(body)
    no_item = {k: v for k, v in posting.body["komponen"][0].items() if k != "item"}
    with pytest.raises(TerangError, match="come together"):
        st.parse_komponen({**posting.body, "komponen": [no_item]})
    items = [
        st.PriceItem(f"1.{n}", "x", "buah", RP, "ASB")
        for n in range(PRICE_ITEMS_PER_STATEMENT_MAX + 1)
    ]
    with pytest.raises(TerangError, match="1 to 60 items"):
        st.price_list(SSH, "P-1", 1, items)
    with pytest.raises(TerangError, match="appears twice"):
        st.price_list(SSH, "P-1", 1, [LEM, LEM])
    with pytest.raises(TerangError, match="kind must be one of"):
        st.price_list(SSH, "P-1", 1, [st.PriceItem("1", "x", "buah", RP, "HPS")])
    with pytest.raises(TerangError) as caught:
        st.price_list("2026:x", "P-1", 1, [LEM])
    assert caught.value.code == "bad_subject"


def test_a_total_that_is_not_whole_sen_is_refused_naming_the_product() -> None:
    with pytest.raises(KomponenTotalMismatch, match="not a whole number of sen"):
        st.komponen_set(L1, "R-1", [st.KomponenSpec("Pasir", "0.125", "m3", 1_01)])


VOLUMES = strategies.tuples(
    strategies.integers(1, 10**6), strategies.sampled_from(["", "5", "25", "125", "75"])
).map(lambda pair: f"{pair[0]}.{pair[1]}" if pair[1] else str(pair[0]))


@given(volume=VOLUMES, unit_price=strategies.integers(1, 10**9))
def test_total_is_volume_times_unit_price_exactly(volume: str, unit_price: int) -> None:
    milli = st.parse_volume(volume, field="volume")
    total = st.komponen_total_sen(milli, unit_price)
    if total is None:
        assert milli * unit_price % st.VOLUME_SCALE != 0
        return
    assert total * st.VOLUME_SCALE == milli * unit_price
    posting = st.komponen_set(L1, "R-1", [st.KomponenSpec("x", volume, "m", unit_price)])
    (parsed,) = st.parse_komponen(posting.body).komponen
    assert parsed.total_sen == total and parsed.volume_milli == milli


@given(
    totals=strategies.lists(strategies.integers(4, 10**6), min_size=1, max_size=8),
    off_by=strategies.integers(-3, 3),
)
def test_the_sum_invariant(totals: list[int], off_by: int) -> None:
    """A set is accepted exactly when its komponen add up to the budget."""
    book = structured_book()
    funded(book, L1, sum(totals) + off_by)
    specs = [st.KomponenSpec(f"k{i}", "1", "paket", sen) for i, sen in enumerate(totals)]
    posting = st.komponen_set(L1, "R-1", specs)
    if off_by:
        refused(book, posting, "komponen_sum_mismatch")
    else:
        book.post(posting)
        assert komponen_doc(book)["total_sen"] == book.line(L1)["budget_sen"]


def test_a_price_list_hints_every_document_its_reducer_reads() -> None:
    """The sequencer loads a batch's hinted documents in a few queries; every read it did
    not hint is one more round trip under the write lock. A price list's reducer reads
    each item's key (to refuse a duplicate), and the body names them all."""
    book = priced_book()
    reads: list[tuple[str, str]] = []
    read = book.state.get

    def recording(namespace: str, key: str) -> Any:
        reads.append((namespace, key))
        return read(namespace, key)

    book.state.get = recording  # type: ignore[method-assign]
    f4 = st.PriceItem("1.1.7.01.03.01.002", "Kertas HVS F4 70 gram", "rim", 56_000 * RP, "SSH")
    posting = st.price_list(SSH, f"{SSH}-v1-2", 1, [PULPEN, f4])
    book.post(posting)
    statement = Statement(
        posting.type, posting.subject, "0" * 64, LOGGED_AT, posting.nonce, posting.body
    )
    hinted = set(prefetch(statement))
    assert (NS_PRICE_ITEM, f"{SSH}:000001:{PULPEN.code}") in reads
    assert set(reads) - hinted == set()
