"""Issue 11, statistics to mend: intervals at the boundary, the t/bootstrap switch, agreement of
the two score functions, exact variance at large n and the validation of confidence levels.

References are statsmodels (Wilson, t interval) and exact rational arithmetic (Fraction).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from observatory.aggregation.comparison import compare_means, compare_shares
from observatory.aggregation.stats import (
    BOOTSTRAP_BELOW,
    Estimate,
    all_equal_interval,
    bootstrap_mean_interval,
    check_confidence,
    data_seed,
    level_mean_interval,
    mean_interval,
    sample_variance,
    score_0_10,
    score_0_10_from_levels,
    share_interval,
)

FAST = settings(max_examples=40, deadline=None)


def sufficient(counts: dict[int, int]) -> tuple[int, int, int]:
    """(n, sum, sum_sq) of levels given their counts, as a cell stores them."""
    return (
        sum(counts.values()),
        sum(lv * c for lv, c in counts.items()),
        sum(lv * lv * c for lv, c in counts.items()),
    )


def t_reference(counts: dict[int, int], confidence: float = 0.95) -> tuple[float, float, float]:
    """statsmodels' t interval of the mean of the levels: (mean, low, high)."""
    levels = np.array(sorted(counts), dtype=float)
    described = DescrStatsW(levels, weights=np.array([counts[int(lv)] for lv in levels], float))
    low, high = described.tconfint_mean(alpha=1 - confidence)
    return float(described.mean), float(low), float(high)


def wilson(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


@st.composite
def scale_and_counts(draw: st.DrawFn, max_n: int = 80) -> tuple[int, dict[int, int]]:
    """A scale 0..L (L from 1 to 10) and counts of answers on it, at least one answer."""
    top = draw(st.integers(1, 10))
    counts = draw(
        st.dictionaries(st.integers(0, top), st.integers(0, max_n), min_size=1, max_size=top + 1)
    )
    assume(sum(counts.values()) >= 1)
    return top, counts


def spread(counts: dict[int, int]) -> bool:
    return len([c for c in counts.values() if c > 0]) >= 2


# --- 1. All answers equal: a positive-width interval --------------------------------------------


def test_eleven_identical_answers_are_not_published_as_certain() -> None:
    # Issue 11: 11 answers at the lowest level were shown as 0.0 (0 to 0). The share of answers at
    # that level is 11/11 = 100 %, Wilson 74 % to 100 %: up to 26 % may answer otherwise.
    _, others = wilson(0, 11)
    assert others == pytest.approx(1.959963984540054**2 / (11 + 1.959963984540054**2))
    bottom = score_0_10(11, 0, 0, 4)
    assert bottom.value == 0.0 and bottom.low == 0.0
    assert bottom.high == pytest.approx(10 * others, rel=1e-12)
    assert round(bottom.high, 1) == 2.6
    top = score_0_10(11, 44, 176, 4)
    assert top.value == 10.0 and top.high == 10.0
    assert top.low == pytest.approx(10 * wilson(11, 11)[0], rel=1e-12)
    assert score_0_10_from_levels({0: 11}, 4) == bottom
    assert score_0_10_from_levels({4: 11}, 4) == top


def test_all_equal_inside_the_scale_hand_computed() -> None:
    # 11 answers at level 3 of 0..4 (score 7.5): at most q of people answer otherwise, in the
    # worst case at 0 (7.5 × (1 - q)) or at 4 (7.5 + 2.5 q).
    q = wilson(0, 11)[1]
    got = score_0_10(11, 33, 99, 4)
    assert got.value == 7.5
    assert got.low == pytest.approx(7.5 * (1 - q), rel=1e-12)
    assert got.high == pytest.approx(7.5 + 2.5 * q, rel=1e-12)
    assert got.high - got.low == pytest.approx(10 * q, rel=1e-12)
    raw = all_equal_interval(3, 11, 4)
    assert raw == Estimate(3.0, raw.low, raw.high, 11)
    assert raw.low == pytest.approx(3 * (1 - q), rel=1e-12)


@pytest.mark.parametrize("n", [BOOTSTRAP_BELOW, 100, 10_000])
def test_all_equal_from_30_answers_is_not_zero_width_either(n: int) -> None:
    # From 30 answers the t interval is used, which also collapses when s² = 0.
    got = level_mean_interval({2: n}, max_level=3)
    assert got.low < 2.0 < got.high
    assert score_0_10_from_levels({2: n}, 3).high - score_0_10_from_levels({2: n}, 3).low > 0
    assert score_0_10(n, 2 * n, 4 * n, 3) == score_0_10_from_levels({2: n}, 3)


def test_raw_intervals_keep_their_textbook_behaviour() -> None:
    # Without the scale's bounds the plain t and bootstrap intervals are unchanged (zero width).
    assert mean_interval(11, 33, 99) == Estimate(3.0, 3.0, 3.0, 11)
    assert bootstrap_mean_interval({3: 11}) == Estimate(3.0, 3.0, 3.0, 11)
    assert level_mean_interval({3: 11}) == Estimate(3.0, 3.0, 3.0, 11)


all_equal_cases = st.tuples(
    st.integers(1, 10),  # L
    st.integers(0, 10),  # level, reduced to 0..L below
    st.integers(1, 10**6),  # n
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.998]),
)


