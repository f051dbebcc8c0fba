"""Budgeting reducers: pure functions of (state, statement, seq, logging time).

The server applies them inside the append transaction and the verifier replays them
offline; they read and write only ``State`` documents by (namespace, key), read no
clock (the entry carries its logging time) and do no I/O.

Projection (namespace → key → document):

* ``budgeting.fiscal_year`` → ``"2026"``: name, ``line_count`` and ``totals`` per
  budget group (pendapatan, belanja, penerimaan/pengeluaran pembiayaan): the sums of
  the amount fields of every line of the year, kept by each posting.
* ``budgeting.opd`` / ``budgeting.programme`` / ``budgeting.account`` /
  ``budgeting.funding_source`` → code: name, level, parent.
* ``budgeting.line`` → line id: the line's codes and amounts (sen), the cash plan and
  realisation by month, the seq that opened it and the seqs of pergeseran touching it.
* ``budgeting.commitment`` → posting id: amount (what is committed now: the posted
  amount less releases), ``released_sen``, paid, contract reference, reversal.
* ``budgeting.posting`` → seq (12 digits, zero-padded): what every posting did, so a
  reversal can undo it exactly; ``reversed_by_seq`` once reversed.
* ``budgeting.posting_id`` → posting id: the seq that used it (duplicates refused).
* ``budgeting.price_list`` → list id (``SSH-2026``): name, ``latest_version`` and each
  version's item count and seqs (a new version supersedes the old, which stays).
* ``budgeting.price_item`` → ``<list id>:<version, 6 digits>:<item code>``: uraian,
  satuan, kind (SSH/HSPK/ASB), ``unit_price_sen`` and the seq that added it.
* ``budgeting.komponen`` → line id: the line's rincian as last set: each komponen's
  uraian, volume, satuan, unit price and total (sen), the price list, version and item
  it was priced from with the standard price then, and ``above_standard``; the set's
  ``total_sen`` (which equalled the line's budget when it was set).

Order of checks for a posting (the first failure wins; the same input always gives
the same first error):

1. body fields, amounts, codes and dates are well formed (422);
2. the subject is the one the body implies (422);
3. the posting id is unused (409 ``duplicate_posting``);
4. what it refers to exists: fiscal year, OPD, codes, funding source, line,
   commitment, posting (409 ``unknown_*``);
5. the type's rules, in the order listed in docs/budgeting.md (409).

Invariants held after every accepted posting (checked, never assumed):

* ``budget = appropriated + revised + shifted``; ``realised = paid_committed +
  paid_uncommitted``; ``available = budget - committed - paid_uncommitted``;
* on outflow lines (belanja, pengeluaran pembiayaan): ``available >= 0``,
  ``paid_committed <= committed``, each commitment's ``paid <= amount``, and for every
  month m, payments dated in months <= m never exceed cash allotted for months <= m;
* no month's allotment is negative; every amount and total is within
  ``money.AMOUNT_SEN_MAX``; the fiscal year's totals equal the sums over its lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from budgeting import statements as st
from budgeting.codes import (
    AccountGroup,
    LineId,
    parse_account_code,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)
from budgeting.errors import (
    AllotmentBelowPaid,
    AllotmentExceedsBudget,
    AllotmentNegative,
    AlreadyReversed,
    AmountOutOfRange,
    BadDate,
    BadSubject,
    BudgetBelowCommitted,
    BudgetNegative,
    CommitmentExceedsAvailable,
    CommitmentOnInflow,
    CommitmentOtherLine,
    CommitmentReversed,
    DuplicatePosting,
    DuplicatePriceItem,
    KomponenOutOfStep,
    KomponenSumMismatch,
    NotReversible,
    PaymentExceedsAllotment,
    PaymentExceedsAvailable,
    PaymentExceedsCommitment,
    PriceAboveStandard,
    PriceListVersionFull,
    PriceListVersionOutOfOrder,
    ReleaseExceedsCommitment,
    ReversalSubjectMismatch,
    ShiftAcrossGroups,
    ShiftAcrossOpd,
    StructureExists,
    UnbalancedShift,
    UnknownCode,
    UnknownCommitment,
    UnknownLine,
    UnknownPosting,
    UnknownPriceItem,
    UnknownPriceList,
)
from budgeting.limits import (
    AMOUNT_SEN_MAX,
    PRICE_ITEMS_PER_VERSION_MAX,
    VALUE_DATE_LEAD_DAYS_MAX,
)
from budgeting.money import format_amount
from budgeting.namespaces import (
    AMOUNT_FIELDS,
    NS_ACCOUNT,
    NS_FISCAL_YEAR,
    NS_FUNDING_SOURCE,
    NS_KOMPONEN,
    NS_PRICE_ITEM,
    NS_PRICE_LIST,
    NS_PROGRAMME,
    STRUCTURE_NAMESPACES,
    price_item_key,
)
from budgeting.namespaces import (
    NS_COMMITMENT as NS_COMMITMENT,  # re-exported until procurement reads budgeting.namespaces
)
from budgeting.namespaces import (
    NS_LINE as NS_LINE,  # re-exported until procurement reads budgeting.namespaces
)
from budgeting.namespaces import (
    NS_OPD as NS_OPD,  # re-exported until procurement reads budgeting.namespaces
)
from budgeting.namespaces import (
    NS_POSTING as NS_POSTING,  # re-exported until procurement reads budgeting.namespaces
)
from budgeting.namespaces import (
    NS_POSTING_ID as NS_POSTING_ID,  # re-exported until procurement reads budgeting.namespaces
)
from ledger.errors import InvariantBroken, TerangError
from ledger.kinds import KindRegistry, StatementKind
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement

MONTHS = 12


@dataclass(frozen=True)
class Context:
    """What a reducer knows besides the state: the entry's seq and logging time."""

    seq: int
    logged_at: str

    @property
    def logged_day(self) -> date:
        return date.fromisoformat(self.logged_at[:10])


def seq_key(seq: int) -> str:
    """Posting documents are keyed by zero-padded seq, so key order is log order."""
    return f"{seq:012d}"


def _money(sen: int) -> str:
    return format_amount(sen)


