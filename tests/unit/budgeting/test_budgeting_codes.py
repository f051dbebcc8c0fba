"""Permendagri 90/2019 codes: each valid shape with invalid neighbours, the offending
part named, parents derived; property tests over generated codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as strategies

from budgeting.codes import (
    AccountGroup,
    AccountLevel,
    BadCode,
    ProgrammeLevel,
    parse_account_code,
    parse_fiscal_year,
    parse_funding_source,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("1", ProgrammeLevel.URUSAN, None),
        ("1.02", ProgrammeLevel.BIDANG_URUSAN, "1"),
        ("1.02.01", ProgrammeLevel.PROGRAM, "1.02"),
        ("1.02.01.2.01", ProgrammeLevel.KEGIATAN, "1.02.01"),
        ("1.02.01.2.01.0001", ProgrammeLevel.SUB_KEGIATAN, "1.02.01.2.01"),
        ("7.01.02.2.01.0005", ProgrammeLevel.SUB_KEGIATAN, "7.01.02.2.01"),
    ],
)
def test_programme_levels_and_parents(code: str, level: ProgrammeLevel, parent: str | None) -> None:
    parsed = parse_programme_code(code)
    assert parsed.level is level
    assert (parsed.parent.text if parsed.parent else None) == parent
    assert parse_programme_code(code, level) == parsed


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("0", "urusan"),
        ("10", "urusan"),
        ("1.2", "bidang urusan"),
        ("1.00", "bidang urusan"),
        ("1.002", "bidang urusan"),
        ("1.02.1", "program"),
        ("1.02.00", "program"),
        ("1.02.01.3.01", "kewenangan"),
        ("1.02.01.0.01", "kewenangan"),
        ("1.02.01.2.00", "kegiatan"),
        ("1.02.01.2.1", "kegiatan"),
        ("1.02.01.2.01.01", "sub kegiatan"),  # the pre-2021 two-digit form
        ("1.02.01.2.01.0000", "sub kegiatan"),
        ("1.02.01.2.01.00001", "sub kegiatan"),
        ("1.02.01.2", "kegiatan"),  # stops at the kewenangan digit
        ("1..02", "bidang urusan"),
        ("1.02.", "program"),
        ("1.O2", "bidang urusan"),  # letter O
        ("1.٠٢", "bidang urusan"),  # Arabic-Indic digits
    ],
)
def test_malformed_programme_codes_name_the_part(code: str, part: str) -> None:
    with pytest.raises(BadCode) as caught:
        parse_programme_code(code)
    assert caught.value.details["part"] == part, caught.value.message
    assert part in caught.value.message


def test_programme_code_of_the_wrong_level_names_the_missing_part() -> None:
    with pytest.raises(BadCode, match=r"a sub kegiatan code has 6") as caught:
        parse_programme_code("1.02.01.2.01", ProgrammeLevel.SUB_KEGIATAN)
    assert caught.value.details["part"] == "sub kegiatan"
    with pytest.raises(BadCode) as caught:
        parse_programme_code("1.02.01.2.01.0001", ProgrammeLevel.KEGIATAN)
    assert caught.value.details["part"] == "sub kegiatan"


def test_programme_code_refuses_non_strings_and_too_many_parts() -> None:
    for value in (1, None, 1.02, ["1"]):
        with pytest.raises(BadCode):
            parse_programme_code(value)
    with pytest.raises(BadCode, match="at most 6"):
        parse_programme_code("1.02.01.2.01.0001.01")


@pytest.mark.parametrize(
    ("code", "level", "group"),
    [
        ("5", AccountLevel.AKUN, AccountGroup.BELANJA),
        ("5.1", AccountLevel.KELOMPOK, AccountGroup.BELANJA),
        ("5.1.02", AccountLevel.JENIS, AccountGroup.BELANJA),
        ("5.1.02.01", AccountLevel.OBJEK, AccountGroup.BELANJA),
        ("5.1.02.01.01", AccountLevel.RINCIAN_OBJEK, AccountGroup.BELANJA),
        ("5.1.02.01.01.0024", AccountLevel.SUB_RINCIAN_OBJEK, AccountGroup.BELANJA),
        ("4.1.01.09.01.0001", AccountLevel.SUB_RINCIAN_OBJEK, AccountGroup.PENDAPATAN),
        ("6", AccountLevel.AKUN, None),
        ("6.1.01.01.01.0001", AccountLevel.SUB_RINCIAN_OBJEK, AccountGroup.PENERIMAAN_PEMBIAYAAN),
        ("6.2.02", AccountLevel.JENIS, AccountGroup.PENGELUARAN_PEMBIAYAAN),
    ],
)
def test_account_levels_and_groups(
    code: str, level: AccountLevel, group: AccountGroup | None
) -> None:
    parsed = parse_account_code(code)
    assert parsed.level is level
    assert parsed.group is group
    if len(parsed.parts) > 1:
        assert parsed.parent is not None and parsed.parent.text == code.rsplit(".", 1)[0]


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("1.1.01", "akun"),  # aset: not a budget account
        ("3", "akun"),
        ("7.1", "akun"),
        ("5.5", "kelompok"),  # belanja has kelompok 1-4
        ("6.3", "kelompok"),  # pembiayaan has 1 and 2
        ("4.4.01", "kelompok"),
        ("5.1.2", "jenis"),
        ("5.1.00", "jenis"),
        ("5.1.02.1", "objek"),
        ("5.1.02.01.001", "rincian objek"),
        ("5.1.02.01.01.24", "sub rincian objek"),
        ("5.1.02.01.01.0000", "sub rincian objek"),
    ],
)
def test_malformed_accounts_name_the_part(code: str, part: str) -> None:
    with pytest.raises(BadCode) as caught:
        parse_account_code(code)
    assert caught.value.details["part"] == part, caught.value.message


def test_a_budget_line_needs_a_leaf_account() -> None:
    with pytest.raises(BadCode, match="stops before part 6") as caught:
        parse_account_code("5.1.02.01.01", leaf=True)
    assert caught.value.details["part"] == "sub rincian objek"


@pytest.mark.parametrize(
    ("code", "bidang", "unit", "parent"),
    [
        ("1.02.0.00.0.00.01.0000", ("1.02",), False, None),
        ("5.01.5.05.0.00.01.0000", ("5.01", "5.05"), False, None),
        ("2.16.2.20.2.21.01.0000", ("2.16", "2.20", "2.21"), False, None),
        ("1.02.0.00.0.00.01.0001", ("1.02",), True, "1.02.0.00.0.00.01.0000"),
    ],
)
def test_opd_codes(code: str, bidang: tuple[str, ...], unit: bool, parent: str | None) -> None:
    opd = parse_opd_code(code)
    assert opd.bidang_urusan == bidang
    assert opd.is_unit is unit
    assert (opd.parent.text if opd.parent else None) == parent


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("1.02.0.00.0.00.01", None),  # 7 parts
        ("0.02.0.00.0.00.01.0000", "urusan 1"),
        ("1.00.0.00.0.00.01.0000", "bidang urusan 1"),
        ("1.02.1.00.0.00.01.0000", "bidang urusan 2"),  # half-empty slot
        ("1.02.0.05.0.00.01.0000", "bidang urusan 2"),
        ("1.02.0.00.1.03.01.0000", "bidang urusan 3"),  # after an empty slot
        ("1.02.1.02.0.00.01.0000", "bidang urusan 2"),  # repeated
        ("1.02.0.00.0.00.00.0000", "OPD number"),
        ("1.02.0.00.0.00.01.000", "unit"),
    ],
)
def test_malformed_opd_codes_name_the_part(code: str, part: str | None) -> None:
    with pytest.raises(BadCode) as caught:
        parse_opd_code(code)
    assert caught.value.details.get("part") == part, caught.value.message


@pytest.mark.parametrize("code", ["DAU", "PAD", "DAK-FISIK", "DBH-CHT", "BLUD", "DID2026"])
def test_funding_sources(code: str) -> None:
    assert parse_funding_source(code) == code


@pytest.mark.parametrize(
    "code", ["", "dau", "-DAU", "DAU-", "DAK--FISIK", "DAK FISIK", "1DAU", "A" * 33]
)
def test_malformed_funding_sources(code: str) -> None:
    with pytest.raises(BadCode):
        parse_funding_source(code)


def test_fiscal_years() -> None:
    assert parse_fiscal_year("2026") == 2026
    for bad in ("1999", "2100", "26", "02026", 2026, "２０２６"):
        with pytest.raises(BadCode):
            parse_fiscal_year(bad)


BELANJA = "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"
PENDAPATAN = "2026:5.02.0.00.0.00.01.0000:-:4.1.01.09.01.0001:PAD"


def test_line_ids_round_trip() -> None:
    for text in (BELANJA, PENDAPATAN):
        assert parse_line_id(text).text == text
    line = parse_line_id(BELANJA)
    assert line.group is AccountGroup.BELANJA and line.group.is_outflow
    assert not parse_line_id(PENDAPATAN).group.is_outflow


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (BELANJA.replace("2026", "26", 1), None),
        (BELANJA.replace(":DAU", ""), None),
        (BELANJA.replace("1.02.02.2.01.0001", "-"), "sub kegiatan"),
        (PENDAPATAN.replace(":-:", ":1.02.02.2.01.0001:"), "sub kegiatan"),
        (BELANJA.replace("1.02.02.2.01.0001", "1.02.02.2.01"), "sub kegiatan"),
        (BELANJA.replace("5.1.02.01.01.0024", "5.1.02.01.01"), "sub rincian objek"),
        (BELANJA.replace("1.02.0.00.0.00.01.0000", "1.02.0.00.0.00.00.0000"), "OPD number"),
        (BELANJA.replace("DAU", "dau"), None),
    ],
)
def test_malformed_line_ids_name_the_segment(text: str, part: str | None) -> None:
    with pytest.raises(BadCode) as caught:
        parse_line_id(text)
    assert caught.value.details.get("part") == part, caught.value.message
    assert text in caught.value.message


two_digits = strategies.integers(min_value=1, max_value=99).map(lambda n: f"{n:02d}")
four_digits = strategies.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}")
sub_kegiatan_codes = strategies.builds(
    lambda u, b, p, k, g, s: f"{u}.{b}.{p}.{k}.{g}.{s}",
    strategies.integers(min_value=1, max_value=9),
    two_digits,
    two_digits,
    strategies.sampled_from(["1", "2"]),
    two_digits,
    four_digits,
)


@given(sub_kegiatan_codes)
def test_every_generated_sub_kegiatan_parses_and_its_ancestors_too(code: str) -> None:
    parsed = parse_programme_code(code, ProgrammeLevel.SUB_KEGIATAN)
    chain = []
    node = parsed
    while node is not None:
        chain.append(node.level)
        assert parse_programme_code(node.text) == node
        node = node.parent
    assert chain == list(reversed(ProgrammeLevel))


@given(sub_kegiatan_codes, strategies.data())
def test_corrupting_one_part_is_caught_and_named(code: str, data: strategies.DataObject) -> None:
    parts = code.split(".")
    index = data.draw(strategies.integers(min_value=0, max_value=len(parts) - 1))
    bad = data.draw(strategies.sampled_from(["", "x", "0" * len(parts[index]), parts[index] + "0"]))
    parts[index] = bad
    corrupted = ".".join(parts)
    with pytest.raises(BadCode) as caught:
        parse_programme_code(corrupted, ProgrammeLevel.SUB_KEGIATAN)
    names = ["urusan", "bidang urusan", "program", "kewenangan", "kegiatan", "sub kegiatan"]
    assert caught.value.details["part"] == names[index]


account_codes = strategies.builds(
    lambda a, k, j, o, r, s: f"{a}.{k}.{j}.{o}.{r}.{s}",
    strategies.sampled_from(["4", "5", "6"]),
    strategies.just("1"),
    two_digits,
    two_digits,
    two_digits,
    four_digits,
)


@given(account_codes)
def test_every_generated_account_parses_with_its_parent_chain(code: str) -> None:
    parsed = parse_account_code(code, leaf=True)
    levels = []
    node = parsed
    while node is not None:
        levels.append(node.level)
        node = node.parent
    assert levels == list(reversed(AccountLevel))
