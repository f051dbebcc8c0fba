"""The pure red flag rules: for each, a crafted tender that raises it and one that barely
misses it, with hypothesis where the boundary is arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from redflags import rules
from redflags.rules import BidFact, SmallPackage, TenderFacts

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
HPS = 50_000_000_000


def bid(bidder: str, price: int | None, passed: bool | None = True, **kw: object) -> BidFact:
    fields: dict[str, object] = {
        "bidder": bidder,
        "seq": 10 + ord(bidder[0]) - ord("a"),
        "logged_at": T0 + timedelta(days=2),
        "status": "submitted",
        "price_sen": price,
        "passed": passed,
        "evaluation_seq": 30,
    }
    fields.update(kw)
    return BidFact(**fields)  # type: ignore[arg-type]


def tender(*bids: BidFact, **kw: object) -> TenderFacts:
    """An awarded price-only tender of three bids unless told otherwise; the winner is A."""
    fields: dict[str, object] = {
        "ocid": "ocds-t3r4ng-2026-0001",
        "method": "tender",
        "category": "goods",
        "award_criteria": "price_only",
        "hps_sen": HPS,
        "state": "awarded",
        "year": 2026,
        "opd": "1.02.0.00.0.00.01.0000",
        "announced_at": T0,
        "announced_seq": 5,
        "bid_deadline": T0 + timedelta(days=20),
        "closed_seq": 20,
        "opened_seq": 25,
        "bids": bids,
        "awarded_seq": 40,
        "awarded_at": T0 + timedelta(days=30),
        "winner": A,
        "winner_price_sen": bids[0].price_sen if bids else None,
        "winner_registered_at": T0 - timedelta(days=400),
        "winner_registered_seq": 2,
        "minimum_period_days": 15,
        "period_rule": "test",
    }
    fields.update(kw)
    return TenderFacts(**fields)  # type: ignore[arg-type]


THREE = (bid(A, 40_000_000_000), bid(B, 41_500_000_000), bid(C, 47_000_000_000))


def test_a_plain_tender_raises_nothing() -> None:
    assert rules.tender_flags(tender(*THREE), date(2026, 4, 1)) == {}


# -- R003 -------------------------------------------------------------------------------


def test_r003_short_period_raises_and_the_minimum_exactly_does_not() -> None:
    short = tender(*THREE, bid_deadline=T0 + timedelta(days=15) - timedelta(seconds=1))
    flag = rules.r003_short_submission_period(short)
    assert flag is not None and flag.rule == "R003" and flag.value == "15.00"
    assert flag.thresholds == {"minimum_days": 15, "period_rule": "test"}
    assert flag.seqs == (5,)
    assert (
        rules.r003_short_submission_period(replace(short, bid_deadline=T0 + timedelta(days=15)))
        is None
    )
    # A method without a dated minimum is not judged.
    assert rules.r003_short_submission_period(replace(short, minimum_period_days=None)) is None


# -- R018 -------------------------------------------------------------------------------


def test_r018_one_tenderer_in_a_competitive_method() -> None:
    one = tender(bid(A, 40_000_000_000), bid(B, None, None, status="withdrawn"))
    flag = rules.r018_single_bid(one)
    assert flag is not None and flag.vendors == (A,) and flag.seqs == (10, 20)
    # Barely missed: a second (late) tenderer counts; a non-competitive method is not judged.
    assert rules.r018_single_bid(tender(bid(A, 1), bid(B, None, None, status="late"))) is None
    assert rules.r018_single_bid(replace(one, method="pengadaan_langsung")) is None
    assert rules.r018_single_bid(replace(one, closed_seq=None)) is None


# -- R028 -------------------------------------------------------------------------------


def test_r028_identical_prices_of_different_tenderers() -> None:
    same = tender(bid(A, 40_000_000_000), bid(B, 40_000_000_000), bid(C, 41_000_000_000))
    flag = rules.r028_identical_bid_prices(same)
    assert flag is not None and flag.vendors == (A, B)
    assert flag.inputs["identical_prices"] == [{"price": "400000000", "bidders": [A, B]}]
    near = tender(bid(A, 40_000_000_000), bid(B, 40_000_000_001), bid(C, 41_000_000_000))
    assert rules.r028_identical_bid_prices(near) is None  # one sen apart


# -- R024 / R058 ------------------------------------------------------------------------


@given(st.integers(1, 10**13), st.integers(0, 10**13))
def test_r024_and_r058_follow_the_difference_exactly(win: int, extra: int) -> None:
    t = tender(bid(A, win), bid(B, win + extra), bid(C, win + extra + 1))
    difference = Fraction(extra, win)
    r024 = rules.r024_price_close_to_winning_bid(t)
    r058 = rules.r058_heavily_discounted_bid(t)
    assert (r024 is not None) == (difference <= Fraction(2, 100))
    assert (r058 is not None) == (difference >= Fraction(10, 100))
    for flag in (r024, r058):
        if flag is not None:
            assert flag.vendors == (A, B) and flag.seqs == (10, 11, 40)


def test_r024_boundary_and_its_exclusions() -> None:
    at_two_percent = tender(bid(A, 100_000), bid(B, 102_000), bid(C, 200_000))
    flag = rules.r024_price_close_to_winning_bid(at_two_percent)
    assert flag is not None and flag.value == "0.0200"
    assert rules.r024_price_close_to_winning_bid(tender(bid(A, 100_000), bid(B, 102_001))) is None
    # Cardinal's exclusions: not price only, no active award, one valid bid, winner not lowest.
    assert (
        rules.r024_price_close_to_winning_bid(replace(at_two_percent, award_criteria="rated"))
        is None
    )
    assert rules.r024_price_close_to_winning_bid(replace(at_two_percent, awarded_seq=None)) is None
    assert (
        rules.r024_price_close_to_winning_bid(tender(bid(A, 100_000), bid(B, 101_000, False)))
        is None
    )
    assert rules.r024_price_close_to_winning_bid(replace(at_two_percent, winner=B)) is None
    # Identical prices: the winner is one of the lowest, the difference is 0.
    tie = rules.r024_price_close_to_winning_bid(tender(bid(B, 100_000), bid(A, 100_000), winner=A))
    assert tie is not None and tie.value == "0.0000"


def test_r058_boundary() -> None:
    flag = rules.r058_heavily_discounted_bid(tender(bid(A, 100_000), bid(B, 110_000)))
    assert flag is not None and flag.value == "0.1000"
    assert rules.r058_heavily_discounted_bid(tender(bid(A, 100_000), bid(B, 109_999))) is None


# -- R030 -------------------------------------------------------------------------------


def test_r030_a_winning_bid_logged_after_the_deadline() -> None:
    deadline = T0 + timedelta(days=20)
    late = tender(bid(A, 40_000_000_000, logged_at=deadline + timedelta(milliseconds=1)))
    assert rules.r030_late_bid_won(late) is not None
    on_time = tender(bid(A, 40_000_000_000, logged_at=deadline))
    assert rules.r030_late_bid_won(on_time) is None


# -- R035 / R036 ------------------------------------------------------------------------


def test_r035_every_other_tenderer_disqualified() -> None:
    only_winner = tender(bid(A, 45_000_000_000), bid(B, 40_000_000_000, False), bid(C, None, False))
    flag = rules.r035_all_except_winner_disqualified(only_winner)
    assert flag is not None and flag.value == "2" and flag.vendors == (A, B, C)
    # Barely missed: one other bid passed too; or the other bids were not disqualified at all.
    another = tender(bid(A, 45_000_000_000), bid(B, 40_000_000_000, False), bid(C, 50_000_000_000))
    assert rules.r035_all_except_winner_disqualified(another) is None
    alone = tender(bid(A, 45_000_000_000))
    assert rules.r035_all_except_winner_disqualified(alone) is None
    pending = replace(only_winner, awarded_seq=None)
    assert rules.r035_all_except_winner_disqualified(pending) is None


def test_r036_lowest_bid_disqualified() -> None:
    flag = rules.r036_lowest_bid_disqualified(
        tender(
            bid(A, 45_000_000_000), bid(B, 40_000_000_000, False), winner_price_sen=45_000_000_000
        )
    )
    assert flag is not None and flag.vendors == (B,)
    assert flag.inputs["lowest_bid"] == "400000000"
    # Barely missed: the disqualified bid was one sen above the winner's.
    assert (
        rules.r036_lowest_bid_disqualified(
            tender(bid(A, 45_000_000_000), bid(B, 45_000_000_001, False))
        )
        is None
    )


# -- R025 and R038 (per tenderer and buyer) -----------------------------------------------


def test_r025_flags_a_top_tenderer_that_wins_at_most_one_bid_in_eight() -> None:
    judge = rules.r025_excessive_unsuccessful_bids
    assert judge(rules.WinTally(valid=16, won=2)) == Fraction(1, 8)  # at the fence
    assert judge(rules.WinTally(valid=10, won=0)) == Fraction(0)  # never won
    assert judge(rules.WinTally(valid=15, won=2)) is None  # 2/15 is above 1/8
    assert judge(rules.WinTally(valid=9, won=0)) is None  # not yet a top tenderer
    assert judge(rules.WinTally()) is None
    stricter = rules.Thresholds(r025_valid_bids_min=3, r025_ratio_max=Fraction(0))
    assert judge(rules.WinTally(valid=3, won=0), stricter) == Fraction(0)
    assert judge(rules.WinTally(valid=3, won=1), stricter) is None


@given(st.integers(0, 200), st.integers(0, 200))
def test_r025_is_exactly_its_definition(valid: int, won: int) -> None:
    won = min(won, valid)
    found = rules.r025_excessive_unsuccessful_bids(rules.WinTally(valid, won))
    expected = valid >= 10 and Fraction(won, valid) <= Fraction(1, 8)
    assert (found is not None) == expected
    if found is not None:
        assert found == Fraction(won, valid)


def test_r048_flags_a_variety_of_nine_first_level_codes_and_not_eight() -> None:
    judge = rules.r048_heterogeneous_supplier
    nine = [f"{d}001" for d in range(10, 19)]  # divisions 10 .. 18
    assert judge(nine) == 9  # at Cardinal's worked example's fence
    assert judge(nine[:8]) is None  # one short
    # Codes of one division count once: 46511 and 46693 are both division 46.
    assert judge([*nine[:8], "46511", "46693"]) == 9
    assert judge([*nine[:8], "10999"]) is None
    assert judge([]) is None
    finer = rules.Thresholds(r048_variety_min=2, r048_digits=5)
    assert judge(["46511", "46693"], finer) == 2
    assert judge(["46511", "46693"], rules.Thresholds(r048_variety_min=2)) is None


def test_r038_ratio_and_minimums() -> None:
    tally = rules.DisqualifiedTally
    assert rules.r038_excessive_disqualified(tally(2, 4, 2), buyer=True) == Fraction(1, 2)
    assert rules.r038_excessive_disqualified(tally(2, 100, 49), buyer=True) is None
    assert rules.r038_excessive_disqualified(tally(1, 4, 4), buyer=True) is None  # 1 process
    assert rules.r038_excessive_disqualified(tally(2, 2, 1), buyer=False) == Fraction(1, 2)
    assert rules.r038_excessive_disqualified(tally(1, 1, 1), buyer=False) is None  # 1 bid


# -- Indonesian rules -----------------------------------------------------------------------


def test_hps_band_every_bid_within_one_percent_below_the_hps() -> None:
    floor = HPS - HPS // 100  # 99% of the HPS
    inside = tender(bid(A, floor), bid(B, HPS), winner_price_sen=floor)
    flag = rules.ri_hps_band(inside)
    assert flag is not None and flag.value == "0.0100"
    assert rules.ri_hps_band(tender(bid(A, floor - 1), bid(B, HPS))) is None
    assert rules.ri_hps_band(tender(bid(A, floor))) is None  # one bid is R018's matter
    assert rules.ri_hps_band(tender(bid(A, floor), bid(B, HPS + 1))) is None  # above HPS


def test_year_end_award() -> None:
    t = tender(*THREE)
    assert rules.ri_year_end_award(t, date(2026, 12, 17)) is not None  # 14 days left
    assert rules.ri_year_end_award(t, date(2026, 12, 16)) is None  # 15 days left
    assert rules.ri_year_end_award(t, date(2027, 1, 2)) is None  # another year


def test_new_winner_registered_shortly_before_the_announcement() -> None:
    fresh = tender(*THREE, winner_registered_at=T0 - timedelta(days=30))
    flag = rules.ri_new_winner(fresh)
    assert flag is not None and flag.value == "30.00"
    older = replace(fresh, winner_registered_at=T0 - timedelta(days=30, seconds=1))
    assert rules.ri_new_winner(older) is None


def test_amendment_past_the_method_ceiling() -> None:
    ceiling = 20_000_000_000
    t = tender(
        *THREE,
        method="pengadaan_langsung",
        method_ceiling_sen=ceiling,
        contract_original_sen=19_000_000_000,
        contract_value_sen=ceiling + 1,
        contract_amended_seqs=(60,),
    )
    flag = rules.ri_amended_past_ceiling(t)
    assert flag is not None and flag.seqs == (60,)
    assert rules.ri_amended_past_ceiling(replace(t, contract_value_sen=ceiling)) is None
    assert rules.ri_amended_past_ceiling(replace(t, method_ceiling_sen=None)) is None


def package(n: int, hps: int, day: float) -> SmallPackage:
    return SmallPackage(f"ocds-t3r4ng-2026-{n:04d}", hps, T0 + timedelta(days=day), 100 + n)


def test_split_two_packages_just_under_the_ceiling_within_the_window() -> None:
    ceiling = 20_000_000_000
    first = package(1, 19_000_000_000, 0)
    second = package(2, 15_000_000_000, 30)
    group = rules.ri_split_group(second, [first], ceiling)
    assert group == [first, second]
    flag = rules.ri_split_flag(group, ceiling)
    assert flag.inputs["total_hps"] == "340000000" and flag.seqs == (101, 102)
    # Barely missed: a day and a second outside the window; a package below half the
    # ceiling; a total exactly at the ceiling.
    assert rules.ri_split_group(package(2, 15_000_000_000, 30.00002), [first], ceiling) is None
    assert rules.ri_split_group(package(2, 9_999_999_999, 1), [first], ceiling) is None
    assert (
        rules.ri_split_group(
            package(2, 10_000_000_000, 1), [package(1, 10_000_000_000, 0)], ceiling
        )
        is None
    )


@given(st.lists(st.integers(1, 20_000_000_000), min_size=1, max_size=6))
def test_split_is_raised_exactly_when_the_near_ceiling_packages_sum_above_it(
    hps: list[int],
) -> None:
    ceiling = 20_000_000_000
    known = [package(i, value, i) for i, value in enumerate(hps[:-1])]
    new = package(len(hps), hps[-1], len(hps))
    group = rules.ri_split_group(new, known, ceiling)
    near = [v for v in hps if 2 * v >= ceiling]
    expected = 2 * hps[-1] >= ceiling and len(near) >= 2 and sum(near) > ceiling
    assert (group is not None) == expected


def test_repeat_winner_from_the_third_award() -> None:
    awards = [("ocds-t3r4ng-2026-0001", 10), ("ocds-t3r4ng-2026-0002", 20)]
    assert rules.ri_repeat_winner(awards, A, "1.02", 2026) is None
    flag = rules.ri_repeat_winner([*awards, ("ocds-t3r4ng-2026-0003", 30)], A, "1.02", 2026)
    assert flag is not None and flag.value == "3" and flag.seqs == (10, 20, 30)


def test_ratio_text_is_exact_and_half_even() -> None:
    assert rules.ratio_text(Fraction(1, 3)) == "0.3333"
    assert rules.ratio_text(Fraction(1, 20000)) == "0.0000"  # 0.00005 rounds to even
    assert rules.ratio_text(Fraction(3, 20000)) == "0.0002"


bids_strategy = st.lists(
    st.builds(
        BidFact,
        bidder=st.sampled_from((A, B, C, D)),
        seq=st.integers(1, 10**6),
        logged_at=st.datetimes(
            min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
        ),
        status=st.sampled_from(("submitted", "withdrawn", "late")),
        price_sen=st.none() | st.integers(0, 10**14),
        passed=st.none() | st.booleans(),
        evaluation_seq=st.none() | st.integers(1, 10**6),
    ),
    max_size=6,
    unique_by=lambda b: b.bidder,
)


@given(
    bids_strategy,
    st.sampled_from(("tender", "seleksi", "pengadaan_langsung", "e_purchasing")),
    st.sampled_from(("price_only", "rated", None)),
    st.integers(0, 10**14),
    st.none() | st.sampled_from((A, B, C, D)),
    st.none() | st.integers(0, 10**14),
    st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
)
def test_the_rules_are_total(
    bids: list[BidFact],
    method: str,
    criteria: str | None,
    hps: int,
    winner: str | None,
    winner_price: int | None,
    award_date: date | None,
) -> None:
    """Whatever the facts, the rules answer (a follower may never fail an entry), and
    every flag names entries and only the vendors of the tender."""
    t = tender(
        *bids,
        method=method,
        award_criteria=criteria,
        hps_sen=hps,
        winner=winner,
        winner_price_sen=winner_price,
        method_ceiling_sen=20_000_000_000,
        contract_value_sen=winner_price,
        contract_original_sen=hps,
        contract_amended_seqs=(99,) if winner_price else (),
    )
    bidders = {b.bidder for b in bids} | ({winner} if winner else set())
    for flag in rules.tender_flags(t, award_date).values():
        assert flag.seqs and set(flag.vendors) <= bidders
        assert isinstance(flag.value, str)
