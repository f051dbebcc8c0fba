"""Codes of the regional budget: Permendagri 90/2019 classifications, OPDs, lines.

Every parser here is strict and pure (no state): it checks the shape of a code and
names the first offending part; whether the code (and its parent) is *registered* is
the reducers' business. Parts are checked left to right, so the same bad code
always yields the same first error.

Programme classification (urusan → sub kegiatan), as in the Kepmendagri
050-5889/2021 update of Permendagri 90/2019 (four-digit sub kegiatan numbers)::

    1                   urusan              1 digit, 1-9
    1.02                bidang urusan       + 2 digits, 01-99
    1.02.01             program             + 2 digits, 01-99
    1.02.01.2.01        kegiatan            + kewenangan (1 provinsi, 2 kabupaten/kota)
                                              + 2 digits, 01-99
    1.02.01.2.01.0001   sub kegiatan        + 4 digits, 0001-9999

A kegiatan's parent is its program (the kewenangan digit is not a level of its own).

Accounts (akun.kelompok.jenis.objek.rincian objek.sub rincian objek), budget groups
only (1-3, the balance sheet, are not budgeted)::

    5                   akun                4 pendapatan, 5 belanja, 6 pembiayaan
    5.1                 kelompok            4: 1-3; 5: 1-4; 6: 1 penerimaan, 2 pengeluaran
    5.1.02              jenis               2 digits, 01-99
    5.1.02.01           objek               2 digits, 01-99
    5.1.02.01.01        rincian objek       2 digits, 01-99
    5.1.02.01.01.0024   sub rincian objek   4 digits, 0001-9999

OPD (perangkat daerah) codes follow the SIPD unit code ``U.BB.U.BB.U.BB.SS.UUUU``:
up to three bidang urusan the OPD carries out (the second and third may be
``0.00``, meaning none, and once one is ``0.00`` the rest are too; no repeats), the
OPD's number (01-99) and the unit number (``0000`` is the OPD itself; ``0001`` and up
are units under it, such as a UPTD or puskesmas, whose parent is the OPD's ``0000``
code). Example: ``1.02.0.00.0.00.01.0000`` (Dinas Kesehatan),
``5.01.5.05.0.00.01.0000`` (Bappeda with research and development).

Funding sources (sumber dana) are short upper-case mnemonics registered by the
deployment: ``PAD``, ``DAU``, ``DAK-FISIK``, ``DBH-CHT``, ``BLUD``.

A budget line is (fiscal year, OPD, sub kegiatan, account, funding source); its id,
used as the statement subject, joins the five with ``:``. Belanja lines (akun 5)
need a sub kegiatan; pendapatan (4) and pembiayaan (6) lines belong to the OPD as a
whole and write ``-`` in its place (SIPD's DPA-SKPD pendapatan and DPA-PPKD
pembiayaan have no sub kegiatan)::

    2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU
    2026:5.02.0.00.0.00.01.0000:-:4.1.01.09.01.0001:PAD
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

from budgeting.limits import (
    CODE_CHARS_MAX,
    FISCAL_YEAR_MAX,
    FISCAL_YEAR_MIN,
    FUNDING_SOURCE_CHARS_MAX,
    PARSED_CODES_CACHED_MAX,
    PARSED_LINE_IDS_CACHED_MAX,
)
from ledger.errors import ClientError

LINE_ID_SEPARATOR = ":"
NO_SUB_KEGIATAN = "-"


class BadCode(ClientError):
    """A code is malformed; ``details.part`` names the offending part (422)."""

    code = "bad_code"


class ProgrammeLevel(StrEnum):
    URUSAN = "urusan"
    BIDANG_URUSAN = "bidang_urusan"
    PROGRAM = "program"
    KEGIATAN = "kegiatan"
    SUB_KEGIATAN = "sub_kegiatan"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class AccountLevel(StrEnum):
    AKUN = "akun"
    KELOMPOK = "kelompok"
    JENIS = "jenis"
    OBJEK = "objek"
    RINCIAN_OBJEK = "rincian_objek"
    SUB_RINCIAN_OBJEK = "sub_rincian_objek"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class AccountGroup(StrEnum):
    """Where a line sits in the budget, and so which controls apply to it."""

    PENDAPATAN = "pendapatan"
    BELANJA = "belanja"
    PENERIMAAN_PEMBIAYAAN = "penerimaan_pembiayaan"
    PENGELUARAN_PEMBIAYAAN = "pengeluaran_pembiayaan"

    @property
    def is_outflow(self) -> bool:
        """Money leaves the treasury: spending control applies (commitments, cash)."""
        return self in (AccountGroup.BELANJA, AccountGroup.PENGELUARAN_PEMBIAYAAN)


@dataclass(frozen=True)
class _Part:
    name: str
    pattern: re.Pattern[str]
    rule: str


def _part(name: str, pattern: str, rule: str) -> _Part:
    return _Part(name, re.compile(pattern), rule)


_TWO = r"0[1-9]|[1-9][0-9]"
_FOUR = r"(?!0000)[0-9]{4}"

PROGRAMME_PARTS = (
    _part("urusan", r"[1-9]", "1 digit, 1-9"),
    _part("bidang urusan", _TWO, "2 digits, 01-99"),
    _part("program", _TWO, "2 digits, 01-99"),
    _part("kewenangan", r"[12]", "1 (provinsi) or 2 (kabupaten/kota)"),
    _part("kegiatan", _TWO, "2 digits, 01-99"),
    _part("sub kegiatan", _FOUR, "4 digits, 0001-9999"),
)
PROGRAMME_LEVEL_BY_PARTS = {
    1: ProgrammeLevel.URUSAN,
    2: ProgrammeLevel.BIDANG_URUSAN,
    3: ProgrammeLevel.PROGRAM,
    5: ProgrammeLevel.KEGIATAN,
    6: ProgrammeLevel.SUB_KEGIATAN,
}
PARTS_BY_PROGRAMME_LEVEL = {level: n for n, level in PROGRAMME_LEVEL_BY_PARTS.items()}

ACCOUNT_PARTS = (
    _part("akun", r"[456]", "4 (pendapatan), 5 (belanja) or 6 (pembiayaan)"),
    _part("kelompok", r"[1-9]", "1 digit"),
    _part("jenis", _TWO, "2 digits, 01-99"),
    _part("objek", _TWO, "2 digits, 01-99"),
    _part("rincian objek", _TWO, "2 digits, 01-99"),
    _part("sub rincian objek", _FOUR, "4 digits, 0001-9999"),
)
ACCOUNT_LEVELS = tuple(AccountLevel)
KELOMPOK_BY_AKUN = {
    "4": ("1", "2", "3"),  # PAD, pendapatan transfer, lain-lain pendapatan yang sah
    "5": ("1", "2", "3", "4"),  # operasi, modal, tidak terduga, transfer
    "6": ("1", "2"),  # penerimaan, pengeluaran pembiayaan
}

OPD_PARTS = (
    _part("urusan 1", r"[1-9]", "1 digit, 1-9"),
    _part("bidang urusan 1", _TWO, "2 digits, 01-99"),
    _part("urusan 2", r"[0-9]", "1 digit (0 when the OPD has no second bidang urusan)"),
    _part("bidang urusan 2", r"[0-9]{2}", "2 digits (00 when none)"),
    _part("urusan 3", r"[0-9]", "1 digit (0 when the OPD has no third bidang urusan)"),
    _part("bidang urusan 3", r"[0-9]{2}", "2 digits (00 when none)"),
    _part("OPD number", _TWO, "2 digits, 01-99"),
    _part("unit", r"[0-9]{4}", "4 digits (0000 for the OPD itself)"),
)

_FUNDING_SOURCE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_FISCAL_YEAR = re.compile(r"[0-9]{4}")


def _bad(kind: str, text: str, message: str, *, part: str | None = None, **details: Any) -> BadCode:
    return BadCode(f"{kind} code {text!r}: {message}", kind=kind, value=text, part=part, **details)


def _split(kind: str, value: Any, parts_max: int) -> list[str]:
    if not isinstance(value, str):
        raise BadCode(f"{kind} code must be a string", kind=kind)
    # Not an ASCII check here: each part's pattern is ASCII-only and names the part.
    if not value or len(value) > CODE_CHARS_MAX:
        raise _bad(kind, value, f"must be 1 to {CODE_CHARS_MAX} characters")
    parts = value.split(".")
    if len(parts) > parts_max:
        raise _bad(kind, value, f"has {len(parts)} parts; at most {parts_max}")
    return parts


def _check_parts(kind: str, text: str, parts: list[str], specs: tuple[_Part, ...]) -> None:
    for position, (part, spec) in enumerate(zip(parts, specs, strict=False), start=1):
        if not spec.pattern.fullmatch(part):
            shown = repr(part) if part else "empty"
            raise _bad(
                kind,
                text,
                f"part {position} ({spec.name}) is {shown}; it must be {spec.rule}",
                part=spec.name,
                position=position,
            )


# -- the same grammars as regular expressions, for the OpenAPI --------------------------
# Each parser above is the rule; these state it in a parameter's `pattern` so a client
# (or a fuzzer) knows which codes are well formed. No look-around and no backreferences:
# the patterns must read alike in ECMA-262 (JSON Schema), Python and Rust (pydantic). One
# rule is beyond them: an OPD code may not repeat a bidang urusan (1.02.1.02...), so the
# OPD and line id parameters say it in words. tests/unit/budgeting/test_code_patterns.py
# checks that each pattern accepts exactly what its parser accepts (bar that rule).

_TWO_OF_01_99 = "(?:0[1-9]|[1-9][0-9])"
_FOUR_OF_0001_9999 = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_URUSAN = "[1-9]"
_BIDANG = rf"{_URUSAN}\.{_TWO_OF_01_99}"
_SUB_KEGIATAN = rf"{_BIDANG}\.{_TWO_OF_01_99}\.[12]\.{_TWO_OF_01_99}\.{_FOUR_OF_0001_9999}"
_PROGRAMME_PREFIX = (
    rf"{_URUSAN}(?:\.{_TWO_OF_01_99}(?:\.{_TWO_OF_01_99}"
    rf"(?:\.[12]\.{_TWO_OF_01_99}(?:\.{_FOUR_OF_0001_9999})?)?)?)?"
)
_ACCOUNT_BELOW_KELOMPOK = (
    rf"(?:\.{_TWO_OF_01_99}(?:\.{_TWO_OF_01_99}(?:\.{_TWO_OF_01_99}"
    rf"(?:\.{_FOUR_OF_0001_9999})?)?)?)?"
)
_ACCOUNT_LEAF_BELOW_KELOMPOK = (
    rf"\.{_TWO_OF_01_99}\.{_TWO_OF_01_99}\.{_TWO_OF_01_99}\.{_FOUR_OF_0001_9999}"
)


def _kelompok(akun: str) -> str:
    return "[" + "".join(KELOMPOK_BY_AKUN[akun]) + "]"


_ACCOUNT_PREFIX = (
    "(?:"
    + "|".join(
        rf"{akun}(?:\.{_kelompok(akun)}{_ACCOUNT_BELOW_KELOMPOK})?" for akun in KELOMPOK_BY_AKUN
    )
    + ")"
)
_BELANJA_LEAF = rf"5\.{_kelompok('5')}{_ACCOUNT_LEAF_BELOW_KELOMPOK}"
_OTHER_LEAF = (
    "(?:"
    + "|".join(rf"{akun}\.{_kelompok(akun)}" for akun in KELOMPOK_BY_AKUN if akun != "5")
    + f"){_ACCOUNT_LEAF_BELOW_KELOMPOK}"
)
_NO_BIDANG = r"0\.00"
_OPD = (
    rf"{_BIDANG}\.(?:{_BIDANG}\.{_BIDANG}|{_BIDANG}\.{_NO_BIDANG}|{_NO_BIDANG}\.{_NO_BIDANG})"
    rf"\.{_TWO_OF_01_99}\.[0-9]{{4}}"
)
_FUNDING = "[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*"

PROGRAMME_CODE_PATTERN = f"^{_PROGRAMME_PREFIX}$"
"""A programme code of any level (``parse_programme_code``)."""
ACCOUNT_CODE_PATTERN = f"^{_ACCOUNT_PREFIX}$"
"""An account code of any level (``parse_account_code``)."""
OPD_CODE_PATTERN = f"^{_OPD}$"
"""An OPD code (``parse_opd_code``), bar the no-repeat rule."""
FUNDING_SOURCE_PATTERN = f"^{_FUNDING}$"
"""A funding source (``parse_funding_source``; at most ``FUNDING_SOURCE_CHARS_MAX``)."""
LINE_ID_PATTERN = (
    f"^20[0-9]{{2}}:{_OPD}:(?:{_SUB_KEGIATAN}:{_BELANJA_LEAF}|-:{_OTHER_LEAF}):{_FUNDING}$"
)
"""A budget line id (``parse_line_id``), bar the OPD's no-repeat rule and the funding
source's ``FUNDING_SOURCE_CHARS_MAX``: the year 2000-2099, a belanja line (akun 5) with
its sub kegiatan, a pendapatan or pembiayaan line with ``-``."""


@dataclass(frozen=True)
class ProgrammeCode:
    """A code of the programme classification, at any of its five levels."""

    text: str
    level: ProgrammeLevel

    @cached_property
    def parts(self) -> tuple[str, ...]:
        """The dotted parts (split once: parsed codes are kept and read many times)."""
        return tuple(self.text.split("."))

    @property
    def parent(self) -> ProgrammeCode | None:
        """The code one level up (a kegiatan's parent is its program), or None for urusan."""
        parts = self.parts
        if self.level is ProgrammeLevel.URUSAN:
            return None
        keep = {
            ProgrammeLevel.BIDANG_URUSAN: 1,
            ProgrammeLevel.PROGRAM: 2,
            ProgrammeLevel.KEGIATAN: 3,
            ProgrammeLevel.SUB_KEGIATAN: 5,
        }[self.level]
        return ProgrammeCode(".".join(parts[:keep]), PROGRAMME_LEVEL_BY_PARTS[keep])

    def ancestor(self, level: ProgrammeLevel) -> str:
        """This code's ancestor (or itself) at ``level``."""
        return ".".join(self.parts[: PARTS_BY_PROGRAMME_LEVEL[level]])


def parse_programme_code(value: Any, level: ProgrammeLevel | None = None) -> ProgrammeCode:
    """A programme code; with ``level``, it must be a code of that level.

    A valid code's parse is kept (the result is immutable; a year's lines name a few
    thousand codes, read back for every line of every report); a bad one raises every
    time."""
    if isinstance(value, str):
        return _parse_programme_code_kept(value, level)
    return _parse_programme_code(value, level)  # raises: not a string


def _parse_programme_code(value: Any, level: ProgrammeLevel | None) -> ProgrammeCode:
    kind = level.label if level is not None else "programme"
    parts = _split(kind, value, len(PROGRAMME_PARTS))
    text: str = value
    found = PROGRAMME_LEVEL_BY_PARTS.get(len(parts))
    if level is not None and found is not level:
        wanted = PARTS_BY_PROGRAMME_LEVEL[level]
        names = ".".join(p.name for p in PROGRAMME_PARTS[:wanted])
        # Name the first part that is missing, or the first that is one too many.
        odd = PROGRAMME_PARTS[min(len(parts), wanted)]
        raise _bad(
            kind,
            text,
            f"has {len(parts)} part(s); a {level.label} code has {wanted} ({names})",
            part=odd.name,
            position=min(len(parts), wanted) + 1,
        )
    _check_parts(kind, text, parts, PROGRAMME_PARTS)
    if found is None:
        missing = PROGRAMME_PARTS[len(parts)]
        raise _bad(
            kind,
            text,
            f"has {len(parts)} parts: it stops before part {len(parts) + 1} ({missing.name});"
            " a programme code has 1, 2, 3, 5 or 6 parts",
            part=missing.name,
            position=len(parts) + 1,
        )
    return ProgrammeCode(text, found)


_parse_programme_code_kept = lru_cache(maxsize=PARSED_CODES_CACHED_MAX)(_parse_programme_code)


@dataclass(frozen=True)
class AccountCode:
    """An account code (akun 4, 5 or 6) at any of its six levels."""

    text: str

    @cached_property
    def parts(self) -> tuple[str, ...]:
        """The dotted parts (split once: parsed codes are kept and read many times)."""
        return tuple(self.text.split("."))

    @property
    def level(self) -> AccountLevel:
        return ACCOUNT_LEVELS[len(self.parts) - 1]

    @property
    def parent(self) -> AccountCode | None:
        parts = self.parts
        return AccountCode(".".join(parts[:-1])) if len(parts) > 1 else None

    @property
    def group(self) -> AccountGroup | None:
        """The budget group; None for the bare akun ``6`` (it spans both directions)."""
        parts = self.parts
        if parts[0] == "4":
            return AccountGroup.PENDAPATAN
        if parts[0] == "5":
            return AccountGroup.BELANJA
        if len(parts) == 1:
            return None
        if parts[1] == "1":
            return AccountGroup.PENERIMAAN_PEMBIAYAAN
        return AccountGroup.PENGELUARAN_PEMBIAYAAN

    def ancestor(self, level: AccountLevel) -> str:
        return ".".join(self.parts[: ACCOUNT_LEVELS.index(level) + 1])


def parse_account_code(value: Any, *, leaf: bool = False) -> AccountCode:
    """An account code; with ``leaf``, it must be a full sub rincian objek code.

    A valid code's parse is kept, as ``parse_programme_code``'s is."""
    if isinstance(value, str):
        return _parse_account_code_kept(value, leaf)
    return _parse_account_code(value, leaf)  # raises: not a string


def _parse_account_code(value: Any, leaf: bool) -> AccountCode:
    kind = "account"
    parts = _split(kind, value, len(ACCOUNT_PARTS))
    text: str = value
    _check_parts(kind, text, parts, ACCOUNT_PARTS)
    if len(parts) >= 2 and parts[1] not in KELOMPOK_BY_AKUN[parts[0]]:
        allowed = ", ".join(KELOMPOK_BY_AKUN[parts[0]])
        raise _bad(
            kind,
            text,
            f"part 2 (kelompok) is {parts[1]!r}; under akun {parts[0]} it must be one of {allowed}",
            part="kelompok",
            position=2,
        )
    if leaf and len(parts) != len(ACCOUNT_PARTS):
        missing = ACCOUNT_PARTS[len(parts)]
        raise _bad(
            kind,
            text,
            f"a budget line needs a full sub rincian objek code (6 parts); this one stops"
            f" before part {len(parts) + 1} ({missing.name})",
            part=missing.name,
            position=len(parts) + 1,
        )
    return AccountCode(text)


_parse_account_code_kept = lru_cache(maxsize=PARSED_CODES_CACHED_MAX)(_parse_account_code)


@dataclass(frozen=True)
class OpdCode:
    """An OPD (or a unit under one): ``U.BB.U.BB.U.BB.SS.UUUU``."""

    text: str

    @cached_property
    def parts(self) -> tuple[str, ...]:
        """The dotted parts (split once: parsed codes are kept and read many times)."""
        return tuple(self.text.split("."))

    @property
    def bidang_urusan(self) -> tuple[str, ...]:
        """The bidang urusan codes the OPD carries out, in order (one to three)."""
        parts = self.parts
        pairs = [(parts[i], parts[i + 1]) for i in (0, 2, 4)]
        return tuple(f"{u}.{b}" for u, b in pairs if (u, b) != ("0", "00"))

    @property
    def is_unit(self) -> bool:
        return self.parts[7] != "0000"

    @property
    def parent(self) -> OpdCode | None:
        """A unit's OPD (same code, unit ``0000``); None for an OPD."""
        return OpdCode(".".join([*self.parts[:7], "0000"])) if self.is_unit else None


def parse_opd_code(value: Any) -> OpdCode:
    kind = "OPD"
    parts = _split(kind, value, len(OPD_PARTS))
    text: str = value
    if len(parts) != len(OPD_PARTS):
        raise _bad(
            kind,
            text,
            f"has {len(parts)} parts; an OPD code has 8 (U.BB.U.BB.U.BB.SS.UUUU, such as"
            " 1.02.0.00.0.00.01.0000)",
        )
    _check_parts(kind, text, parts, OPD_PARTS)
    seen: set[str] = set()
    empty_before = False
    for slot, index in enumerate((0, 2, 4), start=1):
        urusan, bidang = parts[index], parts[index + 1]
        empty = (urusan, bidang) == ("0", "00")
        if not empty and (urusan == "0" or bidang == "00"):
            raise _bad(
                kind,
                text,
                f"bidang urusan {slot} (parts {index + 1}-{index + 2}) is {urusan}.{bidang};"
                " it must be a bidang urusan such as 1.02, or 0.00 for none",
                part=f"bidang urusan {slot}",
                position=index + 1,
            )
        if not empty and empty_before:
            raise _bad(
                kind,
                text,
                f"bidang urusan {slot} is {urusan}.{bidang} after an empty (0.00) one;"
                " list the bidang urusan first and the 0.00 placeholders last",
                part=f"bidang urusan {slot}",
                position=index + 1,
            )
        code = f"{urusan}.{bidang}"
        if not empty and code in seen:
            raise _bad(
                kind,
                text,
                f"bidang urusan {slot} repeats {code}",
                part=f"bidang urusan {slot}",
                position=index + 1,
            )
        seen.add(code)
        empty_before = empty_before or empty
    return OpdCode(text)


def parse_funding_source(value: Any) -> str:
    kind = "funding source"
    if not isinstance(value, str):
        raise BadCode(f"{kind} code must be a string", kind=kind)
    if not 1 <= len(value) <= FUNDING_SOURCE_CHARS_MAX or not _FUNDING_SOURCE.fullmatch(value):
        raise _bad(
            kind,
            value,
            f"must be 1 to {FUNDING_SOURCE_CHARS_MAX} characters: upper-case letters and"
            " digits in words joined by '-', starting with a letter (DAU, DAK-FISIK)",
        )
    return value


def parse_fiscal_year(value: Any) -> int:
    """A fiscal year given as its four-digit text (``"2026"``)."""
    kind = "fiscal year"
    if not isinstance(value, str) or not _FISCAL_YEAR.fullmatch(value):
        raise BadCode(f"{kind} {value!r} must be four digits such as 2026", kind=kind)
    year = int(value)
    if not FISCAL_YEAR_MIN <= year <= FISCAL_YEAR_MAX:
        raise _bad(kind, value, f"must be between {FISCAL_YEAR_MIN} and {FISCAL_YEAR_MAX}")
    return year


@dataclass(frozen=True)
class LineId:
    """A budget line: (fiscal year, OPD, sub kegiatan or None, account, funding source)."""

    year: int
    opd: OpdCode
    sub_kegiatan: ProgrammeCode | None
    account: AccountCode
    funding_source: str

    @property
    def text(self) -> str:
        return LINE_ID_SEPARATOR.join(
            (
                str(self.year),
                self.opd.text,
                self.sub_kegiatan.text if self.sub_kegiatan else NO_SUB_KEGIATAN,
                self.account.text,
                self.funding_source,
            )
        )

    @property
    def group(self) -> AccountGroup:
        group = self.account.group
        if group is None:  # a leaf account always has a kelompok
            raise BadCode(f"account {self.account.text} has no budget group")
        return group

    def __str__(self) -> str:
        return self.text


LINE_ID_SEGMENTS = ("fiscal year", "OPD", "sub kegiatan", "account", "funding source")


def parse_line_id(value: Any) -> LineId:
    """Parse ``year:opd:sub kegiatan|-:account:funding source``, naming the bad segment.

    A valid id's parse is kept (the result is immutable); a bad one is re-checked, and
    raises, every time."""
    if not isinstance(value, str):
        raise BadCode("a budget line id must be a string", kind="line")
    return _parse_line_id_text(value)


@lru_cache(maxsize=PARSED_LINE_IDS_CACHED_MAX)
def _parse_line_id_text(value: str) -> LineId:
    segments = value.split(LINE_ID_SEPARATOR)
    if len(segments) != len(LINE_ID_SEGMENTS):
        raise BadCode(
            f"budget line {value!r} has {len(segments)} segment(s); a line id is"
            f" {LINE_ID_SEPARATOR.join(LINE_ID_SEGMENTS)}",
            kind="line",
            value=value,
        )
    year_text, opd_text, sub_text, account_text, funding_text = segments
    try:
        year = parse_fiscal_year(year_text)
        opd = parse_opd_code(opd_text)
        account = parse_account_code(account_text, leaf=True)
        sub_kegiatan = (
            None
            if sub_text == NO_SUB_KEGIATAN
            else parse_programme_code(sub_text, ProgrammeLevel.SUB_KEGIATAN)
        )
        funding = parse_funding_source(funding_text)
    except BadCode as error:
        raise BadCode(
            f"budget line {value!r}: {error.message}", line=value, **error.details
        ) from error
    if account.parts[0] == "5" and sub_kegiatan is None:
        raise BadCode(
            f"budget line {value!r}: a belanja line (akun 5) needs a sub kegiatan, not"
            f" {NO_SUB_KEGIATAN!r}",
            kind="line",
            line=value,
            part="sub kegiatan",
        )
    if account.parts[0] != "5" and sub_kegiatan is not None:
        raise BadCode(
            f"budget line {value!r}: a pendapatan or pembiayaan line (akun 4 or 6) belongs"
            f" to the OPD as a whole; write {NO_SUB_KEGIATAN!r} for its sub kegiatan",
            kind="line",
            line=value,
            part="sub kegiatan",
        )
    return LineId(year, opd, sub_kegiatan, account, funding)
