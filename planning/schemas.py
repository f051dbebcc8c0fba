"""API response schemas of the planning read endpoints. Amounts are decimal strings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from budgeting.money import format_amount
from budgeting.read_models import LineRow
from budgeting.schemas import LinePublic, line_public
from planning.read_models import ProposalRow


class DecisionPublic(BaseModel):
    decision: str = Field(description="forwarded, merged, rejected (forums); accepted, rejected")
    seq: int = Field(description="The seq of the signed decision.")
    signer: str = Field(description="The key id of the forum's key that signed it.")
    reason: str | None
    into: str | None = Field(description="The proposal it was merged into (merged only).")


class StepPublic(BaseModel):
    seq: int = Field(description="The entry's seq: fetch it with /api/v1/entries/{seq}.")
    type: str = Field(description="The statement type of the step.")
    signer: str = Field(description="The key id that signed the step.")
    decision: str | None = None
    reason: str | None = None
    into: str | None = None
    absorbed: str | None = Field(
        default=None, description="A proposal merged into this one at this step."
    )
    line: str | None = Field(default=None, description="A budget line linked at this step.")


class ProposalPublic(BaseModel):
    proposal_id: str
    fiscal_year: int
    source: str = Field(description="desa, community or pokir (pokok pikiran DPRD).")
    desa: str
    kecamatan: str
    desa_name: str | None = None
    kecamatan_name: str | None = None
    sub_kegiatan: str
    volume: str
    unit: str
    estimate: str = Field(description="The estimate (rupiah, decimal string).")
    title: str
    description: str
    proposer: str = Field(description="The key id that submitted it.")
    submitted_seq: int
    stage: str = Field(
        description="awaiting_kecamatan, awaiting_kabupaten, awaiting_bappeda, accepted,"
        " rejected or merged."
    )
    decisions: dict[str, DecisionPublic | None] = Field(
        description="Each forum's decision (kecamatan, kabupaten, rkpd), or null."
    )
    merged_into: str | None
    merged_from: list[str]
    funding_lines: list[str]
    updated_seq: int


def proposal_public(row: ProposalRow, names: dict[str, str] | None = None) -> ProposalPublic:
    doc = row.doc
    names = names or {}
    return ProposalPublic(
        proposal_id=doc["proposal_id"],
        fiscal_year=doc["fiscal_year"],
        source=doc["source"],
        desa=doc["desa"],
        kecamatan=doc["kecamatan"],
        desa_name=names.get(doc["desa"]),
        kecamatan_name=names.get(doc["kecamatan"]),
        sub_kegiatan=doc["sub_kegiatan"],
        volume=doc["volume"],
        unit=doc["unit"],
        estimate=format_amount(doc["estimate_sen"]),
        title=doc["title"],
        description=doc["description"],
        proposer=doc["proposer"],
        submitted_seq=doc["submitted_seq"],
        stage=doc["stage"],
        decisions={
            forum: None if decided is None else DecisionPublic(**decided)
            for forum, decided in doc["decisions"].items()
        },
        merged_into=doc["merged_into"],
        merged_from=list(doc["merged_from"]),
        funding_lines=list(doc["funding_lines"]),
        updated_seq=row.updated_seq,
    )


class ProposalListPage(BaseModel):
    items: list[ProposalPublic]
    tree_size: int = Field(description="The log size these proposals were read at.")
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class ProposalDetail(BaseModel):
    proposal: ProposalPublic
    history: list[StepPublic] = Field(description="Every step, in log order, with its signer.")
    funding: list[LinePublic] = Field(
        description="The budget lines that fund it, with their amounts as of `tree_size`."
    )
    tree_size: int


def proposal_detail(
    row: ProposalRow, lines: list[LineRow], names: dict[str, str], tree_size: int
) -> ProposalDetail:
    return ProposalDetail(
        proposal=proposal_public(row, names),
        history=[StepPublic(**step) for step in row.doc["steps"]],
        funding=[line_public(line) for line in lines],
        tree_size=tree_size,
    )


class LineProposals(BaseModel):
    line_id: str = Field(max_length=128)
    proposals: list[ProposalPublic] = Field(
        description="The proposals the line funds, in the order they were linked."
    )
    tree_size: int
