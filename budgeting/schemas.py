"""API response schemas of the budgeting read endpoints. Amounts are decimal strings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from budgeting.money import format_amount
from budgeting.read_models import (
    CommitmentRow,
    FiscalYearRow,
    KomponenRow,
    KomponenSetRow,
    LineRow,
    PriceItemRow,
    PriceListRow,
    StructureRow,
)

AMOUNT_PATTERN = r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$"
AMOUNT_EXAMPLE = "1500000.00"


def _amount(description: str) -> Any:
    return Field(
        description=description + " (rupiah, decimal string).",
        pattern=AMOUNT_PATTERN,
        examples=[AMOUNT_EXAMPLE],
        max_length=24,
    )


class AmountsPublic(BaseModel):
    appropriated: str = _amount("APBD murni: the sum of appropriations")
    revised: str = _amount("APBD perubahan: the net of revisions")
    shifted: str = _amount("Pergeseran: the net of shifts in and out")
    budget: str = _amount("appropriated + revised + shifted")
    committed: str = _amount("Open commitments (contracts), paid or not")
    paid_committed: str = _amount("Payments against commitments")
    paid_uncommitted: str = _amount("Payments directly against the line")
    realised: str = _amount("Realisation: all payments, or receipts on inflow lines")
    available: str = _amount(
        "budget - committed - paid_uncommitted; never negative on outflow lines"
    )
    allotted: str = _amount("Cash allotted (anggaran kas / SPD), all months")


def amounts_public(source: LineRow | dict[str, int]) -> AmountsPublic:
    values = source if isinstance(source, dict) else source.__dict__
    return AmountsPublic(
        **{name: format_amount(values[name + "_sen"]) for name in AmountsPublic.model_fields}
    )


class LinePublic(BaseModel):
    line_id: str = Field(
        description="year:OPD:sub kegiatan (or -):account:funding source",
        max_length=128,
        examples=["2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"],
    )
    year: int = Field(description="Fiscal year (tahun anggaran).")
    opd: str = Field(description="OPD code (U.BB.U.BB.U.BB.SS.UUUU).", max_length=40)
    sub_kegiatan: str | None = Field(
        description="Sub kegiatan code; null on pendapatan and pembiayaan lines.", max_length=40
    )
    account: str = Field(description="Account code at sub rincian objek level.", max_length=40)
    funding_source: str = Field(description="Funding source (sumber dana) code.", max_length=32)
    group: str = Field(
        description="pendapatan, belanja, penerimaan_pembiayaan or pengeluaran_pembiayaan.",
        max_length=32,
    )
    description: str | None = Field(description="Uraian, from the first posting that had one.")
    amounts: AmountsPublic
    allotted_by_month: list[str] = Field(description="Cash allotted per month, January first.")
    realised_by_month: list[str] = Field(description="Payments by value-date month.")
    opened_seq: int = Field(description="The seq of the posting that opened the line.")
    updated_seq: int = Field(description="The seq of the last batch that changed the line.")


def line_public(row: LineRow) -> LinePublic:
    return LinePublic(
        line_id=row.line_id,
        year=row.year,
        opd=row.opd,
        sub_kegiatan=row.sub_kegiatan,
        account=row.account,
        funding_source=row.funding_source,
        group=row.group,
        description=row.description,
        amounts=amounts_public(row),
        allotted_by_month=[format_amount(v) for v in row.allotted_by_month],
        realised_by_month=[format_amount(v) for v in row.realised_by_month],
        opened_seq=row.opened_seq,
        updated_seq=row.updated_seq,
    )


class LinePage(BaseModel):
    items: list[LinePublic]
    tree_size: int = Field(description="The log size every figure of this page reflects.")
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class LineDetail(BaseModel):
    line: LinePublic
    history: list[int] = Field(
        description="Seqs of every entry about the line (postings, reversals, pergeseran)."
    )
    history_truncated: bool = Field(description="True when the history was cut at its limit.")
    tree_size: int = Field(description="The log size these figures reflect.")


class SummaryPublic(BaseModel):
    year: int
    name: str = Field(max_length=300)
    line_count: int = Field(description="Budget lines opened in the year.")
    totals: dict[str, AmountsPublic] = Field(
        description="Sums over the year's lines, per group (pendapatan, belanja, ...)."
    )
    surplus_deficit: str = _amount(
        "Budgeted surplus (+) or deficit (-): pendapatan budget - belanja budget"
    )
    net_financing: str = _amount("Budgeted pembiayaan netto: penerimaan - pengeluaran pembiayaan")
    tree_size: int = Field(description="The log size these figures reflect.")


def summary_public(row: FiscalYearRow, tree_size: int) -> SummaryPublic:
    totals = row.totals
    return SummaryPublic(
        year=row.year,
        name=row.name,
        line_count=row.line_count,
        totals={group: amounts_public(values) for group, values in totals.items()},
        surplus_deficit=format_amount(
            totals["pendapatan"]["budget_sen"] - totals["belanja"]["budget_sen"]
        ),
        net_financing=format_amount(
            totals["penerimaan_pembiayaan"]["budget_sen"]
            - totals["pengeluaran_pembiayaan"]["budget_sen"]
        ),
        tree_size=tree_size,
    )


class StructurePublic(BaseModel):
    kind: str = Field(max_length=16)
    code: str = Field(max_length=40)
    name: str = Field(max_length=300)
    level: str | None = Field(description="Programme or account level; null for other kinds.")
    parent: str | None = Field(description="The parent code, if any.")
    registered_seq: int


def structure_public(row: StructureRow) -> StructurePublic:
    return StructurePublic(**row.__dict__)


class StructurePage(BaseModel):
    items: list[StructurePublic]
    tree_size: int
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class CommitmentPublic(BaseModel):
    posting_id: str = Field(max_length=120)
    seq: int
    line_id: str = Field(max_length=128)
    amount: str = _amount("Committed now (the posted amount less releases)")
    released: str = _amount("Given back to the line by releases")
    paid: str = _amount("Paid against it")
    remaining: str = _amount("Still payable (0.00 once reversed)")
    date: str = Field(description="Contract date, YYYY-MM-DD.", max_length=10)
    contract_reference: str = Field(max_length=100)
    ocid: str | None = Field(max_length=100)
    vendor: str | None = Field(max_length=300)
    description: str | None = Field(max_length=500)
    reversed_by_seq: int | None
    tree_size: int


def commitment_public(row: CommitmentRow, tree_size: int) -> CommitmentPublic:
    return CommitmentPublic(
        posting_id=row.posting_id,
        seq=row.seq,
        line_id=row.line_id,
        amount=format_amount(row.amount_sen),
        released=format_amount(row.released_sen),
        paid=format_amount(row.paid_sen),
        remaining=format_amount(row.remaining_sen),
        date=row.date,
        contract_reference=row.contract_reference,
        ocid=row.ocid,
        vendor=row.vendor,
        description=row.description,
        reversed_by_seq=row.reversed_by_seq,
        tree_size=tree_size,
    )


class KomponenPublic(BaseModel):
    index: int = Field(description="Position in the set, from 0.")
    uraian: str = Field(max_length=120)
    volume: str = Field(description="Koefisien: the volume, a decimal string.", max_length=14)
    satuan: str = Field(max_length=40)
    unit_price: str = _amount("Unit price")
    total: str = _amount("volume × unit price, exactly")
    price_list: str | None = Field(
        description="The standard price list it is priced from; null if none.", max_length=40
    )
    version: int | None = Field(description="The list's version it was priced from.")
    item: str | None = Field(description="The list's item code.", max_length=40)
    standard_price: str | None = Field(
        description="The item's unit price in that version (rupiah); null if no standard.",
        max_length=24,
    )
    above_standard: bool = Field(description="True when the unit price is above the standard.")
    excess_per_unit: str | None = Field(
        description="unit_price - standard_price when above it (rupiah), else null.",
        max_length=24,
    )
    reason: str | None = Field(description="Why the price is above the standard (or a note).")


def komponen_public(row: KomponenRow) -> KomponenPublic:
    above = row.standard_price_sen is not None and row.above_standard
    return KomponenPublic(
        index=row.index,
        uraian=row.uraian,
        volume=row.volume,
        satuan=row.satuan,
        unit_price=format_amount(row.unit_price_sen),
        total=format_amount(row.total_sen),
        price_list=row.price_list,
        version=row.version,
        item=row.item,
        standard_price=(
            None if row.standard_price_sen is None else format_amount(row.standard_price_sen)
        ),
        above_standard=row.above_standard,
        excess_per_unit=(
            format_amount(row.unit_price_sen - row.standard_price_sen)
            if above and row.standard_price_sen is not None
            else None
        ),
        reason=row.reason,
    )


class LineKomponen(BaseModel):
    line_id: str = Field(max_length=128)
    budget: str = _amount("The line's budget now")
    komponen_total: str | None = Field(
        description="The sum of the komponen (rupiah); null if the line has none.",
        max_length=24,
    )
    in_step: bool | None = Field(
        description="True when the komponen add up to the budget now; false after a revision"
        " or pergeseran until they are set again (the line is then not committed); null if"
        " the line has no komponen."
    )
    above_standard_count: int
    set_seq: int | None = Field(description="The seq of the set shown; null if none.")
    set_seqs: list[int] = Field(description="Seqs of every komponen set of the line.")
    document: str | None = Field(max_length=200)
    komponen: list[KomponenPublic]
    tree_size: int


def line_komponen(line: LineRow, found: KomponenSetRow | None, tree_size: int) -> LineKomponen:
    return LineKomponen(
        line_id=line.line_id,
        budget=format_amount(line.budget_sen),
        komponen_total=None if found is None else format_amount(found.total_sen),
        in_step=None if found is None else found.total_sen == line.budget_sen,
        above_standard_count=0 if found is None else found.above_standard_count,
        set_seq=None if found is None else found.set_seq,
        set_seqs=[] if found is None else list(found.set_seqs),
        document=None if found is None else found.document,
        komponen=[] if found is None else [komponen_public(k) for k in found.komponen],
        tree_size=tree_size,
    )


class AboveStandardLine(BaseModel):
    line_id: str = Field(max_length=128)
    set_seq: int
    komponen: list[KomponenPublic] = Field(description="Only the komponen above standard.")


class AboveStandardPage(BaseModel):
    items: list[AboveStandardLine]
    tree_size: int
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


def above_standard_line(row: KomponenSetRow) -> AboveStandardLine:
    return AboveStandardLine(
        line_id=row.line_id,
        set_seq=row.set_seq,
        komponen=[komponen_public(k) for k in row.komponen if k.above_standard],
    )


class PriceVersionPublic(BaseModel):
    version: int
    item_count: int
    started_seq: int
    seqs: list[int] = Field(description="Seqs of the statements that added its items.")
    document: str | None = Field(max_length=200)
    superseded: bool = Field(description="True once a later version was started.")


class PriceItemPublic(BaseModel):
    code: str = Field(max_length=40)
    uraian: str = Field(max_length=120)
    satuan: str = Field(max_length=40)
    kind: str = Field(description="SSH, HSPK or ASB.", max_length=4)
    unit_price: str = _amount("Standard unit price")
    seq: int = Field(description="The seq of the statement that added it.")


def price_item_public(row: PriceItemRow) -> PriceItemPublic:
    return PriceItemPublic(
        code=row.code,
        uraian=row.uraian,
        satuan=row.satuan,
        kind=row.kind,
        unit_price=format_amount(row.unit_price_sen),
        seq=row.seq,
    )


class PriceListPublic(BaseModel):
    list_id: str = Field(max_length=40)
    name: str | None = Field(max_length=300)
    latest_version: int
    versions: list[PriceVersionPublic]
    version: int = Field(description="The version whose items are listed.")
    items: list[PriceItemPublic]
    next_after: str | None = Field(
        description="Pass as `after` for the next page of items; null at the end."
    )
    tree_size: int


def price_list_public(
    row: PriceListRow, version: int, items: list[PriceItemRow], limit: int, tree_size: int
) -> PriceListPublic:
    return PriceListPublic(
        list_id=row.list_id,
        name=row.name,
        latest_version=row.latest_version,
        versions=[
            PriceVersionPublic(
                version=v.version,
                item_count=v.item_count,
                started_seq=v.started_seq,
                seqs=list(v.seqs),
                document=v.document,
                superseded=v.version < row.latest_version,
            )
            for v in row.versions
        ],
        version=version,
        items=[price_item_public(item) for item in items],
        next_after=items[-1].code if len(items) == limit else None,
        tree_size=tree_size,
    )