def _month(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


# -- documents -----------------------------------------------------------------------


def zero_totals() -> dict[str, int]:
    return dict.fromkeys(AMOUNT_FIELDS, 0)


def _new_line(line: LineId, seq: int) -> Document:
    doc: Document = {
        "line_id": line.text,
        "year": line.year,
        "opd": line.opd.text,
        "sub_kegiatan": line.sub_kegiatan.text if line.sub_kegiatan else None,
        "account": line.account.text,
        "funding_source": line.funding_source,
        "group": line.group.value,
        "description": None,
        "opened_seq": seq,
        "shift_seqs": [],
        "allotted_by_month": [0] * MONTHS,
        "realised_by_month": [0] * MONTHS,
    }
    doc.update(zero_totals())
    return doc


def _recompute(line: Document) -> None:
    """Derived fields, from the stored ones (so they can never drift)."""
    line["budget_sen"] = line["appropriated_sen"] + line["revised_sen"] + line["shifted_sen"]
    line["realised_sen"] = line["paid_committed_sen"] + line["paid_uncommitted_sen"]
    line["available_sen"] = (
        line["budget_sen"] - line["committed_sen"] - line["paid_uncommitted_sen"]
    )
    line["allotted_sen"] = sum(line["allotted_by_month"])


def is_outflow(line: Document) -> bool:
    return AccountGroup(line["group"]).is_outflow


def _cash_excess(line: Document, month: int | None = None, extra: int = 0) -> tuple[int, int, int]:
    """The first month whose cumulative payments (plus ``extra`` from ``month`` on)
    exceed its cumulative allotment: (month, allotted through it, paid through it);
    month 0 when none does."""
    allotted = paid = 0
    for index in range(MONTHS):
        allotted += line["allotted_by_month"][index]
        paid += line["realised_by_month"][index]
        if month is not None and index == month - 1:
            paid += extra
        if paid > allotted:
            return index + 1, allotted, paid
    return 0, allotted, paid


def check_line_invariants(line: Document) -> None:
    """Raise ``InvariantBroken`` unless the line's documented invariants hold.

    Runs for every line every posting changes, on the append's hot path: each check is
    ``if not ...: raise``, so a line that holds builds no error (CONTRIBUTING.md)."""
    where = f"line {line['line_id']}"
    # One check per derived amount, so a failure names the one that broke.
    if line["budget_sen"] != line["appropriated_sen"] + line["revised_sen"] + line["shifted_sen"]:
        raise InvariantBroken(f"{where}: budget is not appropriated + revised + shifted")
    if line["realised_sen"] != line["paid_committed_sen"] + line["paid_uncommitted_sen"]:
        raise InvariantBroken(f"{where}: realised is not the committed and uncommitted paid")
    if line["available_sen"] != (
        line["budget_sen"] - line["committed_sen"] - line["paid_uncommitted_sen"]
    ):
        raise InvariantBroken(f"{where}: available is not budget - committed - paid uncommitted")
    if line["allotted_sen"] != sum(line["allotted_by_month"]):
        raise InvariantBroken(f"{where}: allotted is not the sum of the months' allotments")
    if line["realised_sen"] != sum(line["realised_by_month"]):
        raise InvariantBroken(f"{where}: realised is not the sum of the months' payments")
    if not all(value >= 0 for value in line["allotted_by_month"]):
        raise InvariantBroken(f"{where}: a month's allotment is negative")
    if not all(abs(line[field]) <= AMOUNT_SEN_MAX for field in AMOUNT_FIELDS):
        raise InvariantBroken(f"{where}: an amount is out of range")
    if is_outflow(line):
        if not (
            line["available_sen"] >= 0
            and 0 <= line["paid_committed_sen"] <= line["committed_sen"]
            and line["paid_uncommitted_sen"] >= 0
        ):
            raise InvariantBroken(f"{where}: spending exceeds the budget or commitments")
        if _cash_excess(line)[0] != 0:
            raise InvariantBroken(f"{where}: payments exceed the cash allotted")


class _Lines:
    """The lines one posting changes, and the fiscal-year totals that follow them.

    Reducers read lines through ``get``/``open``, change the returned documents and
    call ``commit`` once every rule has passed: totals are adjusted by each line's
    change, every invariant is checked, and only then is anything put.
    """

    def __init__(self, state: State, ctx: Context) -> None:
        self.state = state
        self.ctx = ctx
        self.before: dict[str, dict[str, int] | None] = {}
        self.after: dict[str, Document] = {}

    def get(self, line: LineId, *, why: str) -> Document:
        found = self._load(line)
        if found is None:
            raise UnknownLine(f"line {line.text} has no appropriation yet; {why}", line=line.text)
        return found

    def open(self, line: LineId) -> Document:
        """The line, opened (after checking every code it names) if it is new."""
        found = self._load(line)
        if found is not None:
            return found
        _require_registered(self.state, line)
        doc = _new_line(line, self.ctx.seq)
        self.after[line.text] = doc
        return doc

    def _load(self, line: LineId) -> Document | None:
        if line.text in self.after:
            return self.after[line.text]
        doc = self.state.get(NS_LINE, line.text)
        # The amounts as loaded (a copy: ``doc`` itself is about to change).
        self.before[line.text] = (
            None if doc is None else {field: doc[field] for field in AMOUNT_FIELDS}
        )
        if doc is not None:
            self.after[line.text] = doc
        return doc

    def commit(self) -> None:
        years: dict[int, Document] = {}
        for line_id, doc in self.after.items():
            _recompute(doc)
            for field in AMOUNT_FIELDS:
                if abs(doc[field]) > AMOUNT_SEN_MAX:
                    raise AmountOutOfRange(
                        f"line {line_id}: {field[:-4]} would be {_money(doc[field])}, beyond"
                        f" the largest amount {_money(AMOUNT_SEN_MAX)}",
                        line=line_id,
                    )
            year = doc["year"]
            if year not in years:
                found = self.state.get(NS_FISCAL_YEAR, str(year))
                if found is None:
                    raise InvariantBroken(f"fiscal year {year} of line {line_id} is missing")
                years[year] = found
            totals = years[year]["totals"][doc["group"]]
            before = self.before.get(line_id)
            if before is None:
                years[year]["line_count"] += 1
            for field in AMOUNT_FIELDS:
                totals[field] += doc[field] - (before[field] if before is not None else 0)
                if abs(totals[field]) > AMOUNT_SEN_MAX:
                    raise AmountOutOfRange(
                        f"fiscal year {year}: the {doc['group']} total {field[:-4]} would be"
                        f" {_money(totals[field])}, beyond {_money(AMOUNT_SEN_MAX)}",
                        year=year,
                    )
        for doc in self.after.values():
            check_line_invariants(doc)
        for line_id, doc in self.after.items():
            self.state.put(NS_LINE, line_id, doc)
        for year, year_doc in years.items():
            self.state.put(NS_FISCAL_YEAR, str(year), year_doc)


def _require_registered(state: State, line: LineId) -> None:
    """Every code a new line names is registered (checked in the line id's order)."""
    checks = [
        (NS_FISCAL_YEAR, str(line.year), "fiscal year"),
        (NS_OPD, line.opd.text, "OPD"),
    ]
    if line.sub_kegiatan is not None:
        checks.append((NS_PROGRAMME, line.sub_kegiatan.text, "sub kegiatan"))
    checks += [
        (NS_ACCOUNT, line.account.text, "account"),
        (NS_FUNDING_SOURCE, line.funding_source, "funding source"),
    ]
    for namespace, code, part in checks:
        if state.get(namespace, code) is None:
            raise UnknownCode(
                f"line {line.text}: {part} {code} is not registered",
                line=line.text,
                part=part,
                value=code,
            )


# -- postings ------------------------------------------------------------------------


def _claim_posting_id(state: State, posting_id: str, ctx: Context) -> None:
    earlier = state.get(NS_POSTING_ID, posting_id)
    if earlier is not None:
        raise DuplicatePosting(
            f"posting id {posting_id} was already used at seq {earlier['seq']}",
            posting_id=posting_id,
            seq=earlier["seq"],
        )


def _record_posting(state: State, ctx: Context, doc: Document) -> None:
    """The posting's own documents; called last, once every rule has passed."""
    record: Document = {
        "seq": ctx.seq,
        "reversed_by_seq": None,
        "reverses_seq": None,
        "line_id": None,
        "amount_sen": None,
        "date": None,
        "month": None,
        "commitment": None,
        "months": None,
        "moves": None,
        "document": None,
        "description": None,
    }
    record.update(doc)
    state.put(NS_POSTING, seq_key(ctx.seq), record)
    state.put(NS_POSTING_ID, record["posting_id"], {"seq": ctx.seq, "type": record["type"]})


def _value_month(value: date, line: LineId, ctx: Context, *, field: str = "body.date") -> int:
    """The month of a value date, after checking it lies in the line's fiscal year and
    not after the logging day (plus the time-zone allowance). Needs no state, so it
    runs with the other format checks, before the posting id and the line are looked up."""
    if value.year != line.year:
        raise BadDate(
            f"{field} {value.isoformat()} is outside fiscal year {line.year} of line {line.text}",
            field=field,
        )
    latest = ctx.logged_day + timedelta(days=VALUE_DATE_LEAD_DAYS_MAX)
    if value > latest:
        raise BadDate(
            f"{field} {value.isoformat()} is in the future (logged {ctx.logged_at})",
            field=field,
        )
    return value.month


def _check_budget(line: Document, what: str, amount: int) -> None:
    """After a change of the budget: not negative, and (outflow) not below spending."""
    budget = line["appropriated_sen"] + line["revised_sen"] + line["shifted_sen"]
    line_id = line["line_id"]
    if budget < 0:
        raise BudgetNegative(
            f"line {line_id}: {what} of {_money(amount)} would make the budget"
            f" {_money(budget)}; shortfall {_money(-budget)}",
            line=line_id,
            amount=_money(amount),
            budget_after=_money(budget),
            shortfall=_money(-budget),
        )
    spent = line["committed_sen"] + line["paid_uncommitted_sen"]
    if is_outflow(line) and budget < spent:
        raise BudgetBelowCommitted(
            f"line {line_id}: {what} of {_money(amount)} would leave the budget at"
            f" {_money(budget)}, below committed {_money(line['committed_sen'])} + uncommitted"
            f" payments {_money(line['paid_uncommitted_sen'])} = {_money(spent)}; shortfall"
            f" {_money(spent - budget)}",
            line=line_id,
            amount=_money(amount),
            budget_after=_money(budget),
            committed=_money(line["committed_sen"]),
            paid_uncommitted=_money(line["paid_uncommitted_sen"]),
            shortfall=_money(spent - budget),
        )


def _check_allotments(line: Document, before_total: int, what: str) -> None:
    """After a change of the cash plan: no negative month, total within the budget
    (when it grew), and (outflow) cumulative cash still covers every month's payments."""
    line_id = line["line_id"]
    year = line["year"]
    for index, value in enumerate(line["allotted_by_month"]):
        if value < 0:
            raise AllotmentNegative(
                f"line {line_id}: {what} would make the allotment for"
                f" {_month(year, index + 1)} {_money(value)}; shortfall {_money(-value)}",
                line=line_id,
                month=index + 1,
                allotted_after=_money(value),
                shortfall=_money(-value),
            )
    total = sum(line["allotted_by_month"])
    budget = line["appropriated_sen"] + line["revised_sen"] + line["shifted_sen"]
    if total > before_total and total > budget:
        raise AllotmentExceedsBudget(
            f"line {line_id}: {what} would make the cash allotted {_money(total)}, above the"
            f" budget {_money(budget)}; shortfall {_money(total - budget)}",
            line=line_id,
            allotted_after=_money(total),
            budget=_money(budget),
            shortfall=_money(total - budget),
        )
    if is_outflow(line):
        month, allotted, paid = _cash_excess(line)
        if month:
            raise AllotmentBelowPaid(
                f"line {line_id}: {what} would leave the cash allotted through"
                f" {_month(year, month)} at {_money(allotted)}, below the payments through"
                f" that month {_money(paid)}; shortfall {_money(paid - allotted)}",
                line=line_id,
                month=month,
                allotted_through=_money(allotted),
                paid_through=_money(paid),
                shortfall=_money(paid - allotted),
            )


def reduce_structure(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_structure(statement.body)
    if statement.subject != body.subject:
        raise BadSubject(
            f"subject must be {body.subject} for this registration", subject=statement.subject
        )
    namespace = STRUCTURE_NAMESPACES[body.kind]
    existing = state.get(namespace, body.code)
    if existing is not None:
        raise StructureExists(
            f"{body.kind} {body.code} is already registered (seq {existing['registered_seq']})",
            kind=body.kind,
            value=body.code,
        )
    doc: Document = {
        "kind": body.kind,
        "code": body.code,
        "name": body.name,
        "registered_seq": ctx.seq,
    }
    if body.kind == "programme":
        programme = parse_programme_code(body.code)
        parent = programme.parent
        if parent is not None:
            _require_parent(state, NS_PROGRAMME, body.code, parent.text, parent.level.label)
        doc.update(level=programme.level.value, parent=parent.text if parent else None)
    elif body.kind == "account":
        account = parse_account_code(body.code)
        parent_account = account.parent
        if parent_account is not None:
            _require_parent(
                state, NS_ACCOUNT, body.code, parent_account.text, parent_account.level.label
            )
        group = account.group
        doc.update(
            level=account.level.value,
            parent=parent_account.text if parent_account else None,
            group=group.value if group else None,
        )
    elif body.kind == "opd":
        opd = parse_opd_code(body.code)
        for bidang in opd.bidang_urusan:
            _require_parent(state, NS_PROGRAMME, body.code, bidang, "bidang urusan")
        parent_opd = opd.parent
        if parent_opd is not None:
            _require_parent(state, NS_OPD, body.code, parent_opd.text, "OPD")
        doc.update(
            bidang_urusan=list(opd.bidang_urusan),
            parent=parent_opd.text if parent_opd else None,
        )
    elif body.kind == "fiscal_year":
        doc.update(
            year=int(body.code),
            line_count=0,
            totals={group.value: zero_totals() for group in AccountGroup},
        )
    state.put(namespace, body.code, doc)


def _require_parent(state: State, namespace: str, code: str, parent: str, label: str) -> None:
    if state.get(namespace, parent) is None:
        raise UnknownCode(
            f"{code}: its {label} {parent} is not registered; register it first",
            value=code,
            part=label,
            parent=parent,
        )


def _reduce_budget_change(state: State, statement: Statement, ctx: Context, *, kind: str) -> None:
    """Appropriation (APBD murni, opens the line) and revision (APBD perubahan)."""
    body = (
        st.parse_appropriation(statement.body)
        if kind == st.APPROPRIATION
        else st.parse_revision(statement.body)
    )
    line_id = st.check_line_subject(statement.subject)
    _claim_posting_id(state, body.posting_id, ctx)
    lines = _Lines(state, ctx)
    if body.amount_sen > 0:
        line = lines.open(line_id)
    else:
        line = lines.get(line_id, why="a revision cannot reduce it")
    if kind == st.APPROPRIATION:
        line["appropriated_sen"] += body.amount_sen
        what = "appropriation"
    else:
        line["revised_sen"] += body.amount_sen
        what = "revision"
    if line["description"] is None and body.description is not None:
        line["description"] = body.description
    _check_budget(line, what, body.amount_sen)
    lines.commit()
    _record_posting(
        state,
        ctx,
        {
            "type": kind,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": line_id.year,
            "line_id": line_id.text,
            "amount_sen": body.amount_sen,
            "document": body.document,
            "description": body.description,
        },
    )


def reduce_appropriation(state: State, statement: Statement, ctx: Context) -> None:
    _reduce_budget_change(state, statement, ctx, kind=st.APPROPRIATION)


def reduce_revision(state: State, statement: Statement, ctx: Context) -> None:
    _reduce_budget_change(state, statement, ctx, kind=st.REVISION)


def reduce_shift(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_shift(statement.body)
    if statement.subject != st.shift_subject(body.posting_id):
        raise BadSubject(
            f"subject must be {st.shift_subject(body.posting_id)}", subject=statement.subject
        )
    _claim_posting_id(state, body.posting_id, ctx)
    total = sum(amount for _, amount in body.moves)
    if total != 0:
        decreases = -sum(amount for _, amount in body.moves if amount < 0)
        increases = sum(amount for _, amount in body.moves if amount > 0)
        raise UnbalancedShift(
            f"pergeseran {body.posting_id}: moves add up to {_money(total)}, not 0.00"
            f" (decreases {_money(decreases)}, increases {_money(increases)}); shortfall"
            f" {_money(abs(total))}",
            decreases=_money(decreases),
            increases=_money(increases),
            shortfall=_money(abs(total)),
        )
    first = body.moves[0][0]
    for line_id, _ in body.moves[1:]:
        if (line_id.year, line_id.opd.text) != (first.year, first.opd.text):
            raise ShiftAcrossOpd(
                f"pergeseran {body.posting_id}: line {line_id.text} is not in fiscal year"
                f" {first.year} of OPD {first.opd.text}; moving budget between OPDs or years"
                " needs an APBD perubahan (revisions)",
                line=line_id.text,
            )
        if line_id.group is not first.group:
            raise ShiftAcrossGroups(
                f"pergeseran {body.posting_id}: line {line_id.text} is {line_id.group.value},"
                f" line {first.text} is {first.group.value}; a pergeseran stays in one group",
                line=line_id.text,
            )
    lines = _Lines(state, ctx)
    for line_id, amount in body.moves:
        line = (
            lines.open(line_id)
            if amount > 0
            else lines.get(line_id, why="a pergeseran cannot take budget from it")
        )
        line["shifted_sen"] += amount
        line["shift_seqs"].append(ctx.seq)
    for line_id, amount in body.moves:
        _check_budget(lines.after[line_id.text], "pergeseran", amount)
    lines.commit()
    _record_posting(
        state,
        ctx,
        {
            "type": st.SHIFT,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": first.year,
            "moves": [[line_id.text, amount] for line_id, amount in body.moves],
            "document": body.document,
            "description": body.description,
        },
    )


def reduce_allotment(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_allotment(statement.body)
    line_id = st.check_line_subject(statement.subject)
    _claim_posting_id(state, body.posting_id, ctx)
    lines = _Lines(state, ctx)
    line = lines.get(line_id, why="allot cash after the appropriation")
    before_total = sum(line["allotted_by_month"])
    for month, amount in body.months:
        line["allotted_by_month"][month - 1] += amount
    _check_allotments(line, before_total, "this allotment")
    lines.commit()
    _record_posting(
        state,
        ctx,
        {
            "type": st.ALLOTMENT,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": line_id.year,
            "line_id": line_id.text,
            "amount_sen": sum(amount for _, amount in body.months),
            "months": [[month, amount] for month, amount in body.months],
            "document": body.document,
        },
    )


def reduce_commitment(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_commitment(statement.body)
    line_id = st.check_line_subject(statement.subject)
    _value_month(body.date, line_id, ctx)
    _claim_posting_id(state, body.posting_id, ctx)
    lines = _Lines(state, ctx)
    line = lines.get(line_id, why="commit after the appropriation")
    if not is_outflow(line):
        raise CommitmentOnInflow(
            f"line {line_id.text} is {line['group']}: commitments are for belanja and"
            " pengeluaran pembiayaan lines",
            line=line_id.text,
        )
    _check_komponen_in_step(state, line, "a commitment")
    _recompute(line)
    available = line["available_sen"]
    if body.amount_sen > available:
        raise CommitmentExceedsAvailable(
            f"line {line_id.text}: commitment {_money(body.amount_sen)} exceeds the available"
            f" {_money(available)} (budget {_money(line['budget_sen'])} - committed"
            f" {_money(line['committed_sen'])} - uncommitted payments"
            f" {_money(line['paid_uncommitted_sen'])}); shortfall"
            f" {_money(body.amount_sen - available)}",
            line=line_id.text,
            amount=_money(body.amount_sen),
            available=_money(available),
            budget=_money(line["budget_sen"]),
            committed=_money(line["committed_sen"]),
            paid_uncommitted=_money(line["paid_uncommitted_sen"]),
            shortfall=_money(body.amount_sen - available),
        )
    line["committed_sen"] += body.amount_sen
    lines.commit()
    state.put(
        NS_COMMITMENT,
        body.posting_id,
        {
            "posting_id": body.posting_id,
            "seq": ctx.seq,
            "line_id": line_id.text,
            "amount_sen": body.amount_sen,
            "released_sen": 0,
            "paid_sen": 0,
            "date": body.date.isoformat(),
            "contract_reference": body.contract_reference,
            "ocid": body.ocid,
            "vendor": body.vendor,
            "description": body.description,
            "reversed_by_seq": None,
        },
    )
    _record_posting(
        state,
        ctx,
        {
            "type": st.COMMITMENT,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": line_id.year,
            "line_id": line_id.text,
            "amount_sen": body.amount_sen,
            "date": body.date.isoformat(),
            "month": body.date.month,
            "description": body.description,
        },
    )


def reduce_payment(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_payment(statement.body)
    line_id = st.check_line_subject(statement.subject)
    month = _value_month(body.date, line_id, ctx)
    _claim_posting_id(state, body.posting_id, ctx)
    lines = _Lines(state, ctx)
    line = lines.get(line_id, why="pay after the appropriation")
    commitment: Document | None = None
    if body.commitment is not None:
        commitment = _live_commitment(state, body.commitment, line_id)
    if is_outflow(line):
        if commitment is None:
            _check_komponen_in_step(state, line, "a payment without a commitment")
        _check_payment_fits(line, body, commitment, month)
    if commitment is not None:
        commitment["paid_sen"] += body.amount_sen
        line["paid_committed_sen"] += body.amount_sen
    else:
        line["paid_uncommitted_sen"] += body.amount_sen
    line["realised_by_month"][month - 1] += body.amount_sen
    lines.commit()
    if commitment is not None:
        if commitment["paid_sen"] > commitment["amount_sen"]:
            raise InvariantBroken(f"commitment {body.commitment} paid beyond its amount")
        state.put(NS_COMMITMENT, commitment["posting_id"], commitment)
    _record_posting(
        state,
        ctx,
        {
            "type": st.PAYMENT,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": line_id.year,
            "line_id": line_id.text,
            "amount_sen": body.amount_sen,
            "date": body.date.isoformat(),
            "month": month,
            "commitment": body.commitment,
            "document": body.document,
            "description": body.description,
        },
    )


def _live_commitment(state: State, posting_id: str, line_id: LineId) -> Document:
    """The commitment ``posting_id``: registered, on ``line_id``, not reversed."""
    commitment = state.get(NS_COMMITMENT, posting_id)
    if commitment is None:
        raise UnknownCommitment(f"commitment {posting_id} is not registered", commitment=posting_id)
    if commitment["line_id"] != line_id.text:
        raise CommitmentOtherLine(
            f"commitment {posting_id} is on line {commitment['line_id']}, not {line_id.text}",
            commitment=posting_id,
            line=line_id.text,
        )
    if commitment["reversed_by_seq"] is not None:
        raise CommitmentReversed(
            f"commitment {posting_id} was reversed at seq {commitment['reversed_by_seq']}",
            commitment=posting_id,
        )
    return commitment


def reduce_release(state: State, statement: Statement, ctx: Context) -> None:
    """Give (part of) a commitment's unpaid rest back to its line: the commitment's
    amount and the line's ``committed`` fall by it, so ``available`` rises by it.

    A release is at most what is unpaid (``release_exceeds_commitment``), so every
    invariant that held before holds after: ``paid <= amount`` for the commitment and
    ``paid_committed <= committed`` for the line.
    """
    body = st.parse_release(statement.body)
    line_id = st.check_line_subject(statement.subject)
    _claim_posting_id(state, body.posting_id, ctx)
    lines = _Lines(state, ctx)
    line = lines.get(line_id, why="nothing is committed on it")
    commitment = _live_commitment(state, body.commitment, line_id)
    unpaid = commitment["amount_sen"] - commitment["paid_sen"]
    if body.amount_sen > unpaid:
        raise ReleaseExceedsCommitment(
            f"line {line_id.text}: release {_money(body.amount_sen)} exceeds the unpaid rest of"
            f" commitment {body.commitment}: {_money(unpaid)} (committed"
            f" {_money(commitment['amount_sen'])}, paid {_money(commitment['paid_sen'])});"
            f" excess {_money(body.amount_sen - unpaid)}",
            line=line_id.text,
            commitment=body.commitment,
            amount=_money(body.amount_sen),
            unpaid=_money(unpaid),
        )
    commitment["amount_sen"] -= body.amount_sen
    commitment["released_sen"] = commitment.get("released_sen", 0) + body.amount_sen
    line["committed_sen"] -= body.amount_sen
    lines.commit()
    if not 0 <= commitment["paid_sen"] <= commitment["amount_sen"]:
        raise InvariantBroken(f"commitment {body.commitment} released below what was paid")
    state.put(NS_COMMITMENT, body.commitment, commitment)
    _record_posting(
        state,
        ctx,
        {
            "type": st.RELEASE,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": line_id.year,
            "line_id": line_id.text,
            "amount_sen": body.amount_sen,
            "commitment": body.commitment,
            "document": body.document,
            "description": body.reason,
        },
    )


def _check_payment_fits(
    line: Document, body: st.PaymentBody, commitment: Document | None, month: int
) -> None:
    line_id = line["line_id"]
    amount = body.amount_sen
    if commitment is not None:
        remaining = commitment["amount_sen"] - commitment["paid_sen"]
        if amount > remaining:
            raise PaymentExceedsCommitment(
                f"line {line_id}: payment {_money(amount)} exceeds what remains of commitment"
                f" {commitment['posting_id']}: {_money(remaining)} (committed"
                f" {_money(commitment['amount_sen'])}, paid {_money(commitment['paid_sen'])});"
                f" shortfall {_money(amount - remaining)}",
                line=line_id,
                commitment=commitment["posting_id"],
                amount=_money(amount),
                remaining=_money(remaining),
                shortfall=_money(amount - remaining),
            )
    else:
        _recompute(line)
        available = line["available_sen"]
        if amount > available:
            raise PaymentExceedsAvailable(
                f"line {line_id}: payment {_money(amount)} without a commitment exceeds the"
                f" available {_money(available)} (budget {_money(line['budget_sen'])} -"
                f" committed {_money(line['committed_sen'])} - uncommitted payments"
                f" {_money(line['paid_uncommitted_sen'])}); shortfall"
                f" {_money(amount - available)}",
                line=line_id,
                amount=_money(amount),
                available=_money(available),
                shortfall=_money(amount - available),
            )
    short_month, allotted, paid = _cash_excess(line, month, amount)
    if short_month:
        year = line["year"]
        raise PaymentExceedsAllotment(
            f"line {line_id}: payment {_money(amount)} dated {body.date.isoformat()} would"
            f" bring payments through {_month(year, short_month)} to {_money(paid)}, above"
            f" the cash allotted through {_month(year, short_month)}, {_money(allotted)};"
            f" shortfall {_money(paid - allotted)}",
            line=line_id,
            amount=_money(amount),
            month=short_month,
            allotted_through=_money(allotted),
            paid_through=_money(paid),
            shortfall=_money(paid - allotted),
        )


# -- standard price lists and komponen ----------------------------------------------


def _record_statement_id(state: State, posting_id: str, statement_type: str, ctx: Context) -> None:
    """A rincian statement's posting id, kept like a posting's (but no posting document:
    nothing to reverse); called last, once every rule has passed."""
    state.put(NS_POSTING_ID, posting_id, {"seq": ctx.seq, "type": statement_type})


def reduce_price_list(state: State, statement: Statement, ctx: Context) -> None:
    """Add items to the latest version of a standard price list, or start its next
    version (``version`` = latest + 1; 1 for a new list). Earlier versions stay as they
    were: a komponen records the version it was priced from."""
    body = st.parse_price_list(statement.body)
    list_id = st.parse_price_list_id(statement.subject)
    _claim_posting_id(state, body.posting_id, ctx)
    doc = state.get(NS_PRICE_LIST, list_id)
    latest = 0 if doc is None else doc["latest_version"]
    if body.version not in (latest, latest + 1) or body.version == 0:
        raise PriceListVersionOutOfOrder(
            f"price list {list_id}: version {body.version} is neither the latest ({latest})"
            f" nor the next ({latest + 1}); a superseded version is closed",
            price_list=list_id,
            version=body.version,
            latest_version=latest,
        )
    if doc is None:
        doc = {"list_id": list_id, "name": None, "latest_version": 0, "versions": []}
    if body.version > latest:
        doc["latest_version"] = body.version
        doc["versions"].append(
            {
                "version": body.version,
                "started_seq": ctx.seq,
                "item_count": 0,
                "seqs": [],
                "document": body.document,
            }
        )
    version = doc["versions"][-1]
    for item in body.items:
        key = price_item_key(list_id, body.version, item.code)
        earlier = state.get(NS_PRICE_ITEM, key)
        if earlier is not None:
            raise DuplicatePriceItem(
                f"price list {list_id} version {body.version} already has item {item.code}"
                f" (seq {earlier['seq']})",
                price_list=list_id,
                version=body.version,
                item=item.code,
                seq=earlier["seq"],
            )
    if version["item_count"] + len(body.items) > PRICE_ITEMS_PER_VERSION_MAX:
        raise PriceListVersionFull(
            f"price list {list_id} version {body.version} would hold"
            f" {version['item_count'] + len(body.items)} items, more than"
            f" {PRICE_ITEMS_PER_VERSION_MAX}",
            price_list=list_id,
            version=body.version,
        )
    for item in body.items:
        state.put(
            NS_PRICE_ITEM,
            price_item_key(list_id, body.version, item.code),
            {
                "list_id": list_id,
                "version": body.version,
                "code": item.code,
                "uraian": item.uraian,
                "satuan": item.satuan,
                "kind": item.kind,
                "unit_price_sen": item.unit_price_sen,
                "seq": ctx.seq,
            },
        )
    version["item_count"] += len(body.items)
    version["seqs"].append(ctx.seq)
    if body.name is not None:
        doc["name"] = body.name
    state.put(NS_PRICE_LIST, list_id, doc)
    _record_statement_id(state, body.posting_id, st.PRICE_LIST, ctx)


def reduce_komponen(state: State, statement: Statement, ctx: Context) -> None:
    """Set a line's rincian. Each komponen priced from a standard names its list and
    item; the item is looked up in the list's latest version, and a unit price above
    the item's needs a reason. The komponen must add up exactly to the line's budget."""
    body = st.parse_komponen(statement.body)
    line_id = st.check_line_subject(statement.subject)
    _claim_posting_id(state, body.posting_id, ctx)
    line = state.get(NS_LINE, line_id.text)
    if line is None:
        raise UnknownLine(
            f"line {line_id.text} has no appropriation yet; set its komponen after it",
            line=line_id.text,
        )
    rows: list[Document] = []
    above = 0
    for index, komponen in enumerate(body.komponen):
        where = f"komponen {index + 1} ({komponen.uraian})"
        version: int | None = None
        standard: int | None = None
        if komponen.price_list is not None and komponen.item is not None:
            price_list = state.get(NS_PRICE_LIST, komponen.price_list)
            if price_list is None:
                raise UnknownPriceList(
                    f"line {line_id.text}: {where} names price list {komponen.price_list},"
                    " which is not published",
                    line=line_id.text,
                    index=index,
                    price_list=komponen.price_list,
                )
            version = price_list["latest_version"]
            item = state.get(
                NS_PRICE_ITEM, price_item_key(komponen.price_list, version, komponen.item)
            )
            if item is None:
                raise UnknownPriceItem(
                    f"line {line_id.text}: {where} names item {komponen.item}, which is not in"
                    f" version {version} of price list {komponen.price_list}",
                    line=line_id.text,
                    index=index,
                    price_list=komponen.price_list,
                    version=version,
                    item=komponen.item,
                )
            standard = item["unit_price_sen"]
            if komponen.unit_price_sen > standard and komponen.reason is None:
                raise PriceAboveStandard(
                    f"line {line_id.text}: {where} is priced {_money(komponen.unit_price_sen)}"
                    f" per {komponen.satuan}, above the standard {_money(standard)} of item"
                    f" {komponen.item} ({komponen.price_list} version {version}); excess"
                    f" {_money(komponen.unit_price_sen - standard)}; give a reason",
                    line=line_id.text,
                    index=index,
                    item=komponen.item,
                    unit_price=_money(komponen.unit_price_sen),
                    standard_price=_money(standard),
                    excess=_money(komponen.unit_price_sen - standard),
                )
        is_above = standard is not None and komponen.unit_price_sen > standard
        above += is_above
        rows.append(
            {
                "uraian": komponen.uraian,
                "volume": komponen.volume,
                "volume_milli": komponen.volume_milli,
                "satuan": komponen.satuan,
                "unit_price_sen": komponen.unit_price_sen,
                "total_sen": komponen.total_sen,
                "price_list": komponen.price_list,
                "version": version,
                "item": komponen.item,
                "standard_price_sen": standard,
                "above_standard": is_above,
                "reason": komponen.reason,
            }
        )
    total = body.total_sen
    budget = line["budget_sen"]
    if total != budget:
        raise KomponenSumMismatch(
            f"line {line_id.text}: the komponen add up to {_money(total)}, not the line's"
            f" budget {_money(budget)}; difference {_money(total - budget)}",
            line=line_id.text,
            komponen_total=_money(total),
            budget=_money(budget),
            difference=_money(total - budget),
        )
    earlier = state.get(NS_KOMPONEN, line_id.text)
    state.put(
        NS_KOMPONEN,
        line_id.text,
        {
            "line_id": line_id.text,
            "year": line_id.year,
            "posting_id": body.posting_id,
            "set_seq": ctx.seq,
            "set_seqs": [*(earlier["set_seqs"] if earlier else []), ctx.seq],
            "document": body.document,
            "total_sen": total,
            "above_standard_count": above,
            "komponen": rows,
        },
    )
    _record_statement_id(state, body.posting_id, st.KOMPONEN, ctx)


def _check_komponen_in_step(state: State, line: Document, what: str) -> None:
    """A line with komponen is spent only while they add up to its budget: a revision
    or pergeseran since they were set must be followed by a new set first."""
    komponen = state.get(NS_KOMPONEN, line["line_id"])
    if komponen is None:
        return
    budget = line["appropriated_sen"] + line["revised_sen"] + line["shifted_sen"]
    if komponen["total_sen"] != budget:
        raise KomponenOutOfStep(
            f"line {line['line_id']}: its komponen (set at seq {komponen['set_seq']}) add up to"
            f" {_money(komponen['total_sen'])}, not its budget {_money(budget)}; set them"
            f" again before {what}",
            line=line["line_id"],
            komponen_total=_money(komponen["total_sen"]),
            budget=_money(budget),
            difference=_money(komponen["total_sen"] - budget),
        )


# -- reversal ------------------------------------------------------------------------


def reduce_reversal(state: State, statement: Statement, ctx: Context) -> None:
    body = st.parse_reversal(statement.body)
    _claim_posting_id(state, body.posting_id, ctx)
    target = state.get(NS_POSTING, seq_key(body.reverses_seq))
    if target is None:
        raise UnknownPosting(
            f"seq {body.reverses_seq} is not a budgeting posting", seq=body.reverses_seq
        )
    if target["type"] == st.REVERSAL:
        raise NotReversible(
            f"seq {body.reverses_seq} is itself a reversal; post the original again instead",
            seq=body.reverses_seq,
        )
    if target["reversed_by_seq"] is not None:
        raise AlreadyReversed(
            f"posting {target['posting_id']} (seq {body.reverses_seq}) was already reversed at"
            f" seq {target['reversed_by_seq']}",
            seq=body.reverses_seq,
            reversed_by_seq=target["reversed_by_seq"],
        )
    if statement.subject != target["subject"]:
        raise ReversalSubjectMismatch(
            f"a reversal's subject is the reversed posting's subject, {target['subject']}",
            subject=statement.subject,
        )
    _UNDO[target["type"]](state, target, ctx)
    target["reversed_by_seq"] = ctx.seq
    state.put(NS_POSTING, seq_key(body.reverses_seq), target)
    _record_posting(
        state,
        ctx,
        {
            "type": st.REVERSAL,
            "posting_id": body.posting_id,
            "subject": statement.subject,
            "year": target["year"],
            "line_id": target["line_id"],
            "amount_sen": target["amount_sen"],
            "reverses_seq": body.reverses_seq,
            "description": body.reason,
        },
    )


def _undo_budget_change(state: State, target: Document, ctx: Context) -> None:
    lines = _Lines(state, ctx)
    line = lines.get(parse_line_id(target["line_id"]), why="nothing to reverse")
    field = "appropriated_sen" if target["type"] == st.APPROPRIATION else "revised_sen"
    line[field] -= target["amount_sen"]
    _check_budget(line, f"reversing {target['posting_id']}", -target["amount_sen"])
    lines.commit()


def _undo_shift(state: State, target: Document, ctx: Context) -> None:
    lines = _Lines(state, ctx)
    for line_text, amount in target["moves"]:
        line = lines.get(parse_line_id(line_text), why="nothing to reverse")
        line["shifted_sen"] -= amount
        line["shift_seqs"].append(ctx.seq)
    for line_text, amount in target["moves"]:
        _check_budget(lines.after[line_text], f"reversing {target['posting_id']}", -amount)
    lines.commit()


def _undo_allotment(state: State, target: Document, ctx: Context) -> None:
    lines = _Lines(state, ctx)
    line = lines.get(parse_line_id(target["line_id"]), why="nothing to reverse")
    before_total = sum(line["allotted_by_month"])
    for month, amount in target["months"]:
        line["allotted_by_month"][month - 1] -= amount
    _check_allotments(line, before_total, f"reversing {target['posting_id']}")
    lines.commit()


def _undo_commitment(state: State, target: Document, ctx: Context) -> None:
    commitment = state.get(NS_COMMITMENT, target["posting_id"])
    if commitment is None:
        raise InvariantBroken(f"commitment {target['posting_id']} has no document")
    if commitment["paid_sen"]:
        raise NotReversible(
            f"commitment {target['posting_id']} has payments of"
            f" {_money(commitment['paid_sen'])}; reverse them first",
            commitment=target["posting_id"],
            paid=_money(commitment["paid_sen"]),
        )
    lines = _Lines(state, ctx)
    line = lines.get(parse_line_id(target["line_id"]), why="nothing to reverse")
    # What is committed now: the posted amount less any releases.
    line["committed_sen"] -= commitment["amount_sen"]
    lines.commit()
    commitment["reversed_by_seq"] = ctx.seq
    state.put(NS_COMMITMENT, target["posting_id"], commitment)


def _undo_payment(state: State, target: Document, ctx: Context) -> None:
    lines = _Lines(state, ctx)
    line = lines.get(parse_line_id(target["line_id"]), why="nothing to reverse")
    amount = target["amount_sen"]
    line["realised_by_month"][target["month"] - 1] -= amount
    if target["commitment"] is not None:
        commitment = state.get(NS_COMMITMENT, target["commitment"])
        if commitment is None:
            raise InvariantBroken(f"commitment {target['commitment']} has no document")
        commitment["paid_sen"] -= amount
        line["paid_committed_sen"] -= amount
        lines.commit()
        state.put(NS_COMMITMENT, target["commitment"], commitment)
    else:
        line["paid_uncommitted_sen"] -= amount
        lines.commit()


def _undo_release(state: State, target: Document, ctx: Context) -> None:
    """Commit the released amount again: only while the commitment stands and the line
    still has that much available."""
    line_id = parse_line_id(target["line_id"])
    commitment = _live_commitment(state, target["commitment"], line_id)
    lines = _Lines(state, ctx)
    line = lines.get(line_id, why="nothing to reverse")
    _recompute(line)
    amount = target["amount_sen"]
    if amount > line["available_sen"]:
        raise CommitmentExceedsAvailable(
            f"line {line_id.text}: reversing release {target['posting_id']} would commit"
            f" {_money(amount)} again, above the available {_money(line['available_sen'])};"
            f" shortfall {_money(amount - line['available_sen'])}",
            line=line_id.text,
            amount=_money(amount),
            available=_money(line["available_sen"]),
            shortfall=_money(amount - line["available_sen"]),
        )
    line["committed_sen"] += amount
    commitment["amount_sen"] += amount
    commitment["released_sen"] -= amount
    lines.commit()
    state.put(NS_COMMITMENT, target["commitment"], commitment)


_UNDO: dict[str, Callable[[State, Document, Context], None]] = {
    st.APPROPRIATION: _undo_budget_change,
    st.REVISION: _undo_budget_change,
    st.SHIFT: _undo_shift,
    st.ALLOTMENT: _undo_allotment,
    st.COMMITMENT: _undo_commitment,
    st.PAYMENT: _undo_payment,
    st.RELEASE: _undo_release,
}


# -- kinds ---------------------------------------------------------------------------

StatementReducer = Callable[[State, Statement, Context], None]

REDUCERS: dict[str, StatementReducer] = {
    st.STRUCTURE: reduce_structure,
    st.APPROPRIATION: reduce_appropriation,
    st.REVISION: reduce_revision,
    st.SHIFT: reduce_shift,
    st.ALLOTMENT: reduce_allotment,
    st.COMMITMENT: reduce_commitment,
    st.PAYMENT: reduce_payment,
    st.REVERSAL: reduce_reversal,
    st.RELEASE: reduce_release,
    st.PRICE_LIST: reduce_price_list,
    st.KOMPONEN: reduce_komponen,
}


def apply_statement(state: State, statement: Statement, ctx: Context) -> None:
    """Apply one budgeting statement (its signature and role already checked)."""
    REDUCERS[statement.type](state, statement, ctx)


def _entry_reducer(reducer: StatementReducer) -> Callable[[State, LoggedEntry], None]:
    def reduce(state: State, entry: LoggedEntry) -> None:
        reducer(state, entry.signed.statement, Context(entry.seq, entry.logged_at))

    return reduce


# -- prefetch hints --------------------------------------------------------------------


def _line_keys(line: LineId, *, opening: bool) -> list[tuple[str, str]]:
    keys = [(NS_LINE, line.text), (NS_FISCAL_YEAR, str(line.year))]
    if opening:
        keys += [(NS_OPD, line.opd.text), (NS_ACCOUNT, line.account.text)]
        keys.append((NS_FUNDING_SOURCE, line.funding_source))
        if line.sub_kegiatan is not None:
            keys.append((NS_PROGRAMME, line.sub_kegiatan.text))
    return keys


def _prefetch(statement: Statement) -> Iterable[tuple[str, str]]:
    body = statement.body
    keys: list[tuple[str, str]] = []
    posting_id = body.get("posting_id")
    if isinstance(posting_id, str):
        keys.append((NS_POSTING_ID, posting_id))
    kind = statement.type
    if kind == st.STRUCTURE:
        namespace = STRUCTURE_NAMESPACES.get(str(body.get("kind")))
        if namespace is not None and isinstance(body.get("code"), str):
            keys.append((namespace, body["code"]))
    elif kind == st.SHIFT:
        for move in body.get("moves") or []:
            if isinstance(move, dict):
                keys += _line_keys(parse_line_id(move.get("line")), opening=True)
    elif kind == st.PRICE_LIST:
        keys.append((NS_PRICE_LIST, statement.subject))
        # Each item's key, read to refuse a duplicate: the body names them all.
        price_list = st.parse_price_list(body)
        list_id = st.parse_price_list_id(statement.subject)
        keys += [
            (NS_PRICE_ITEM, price_item_key(list_id, price_list.version, item.code))
            for item in price_list.items
        ]
    elif kind == st.KOMPONEN:
        keys += [(NS_LINE, statement.subject), (NS_KOMPONEN, statement.subject)]
        for item in body.get("komponen") or []:
            if isinstance(item, dict) and isinstance(item.get("price_list"), str):
                keys.append((NS_PRICE_LIST, item["price_list"]))
    elif kind == st.REVERSAL:
        if isinstance(body.get("reverses_seq"), int):
            keys.append((NS_POSTING, seq_key(body["reverses_seq"])))
        if not statement.subject.startswith(st.SHIFT_SUBJECT_PREFIX):
            keys += _line_keys(parse_line_id(statement.subject), opening=False)
    else:
        opening = kind in (st.APPROPRIATION, st.REVISION)
        keys += _line_keys(parse_line_id(statement.subject), opening=opening)
        if kind in (st.PAYMENT, st.RELEASE) and isinstance(body.get("commitment"), str):
            keys.append((NS_COMMITMENT, body["commitment"]))
        if kind in (st.COMMITMENT, st.PAYMENT):
            keys.append((NS_KOMPONEN, statement.subject))
    return keys


def prefetch(statement: Statement) -> Iterable[tuple[str, str]]:
    """The state keys a budgeting statement will read; a hint, never an error."""
    try:
        return _prefetch(statement)
    except TerangError:  # malformed: the reducer will say so, in its documented order
        return []


FINANCE = frozenset({"finance"})
DESCRIPTIONS = {
    st.STRUCTURE: "register a fiscal year, OPD, programme code, account or funding source",
    st.APPROPRIATION: "APBD murni: appropriate an amount to a budget line (opens the line)",
    st.REVISION: "APBD perubahan: raise or lower one line's budget",
    st.SHIFT: "pergeseran: move budget between lines of one OPD, keeping the total",
    st.ALLOTMENT: "anggaran kas / SPD: allot cash to a line by month",
    st.COMMITMENT: "commit a line's budget to a contract",
    st.PAYMENT: "SP2D: pay against a commitment or directly against a line",
    st.REVERSAL: "reverse one earlier budgeting posting, named by its seq",
    st.RELEASE: "give (part of) a commitment's unpaid rest back to its line",
    st.PRICE_LIST: "publish items of a standard price list (SSH/HSPK/ASB) version",
    st.KOMPONEN: "set a budget line's komponen (rincian), priced from a standard price list",
}
KINDS = tuple(
    StatementKind(
        statement_type,
        FINANCE,
        _entry_reducer(reducer),
        DESCRIPTIONS[statement_type],
        prefetch=prefetch,
    )
    for statement_type, reducer in REDUCERS.items()
)


def register(registry: KindRegistry) -> None:
    """Add the budgeting statement kinds to ``registry`` (the composition root calls it)."""
    for kind in KINDS:
        registry.register(kind)


def as_amounts(doc: dict[str, Any]) -> dict[str, str]:
    """The amount fields of a line or totals document as decimal strings (``_sen`` dropped)."""
    return {field[: -len("_sen")]: format_amount(doc[field]) for field in AMOUNT_FIELDS}
