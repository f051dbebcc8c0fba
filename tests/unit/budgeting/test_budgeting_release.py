"""``budgeting.commitment.released``: a commitment's unpaid rest goes back to its line.

Procurement releases what a terminated (or completed, under-spent) contract will never
pay. The line's ``committed`` falls and ``available`` rises by exactly the release;
never more than is unpaid; a reversal commits it again only if the room is still there.
"""

from __future__ import annotations

from datetime import date

from budgeting_book import L1, L2, YEAR, Book, funded, juta, refused, structured_book

from budgeting import statements as st
from budgeting.namespaces import NS_COMMITMENT, NS_FISCAL_YEAR, NS_LINE
from budgeting.read_models import _commitment_row
from budgeting.reducers import check_line_invariants


def committed_and_paid(book: Book) -> None:
    """L1: budget 100 juta, K-1 commits 40 juta, 10 juta of it paid."""
    funded(book)
    book.post(st.commitment(L1, "K-1", juta(40), date(YEAR, 1, 5), "SPK-1"))
    book.post(st.payment(L1, "P-1", juta(10), date(YEAR, 1, 6), commitment="K-1"))


def commitment(book: Book, posting_id: str = "K-1") -> dict[str, object]:
    return book.state.documents[(NS_COMMITMENT, posting_id)]


def test_release_gives_the_unpaid_rest_back_and_no_more() -> None:
    book = structured_book()
    committed_and_paid(book)
    line = book.line(L1)
    assert (line["committed_sen"], line["available_sen"]) == (juta(40), juta(60))
    error = refused(
        book, st.release(L1, "R-1", "K-1", juta(31), "putus kontrak"), "release_exceeds_commitment"
    )
    assert "30000000.00" in error.message  # the unpaid rest, named
    refused(book, st.release(L1, "R-1", "K-9", juta(1), "x"), "unknown_commitment")
    refused(book, st.release(L2, "R-1", "K-1", juta(1), "x"), "unknown_line")
    book.post(st.appropriation(L2, "DPA-L2", juta(5)))
    refused(book, st.release(L2, "R-1", "K-1", juta(1), "x"), "commitment_other_line")

    seq = book.post(st.release(L1, "R-1", "K-1", juta(30), "putus kontrak", document="BA-1"))
    line = book.line(L1)
    check_line_invariants(line)
    assert (line["committed_sen"], line["paid_committed_sen"], line["available_sen"]) == (
        juta(10),
        juta(10),
        juta(90),
    )
    doc = commitment(book)
    assert (doc["amount_sen"], doc["released_sen"], doc["paid_sen"]) == (
        juta(10),
        juta(30),
        juta(10),
    )
    row = _commitment_row(doc)
    assert row.remaining_sen == 0 and row.released_sen == juta(30)
    posting = book.state.documents[("budgeting.posting", f"{seq:012d}")]
    assert (posting["type"], posting["commitment"], posting["amount_sen"]) == (
        st.RELEASE,
        "K-1",
        juta(30),
    )
    year = book.state.documents[(NS_FISCAL_YEAR, str(YEAR))]
    assert year["totals"]["belanja"]["committed_sen"] == juta(10)
    # Nothing is left to pay on it, nor to release; the id is used.
    refused(
        book,
        st.payment(L1, "P-2", juta(1), date(YEAR, 1, 7), commitment="K-1"),
        "payment_exceeds_commitment",
    )
    refused(book, st.release(L1, "R-2", "K-1", 1, "lagi"), "release_exceeds_commitment")
    refused(book, st.release(L1, "R-1", "K-1", 1, "lagi"), "duplicate_posting")


def test_reversing_a_release_commits_it_again_only_if_the_room_is_still_there() -> None:
    book = structured_book()
    committed_and_paid(book)
    before = book.line(L1).copy()
    release = book.post(st.release(L1, "R-1", "K-1", juta(30), "putus kontrak"))
    # The freed 30 juta (and more) is committed elsewhere: the release cannot be undone.
    book.post(st.commitment(L1, "K-2", juta(70), date(YEAR, 2, 1), "SPK-2"))
    refused(book, st.reversal(L1, "X-1", release, "salah"), "commitment_exceeds_available")
    book.post(st.reversal(L1, "X-1", book.seq, "SPK-2 batal"))
    book.post(st.reversal(L1, "X-2", release, "salah"))
    line = book.line(L1)
    check_line_invariants(line)
    assert {k: line[k] for k in ("committed_sen", "available_sen")} == {
        k: before[k] for k in ("committed_sen", "available_sen")
    }
    assert (commitment(book)["amount_sen"], commitment(book)["released_sen"]) == (juta(40), 0)


def test_reversing_a_partly_released_commitment_uncommits_only_what_is_left() -> None:
    book = structured_book()
    funded(book)
    posted = book.post(st.commitment(L1, "K-1", juta(40), date(YEAR, 1, 5), "SPK-1"))
    release = book.post(st.release(L1, "R-1", "K-1", juta(15), "sebagian"))
    book.post(st.reversal(L1, "X-1", posted, "kontrak batal"))
    line = book.line(L1)
    check_line_invariants(line)
    assert (line["committed_sen"], line["available_sen"]) == (0, juta(100))
    # The release cannot be undone on a reversed commitment.
    refused(book, st.reversal(L1, "X-2", release, "salah"), "commitment_reversed")
    assert book.state.documents[(NS_LINE, L1)]["committed_sen"] == 0


def test_release_bodies_are_strict() -> None:
    book = structured_book()
    committed_and_paid(book)
    good = st.release(L1, "R-1", "K-1", juta(1), "alasan").body
    for body, code in (
        ({k: v for k, v in good.items() if k != "reason"}, "bad_field"),
        ({**good, "extra": 1}, "bad_field"),
        ({**good, "commitment": " K-1"}, "bad_field"),
        ({**good, "amount": "0.00"}, "bad_amount"),
        ({**good, "amount": "-1.00"}, "bad_amount"),
    ):
        refused(book, st.Posting(st.RELEASE, L1, body), code)
