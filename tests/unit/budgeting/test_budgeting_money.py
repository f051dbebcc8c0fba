"""Money: parse(format(x)) == x, format(parse(t)) == t for canonical t, and strict refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as strategies

from budgeting.money import (
    AMOUNT_SEN_MAX,
    BadAmount,
    format_amount,
    parse_amount,
    parse_nonzero_amount,
    parse_positive_amount,
    parse_typed_amount,
)

amounts = strategies.integers(min_value=-AMOUNT_SEN_MAX, max_value=AMOUNT_SEN_MAX)


@given(amounts)
def test_parse_of_format_is_identity(sen: int) -> None:
    assert parse_amount(format_amount(sen), signed=True) == sen


@given(strategies.integers(min_value=0, max_value=AMOUNT_SEN_MAX))
def test_format_of_parse_is_identity_for_canonical_text(sen: int) -> None:
    text = f"{sen // 100}.{sen % 100:02d}"
    assert format_amount(parse_amount(text)) == text


@given(amounts)
def test_format_always_has_two_decimals_and_no_exponent(sen: int) -> None:
    text = format_amount(sen)
    whole, _, fraction = text.lstrip("-").partition(".")
    assert len(fraction) == 2 and whole.isdigit() and "e" not in text.lower()
    assert (whole == "0") or not whole.startswith("0")


@pytest.mark.parametrize(
    ("text", "sen"),
    [
        ("0", 0),
        ("0.00", 0),
        ("1500000.00", 150_000_000),
        ("1500000", 150_000_000),
        ("1500000.5", 150_000_050),
        ("0.01", 1),
        ("90071992547409.91", AMOUNT_SEN_MAX),
    ],
)
def test_accepted_forms(text: str, sen: int) -> None:
    assert parse_amount(text) == sen


@pytest.mark.parametrize(
    "value",
    [
        "",
        " 1.00",
        "1.00 ",
        "+1.00",
        "01.00",
        "00",
        "1.",
        ".5",
        "1.005",
        "1e5",
        "1E5",
        "1,000.00",
        "1_000",
        "1.000,00",
        "٣.٠٠",  # Arabic-Indic digits are digits to str.isdigit, not to us
        "NaN",
        "Infinity",
        "-",
        "--1",
        "90071992547409.92",  # one sen beyond the range
        "1" * 25,
    ],
)
def test_malformed_text_is_refused(value: str) -> None:
    with pytest.raises(BadAmount) as caught:
        parse_amount(value, signed=True)
    assert caught.value.code == "bad_amount"


@pytest.mark.parametrize("value", [100, 1.5, None, True, ["1.00"], {"amount": "1.00"}])
def test_non_strings_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(BadAmount, match=r"body\.amount must be a decimal string"):
        parse_amount(value, field="body.amount")


def test_negative_needs_signed_and_negative_zero_is_refused() -> None:
    with pytest.raises(BadAmount, match="must not be negative"):
        parse_amount("-1.00")
    assert parse_amount("-1.00", signed=True) == -100
    for zero in ("-0", "-0.00", "-0.0"):
        with pytest.raises(BadAmount, match="without a sign"):
            parse_amount(zero, signed=True)


def test_positive_and_nonzero_refuse_zero() -> None:
    with pytest.raises(BadAmount, match=r"more than 0\.00"):
        parse_positive_amount("0.00")
    with pytest.raises(BadAmount, match=r"must not be 0\.00"):
        parse_nonzero_amount("0")
    assert parse_nonzero_amount("-2.50") == -250


@given(strategies.floats(allow_nan=True, allow_infinity=True))
def test_no_float_is_ever_an_amount(value: float) -> None:
    with pytest.raises(BadAmount, match="got a number"):
        parse_amount(value, signed=True)


@given(strategies.floats().map(repr).filter(lambda text: "e" in text or "n" in text))
def test_float_spellings_with_exponent_or_nan_are_refused(text: str) -> None:
    with pytest.raises(BadAmount):
        parse_amount(text, signed=True)


@given(
    strategies.integers(min_value=0, max_value=10**12),
    strategies.integers(min_value=3, max_value=8),
)
def test_more_than_two_decimals_is_refused(whole: int, decimals: int) -> None:
    with pytest.raises(BadAmount):
        parse_amount(f"{whole}.{'1' * decimals}")


def test_format_refuses_non_int() -> None:
    with pytest.raises(TypeError):
        format_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_amount(True)


# -- what a person types (the CLI's --hps, --milestone) -------------------------------


@given(strategies.integers(min_value=1, max_value=AMOUNT_SEN_MAX))
def test_an_amount_typed_as_it_is_printed_is_the_same_sen(sen: int) -> None:
    from portal.formatting import rupiah

    assert parse_typed_amount(rupiah(sen, "id")) == sen  # "Rp 814.000.000,00"
    assert parse_typed_amount(format_amount(sen)) == sen  # "814000000.00"
    if sen % 100 == 0:
        assert parse_typed_amount(rupiah(sen, "id").removesuffix(",00")) == sen


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("814.000.000", "write Rp 814.000.000"),  # 814 rupiah or 814 juta: not guessed
        ("Rp 81.4000", "not a decimal amount"),
        ("Rp 0", "more than 0.00"),
        ("IDR 814,000,000.00", "not a decimal amount"),
    ],
)
def test_an_amount_typed_ambiguously_is_refused_saying_how_to_write_it(
    typed: str, hint: str
) -> None:
    with pytest.raises(BadAmount, match=hint):
        parse_typed_amount(typed, field="--hps")