@FAST
@given(all_equal_cases)
def test_all_equal_interval_properties(case: tuple[int, int, int, float]) -> None:
    top, level, n, confidence = case
    level = level % (top + 1)
    q = wilson(0, n, confidence)[1]
    raw = all_equal_interval(level, n, top, confidence)
    assert 0.0 <= raw.low <= raw.value == level <= raw.high <= top
    assert raw.high - raw.low == pytest.approx(top * q, rel=1e-9)
    assert raw.high - raw.low > 0
    score = score_0_10(n, level * n, level * level * n, top, confidence)
    assert 0.0 <= score.low <= score.value <= score.high <= 10.0
    assert score.high - score.low > 0
    assert score == score_0_10_from_levels({level: n}, top, confidence)
    # More answers, narrower.
    assert all_equal_interval(level, n + 1, top, confidence).high - all_equal_interval(
        level, n + 1, top, confidence
    ).low < (raw.high - raw.low)


@pytest.mark.parametrize(
    ("level", "n", "top"), [(-1, 5, 4), (5, 5, 4), (2, 0, 4), (0, 5, 0)], ids=str
)
def test_all_equal_interval_rejects_impossible_input(level: int, n: int, top: int) -> None:
    with pytest.raises(ValueError):
        all_equal_interval(level, n, top)


@FAST
@given(scale_and_counts(max_n=400))
def test_scores_contain_the_estimate_stay_on_the_scale_and_have_positive_width(
    case: tuple[int, dict[int, int]],
) -> None:
    top, counts = case
    for got in (score_0_10(*sufficient(counts), top), score_0_10_from_levels(counts, top)):
        assert 0.0 <= got.low <= got.value <= got.high <= 10.0
        assert got.high > got.low


@FAST
@given(scale_and_counts(max_n=400))
def test_data_with_spread_keep_the_t_interval_of_statsmodels(
    case: tuple[int, dict[int, int]],
) -> None:
    # Ordinary data: the score is exactly the rescaled t interval, as before the boundary rule.
    top, counts = case
    assume(spread(counts) and sum(counts.values()) >= 2)
    mean, low, high = t_reference(counts)
    got = score_0_10(*sufficient(counts), top)
    scale = 10 / top
    assert got.value == pytest.approx(mean * scale, rel=1e-12, abs=1e-12)
    assert got.low == pytest.approx(max(0.0, low * scale), rel=1e-9, abs=1e-9)
    assert got.high == pytest.approx(min(10.0, high * scale), rel=1e-9, abs=1e-9)


