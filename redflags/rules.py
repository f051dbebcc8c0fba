"""Red flag rules: pure functions from the facts of a tender to the flags it raises.

A flag is a reason to look, never a finding: each rule below says what pattern it sees,
and ``docs/red-flags.md`` says how to read it. Nothing here reads a clock, a database or
the log: ``redflags.reducer`` gathers the facts from the replayed state and writes what
these functions return, so the same entries always give the same flags, live and by
replay.

Cardinal (open-contracting/cardinal-rs, ``docs/cli/indicators/R/*.md``) defines the
``R0xx`` indicators; each function cites the definition it follows and says where
Terang departs from it and why. The one systematic departure: Cardinal's R024, R038 and
R058 default to an interquartile fence computed over the whole data set (``Q1 -
1.5 IQR`` or ``Q3 + 1.5 IQR``). A flag computed as entries arrive must not appear or
vanish because unrelated tenders arrived later, and a reducer reads documents by key,
never the whole data set; so Terang uses the fixed ``threshold`` form Cardinal's
settings offer for those indicators (``[R024] threshold = ...``), with the values of
``Thresholds`` below. The ``RI-*`` rules are Terang's Indonesian indicators; their
thresholds are Terang's choices, named in every flag they raise.

Amounts are integer sen and ratios are ``Fraction``: every comparison is exact, and the
figures a flag carries are decimal strings (``ratio_text``), never floats.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from ledger.statement import format_time

RULES_VERSION = "3"
"""Bumped whenever a rule or a threshold changes what is flagged; every flag names it.
A new version changes the projection: it ships with a migration asking for
``terang rebuild-projections`` (``ledger.migrations.request_projection_rebuild``).
1: the first rules (0006_redflags_projection); 2: R025 added (0007_redflags_r025); 3: R048
added (0009_redflags_r048)."""

OPEN_METHODS = ("tender", "tender_cepat")
"""Methods the OCDS export publishes as ``open`` (procurement/ocds.py)."""
COMPETITIVE_METHODS = ("tender", "tender_cepat", "seleksi")
"""Methods published as ``open`` or ``selective``: Cardinal R018's default
``procurement_methods = open|selective``."""
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of rule version ``RULES_VERSION``; a flag carries the ones it used."""

    r024_difference_max: Fraction = Fraction(2, 100)
    """R024: flagged when (second lowest valid bid - winning bid) / winning bid <= this.
    The fixed-threshold form of Cardinal's setting, at the lower fence of Cardinal's own
    R024 worked example (2%). On the demo it flags what the fence would: bids 2-4% apart
    are the demo's norm, identical and 1.4% gaps stand out."""
    r058_difference_min: Fraction = Fraction(10, 100)
    """R058: flagged when that difference >= this: the upper fence of Cardinal's R058
    worked example (10%)."""
    r035_disqualified_min: int = 1
    """R035: other tenderers with a disqualified bid (Cardinal's default ``threshold = 1``)."""
    r038_ratio_min: Fraction = Fraction(1, 2)
    """R038: disqualified / submitted bids (Cardinal's R038 page: ``threshold = 0.5``)."""
    r038_tenderer_bids_min: int = 2
    """R038: tenderers with fewer submitted bids are not judged (Cardinal's default)."""
    r038_buyer_processes_min: int = 2
    """R038: buyers with fewer contracting processes are not judged (Cardinal's default)."""
    r025_valid_bids_min: int = 10
    """R025: a tenderer is a "top tenderer", and judged, from this many valid bids.
    Cardinal takes the 75th percentile of every tenderer's count over the data set; a
    flag kept as entries arrive cannot (see the module docstring), so the fixed form:
    ten valid bids is a frequent bidder in one kabupaten's procurement."""
    r025_ratio_max: Fraction = Fraction(1, 8)
    """R025: flagged when winning / valid bids <= this: the lower fence of Cardinal's
    R025 worked example (one eighth)."""
    r048_variety_min: int = 9
    """R048: a supplier is flagged when its awarded items span at least this many distinct
    first-level classifications. Cardinal's upper fence is ``Q3 + 1.5 IQR`` of every
    tenderer's variety over the data set; a flag kept as entries arrive cannot (see the
    module docstring), so the fixed ``threshold`` form, at the fence of Cardinal's R048
    worked example (9: three quarters of suppliers supply in at most 4 categories)."""
    r048_digits: int = 2
    """R048: the leading digits that make a first-level classification (Cardinal's
    default ``digits = 2``; for KBLI 2020, the golongan pokok)."""
    hps_band: Fraction = Fraction(1, 100)
    """RI-HPS-BAND: every opened bid is within this fraction below the HPS."""
    hps_band_bids_min: int = 2
    """RI-HPS-BAND: at least this many opened bids (one bid is R018's matter)."""
    year_end_days: int = 15
    """RI-YEAR-END: the award is logged in the last this-many days of its fiscal year."""
    new_winner_days: int = 30
    """RI-NEW-WINNER: the winner registered at most this many days before the announcement."""
    repeat_winner_awards_min: int = 3
    """RI-REPEAT-WINNER: awards to one vendor by one OPD in one fiscal year."""
    split_window_days: int = 30
    """RI-SPLIT: packages created within this many days of each other."""
    split_share_min: Fraction = Fraction(1, 2)
    """RI-SPLIT: each package's HPS is at least this share of the ceiling ("just under")."""
    split_packages_min: int = 2

    def as_json(self, *names: str) -> dict[str, Any]:
        """The named thresholds as JSON figures (fractions as decimal strings)."""
        out: dict[str, Any] = {}
        for name in names:
            value = getattr(self, name)
            out[name] = ratio_text(value) if isinstance(value, Fraction) else value
        return out


