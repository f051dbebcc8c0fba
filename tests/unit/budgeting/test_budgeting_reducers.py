"""Budgeting reducers on an in-memory state: structure, each rule and its message,
reversals, and refusals that leave the state exactly as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from budgeting_book import (
    FINANCING_OUT,
    L1,
    L2,
    L3,
    OPD_A,
    REVENUE,
    YEAR,
    Book,
    funded,
    juta,
    refused,
    structured_book,
)

from budgeting import statements as st
from budgeting.codes import BadCode
from budgeting.errors import BadBody, BadDate, BadSubject, BudgetRejected
from budgeting.money import BadAmount
from budgeting.namespaces import AMOUNT_FIELDS, NS_FISCAL_YEAR, NS_LINE
from budgeting.reducers import check_line_invariants

# -- structure --------------------------------------------------------------------


def test_structure_needs_its_parent_registered_first() -> None:
    book = Book()
    error = refused(book, st.structure("programme", "1.02", "Kesehatan"), "unknown_code")
    assert "urusan 1 is not registered" in error.message
    book.post(st.structure("programme", "1", "Wajib pelayanan dasar"))
    book.post(st.structure("programme", "1.02", "Kesehatan"))
    error = refused(book, st.structure("programme", "1.02.02.2.01", "x"), "unknown_code")
    assert error.details["parent"] == "1.02.02" and error.details["part"] == "program"
    error = refused(book, st.structure("account", "5.1", "Belanja Operasi"), "unknown_code")
    assert error.details["parent"] == "5"
    error = refused(book, st.structure("opd", "1.02.1.03.0.00.01.0000", "Dinkes"), "unknown_code")
    assert error.details["parent"] == "1.03" and error.details["part"] == "bidang urusan"
    error = refused(book, st.structure("opd", "1.02.0.00.0.00.01.0001", "UPTD"), "unknown_code")
    assert error.details["parent"] == "1.02.0.00.0.00.01.0000"
    book.post(st.structure("opd", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"))
    book.post(st.structure("opd", "1.02.0.00.0.00.01.0001", "UPTD Puskesmas Kota"))


def test_structure_is_registered_once_with_its_level_and_parent() -> None:
    book = structured_book()
    doc = book.state.documents[("budgeting.programme", "1.02.02.2.01.0001")]
    assert doc["level"] == "sub_kegiatan" and doc["parent"] == "1.02.02.2.01"
    account = book.state.documents[("budgeting.account", "6.2.02.01.01.0001")]
    assert account["group"] == "pengeluaran_pembiayaan" and account["level"] == "sub_rincian_objek"
    refused(book, st.structure("programme", "1.02", "again"), "structure_exists")
    refused(book, st.structure("fiscal_year", "2026", "again"), "structure_exists")


@pytest.mark.parametrize(
    ("body", "subject", "error"),
    [
        ({"kind": "opd", "code": "1.02", "name": "x"}, "opd:1.02", BadCode),
        ({"kind": "sector", "code": "1", "name": "x"}, "sector:1", BadBody),
        ({"kind": "programme", "code": "1", "name": ""}, "programme:1", BadBody),
        ({"kind": "programme", "code": "1", "name": " x"}, "programme:1", BadBody),
        ({"kind": "programme", "code": "1", "name": "x", "extra": 1}, "programme:1", BadBody),
        ({"kind": "programme", "code": "1", "name": "x"}, "programme:2", BadSubject),
        ({"kind": "account", "code": "1.1", "name": "Aset Lancar"}, "account:1.1", BadCode),
    ],
)
def test_malformed_structure_is_refused(body: dict[str, Any], subject: str, error: type) -> None:
    book = Book()
    with pytest.raises(error):
        book.post_raw(st.STRUCTURE, subject, body)
    assert book.snapshot() == {}


# -- lines and appropriations -------------------------------------------------------


def test_appropriation_opens_the_line_with_its_codes() -> None:
    book = structured_book()
    book.post(st.appropriation(L1, "DPA-1", juta(250), description="ATK Puskesmas"))
    line = book.line(L1)
    assert line["budget_sen"] == line["available_sen"] == juta(250)
    assert line["description"] == "ATK Puskesmas" and line["group"] == "belanja"
    year = book.state.documents[(NS_FISCAL_YEAR, str(YEAR))]
    assert year["line_count"] == 1 and year["totals"]["belanja"]["budget_sen"] == juta(250)
    book.post(st.appropriation(L1, "DPA-2", juta(50)))
    assert book.line(L1)["appropriated_sen"] == juta(300)


@pytest.mark.parametrize(
    ("line", "part"),
    [
        (L1.replace("2026", "2027", 1), "fiscal year"),
        (L1.replace(OPD_A, "1.02.0.00.0.00.02.0000"), "OPD"),
        (L1.replace("1.02.02.2.01.0001", "1.02.02.2.01.0003"), "sub kegiatan"),
        (L1.replace("5.1.02.01.01.0024", "5.1.02.01.01.0025"), "account"),
        (L1.replace("DAU", "DAK-FISIK"), "funding source"),
    ],
)
def test_a_line_naming_an_unregistered_code_is_refused_naming_it(line: str, part: str) -> None:
    book = structured_book()
    error = refused(book, st.appropriation(line, "DPA-1", juta(1)), "unknown_code")
    assert error.details["part"] == part and line in error.message


def test_postings_on_a_line_without_appropriation_are_refused() -> None:
    book = structured_book()
    for posting in (
        st.revision(L1, "R-1", -juta(1)),
        st.allotment(L1, "A-1", [(1, juta(1))]),
        st.commitment(L1, "K-1", juta(1), date(YEAR, 1, 2), "SPK-1"),
        st.payment(L1, "P-1", juta(1), date(YEAR, 1, 2)),
    ):
        refused(book, posting, "unknown_line")


def test_malformed_posting_bodies_are_refused_with_the_field_named() -> None:
    book = structured_book()
    cases: list[tuple[str, str, dict[str, Any], type]] = [
        (st.APPROPRIATION, L1, {"posting_id": "D1", "amount": 1500000}, BadAmount),
        (st.APPROPRIATION, L1, {"posting_id": "D1", "amount": "1.5e6"}, BadAmount),
        (st.APPROPRIATION, L1, {"posting_id": "D1", "amount": "0.00"}, BadAmount),
        (st.APPROPRIATION, L1, {"posting_id": "D1", "amount": "-5.00"}, BadAmount),
        (st.APPROPRIATION, L1, {"posting_id": " D1", "amount": "5.00"}, BadBody),
        (st.APPROPRIATION, L1, {"amount": "5.00"}, BadBody),
        (st.APPROPRIATION, L1, {"posting_id": "D1", "amount": "5.00", "x": 1}, BadBody),
        (st.APPROPRIATION, "L1", {"posting_id": "D1", "amount": "5.00"}, BadCode),
        (st.REVISION, L1, {"posting_id": "R1", "amount": "0.00"}, BadAmount),
        (st.ALLOTMENT, L1, {"posting_id": "A1", "months": []}, BadBody),
        (
            st.ALLOTMENT,
            L1,
            {"posting_id": "A1", "months": [{"month": 13, "amount": "1.00"}]},
            BadBody,
        ),
        (
            st.ALLOTMENT,
            L1,
            {
                "posting_id": "A1",
                "months": [{"month": 2, "amount": "1.00"}, {"month": 2, "amount": "1.00"}],
            },
            BadBody,
        ),
        (
            st.PAYMENT,
            L1,
            {"posting_id": "P1", "amount": "1.00", "date": "2026-02-30"},
            BadDate,
        ),
        (st.PAYMENT, L1, {"posting_id": "P1", "amount": "1.00", "date": "2026-2-3"}, BadDate),
        (st.PAYMENT, L1, {"posting_id": "P1", "amount": "1.00", "date": "2025-12-31"}, BadDate),
        (st.PAYMENT, L1, {"posting_id": "P1", "amount": "1.00", "date": "2027-01-02"}, BadDate),
        (
            st.COMMITMENT,
            L1,
            {"posting_id": "K1", "amount": "1.00", "date": "2026-01-02"},
            BadBody,
        ),
        (
            st.SHIFT,
            "shift:S1",
            {"posting_id": "S1", "moves": [{"line": L1, "amount": "1.00"}]},
            BadBody,
        ),
        (
            st.SHIFT,
            "shift:S2",
            {
                "posting_id": "S1",
                "moves": [{"line": L1, "amount": "1.00"}, {"line": L2, "amount": "-1.00"}],
            },
            BadSubject,
        ),
        (st.REVERSAL, L1, {"posting_id": "X1", "reverses_seq": 0, "reason": "x"}, BadBody),
        (st.REVERSAL, L1, {"posting_id": "X1", "reverses_seq": "3", "reason": "x"}, BadBody),
    ]
    for statement_type, subject, body, error in cases:
        before = book.snapshot()
        with pytest.raises(error):
            book.post_raw(statement_type, subject, body)
        assert book.snapshot() == before


def test_value_dates_in_the_future_are_refused() -> None:
    book = structured_book()
    book.logged_at = "2026-03-02T01:00:00.000Z"
    funded(book)
    book.post(st.payment(L1, "P-1", juta(1), date(YEAR, 3, 3)))  # WIT is already on the 3rd
    with pytest.raises(BadDate, match="in the future"):
        book.post(st.payment(L1, "P-2", juta(1), date(YEAR, 3, 4)))


def test_duplicate_posting_id_is_refused_whatever_the_type() -> None:
    book = structured_book()
    funded(book)
    error = refused(book, st.appropriation(L2, "DPA-" + L1, juta(5)), "duplicate_posting")
    assert error.details["seq"] == book.seq - 1
    refused(book, st.payment(L1, "AK-" + L1, juta(5), date(YEAR, 1, 9)), "duplicate_posting")


# -- budget control ----------------------------------------------------------------------


def test_commitment_beyond_available_names_line_amounts_and_shortfall() -> None:
    book = structured_book()
    funded(book, amount=juta(100))
    book.post(st.payment(L1, "SP2D-1", juta(30), date(YEAR, 1, 10)))
    book.post(st.commitment(L1, "K-1", juta(50), date(YEAR, 1, 11), "SPK-1"))
    error = refused(
        book,
        st.commitment(L1, "K-2", juta(21), date(YEAR, 1, 12), "SPK-2"),
        "commitment_exceeds_available",
    )
    assert L1 in error.message
    for text in ("21000000.00", "20000000.00", "100000000.00", "50000000.00", "30000000.00"):
        assert text in error.message
    assert error.details["shortfall"] == "1000000.00"
    book.post(st.commitment(L1, "K-2", juta(20), date(YEAR, 1, 12), "SPK-2"))
    assert book.line(L1)["available_sen"] == 0


def test_payment_beyond_its_commitment_is_refused() -> None:
    book = structured_book()
    funded(book)
    book.post(st.commitment(L1, "K-1", juta(40), date(YEAR, 1, 5), "SPK-1"))
    book.post(st.payment(L1, "P-1", juta(25), date(YEAR, 1, 20), commitment="K-1"))
    error = refused(
        book,
        st.payment(L1, "P-2", juta(16), date(YEAR, 1, 21), commitment="K-1"),
        "payment_exceeds_commitment",
    )
    assert error.details["remaining"] == "15000000.00"
    assert error.details["shortfall"] == "1000000.00"
    book.post(st.payment(L1, "P-2", juta(15), date(YEAR, 1, 21), commitment="K-1"))
    line = book.line(L1)
    assert line["paid_committed_sen"] == line["committed_sen"] == juta(40)
    assert line["available_sen"] == juta(60)  # committed payments do not count twice


def test_payment_without_commitment_beyond_available_is_refused() -> None:
    book = structured_book()
    funded(book, amount=juta(10))
    book.post(st.commitment(L1, "K-1", juta(8), date(YEAR, 1, 5), "SPK-1"))
    error = refused(
        book, st.payment(L1, "P-1", juta(3), date(YEAR, 1, 6)), "payment_exceeds_available"
    )
    assert error.details["available"] == "2000000.00"


def test_payment_beyond_cash_allotted_to_date_is_refused() -> None:
    book = structured_book()
    funded(book, amount=juta(120), cash=0)
    book.post(st.allotment(L1, "AK-1", [(month, juta(10)) for month in range(1, 13)]))
    book.post(st.payment(L1, "P-1", juta(15), date(YEAR, 2, 1)))
    error = refused(
        book, st.payment(L1, "P-2", juta(10), date(YEAR, 2, 28)), "payment_exceeds_allotment"
    )
    assert error.details["month"] == 2
    assert error.details["allotted_through"] == "20000000.00"
    assert error.details["shortfall"] == "5000000.00"
    assert "2026-02" in error.message
    book.post(st.payment(L1, "P-2", juta(10), date(YEAR, 3, 1)))  # March may use January-March


def test_a_backdated_payment_cannot_use_cash_later_payments_already_used() -> None:
    book = structured_book()
    funded(book, amount=juta(100), cash=0)
    book.post(st.allotment(L1, "AK-1", [(1, juta(10)), (3, juta(10))]))
    book.post(st.payment(L1, "P-3", juta(20), date(YEAR, 3, 5)))
    error = refused(
        book, st.payment(L1, "P-1", juta(5), date(YEAR, 1, 5)), "payment_exceeds_allotment"
    )
    assert error.details["month"] == 3  # January fits, but March would be short


def test_allotments_stay_within_the_budget_and_cover_payments() -> None:
    book = structured_book()
    funded(book, amount=juta(30), cash=juta(20))
    error = refused(book, st.allotment(L1, "AK-2", [(2, juta(11))]), "allotment_exceeds_budget")
    assert error.details["shortfall"] == "1000000.00"
    book.post(st.payment(L1, "P-1", juta(15), date(YEAR, 1, 5)))
    refused(book, st.allotment(L1, "AK-2", [(1, -juta(21))]), "allotment_negative")
    error = refused(
        book, st.allotment(L1, "AK-2", [(1, -juta(10)), (6, juta(10))]), "allotment_below_paid"
    )
    assert error.details["month"] == 1 and error.details["shortfall"] == "5000000.00"
    book.post(st.allotment(L1, "AK-2", [(1, -juta(5)), (6, juta(5))]))  # re-phasing
    assert book.line(L1)["allotted_by_month"][:6] == [juta(15), 0, 0, 0, 0, juta(5)]


def test_revision_cannot_make_a_line_negative_or_below_committed() -> None:
    book = structured_book()
    funded(book, amount=juta(50))
    book.post(st.commitment(L1, "K-1", juta(30), date(YEAR, 1, 5), "SPK-1"))
    book.post(st.payment(L1, "P-1", juta(5), date(YEAR, 1, 6)))
    error = refused(book, st.revision(L1, "R-1", -juta(51)), "budget_negative")
    assert error.details["shortfall"] == "1000000.00"
    error = refused(book, st.revision(L1, "R-1", -juta(16)), "budget_below_committed")
    assert error.details["committed"] == "30000000.00"
    assert error.details["paid_uncommitted"] == "5000000.00"
    assert error.details["shortfall"] == "1000000.00"
    book.post(st.revision(L1, "R-1", -juta(15), document="Perda Perubahan APBD 2026"))
    assert book.line(L1)["available_sen"] == 0
    book.post(st.revision(L2, "R-2", juta(7)))  # a perubahan may add a new line
    assert book.line(L2)["revised_sen"] == juta(7)


def test_pergeseran_keeps_the_total_and_stays_in_one_opd_and_group() -> None:
    book = structured_book()
    funded(book, L1, juta(50))
    funded(book, L3, juta(50))
    book.post(st.appropriation(REVENUE, "DPA-R", juta(50)))
    error = refused(book, st.shift("S-1", [(L1, -juta(10)), (L2, juta(11))]), "unbalanced_shift")
    assert error.details == {
        "decreases": "10000000.00",
        "increases": "11000000.00",
        "shortfall": "1000000.00",
    }
    refused(book, st.shift("S-1", [(L1, -juta(10)), (L3, juta(10))]), "shift_across_opd")
    refused(book, st.shift("S-1", [(L1, -juta(10)), (REVENUE, juta(10))]), "shift_across_groups")
    refused(book, st.shift("S-1", [(L2, -juta(10)), (L1, juta(10))]), "unknown_line")
    book.post(st.commitment(L1, "K-1", juta(45), date(YEAR, 1, 5), "SPK-1"))
    error = refused(
        book, st.shift("S-1", [(L1, -juta(10)), (L2, juta(10))]), "budget_below_committed"
    )
    assert error.details["shortfall"] == "5000000.00"
    seq = book.post(st.shift("S-1", [(L1, -juta(5)), (L2, juta(5))]))
    assert book.line(L1)["budget_sen"] == juta(45) and book.line(L2)["budget_sen"] == juta(5)
    assert book.line(L1)["shift_seqs"] == book.line(L2)["shift_seqs"] == [seq]


def test_inflow_lines_take_receipts_beyond_target_but_no_commitments() -> None:
    book = structured_book()
    book.post(st.appropriation(REVENUE, "DPA-R", juta(10)))
    refused(
        book,
        st.commitment(REVENUE, "K-1", juta(1), date(YEAR, 1, 5), "SPK-1"),
        "commitment_on_inflow_line",
    )
    book.post(st.payment(REVENUE, "STS-1", juta(12), date(YEAR, 1, 5), document="STS 001"))
    line = book.line(REVENUE)
    assert line["realised_sen"] == juta(12) and line["available_sen"] == -juta(2)
    check_line_invariants(line)
    book.post(st.revision(REVENUE, "R-1", -juta(10)))  # a target may fall to zero


def test_pengeluaran_pembiayaan_is_controlled_like_belanja() -> None:
    book = structured_book()
    funded(book, FINANCING_OUT, juta(10))
    refused(
        book,
        st.payment(FINANCING_OUT, "P-1", juta(11), date(YEAR, 1, 5)),
        "payment_exceeds_available",
    )


# -- reversals ------------------------------------------------------------------------


def test_reversal_undoes_exactly_and_only_once() -> None:
    book = structured_book()
    funded(book)
    before = book.snapshot()
    commitment = book.post(st.commitment(L1, "K-1", juta(40), date(YEAR, 1, 5), "SPK-1"))
    payment = book.post(st.payment(L1, "P-1", juta(10), date(YEAR, 1, 6), commitment="K-1"))
    error = refused(book, st.reversal(L1, "X-1", commitment, "kontrak batal"), "not_reversible")
    assert "10000000.00" in error.message
    undo_payment = book.post(st.reversal(L1, "X-1", payment, "SP2D salah rekening"))
    refused(book, st.reversal(L1, "X-2", payment, "again"), "already_reversed")
    refused(book, st.reversal(L1, "X-2", undo_payment, "undo the undo"), "not_reversible")
    book.post(st.reversal(L1, "X-2", commitment, "kontrak batal"))
    refused(
        book,
        st.payment(L1, "P-2", juta(1), date(YEAR, 1, 7), commitment="K-1"),
        "commitment_reversed",
    )
    after = book.snapshot()
    for key, doc in before.items():
        if key[0] in (NS_LINE, NS_FISCAL_YEAR):
            assert after[key] == doc, key


def test_reversal_refusals() -> None:
    book = structured_book()
    funded(book, amount=juta(10), cash=juta(10))
    refused(book, st.reversal(L1, "X-1", 1, "not a posting"), "unknown_posting")
    refused(book, st.reversal(L1, "X-1", 999, "the future"), "unknown_posting")
    appropriation = book.seq - 1
    refused(
        book, st.reversal(L2, "X-1", appropriation, "wrong subject"), "reversal_subject_mismatch"
    )
    book.post(st.commitment(L1, "K-1", juta(6), date(YEAR, 1, 5), "SPK-1"))
    refused(book, st.reversal(L1, "X-1", appropriation, "DPA salah"), "budget_below_committed")
    allotment = book.seq - 1
    book.post(st.payment(L1, "P-1", juta(3), date(YEAR, 1, 6), commitment="K-1"))
    refused(book, st.reversal(L1, "X-1", allotment, "AK salah"), "allotment_below_paid")


def test_reversal_of_a_pergeseran_restores_both_lines() -> None:
    book = structured_book()
    funded(book, L1, juta(20))
    seq = book.post(st.shift("S-1", [(L1, -juta(5)), (L2, juta(5))]))
    refused(book, st.reversal(L1, "X-1", seq, "wrong subject"), "reversal_subject_mismatch")
    undo = book.post(st.reversal(st.shift_subject("S-1"), "X-1", seq, "batal"))
    assert book.line(L1)["budget_sen"] == juta(20) and book.line(L2)["budget_sen"] == 0
    assert book.line(L2)["shift_seqs"] == [seq, undo]


def test_year_totals_are_the_sums_of_the_lines() -> None:
    book = structured_book()
    funded(book, L1, juta(20))
    funded(book, L2, juta(30), cash=juta(5))
    book.post(st.appropriation(REVENUE, "DPA-R", juta(70)))
    book.post(st.payment(L2, "P-1", juta(5), date(YEAR, 1, 5)))
    year = book.state.documents[(NS_FISCAL_YEAR, str(YEAR))]
    lines = [doc for (ns, _), doc in book.state.documents.items() if ns == NS_LINE]
    for group in ("belanja", "pendapatan"):
        for field in AMOUNT_FIELDS:
            expected = sum(doc[field] for doc in lines if doc["group"] == group)
            assert year["totals"][group][field] == expected, (group, field)
    assert year["line_count"] == 3


def test_builders_refuse_what_parsers_refuse() -> None:
    with pytest.raises(BadBody):
        st.shift("S-1", [(L1, juta(1)), (L1, -juta(1))])
    with pytest.raises(BadAmount):
        st.appropriation(L1, "D-1", 0)
    with pytest.raises(BadCode):
        st.payment("2026:x", "P-1", 1, date(YEAR, 1, 1))
    assert (
        st.payment(L1, "P-1", 1, date(YEAR, 1, 1)).nonce
        == st.payment(L1, "P-1", 2, date(YEAR, 1, 2)).nonce
    )  # the nonce follows the posting id
    assert isinstance(BudgetRejected("x").http_status, int)