def test_near_the_boundary_and_large_n_the_interval_is_the_t_interval() -> None:
    counts = {2: 5, 3: 995}
    mean, low, high = t_reference(counts)
    got = score_0_10_from_levels(counts, 3)
    assert (got.value, got.low, got.high) == pytest.approx(
        (mean * 10 / 3, low * 10 / 3, min(10.0, high * 10 / 3)), rel=1e-9
    )


# --- 2. The switch: bootstrap below 30, t from 30, seeded from the data -------------------------


@FAST
@given(scale_and_counts(max_n=25))
def test_score_from_levels_switches_at_30(case: tuple[int, dict[int, int]]) -> None:
    top, counts = case
    assume(spread(counts))
    n = sum(counts.values())
    got = score_0_10_from_levels(counts, top, resamples=400)
    scale = 10 / top
    if n < BOOTSTRAP_BELOW:
        raw = bootstrap_mean_interval(counts, resamples=400)
    else:
        raw = mean_interval(*sufficient(counts))
        assert got == score_0_10(*sufficient(counts), top)
    assert got.value == pytest.approx(raw.value * scale)
    assert got.low == pytest.approx(min(10.0, max(0.0, raw.low * scale)))
    assert got.high == pytest.approx(min(10.0, max(0.0, raw.high * scale)))


def test_switch_exactly_at_the_threshold() -> None:
    below = {0: 3, 2: 10, 3: BOOTSTRAP_BELOW - 14}
    at = {**below, 3: below[3] + 1}
    assert sum(below.values()) == BOOTSTRAP_BELOW - 1
    assert level_mean_interval(below, max_level=3) == bootstrap_mean_interval(below)
    assert level_mean_interval(at, max_level=3) == mean_interval(*sufficient(at))


def test_bootstrap_is_seeded_from_the_data() -> None:
    counts = {0: 2, 1: 1, 3: 9}
    got = bootstrap_mean_interval(counts)
    # Same cell, same interval, whatever the order of the counts or levels with no answer.
    assert got == bootstrap_mean_interval({3: 9, 1: 1, 0: 2, 2: 0})
    assert got == bootstrap_mean_interval(counts, seed=data_seed(counts))
    score = score_0_10_from_levels(counts, 3)
    assert (score.low, score.high) == pytest.approx((got.low * 10 / 3, got.high * 10 / 3))
    assert data_seed(counts) == data_seed({3: 9, 0: 2, 1: 1, 2: 0})
    assert data_seed(counts) != data_seed({0: 2, 1: 1, 3: 10})
    # A known value: the seed must not depend on the process (no salted `hash`).
    assert data_seed({0: 1}) == int.from_bytes(hashlib.sha256(b"0:1").digest()[:8], "big")


@FAST
@given(scale_and_counts(max_n=25))
def test_bootstrap_interval_is_the_same_on_every_call(case: tuple[int, dict[int, int]]) -> None:
    top, counts = case
    first = score_0_10_from_levels(counts, top, resamples=300)
    assert first == score_0_10_from_levels(dict(reversed(counts.items())), top, resamples=300)


# --- 3. The two score functions agree -----------------------------------------------------------


@pytest.mark.parametrize("top", [1, 3, 4, 10])
def test_the_two_score_functions_agree_for_one_answer(top: int) -> None:
    for level in range(top + 1):
        from_sums = score_0_10(1, level, level * level, top)
        from_levels = score_0_10_from_levels({level: 1}, top)
        assert from_sums == from_levels
        assert from_sums.value == pytest.approx(10 * level / top)
        assert from_sums.high - from_sums.low > 0


@FAST
@given(scale_and_counts(max_n=60))
def test_the_two_score_functions_agree(case: tuple[int, dict[int, int]]) -> None:
    top, counts = case
    from_sums = score_0_10(*sufficient(counts), top)
    from_levels = score_0_10_from_levels(counts, top, resamples=300)
    assert from_sums.value == from_levels.value
    assert from_sums.n == from_levels.n
    if not spread(counts) or sum(counts.values()) >= BOOTSTRAP_BELOW:
        assert from_sums == from_levels