THRESHOLDS = Thresholds()


def ratio_text(value: Fraction, places: int = 4) -> str:
    """A fraction as a decimal string rounded half-even: ``Fraction(1, 3)`` -> ``"0.3333"``."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(quantum, rounding=ROUND_HALF_EVEN))


def amount_text(sen: int) -> str:
    """Sen as the API's amount string (``procurement.fields.wire_amount``'s format)."""
    rupiah, cents = divmod(sen, 100)
    return f"{rupiah}.{cents:02d}" if cents else str(rupiah)


@dataclass(frozen=True)
class Flag:
    """What a rule found: its id, its value, the figures it used and the entries behind it."""

    rule: str
    value: str
    inputs: dict[str, Any]
    seqs: tuple[int, ...]
    thresholds: dict[str, Any] = field(default_factory=dict)
    vendors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BidFact:
    """One vendor's bid on a tender, as the replayed state has it."""

    bidder: str
    seq: int
    """The entry that submitted it (``first_seq``)."""
    logged_at: datetime
    status: str
    """``submitted``, ``withdrawn`` or ``late``."""
    price_sen: int | None
    """The opened price; None while sealed, or when it could not be opened."""
    passed: bool | None
    """The current evaluation round's verdict; None when not evaluated in this round."""
    evaluation_seq: int | None = None

    @property
    def tendered(self) -> bool:
        """Counted as a tenderer: the bid was submitted and not withdrawn."""
        return self.status in ("submitted", "late")

    @property
    def disqualified(self) -> bool:
        """Failed evaluation in the current round (OCDS bid status ``disqualified``)."""
        return self.passed is False


@dataclass(frozen=True)
class TenderFacts:
    """What the rules read of one tender; ``None`` where the tender has not got there."""

    ocid: str
    method: str
    category: str
    award_criteria: str | None
    hps_sen: int
    state: str
    year: int
    opd: str
    announced_at: datetime | None = None
    announced_seq: int | None = None
    bid_deadline: datetime | None = None
    amended_seq: int | None = None
    closed_seq: int | None = None
    opened_seq: int | None = None
    bids: tuple[BidFact, ...] = ()
    awarded_seq: int | None = None
    awarded_at: datetime | None = None
    winner: str | None = None
    winner_price_sen: int | None = None
    winner_bid_seq: int | None = None
    winner_registered_at: datetime | None = None
    winner_registered_seq: int | None = None
    minimum_period_days: int | None = None
    """R003's dated minimum for this method (``redflags.periods``); None: not judged."""
    period_rule: str | None = None
    contract_value_sen: int | None = None
    contract_original_sen: int | None = None
    contract_amended_seqs: tuple[int, ...] = ()
    method_ceiling_sen: int | None = None
    """The method's value ceiling for this category under the tender's rule set."""

    @property
    def awarded(self) -> bool:
        """An active award (Cardinal excludes pending ones: Terang's winner_announced)."""
        return self.awarded_seq is not None and self.winner is not None

    def opened_bids(self) -> list[BidFact]:
        return [b for b in self.bids if b.tendered and b.price_sen is not None]


