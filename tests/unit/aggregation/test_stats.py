"""Statistics checked against scipy/statsmodels reference values, textbook examples and properties.

statsmodels is used here only, as an independent reference; the product code uses numpy/scipy.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from observatory.aggregation.comparison import compare_means, compare_shares
from observatory.aggregation.shrinkage import (
    between_place_variance,
    pooled_within_variance,
    shrink_means,
    shrinkage_weight,
)
from observatory.aggregation.stats import (
    BOOTSTRAP_BELOW,
    Estimate,
    bootstrap_mean_interval,
    funnel_limits,
    funnel_position,
    level_mean_interval,
    mean_interval,
    score_0_10,
    score_0_10_from_levels,
    share_interval,
)

# Few examples per property keep the whole file under 5 s.
FAST = settings(max_examples=30, deadline=None)


def sufficient(counts: dict[int, int]) -> tuple[int, int, int]:
    """(n, sum, sum_sq) of levels given their counts, as a cell stores them."""
    n = sum(counts.values())
    return (
        n,
        sum(lv * c for lv, c in counts.items()),
        sum(lv * lv * c for lv, c in counts.items()),
    )


def described(counts: dict[int, int]) -> DescrStatsW:
    levels = np.array(sorted(counts), dtype=float)
    return DescrStatsW(levels, weights=np.array([counts[int(lv)] for lv in levels], dtype=float))


level_counts = st.dictionaries(
    st.integers(0, 4), st.integers(0, 40), min_size=1, max_size=5
).filter(lambda d: sum(d.values()) >= 1)


# --- Existing functions keep their behaviour ------------------------------------------------


def test_mean_interval_matches_statsmodels_t_interval() -> None:
    counts = {0: 2, 1: 3, 2: 5, 3: 4, 4: 6}
    low, high = described(counts).tconfint_mean(alpha=0.05)
    got = mean_interval(*sufficient(counts))
    assert got.value == pytest.approx(described(counts).mean, rel=1e-12)
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-10)


def test_score_0_10_is_unchanged() -> None:
    # Hand-computed: levels 0..4, n=4, answers 2, 3, 4, 4 → mean 3.25, s² = 0.9166…, t(3) = 3.182.
    got = score_0_10(4, 13, 45, 4)
    half = stats.t.ppf(0.975, 3) * math.sqrt((45 - 4 * 3.25**2) / 3 / 4)
    assert got == Estimate(8.125, (3.25 - half) * 2.5, min(10.0, (3.25 + half) * 2.5), 4)
    assert got.high == 10.0
    # One answer is "all answers equal": its interval is no longer the whole 0-10 scale but the
    # boundary rule of `all_equal_interval` (test_stats_boundary.py).


# --- Shares: Wilson --------------------------------------------------------------------------

WILSON_CASES = [
    (count, n, confidence)
    for n in (1, 2, 5, 10, 11, 30, 100, 1000)
    for count in sorted({0, 1, n // 3, n // 2, n - 1, n} & set(range(n + 1)))
    for confidence in (0.90, 0.95, 0.998)
]


@pytest.mark.parametrize(("count", "n", "confidence"), WILSON_CASES)
def test_share_interval_matches_statsmodels_wilson(count: int, n: int, confidence: float) -> None:
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    got = share_interval(count, n, confidence)
    assert got.value == count / n
    assert got.n == n
    assert got.low == pytest.approx(low, abs=1e-12)
    assert got.high == pytest.approx(high, abs=1e-12)


def test_share_interval_textbook_value() -> None:
    # Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662 (Wilson, 95 %).
    got = share_interval(81, 263)
    assert (round(got.low, 4), round(got.high, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize(("count", "n"), [(-1, 5), (6, 5), (0, 0)])
def test_share_interval_rejects_impossible_counts(count: int, n: int) -> None:
    with pytest.raises(ValueError):
        share_interval(count, n)


@FAST
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_contain_the_share_within_0_1(case: tuple[int, int]) -> None:
    count, n = case
    got = share_interval(count, n)
    assert 0.0 <= got.low <= got.value <= got.high <= 1.0


@FAST
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_is_symmetric(case: tuple[int, int]) -> None:
    count, n = case
    got, mirror = share_interval(count, n), share_interval(n - count, n)
    assert got.low == pytest.approx(1 - mirror.high, abs=1e-12)
    assert got.high == pytest.approx(1 - mirror.low, abs=1e-12)


@FAST
@given(st.integers(1, 300), st.integers(0, 300), st.integers(2, 10))
def test_wilson_narrows_with_n(n: int, count: int, factor: int) -> None:
    count = min(count, n)
    small, large = share_interval(count, n), share_interval(count * factor, n * factor)
    assert large.high - large.low < small.high - small.low


# --- Means: t and bootstrap ------------------------------------------------------------------


@FAST
@given(level_counts, st.integers(2, 5))
def test_t_interval_contains_the_mean_and_narrows_with_n(
    counts: dict[int, int], factor: int
) -> None:
    n, total, total_sq = sufficient(counts)
    assume(n >= 2 and len([c for c in counts.values() if c]) >= 2)
    got = mean_interval(n, total, total_sq)
    assert got.low <= got.value <= got.high
    bigger = mean_interval(n * factor, total * factor, total_sq * factor)
    assert bigger.high - bigger.low < got.high - got.low


def _exact_bootstrap_quantiles(counts: dict[int, int], confidence: float) -> tuple[float, float]:
    """Quantiles of the exact bootstrap distribution of the mean, by enumerating every resample."""
    levels = sorted(counts)
    n = sum(counts.values())
    shares = [counts[lv] / n for lv in levels]
    outcomes = [
        draw for draw in itertools.product(range(n + 1), repeat=len(levels)) if sum(draw) == n
    ]
    means = np.array([np.dot(draw, levels) / n for draw in outcomes])
    probabilities = stats.multinomial.pmf(np.array(outcomes), n, shares)
    order = np.argsort(means)
    cumulative = np.cumsum(probabilities[order])
    alpha = 1 - confidence

    def quantile(q: float) -> float:
        return float(means[order][np.searchsorted(cumulative, q)])

    return quantile(alpha / 2), quantile(1 - alpha / 2)


@pytest.mark.parametrize(
    "counts",
    [{0: 1, 3: 2, 4: 5}, {1: 3, 2: 3, 4: 2}, {0: 2, 4: 4}, {2: 1, 3: 5, 4: 3}],
)
def test_bootstrap_matches_the_exact_bootstrap_distribution(counts: dict[int, int]) -> None:
    # With a few answers every possible resample can be enumerated: the Monte Carlo interval must
    # land on the exact bootstrap quantiles (within one step of the 1/n lattice).
    low, high = _exact_bootstrap_quantiles(counts, 0.95)
    got = bootstrap_mean_interval(counts, resamples=20_000)
    n = sum(counts.values())
    assert got.value == pytest.approx(sum(lv * c for lv, c in counts.items()) / n)
    assert abs(got.low - low) <= 1 / n + 1e-9
    assert abs(got.high - high) <= 1 / n + 1e-9


def test_bootstrap_agrees_with_scipy_percentile_bootstrap() -> None:
    counts = {0: 1, 1: 2, 2: 3, 3: 8, 4: 10}
    data = np.repeat(np.array(sorted(counts), dtype=float), [counts[k] for k in sorted(counts)])
    reference = stats.bootstrap(
        (data,), np.mean, method="percentile", n_resamples=20_000, rng=1
    ).confidence_interval
    got = bootstrap_mean_interval(counts, resamples=20_000)
    assert got.low == pytest.approx(reference.low, abs=0.03)
    assert got.high == pytest.approx(reference.high, abs=0.03)


@FAST
@given(level_counts, st.integers(0, 2**32 - 1))
def test_bootstrap_is_deterministic_and_stays_on_the_scale(
    counts: dict[int, int], seed: int
) -> None:
    got = bootstrap_mean_interval(counts, seed=seed, resamples=500)
    assert got == bootstrap_mean_interval(dict(reversed(counts.items())), seed=seed, resamples=500)
    observed = [lv for lv, c in counts.items() if c]
    assert min(observed) <= got.low <= got.value <= got.high <= max(observed)


def test_level_mean_interval_switches_to_t_from_the_threshold() -> None:
    small = {1: 5, 3: 10, 4: BOOTSTRAP_BELOW - 16}
    assert sum(small.values()) == BOOTSTRAP_BELOW - 1
    assert level_mean_interval(small) == bootstrap_mean_interval(small)
    large = {**small, 4: small[4] + 1}
    assert level_mean_interval(large) == mean_interval(*sufficient(large))
    score = score_0_10_from_levels(large, 4)
    raw = mean_interval(*sufficient(large))
    assert score.value == pytest.approx(raw.value * 2.5)
    assert score.high == pytest.approx(min(10.0, raw.high * 2.5))


# --- Comparing two periods -------------------------------------------------------------------

MEAN_CASES = [
    ({0: 2, 1: 3, 2: 5, 3: 4}, {0: 1, 1: 1, 2: 6, 3: 9}),
    ({3: 40, 4: 60}, {2: 5, 3: 30, 4: 65}),
    ({0: 3, 4: 3}, {1: 10, 2: 12, 3: 1}),
    ({1: 1, 2: 1}, {0: 50, 1: 25, 2: 25, 3: 10, 4: 90}),
]


@pytest.mark.parametrize(("before", "after"), MEAN_CASES)
def test_compare_means_matches_welch_in_scipy_and_statsmodels(
    before: dict[int, int], after: dict[int, int]
) -> None:
    a, b = described(before), described(after)
    reference = stats.ttest_ind_from_stats(
        b.mean, b.std_ddof(1), b.sum_weights, a.mean, a.std_ddof(1), a.sum_weights, equal_var=False
    )
    low, high = CompareMeans(b, a).tconfint_diff(alpha=0.05, usevar="unequal")
    got = compare_means(sufficient(before), sufficient(after))
    assert got.test == "welch"
    assert got.difference == pytest.approx(b.mean - a.mean, rel=1e-12)
    assert got.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert got.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-10)


def test_compare_means_without_spread() -> None:
    same = compare_means((5, 15, 45), (3, 9, 27))
    assert (same.difference, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    moved = compare_means((5, 15, 45), (3, 12, 48))
    assert (moved.difference, moved.p_value) == (1.0, 0.0)
    with pytest.raises(ValueError):
        compare_means((1, 3, 9), (3, 12, 48))


cells = level_counts.filter(lambda d: sum(d.values()) >= 2).map(sufficient)


@FAST
@given(cells, cells)
def test_compare_means_is_antisymmetric_and_consistent(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    forward, backward = compare_means(a, b), compare_means(b, a)
    assert forward.difference == pytest.approx(-backward.difference, abs=1e-12)
    assert forward.p_value == pytest.approx(backward.p_value, abs=1e-12)
    assert forward.low == pytest.approx(-backward.high, abs=1e-9)
    assert 0.0 <= forward.p_value <= 1.0
    assert forward.low <= forward.difference <= forward.high
    if abs(forward.p_value - 0.05) > 1e-6:
        # Welch's interval and test are one computation: 0 is outside iff p < 0.05.
        assert (forward.p_value < 0.05) == (not forward.low <= 0.0 <= forward.high)


SHARE_CASES = [
    (3, 10, 7, 12),
    (56, 70, 48, 80),  # Newcombe (1998), table II, example (a)
    (9, 10, 3, 10),
    (0, 25, 5, 30),
    (40, 400, 57, 410),
    (10, 10, 14, 20),
    (1, 1000, 12, 900),
]


@pytest.mark.parametrize(("count_a", "n_a", "count_b", "n_b"), SHARE_CASES)
def test_compare_shares_matches_statsmodels(count_a: int, n_a: int, count_b: int, n_b: int) -> None:
    z, p = proportions_ztest(np.array([count_b, count_a]), np.array([n_b, n_a]))
    low, high = confint_proportions_2indep(
        count_b, n_b, count_a, n_a, method="newcomb", compare="diff", alpha=0.05
    )
    got = compare_shares(count_a, n_a, count_b, n_b)
    assert got.test == "two-proportion z"
    assert got.difference == pytest.approx(count_b / n_b - count_a / n_a, abs=1e-15)
    assert got.statistic == pytest.approx(z, rel=1e-10)
    assert got.p_value == pytest.approx(p, rel=1e-9)
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-10)


def test_newcombe_textbook_value() -> None:
    # Newcombe (1998), table II (a): 56/70 - 48/80 = 0.2000, method 10 interval 0.0524 to 0.3339.
    got = compare_shares(48, 80, 56, 70)
    assert (round(got.low, 4), round(got.high, 4)) == (0.0524, 0.3339)


def test_compare_shares_when_both_are_zero() -> None:
    got = compare_shares(0, 10, 0, 20)
    assert (got.difference, got.statistic, got.p_value) == (0.0, 0.0, 1.0)
    assert got.low < 0 < got.high


share_samples = st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@FAST
@given(share_samples, share_samples)
def test_compare_shares_is_antisymmetric_and_bounded(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    forward, backward = compare_shares(*a, *b), compare_shares(*b, *a)
    assert forward.difference == pytest.approx(-backward.difference, abs=1e-12)
    assert forward.p_value == pytest.approx(backward.p_value, abs=1e-12)
    assert forward.low == pytest.approx(-backward.high, abs=1e-12)
    assert -1.0 - 1e-12 <= forward.low <= forward.difference <= forward.high <= 1.0 + 1e-12
    assert 0.0 <= forward.p_value <= 1.0


# --- Funnel plots ----------------------------------------------------------------------------


def test_binomial_funnel_limit_hand_computed() -> None:
    # Bin(10, 0.5): P(R ≤ 1) = 11/1024 < 0.025 ≤ P(R ≤ 2) = 56/1024, P(R = 2) = 45/1024, so
    # a = (56/1024 - 0.025) / (45/1024) and the lower 95 % limit is (2 - a) / 10; the upper one
    # is its mirror image.
    a = (Fraction(56, 1024) - Fraction(1, 40)) / Fraction(45, 1024)
    expected = float((2 - a) / 10)
    limits = funnel_limits(0.5, [10], levels=(0.95,))
    assert limits.loc[0, "lower"] == pytest.approx(expected, rel=1e-12)
    assert limits.loc[0, "upper"] == pytest.approx(1 - expected, rel=1e-12)


@pytest.mark.parametrize(
    ("target", "n", "level"),
    [
        (0.5, 10, 0.95),
        (0.3, 25, 0.95),
        (0.3, 25, 0.998),
        (0.85, 40, 0.95),
        (0.02, 60, 0.998),
        (0.99, 1, 0.95),
        (0.6, 3, 0.998),
    ],
)
def test_share_funnel_flags_exactly_the_exact_binomial_tails(
    target: float, n: int, level: float
) -> None:
    # Reference: the exact one-sided binomial tail probabilities from scipy.
    tail = (1 - level) / 2
    for count in range(n + 1):
        expected = (
            "above"
            if stats.binom.sf(count - 1, n, target) < tail
            else "below"
            if stats.binom.cdf(count, n, target) < tail
            else "inside"
        )
        assert funnel_position(count / n, n, target, level=level) == expected, count


def test_binomial_funnel_approaches_the_normal_limits_for_large_n() -> None:
    n = np.array([20_000, 100_000])
    limits = funnel_limits(0.3, n, levels=(0.998,))
    half = stats.norm.ppf(0.999) * np.sqrt(0.3 * 0.7 / n)
    assert limits["lower"].to_numpy() == pytest.approx(0.3 - half, abs=2e-4)
    assert limits["upper"].to_numpy() == pytest.approx(0.3 + half, abs=2e-4)


def test_mean_funnel_is_the_normal_approximation() -> None:
    n = np.array([5, 20, 100])
    limits = funnel_limits(7.2, n, kind="mean", sd=2.0)
    assert list(limits.columns) == ["n", "level", "lower", "upper"]
    assert limits["level"].tolist() == [0.95] * 3 + [0.998] * 3
    half = np.concatenate([1.959963984540054 * 2 / np.sqrt(n), 3.090232306167813 * 2 / np.sqrt(n)])
    assert limits["lower"].to_numpy() == pytest.approx(7.2 - half, rel=1e-12)
    assert limits["upper"].to_numpy() == pytest.approx(7.2 + half, rel=1e-12)


def test_funnel_position() -> None:
    assert funnel_position(0.9, 10, 0.3) == "above"
    assert funnel_position(0.3, 10, 0.3) == "inside"
    assert funnel_position(0.1, 500, 0.3) == "below"
    assert funnel_position(0.25, 500, 0.3) == "inside"
    assert funnel_position(0.25, 500, 0.3, level=0.95) == "below"
    assert funnel_position(9.9, 100, 7.2, kind="mean", sd=2.0) == "above"
    with pytest.raises(ValueError):
        funnel_position(5.0, 10, 7.2, kind="mean")
    with pytest.raises(ValueError):
        funnel_limits(0.3, [0])


@FAST
@given(st.floats(0.01, 0.99), st.lists(st.integers(1, 5000), min_size=1, max_size=20))
def test_share_funnel_contains_the_target_and_nests(target: float, sizes: list[int]) -> None:
    limits = funnel_limits(target, sizes)
    narrow, wide = limits[limits["level"] == 0.95], limits[limits["level"] == 0.998]
    assert ((limits["lower"] >= 0) & (limits["upper"] <= 1)).all()
    assert ((limits["lower"] <= target) & (target <= limits["upper"])).all()
    assert (wide["lower"].to_numpy() <= narrow["lower"].to_numpy()).all()
    assert (wide["upper"].to_numpy() >= narrow["upper"].to_numpy()).all()


@FAST
@given(st.floats(0.0, 10.0), st.floats(0.1, 5.0), st.integers(1, 1000), st.integers(1, 1000))
def test_mean_funnel_narrows_with_n(target: float, sd: float, small: int, extra: int) -> None:
    limits = funnel_limits(target, [small, small + extra], kind="mean", sd=sd, levels=(0.95,))
    width = (limits["upper"] - limits["lower"]).to_numpy()
    assert width[1] < width[0]


# --- Empirical-Bayes shrinkage ---------------------------------------------------------------

# Efron & Morris (1975, 1977): batting averages of 18 players after their first 45 at-bats.
HITS = np.array([18, 17, 16, 15, 14, 14, 13, 12, 11, 11, 10, 10, 10, 10, 10, 9, 8, 7])
BATTING = HITS / 45


def test_efron_morris_baseball() -> None:
    grand = BATTING.mean()
    variance = grand * (1 - grand)  # binomial variance of one at-bat
    shrunk = shrink_means(45, BATTING, variance, grand)
    # Published: grand mean .265 and shrinking factor c = .212, z = .265 + .212 (y - .265);
    # Clemente's .400 becomes .294.
    c = (shrunk[0] - grand) / (BATTING[0] - grand)
    assert round(grand, 3) == 0.265
    assert round(c, 3) == 0.212
    assert round(shrunk[0], 3) == 0.294
    assert shrunk == pytest.approx(0.265 + 0.212 * (BATTING - 0.265), abs=1e-3)
    # And exactly the positive-part James-Stein rule c = 1 - (k - 3) σ² / Σ (y - ȳ)².
    james_stein = 1 - 15 * (variance / 45) / np.sum((BATTING - grand) ** 2)
    assert shrunk == pytest.approx(grand + james_stein * (BATTING - grand), rel=1e-12)


def test_shrinkage_hand_computed_with_unequal_n() -> None:
    # Prior known (r = 0), k = 4: tau² solves 9/(4+tau²) + 9/(4+tau²) + 0 + 0 = 2, so tau² = 5;
    # weights 5/9 for one answer, 5/6 for four.
    n, means = np.array([1, 1, 4, 4]), np.array([3.0, -3.0, 0.0, 0.0])
    assert between_place_variance(n, means, 4.0, 0.0, prior_parameters=0) == pytest.approx(5.0)
    assert shrinkage_weight(n, 4.0, 5.0) == pytest.approx([5 / 9, 5 / 9, 5 / 6, 5 / 6])
    shrunk = shrink_means(n, means, 4.0, 0.0, prior_parameters=0)
    assert shrunk == pytest.approx([5 / 3, -5 / 3, 0.0, 0.0])


def test_pooled_within_variance_from_sufficient_statistics() -> None:
    places = [{0: 1, 2: 1}, {1: 2, 3: 1, 4: 1}, {4: 3}]
    n, total, total_sq = (np.array(column) for column in zip(*map(sufficient, places), strict=True))
    within = sum(described(p).var * sum(p.values()) for p in places)
    assert pooled_within_variance(n, total, total_sq) == pytest.approx(within / (9 - 3))


def test_shrinkage_needs_enough_places() -> None:
    with pytest.raises(ValueError):
        shrink_means([10, 20, 30], [1.0, 2.0, 3.0], 1.0, 2.0)
    assert shrink_means([10, 20, 30], [1.0, 2.0, 3.0], 1.0, 2.0, tau2=0.0).tolist() == [2.0] * 3


places = st.lists(
    st.tuples(st.integers(1, 500), st.floats(0.0, 10.0)), min_size=4, max_size=40
).map(lambda rows: (np.array([r[0] for r in rows]), np.array([r[1] for r in rows])))


@FAST
@given(places, st.floats(0.1, 9.0), st.floats(0.0, 10.0))
def test_shrunk_means_lie_between_the_raw_mean_and_the_prior(
    data: tuple[np.ndarray, np.ndarray], variance: float, prior: float
) -> None:
    n, means = data
    shrunk = shrink_means(n, means, variance, prior)
    assert (shrunk >= np.minimum(means, prior) - 1e-12).all()
    assert (shrunk <= np.maximum(means, prior) + 1e-12).all()


@FAST
@given(places, st.floats(0.1, 9.0), st.floats(0.0, 10.0))
def test_estimated_tau2_solves_its_moment_equation(
    data: tuple[np.ndarray, np.ndarray], variance: float, prior: float
) -> None:
    n, means = data
    tau2 = between_place_variance(n, means, variance, prior)
    spread = np.sum((means - prior) ** 2 / (variance / n + tau2))
    if tau2 > 0:
        assert spread == pytest.approx(len(n) - 3, rel=1e-9)
    else:
        assert spread <= len(n) - 3 + 1e-9
        assert shrink_means(n, means, variance, prior).tolist() == [prior] * len(n)


@FAST
@given(st.floats(1e-3, 10.0), st.floats(1e-3, 10.0), st.integers(1, 10_000), st.integers(1, 100))
def test_shrinkage_weight_grows_with_n(tau2: float, variance: float, n: int, extra: int) -> None:
    small, large = shrinkage_weight([n, n + extra], variance, tau2)
    assert 0.0 < small < large < 1.0


@FAST
@given(places, st.floats(0.1, 9.0), st.floats(0.0, 10.0))
def test_no_between_place_variance_means_every_place_gets_the_prior(
    data: tuple[np.ndarray, np.ndarray], variance: float, prior: float
) -> None:
    n, means = data
    assert shrink_means(n, means, variance, prior, tau2=0.0).tolist() == [prior] * len(n)


def test_a_place_with_few_answers_moves_more() -> None:
    n = np.array([5, 500, 50, 50, 50, 50])
    means = np.array([9.0, 9.0, 6.0, 7.0, 8.0, 5.0])
    shrunk = shrink_means(n, means, 4.0, 7.0)
    assert abs(shrunk[0] - 9.0) > 10 * abs(shrunk[1] - 9.0)