# --- 4. Exact variance at large n ---------------------------------------------------------------


@pytest.mark.parametrize("counts", [{2: 1, 3: 10**7 - 1}, {0: 1, 1: 2, 2: 3, 3: 10**7 - 6}])
def test_variance_is_exact_at_large_n(counts: dict[int, int]) -> None:
    n, total, total_sq = sufficient(counts)
    exact = Fraction(n * total_sq - total * total, n * (n - 1))
    mean = total / n
    float_form = (total_sq - n * mean * mean) / (n - 1)
    # The float form has lost digits (it is what mean_interval used to compute)...
    assert abs(float_form / float(exact) - 1) > 1e-11
    # ... the integer form is the exact value, rounded once.
    assert sample_variance(n, total, total_sq) == float(exact)
    got = mean_interval(n, total, total_sq)
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(float(exact) / n)
    assert got.value == float(Fraction(total, n))
    assert got.high - got.value == pytest.approx(half, rel=1e-12)
    assert got.value - got.low == pytest.approx(half, rel=1e-12)


def test_variance_accepts_numpy_integers_without_overflow() -> None:
    # n·Σx² overflows int64 here; the exact form works on Python integers.
    n, total, total_sq = np.int64(3 * 10**9), np.int64(9 * 10**9), np.int64(27 * 10**9 + 3)
    exact = Fraction(int(n) * int(total_sq) - int(total) ** 2, int(n) * (int(n) - 1))
    assert sample_variance(n, total, total_sq) == float(exact)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sample_variance(1, 3, 9)


@FAST
@given(st.dictionaries(st.integers(0, 10), st.integers(0, 10**9), min_size=2))
def test_variance_matches_fractions(counts: dict[int, int]) -> None:
    n, total, total_sq = sufficient(counts)
    assume(n >= 2)
    exact = Fraction(n * total_sq - total * total, n * (n - 1))
    assert sample_variance(n, total, total_sq) == float(exact)


# --- 5. Confidence levels are validated ---------------------------------------------------------

CONFIDENCE_TAKERS: dict[str, Callable[[float], object]] = {
    "check_confidence": check_confidence,
    "mean_interval": lambda c: mean_interval(40, 100, 300, c),
    "mean_interval n=1": lambda c: mean_interval(1, 3, 9, c),
    "score_0_10": lambda c: score_0_10(40, 100, 300, 4, c),
    "score_0_10 all equal": lambda c: score_0_10(11, 33, 99, 4, c),
    "share_interval": lambda c: share_interval(3, 10, c),
    "all_equal_interval": lambda c: all_equal_interval(2, 11, 4, c),
    "bootstrap_mean_interval": lambda c: bootstrap_mean_interval({1: 2, 3: 5}, c),
    "level_mean_interval small": lambda c: level_mean_interval({1: 2, 3: 5}, c),
    "level_mean_interval large": lambda c: level_mean_interval({1: 20, 3: 50}, c),
    "score_0_10_from_levels": lambda c: score_0_10_from_levels({1: 20, 3: 50}, 4, c),
    "compare_means": lambda c: compare_means((10, 20, 50), (12, 30, 90), c),
    "compare_shares": lambda c: compare_shares(3, 10, 5, 12, c),
}


@pytest.mark.parametrize("name", sorted(CONFIDENCE_TAKERS))
@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5, 95.0, math.nan, math.inf])
def test_confidence_outside_0_1_is_refused(name: str, confidence: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        CONFIDENCE_TAKERS[name](confidence)


@pytest.mark.parametrize("name", sorted(CONFIDENCE_TAKERS))
def test_confidence_inside_0_1_is_accepted(name: str) -> None:
    for confidence in (0.5, 0.95, 0.999):
        CONFIDENCE_TAKERS[name](confidence)


def test_confidence_message_names_the_value() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 0\.95.*not 95"):
        score_0_10(40, 100, 300, 4, 95)