# -- Cardinal's indicators ----------------------------------------------------------


def r003_short_submission_period(t: TenderFacts) -> Flag | None:
    """R003, short notice to bidders: the period from announcement to bid deadline is
    shorter than the minimum for the method (Cardinal: ``tenderPeriod`` end minus start
    below its ``threshold`` of 15 days, open methods only). The minimum is dated data
    (``redflags/periods``), chosen by the announcement's WIB date; methods without one
    are not judged. The deadline is the current one, after any addendum."""
    if (
        t.minimum_period_days is None
        or t.announced_at is None
        or t.bid_deadline is None
        or t.announced_seq is None
    ):
        return None
    seconds = int((t.bid_deadline - t.announced_at).total_seconds())
    if seconds >= t.minimum_period_days * DAY_SECONDS:
        return None
    period = Fraction(seconds, DAY_SECONDS)
    seqs = [t.announced_seq] + ([t.amended_seq] if t.amended_seq is not None else [])
    return Flag(
        "R003",
        ratio_text(period, 2),
        {
            "method": t.method,
            "announced_at": _time(t.announced_at),
            "bid_deadline": _time(t.bid_deadline),
            "period_days": ratio_text(period, 2),
        },
        tuple(seqs),
        {"minimum_days": t.minimum_period_days, "period_rule": t.period_rule},
    )


def r018_single_bid(t: TenderFacts) -> Flag | None:
    """R018, single bid received: one tenderer in a competitive method (Cardinal: number
    of tenderers is 1 and ``procurementMethod`` is open or selective). Judged once the
    tender is closed (the tenderers are known then, prices are not needed); withdrawn
    bids do not count, late ones do (they were tendered)."""
    if t.method not in COMPETITIVE_METHODS or t.closed_seq is None:
        return None
    tenderers = sorted({b.bidder for b in t.bids if b.tendered})
    if len(tenderers) != 1:
        return None
    bid = next(b for b in t.bids if b.tendered)
    return Flag(
        "R018",
        "1",
        {"method": t.method, "tenderers": 1},
        (bid.seq, t.closed_seq),
        {"procurement_methods": list(COMPETITIVE_METHODS)},
        tuple(tenderers),
    )


def r028_identical_bid_prices(t: TenderFacts) -> Flag | None:
    """R028, identical bid prices: different tenderers submitted bids with the same price
    (Cardinal; not configurable). Judged on opened prices; the flag names every
    tenderer of a shared price."""
    by_price: dict[int, list[BidFact]] = {}
    for bid in t.opened_bids():
        by_price.setdefault(bid.price_sen or 0, []).append(bid)
    shared = {p: bids for p, bids in sorted(by_price.items()) if len({b.bidder for b in bids}) > 1}
    if not shared or t.opened_seq is None:
        return None
    vendors = sorted({b.bidder for bids in shared.values() for b in bids})
    seqs = sorted({b.seq for bids in shared.values() for b in bids} | {t.opened_seq})
    return Flag(
        "R028",
        "1",
        {
            "identical_prices": [
                {"price": amount_text(p), "bidders": sorted(b.bidder for b in bids)}
                for p, bids in shared.items()
            ]
        },
        tuple(seqs),
        {},
        tuple(vendors),
    )


def _winner_and_second(t: TenderFacts) -> tuple[BidFact, BidFact] | None:
    """R024/R058's pair: the winning bid and the second lowest valid bid, or None when
    Cardinal excludes the process (no active award, not price only, fewer than two
    valid bids, or the winning bid is not the lowest valid bid)."""
    if not t.awarded or t.award_criteria != "price_only":
        return None
    valid = sorted(
        (b for b in t.opened_bids() if b.passed is True),
        key=lambda b: (b.price_sen or 0, b.bidder != t.winner, b.bidder),
    )
    if len(valid) < 2 or valid[0].bidder != t.winner or (valid[0].price_sen or 0) <= 0:
        return None
    return valid[0], valid[1]


