"""Prefetch hints name what the reducers read: the sequencer loads a batch's hinted
documents in a few queries, and every read it did not hint is one more database round
trip inside the writer's lock. These statements' reducers read only documents their
statement names, so every such read must be hinted, the red flag follower's flags of
the tender included (``redflags.reducer.prefetch``). Reads that depend on documents
read first, such as a tender's bids in bid order and the follower's tallies, are not
known from the statement and are not checked here (docs/design.md, section 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procurement_support import MemoryLog, Scenario

from ledger.replay import keys_to_prefetch
from ledger.state import DictState, Document
from ledger.statement import LoggedEntry

CHECKED = (
    "procurement.package.created",
    "procurement.tender.announced",
    "procurement.tender.evaluated",
)
SECOND_ORDER = ("redflags.tally", "procurement.bid_order")


class RecordingState(DictState):
    """A state that remembers every key read through it (an overlay's misses)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[tuple[str, str]] = []

    def get(self, namespace: str, key: str) -> Document | None:
        self.reads.append((namespace, key))
        return super().get(namespace, key)


@dataclass
class RecordingLog(MemoryLog):
    misses: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    """Per checked statement type: the keys its last entry read without a hint."""
    checked: tuple[str, ...] = CHECKED

    def append(self, statements: Any) -> list[LoggedEntry]:
        assert isinstance(self.state, RecordingState)
        self.state.reads.clear()
        made = super().append(statements)
        if len(made) == 1 and made[0].signed.statement.type in self.checked:
            statement = made[0].signed.statement
            hinted = set(keys_to_prefetch(self.kinds, statement))
            unhinted = {
                key
                for key in self.state.reads
                if key not in hinted and not key[0].startswith(SECOND_ORDER)
            }
            self.misses[statement.type] = unhinted
        return made


def test_a_package_an_announcement_and_an_evaluation_read_only_hinted_documents() -> None:
    log = RecordingLog(state=RecordingState())
    s = Scenario.build(log)
    a, b, _ = s.vendors
    s.package()
    s.announce(days=20)
    s.bid(a, 40_000_000_000)
    s.bid(b, 41_000_000_000)
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, False, "10")])
    assert set(log.misses) == set(CHECKED)
    assert log.misses == {kind: set() for kind in CHECKED}


QUESTIONS_AND_OBJECTIONS = (
    "procurement.tender.question_asked",
    "procurement.tender.question_answered",
    "procurement.bid.submitted",
    "procurement.tender.shares_released",
    "procurement.tender.winner_announced",
    "procurement.tender.objection_filed",
    "procurement.tender.objection_answered",
)


def test_questions_bids_releases_and_objections_read_only_hinted_documents() -> None:
    """An asker's vendor document, and the question or objection an answer names by
    number, are known from the statement: they were read unhinted until issue 11 item 6."""
    log = RecordingLog(state=RecordingState(), checked=QUESTIONS_AND_OBJECTIONS)
    s = Scenario.build(log)
    a, b, _ = s.vendors
    s.package()
    s.announce(days=20)
    s.append(a, "procurement.tender.question_asked", {"question": "Apakah boleh setara?"})
    s.append(s.officer, "procurement.tender.question_answered", {"question": 1, "answer": "Ya."})
    s.bid(a, 40_000_000_000)
    s.bid(b, 41_000_000_000)
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "70")])
    s.announce_winner(a)
    s.append(b, "procurement.tender.objection_filed", {"objection": "Harga tidak wajar"})
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "rejected", "answer": "Harga sudah diklarifikasi."},
    )
    assert set(log.misses) == set(QUESTIONS_AND_OBJECTIONS)
    assert log.misses == {kind: set() for kind in QUESTIONS_AND_OBJECTIONS}


def test_rup_steps_and_a_package_citing_an_item_read_only_hinted_documents() -> None:
    from procurement_support import LINE

    from budgeting.money import format_amount
    from procurement import rup

    log = RecordingLog(state=RecordingState())
    s = Scenario.build(log, vendors=0)
    item = {
        "opd": LINE.split(":")[1],
        "budget_line": LINE,
        "fiscal_year": 2026,
        "name": "Pengadaan alat kesehatan puskesmas",
        "value": format_amount(60_000_000_000),
        "procurement_type": "penyedia",
        "category": "goods",
        "method": "tender",
        "pdn": True,
        "umk": False,
        "selection_start": "2026-03",
        "contract_start": "2026-05",
    }
    checked = (rup.PUBLISHED, rup.REVISED, "procurement.package.created")
    misses: dict[str, set[tuple[str, str]]] = {}
    for kind, subject, body in (
        (rup.PUBLISHED, "41234567", item),
        (
            rup.REVISED,
            "41234567",
            {
                **{k: v for k, v in item.items() if k not in ("opd", "budget_line", "fiscal_year")},
                "umk": True,
                "reason": "Hasil reviu",
            },
        ),
    ):
        log.state.reads.clear()
        log.append([log.sign(s.officer, kind, subject, body)])
        statement = log.entries[-1].signed.statement
        hinted = set(keys_to_prefetch(log.kinds, statement))
        misses[kind] = {k for k in log.state.reads if k not in hinted}
    s.append(
        s.officer,
        "procurement.package.created",
        {
            "title": "Pengadaan alat kesehatan puskesmas",
            "budget_line": LINE,
            "category": "goods",
            "hps": format_amount(50_000_000_000),
            "method": "tender",
            "rup_code": "41234567",
        },
    )
    misses["procurement.package.created"] = log.misses["procurement.package.created"]
    assert misses == {kind: set() for kind in checked}


def test_a_contract_ending_hints_its_handover_document() -> None:
    """A completion or termination notes its document (``lifecycle.note_references``),
    which it names in its body: the hint loads it with the batch."""
    from procurement_support import OCID

    from ledger.statement import Statement
    from procurement import contracts
    from procurement import lifecycle as lc
    from terang.app import all_kinds

    document = {"name": "BAST", "sha256": "cd" * 32}
    for statement_type in (contracts.COMPLETED_TYPE, contracts.TERMINATED_TYPE):
        statement = Statement(
            statement_type, OCID, "0" * 64, "2026-06-01T00:00:00.000Z", "n", {"document": document}
        )
        assert (lc.DOCUMENT_NAMESPACE, "cd" * 32) in keys_to_prefetch(all_kinds(), statement)


def test_an_award_hints_every_flag_of_its_tender_the_follower_reads() -> None:
    """The award is a batch (its commitment, then the award); the follower reads the
    tender's flag of each rule it judges, RI-REPEAT-WINNER included, all named by the
    award's subject. Its reads of other subjects (a vendor's or an OPD's R025/R038
    flags and tallies) depend on the tender's documents and are not checked here."""
    from datetime import timedelta

    log = MemoryLog(state=RecordingState())
    s = Scenario.build(log)
    a, b, _ = s.vendors
    s.package()
    s.announce(days=20)
    s.bid(a, 40_000_000_000)
    s.bid(b, 41_000_000_000)
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "70")])
    s.announce_winner(a)
    log.clock.now = log.clock.now + timedelta(days=10)
    statements = s.award_statements()
    assert isinstance(log.state, RecordingState)
    log.state.reads.clear()
    log.append(statements)
    hinted = {key for signed in statements for key in keys_to_prefetch(log.kinds, signed.statement)}
    own_flags = {
        key for key in log.state.reads if key[0] == "redflags.flag" and key[1].startswith(s.ocid)
    }
    assert ("redflags.flag", f"{s.ocid}|RI-REPEAT-WINNER") in own_flags
    assert own_flags - hinted == set()
