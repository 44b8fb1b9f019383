"""Pure statistics on sufficient statistics (n, sum, sum of squares); no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A value with its two-sided confidence interval."""

    value: float
    low: float
    high: float
    n: int


def mean_interval(n: int, total: float, total_sq: float, confidence: float = 0.95) -> Estimate:
    """Mean with a Student t interval, from n, sum and sum of squares.

    Why t: cell sizes for a team can be small, where the normal interval is too narrow.
    """
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    mean = total / n
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, n)
    variance = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


def score_0_10(n: int, total: int, total_sq: int, max_level: int) -> Estimate:
    """Score on 0-10 of an ordinal question whose answers are levels 0..max_level.

    Levels are stored as integers so that sums are exact; the 0-10 scale (comparable with the
    State's quality barometer) is applied only here, clipped to the scale's bounds.
    """
    raw = mean_interval(n, total, total_sq)
    scale = 10.0 / max_level

    def clip(x: float) -> float:
        return min(10.0, max(0.0, x * scale))

    return Estimate(raw.value * scale, clip(raw.low), clip(raw.high), n)