def _difference(win: BidFact, second: BidFact) -> Fraction:
    return Fraction((second.price_sen or 0) - (win.price_sen or 0), win.price_sen or 1)


def r024_price_close_to_winning_bid(t: TenderFacts, th: Thresholds = THRESHOLDS) -> Flag | None:
    """R024, price close to winning bid: (second lowest valid bid - winning bid) /
    winning bid is at most the threshold (Cardinal: at most the lower fence; here the
    fixed ``threshold``, see the module docstring). Price-only awards only, as Cardinal
    requires; the value is the difference."""
    pair = _winner_and_second(t)
    if pair is None or t.awarded_seq is None:
        return None
    win, second = pair
    difference = _difference(win, second)
    if difference > th.r024_difference_max:
        return None
    return _pair_flag("R024", t, win, second, difference, th.as_json("r024_difference_max"))


def r058_heavily_discounted_bid(t: TenderFacts, th: Thresholds = THRESHOLDS) -> Flag | None:
    """R058, heavily discounted bid: the same difference as R024 is at least the
    threshold (Cardinal: at least the upper fence; here the fixed ``threshold``)."""
    pair = _winner_and_second(t)
    if pair is None or t.awarded_seq is None:
        return None
    win, second = pair
    difference = _difference(win, second)
    if difference < th.r058_difference_min:
        return None
    return _pair_flag("R058", t, win, second, difference, th.as_json("r058_difference_min"))


def _pair_flag(
    rule: str,
    t: TenderFacts,
    win: BidFact,
    second: BidFact,
    difference: Fraction,
    thresholds: dict[str, Any],
) -> Flag:
    return Flag(
        rule,
        ratio_text(difference),
        {
            "winning_bid": amount_text(win.price_sen or 0),
            "second_lowest_valid_bid": amount_text(second.price_sen or 0),
            "difference": ratio_text(difference),
        },
        tuple(sorted({win.seq, second.seq, t.awarded_seq or 0})),
        thresholds,
        (win.bidder, second.bidder),
    )


def r030_late_bid_won(t: TenderFacts) -> Flag | None:
    """R030, late bid won: the winning bid was received after the submission deadline
    (Cardinal). Terang refuses bids logged after the deadline and never opens a bid
    judged late against a time anchor, so this cannot be raised by an honest log: it is
    kept as a check that would show a reducer fault, not as a likely finding."""
    if not t.awarded or t.bid_deadline is None:
        return None
    bid = next((b for b in t.bids if b.bidder == t.winner), None)
    if bid is None or (bid.logged_at <= t.bid_deadline and bid.status != "late"):
        return None
    return Flag(
        "R030",
        "1",
        {"bid_logged_at": _time(bid.logged_at), "bid_deadline": _time(t.bid_deadline)},
        tuple(sorted({bid.seq, t.awarded_seq or 0})),
        {},
        (bid.bidder,),
    )


def r035_all_except_winner_disqualified(t: TenderFacts, th: Thresholds = THRESHOLDS) -> Flag | None:
    """R035, all except winning bid disqualified (Cardinal): exactly one tenderer has
    valid bids, it is the supplier of the active award, and at least ``threshold``
    (default 1) other tenderers had a bid disqualified. The value is the number of
    those tenderers."""
    if not t.awarded:
        return None
    valid = {b.bidder for b in t.bids if b.tendered and b.passed is True}
    disqualified = sorted({b.bidder for b in t.bids if b.tendered and b.disqualified} - valid)
    if valid != {t.winner} or len(disqualified) < th.r035_disqualified_min:
        return None
    seqs = {b.evaluation_seq or b.seq for b in t.bids if b.bidder in disqualified}
    return Flag(
        "R035",
        str(len(disqualified)),
        {"valid_tenderers": 1, "disqualified_tenderers": len(disqualified)},
        tuple(sorted(seqs | {t.awarded_seq or 0})),
        th.as_json("r035_disqualified_min"),
        (t.winner or "", *disqualified),
    )


