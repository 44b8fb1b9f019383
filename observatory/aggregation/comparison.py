"""Comparison of two periods (or two groups) from sufficient statistics; pure, no I/O.

Used for trends: "is this quarter's score different from last quarter's, or is it chance?".
The two periods are treated as independent samples: answers are anonymous and a person rarely
answers in both, so this is the honest default (docs/methodology.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from observatory.aggregation.stats import share_interval

# (n, sum, sum of squares) of a cell's levels, as stored in cells.
SufficientStats = tuple[int, float, float]


@dataclass(frozen=True)
class Comparison:
    """Difference b - a with its confidence interval and the p-value of "no difference".

    `test` names the test ("welch" or "two-proportion z") and `statistic` is its t or z value,
    signed like the difference.
    """

    difference: float
    low: float
    high: float
    p_value: float
    test: str
    statistic: float


def _moments(cell: SufficientStats) -> tuple[int, float, float]:
    """n, mean and unbiased variance; exact for integer sums (n·Σx² - (Σx)² in integers)."""
    n, total, total_sq = cell
    if n < 2:
        raise ValueError("comparing means needs at least two answers on each side")
    spread = n * total_sq - total * total
    return n, total / n, max(spread, 0) / (n * (n - 1))


def _degenerate(difference: float, test: str) -> Comparison:
    """Both sides without any spread: the difference is known exactly."""
    if difference == 0:
        return Comparison(0.0, 0.0, 0.0, 1.0, test, 0.0)
    return Comparison(
        difference, difference, difference, 0.0, test, math.copysign(math.inf, difference)
    )


def compare_means(a: SufficientStats, b: SufficientStats, confidence: float = 0.95) -> Comparison:
    """Welch's t-test and interval for mean(b) - mean(a), from (n, sum, sum_sq) of each side.

    Why Welch rather than Student's pooled t: the two periods rarely have the same number of
    answers or the same spread, and the pooled test is wrong exactly then; Welch's costs nothing
    when they are equal. Degrees of freedom by the Welch-Satterthwaite formula.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")
    n_a, mean_a, var_a = _moments(a)
    n_b, mean_b, var_b = _moments(b)
    se2_a, se2_b = var_a / n_a, var_b / n_b
    se2 = se2_a + se2_b
    difference = mean_b - mean_a
    if se2 == 0:
        return _degenerate(difference, "welch")
    df = se2 * se2 / (se2_a * se2_a / (n_a - 1) + se2_b * se2_b / (n_b - 1))
    se = math.sqrt(se2)
    statistic = difference / se
    p_value = float(2 * stats.t.sf(abs(statistic), df))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return Comparison(difference, difference - half, difference + half, p_value, "welch", statistic)


def compare_shares(
    count_a: int, n_a: int, count_b: int, n_b: int, confidence: float = 0.95
) -> Comparison:
    """Two-proportion z-test for share(b) - share(a), with Newcombe's interval for the difference.

    The test pools the two shares under "no difference" (the classical z-test, as statsmodels'
    `proportions_ztest`). The interval is Newcombe's hybrid score interval (1998, method 10),
    built from the Wilson interval of each share: unlike the Wald interval p_b - p_a ± z·se, it
    stays within [-1, 1] and keeps its coverage for small counts and shares near 0 % or 100 %.
    Because test and interval are computed differently, in borderline cases p may be just below
    0.05 while the interval just touches 0 (or the reverse).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")
    wilson_a = share_interval(count_a, n_a, confidence)
    wilson_b = share_interval(count_b, n_b, confidence)
    share_a, share_b = wilson_a.value, wilson_b.value
    difference = share_b - share_a
    pooled = (count_a + count_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se0 == 0:
        # Both shares are 0 % or both 100 %: no evidence of any difference.
        statistic, p_value = 0.0, 1.0
    else:
        statistic = difference / se0
        p_value = float(2 * stats.norm.sf(abs(statistic)))
    low = difference - math.hypot(share_b - wilson_b.low, wilson_a.high - share_a)
    high = difference + math.hypot(wilson_b.high - share_b, share_a - wilson_a.low)
    return Comparison(difference, low, high, p_value, "two-proportion z", statistic)