def r036_lowest_bid_disqualified(t: TenderFacts) -> Flag | None:
    """R036, lowest bid disqualified (Cardinal): there is an active award and the lowest
    submitted bid was disqualified. Judged on opened prices; a tie at the lowest price
    counts when one of the tied bids was disqualified and the winner bid more."""
    if not t.awarded:
        return None
    opened = t.opened_bids()
    if not opened:
        return None
    lowest = min(b.price_sen or 0 for b in opened)
    out = sorted((b for b in opened if b.price_sen == lowest and b.disqualified), key=_bidder)
    if not out or (t.winner_price_sen is not None and t.winner_price_sen <= lowest):
        return None
    return Flag(
        "R036",
        "1",
        {
            "lowest_bid": amount_text(lowest),
            "winning_bid": amount_text(t.winner_price_sen or 0),
            "award_criteria": t.award_criteria,
        },
        tuple(sorted({b.evaluation_seq or b.seq for b in out} | {t.awarded_seq or 0})),
        {},
        tuple(b.bidder for b in out),
    )


@dataclass(frozen=True)
class DisqualifiedTally:
    """R038's running counts for one buyer (OPD) or one tenderer (vendor)."""

    processes: int = 0
    submitted: int = 0
    disqualified: int = 0


def r038_excessive_disqualified(
    tally: DisqualifiedTally, *, buyer: bool, th: Thresholds = THRESHOLDS
) -> Fraction | None:
    """R038, excessive disqualified bids: the ratio of disqualified to submitted bids is
    at least the threshold, for a buyer with at least 2 contracting processes or a
    tenderer with at least 2 submitted bids (Cardinal's minimums; the fixed
    ``threshold`` instead of the upper fence). The ratio when flagged, else None."""
    if tally.submitted == 0:
        return None
    if buyer and tally.processes < th.r038_buyer_processes_min:
        return None
    if not buyer and tally.submitted < th.r038_tenderer_bids_min:
        return None
    ratio = Fraction(tally.disqualified, tally.submitted)
    return ratio if ratio >= th.r038_ratio_min else None


@dataclass(frozen=True)
class WinTally:
    """R025's running counts for one tenderer (vendor)."""

    valid: int = 0
    """Bids that were opened and not disqualified, in processes that ended."""
    won: int = 0
    """Of those, the ones that won the award."""


def r025_excessive_unsuccessful_bids(
    tally: WinTally, th: Thresholds = THRESHOLDS
) -> Fraction | None:
    """R025, excessive unsuccessful bids: a top tenderer (at least ``r025_valid_bids_min``
    valid bids) whose ratio of winning to valid bids is at most ``r025_ratio_max``.
    Cardinal's reason: a colluding bidder mimics competition with deliberately losing
    bids where its partner bids. The ratio when flagged, else None."""
    if tally.valid < th.r025_valid_bids_min:
        return None
    ratio = Fraction(tally.won, tally.valid)
    return ratio if ratio <= th.r025_ratio_max else None


def r048_heterogeneous_supplier(
    classifications: Collection[str], th: Thresholds = THRESHOLDS
) -> int | None:
    """R048, heterogeneous supplier: the *variety* of a supplier, the number of distinct
    first-level classifications (the first ``r048_digits`` digits of each code) across
    every item awarded to it, across all contracting processes, is at least
    ``r048_variety_min`` (Cardinal: greater than or equal to the upper fence). Cardinal's
    reason: a supplier of everything is more likely to be unsuitable, a front or a rent
    seeker. Terang's awards are always to one supplier (Cardinal's exclusion of awards to
    several suppliers never applies) and cover the package's items. The variety when
    flagged, else None."""
    variety = len({code[: th.r048_digits] for code in classifications})
    return variety if variety >= th.r048_variety_min else None


# -- Indonesian indicators ------------------------------------------------------------


def ri_hps_band(t: TenderFacts, th: Thresholds = THRESHOLDS) -> Flag | None:
    """RI-HPS-BAND: at least two opened bids, and every one is at or below the HPS and
    within ``hps_band`` (1%) of it. Bids that all sit just under the owner's estimate
    suggest the estimate was known to the bidders, or that they coordinated."""
    opened = t.opened_bids()
    if len(opened) < th.hps_band_bids_min or t.hps_sen <= 0 or t.opened_seq is None:
        return None
    floor = Fraction(t.hps_sen) * (1 - th.hps_band)
    if not all(floor <= (b.price_sen or 0) <= t.hps_sen for b in opened):
        return None
    lowest = min(b.price_sen or 0 for b in opened)
    gap = Fraction(t.hps_sen - lowest, t.hps_sen)
    return Flag(
        "RI-HPS-BAND",
        ratio_text(gap),
        {
            "hps": amount_text(t.hps_sen),
            "bids": [amount_text(b.price_sen or 0) for b in sorted(opened, key=_bidder)],
            "largest_gap_below_hps": ratio_text(gap),
        },
        tuple(sorted({b.seq for b in opened} | {t.opened_seq})),
        th.as_json("hps_band", "hps_band_bids_min"),
        tuple(sorted(b.bidder for b in opened)),
    )


def ri_year_end_award(
    t: TenderFacts, wib_date: date | None, th: Thresholds = THRESHOLDS
) -> Flag | None:
    """RI-YEAR-END: the award is logged in the last ``year_end_days`` (15) days of the
    tender's fiscal year (the calendar year in Indonesia), by its WIB date. A rush to
    commit the year's budget before it lapses leaves little room for scrutiny."""
    if not t.awarded or wib_date is None or wib_date.year != t.year:
        return None
    days_left = (date(t.year, 12, 31) - wib_date).days
    if days_left >= th.year_end_days:
        return None
    return Flag(
        "RI-YEAR-END",
        str(days_left),
        {"award_date_wib": wib_date.isoformat(), "days_before_year_end": days_left},
        (t.awarded_seq or 0,),
        th.as_json("year_end_days"),
        (t.winner or "",),
    )


def ri_new_winner(t: TenderFacts, th: Thresholds = THRESHOLDS) -> Flag | None:
    """RI-NEW-WINNER: the winner registered as a vendor at most ``new_winner_days`` (30)
    before the tender was announced, or after it. A company created for one tender is a
    classic sign of a front company."""
    if not t.awarded or t.winner_registered_at is None or t.announced_at is None:
        return None
    lead = t.announced_at - t.winner_registered_at
    if lead > timedelta(days=th.new_winner_days):
        return None
    days = Fraction(int(lead.total_seconds()), DAY_SECONDS)
    return Flag(
        "RI-NEW-WINNER",
        ratio_text(days, 2),
        {
            "registered_at": _time(t.winner_registered_at),
            "announced_at": _time(t.announced_at),
            "days_registered_before_announcement": ratio_text(days, 2),
        },
        tuple(sorted({t.winner_registered_seq or 0, t.announced_seq or 0, t.awarded_seq or 0})),
        th.as_json("new_winner_days"),
        (t.winner or "",),
    )


def ri_amended_past_ceiling(t: TenderFacts) -> Flag | None:
    """RI-AMEND-CEILING: contract amendments raised the value above the ceiling of the
    method the tender was run under (e.g. pengadaan langsung's Rp 200 juta), while the
    original value was within it: the method would not have been allowed at that value."""
    if (
        t.method_ceiling_sen is None
        or t.contract_value_sen is None
        or t.contract_original_sen is None
        or not t.contract_amended_seqs
    ):
        return None
    if (
        t.contract_original_sen > t.method_ceiling_sen
        or t.contract_value_sen <= t.method_ceiling_sen
    ):
        return None
    return Flag(
        "RI-AMEND-CEILING",
        ratio_text(Fraction(t.contract_value_sen, t.method_ceiling_sen)),
        {
            "method": t.method,
            "ceiling": amount_text(t.method_ceiling_sen),
            "original_value": amount_text(t.contract_original_sen),
            "amended_value": amount_text(t.contract_value_sen),
        },
        t.contract_amended_seqs,
        {"ceiling": amount_text(t.method_ceiling_sen)},
        (t.winner,) if t.winner else (),
    )


@dataclass(frozen=True)
class SmallPackage:
    """A pengadaan langsung package, as RI-SPLIT remembers it."""

    ocid: str
    hps_sen: int
    at: datetime
    seq: int


def ri_split_group(
    new: SmallPackage, known: list[SmallPackage], ceiling_sen: int, th: Thresholds = THRESHOLDS
) -> list[SmallPackage] | None:
    """RI-SPLIT, package splitting under the pengadaan langsung ceiling: at least two
    pengadaan langsung packages of one OPD, one account (rekening) and one category,
    created within ``split_window_days`` (30) of ``new``, each at least ``split_share_min``
    (half) of the ceiling, together above it. Perpres 16/2018 art. 20(2) forbids
    splitting a package to avoid tendering. The group (``new`` included) when flagged."""
    floor = Fraction(ceiling_sen) * th.split_share_min
    window = timedelta(days=th.split_window_days)
    if new.hps_sen < floor:
        return None
    group = [
        p
        for p in known
        if p.ocid != new.ocid and abs(p.at - new.at) <= window and p.hps_sen >= floor
    ]
    group = sorted([*group, new], key=lambda p: (p.at, p.seq))
    if len(group) < th.split_packages_min or sum(p.hps_sen for p in group) <= ceiling_sen:
        return None
    return group


def ri_split_flag(group: list[SmallPackage], ceiling_sen: int, th: Thresholds = THRESHOLDS) -> Flag:
    total = sum(p.hps_sen for p in group)
    return Flag(
        "RI-SPLIT",
        ratio_text(Fraction(total, ceiling_sen)),
        {
            "ceiling": amount_text(ceiling_sen),
            "total_hps": amount_text(total),
            "packages": [
                {"ocid": p.ocid, "hps": amount_text(p.hps_sen), "created_at": _time(p.at)}
                for p in group
            ],
        },
        tuple(p.seq for p in group),
        th.as_json("split_window_days", "split_share_min", "split_packages_min"),
    )


def ri_repeat_winner(
    awards: list[tuple[str, int]], vendor: str, opd: str, year: int, th: Thresholds = THRESHOLDS
) -> Flag | None:
    """RI-REPEAT-WINNER: one vendor has won at least ``repeat_winner_awards_min`` (3)
    awards from the same OPD in one fiscal year (``awards``: (ocid, award seq) in log
    order, this award last). Raised on the award that reaches the count and on each
    later one."""
    if len(awards) < th.repeat_winner_awards_min:
        return None
    return Flag(
        "RI-REPEAT-WINNER",
        str(len(awards)),
        {"opd": opd, "year": year, "awards": len(awards), "ocids": [o for o, _ in awards]},
        tuple(seq for _, seq in awards),
        th.as_json("repeat_winner_awards_min"),
        (vendor,),
    )


TENDER_RULES = (
    "R003",
    "R018",
    "R024",
    "R028",
    "R030",
    "R035",
    "R036",
    "R058",
    "RI-HPS-BAND",
    "RI-YEAR-END",
    "RI-NEW-WINNER",
    "RI-AMEND-CEILING",
)
"""Rules recomputed from one tender's own facts at each of its entries the room follows."""
BID_RULES = frozenset({"R018", "R024", "R028", "R030", "R035", "R036", "R058", "RI-HPS-BAND"})
"""The per-tender rules that read the tender's bids (``TenderFacts.bids``)."""


def tender_flags(
    t: TenderFacts, award_wib_date: date | None, th: Thresholds = THRESHOLDS
) -> dict[str, Flag]:
    """Every per-tender rule's flag for ``t``, by rule id (absent: not raised)."""
    found = [
        r003_short_submission_period(t),
        r018_single_bid(t),
        r024_price_close_to_winning_bid(t, th),
        r028_identical_bid_prices(t),
        r030_late_bid_won(t),
        r035_all_except_winner_disqualified(t, th),
        r036_lowest_bid_disqualified(t),
        r058_heavily_discounted_bid(t, th),
        ri_hps_band(t, th),
        ri_year_end_award(t, award_wib_date, th),
        ri_new_winner(t, th),
        ri_amended_past_ceiling(t),
    ]
    return {flag.rule: flag for flag in found if flag is not None}


def _bidder(bid: BidFact) -> str:
    return bid.bidder


_time = format_time
