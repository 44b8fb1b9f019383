"""Pure statistics on sufficient statistics (n, sum, sum of squares, counts); no I/O.

Cells only keep integer sufficient statistics (see `cells`), so every function here works from
them rather than from individual answers: an interval, a test or a funnel limit can be computed
for any cell, at any scope, without reading answers again. Comparisons of two periods are in
`comparison`, the shrinkage of place scores towards their territory in `shrinkage`.
docs/methodology.md explains the methods to non-experts.
"""

from __future__ import annotations

import functools
import hashlib
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

# Below this many answers a mean's interval comes from the bootstrap rather than from Student's t
# (see `level_mean_interval`).
BOOTSTRAP_BELOW = 30
BOOTSTRAP_RESAMPLES = 2000
# Spiegelhalter's usual pair of funnel limits: about 2 and 3 standard errors.
FUNNEL_LEVELS = (0.95, 0.998)

FunnelKind = Literal["share", "mean"]
FunnelPosition = Literal["inside", "above", "below"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A value with its two-sided confidence interval."""

    value: float
    low: float
    high: float
    n: int


def check_confidence(confidence: float) -> None:
    """Raise ValueError unless 0 < confidence < 1 (a level such as 0.95, not 95)."""
    if not 0.0 < confidence < 1.0:  # also rejects NaN
        raise ValueError(
            f"confidence must be strictly between 0 and 1 (e.g. 0.95 for 95 %), not {confidence!r}"
        )


@functools.lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    """Two-sided standard normal quantile, e.g. 1.96 for 0.95. Kept: scipy's ppf costs about
    90 µs a call, and a team page asks for the same few quantiles over a hundred times."""
    check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


@functools.lru_cache(maxsize=4096)
def _t(confidence: float, df: int) -> float:
    """Two-sided Student quantile with `df` degrees of freedom (kept, as `_z`)."""
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def _exact(x: float) -> Fraction:
    """`x` as an exact fraction: integers (Python or numpy) exactly, floats by their exact value."""
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    return Fraction(float(x))


def sample_variance(n: int, total: float, total_sq: float) -> float:
    """Unbiased variance (n·Σx² − (Σx)²) / (n·(n − 1)) of n values, from Σx and Σx².

    Why this form, computed exactly: the textbook `(Σx² − n·mean²) / (n − 1)` subtracts two large,
    nearly equal floats, and at national scale (millions of answers) the rounding of the mean is
    multiplied by n: when answers barely differ the variance loses most of its digits. Cells hold
    integer sums, so here the numerator and the denominator are whole numbers computed exactly
    (Python integers do not overflow) and the division is rounded once, at the end.
    Negative values (impossible for real data, possible for inconsistent inputs) become 0.
    """
    if n < 2:
        raise ValueError("a variance needs at least two answers")
    spread = n * _exact(total_sq) - _exact(total) ** 2
    return float(max(spread, Fraction(0)) / (n * (n - 1)))


def mean_interval(n: int, total: float, total_sq: float, confidence: float = 0.95) -> Estimate:
    """Mean with a Student t interval, from n, sum and sum of squares.

    Why t: cell sizes for a team can be small, where the normal interval is too narrow. This is
    the plain t interval: infinite for one answer, of zero width when all answers are equal. The
    published scores (`score_0_10`, `score_0_10_from_levels`) replace it in that case by
    `all_equal_interval`.
    """
    check_confidence(confidence)
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    mean = float(_exact(total) / n)
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, n)
    variance = sample_variance(n, total, total_sq)
    half = _t(confidence, n - 1) * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


def all_equal_interval(level: float, n: int, max_level: int, confidence: float = 0.95) -> Estimate:
    """Mean of n answers that all chose `level` on a 0..max_level scale, with a positive-width
    interval.

    Why: when every answer is the same, both the t interval and the bootstrap have zero width
    ("10 (10 to 10)" from 11 answers), as if the next visitors could not answer otherwise. The
    uncertainty is then about the *share* of people who would choose that level: 11 answers out
    of 11 is a share of 100 % whose Wilson interval (`share_interval`, the one used for every
    share) reaches down to 74 %. So up to q = 26 % of people (the Wilson upper bound of "0 out
    of n chose another level", q = z² / (n + z²)) could have answered something else; in the
    worst case all of them at the far end of the scale, which gives

        low = level × (1 − q),    high = level + (max_level − level) × q.

    The interval contains the mean, stays within [0, max_level], and its width max_level × q is
    positive for every n ≥ 1 and narrows as n grows (1/n-like, faster than the 1/√n of a t
    interval, as for a share at 0 % or 100 %). It is conservative (the worst case puts everyone
    else at the far end), and it is the rule for one answer too, which is "all answers equal".
    At the top or bottom of the scale it is exactly the Wilson interval of the share at that
    level, rescaled: 5 answers out of 5 at the top give 57 % to 100 % and a score from 5.7 to 10.
    Wilson rather than the exact Clopper-Pearson bound (1 − (α/2)^(1/n), slightly wider) so that
    a score and the share beside it tell the same story. Data with any spread keep the t or
    bootstrap interval unchanged; near the boundary (one answer off the top among 11) those can
    be narrower than this one, a known limit of both methods that this rule does not mend.
    """
    check_confidence(confidence)
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    if max_level < 1:
        raise ValueError("the scale needs a highest level of at least 1")
    if not 0 <= level <= max_level:
        raise ValueError(f"level {level} is outside the scale 0..{max_level}")
    others = share_interval(0, n, confidence).high
    low = level * (1.0 - others)
    high = level + (max_level - level) * others
    return Estimate(float(level), min(low, level), max(high, level), n)


def _on_0_10(raw: Estimate, max_level: int) -> Estimate:
    """Rescale an estimate on levels 0..max_level to 0-10, clipping the bounds to the scale."""
    scale = 10.0 / max_level

    def clip(x: float) -> float:
        return min(10.0, max(0.0, x * scale))

    return Estimate(raw.value * scale, clip(raw.low), clip(raw.high), raw.n)


def score_0_10(
    n: int, total: int, total_sq: int, max_level: int, confidence: float = 0.95
) -> Estimate:
    """Score on 0-10 of an ordinal question whose answers are levels 0..max_level.

    Levels are stored as integers so that sums are exact; the 0-10 scale (comparable with the
    State's quality barometer) is applied only here, clipped to the scale's bounds. The interval
    is Student's t (`mean_interval`), except when all answers are equal (n·Σx² = (Σx)², exact in
    integers; one answer included), where it is `all_equal_interval`. Without per-level counts
    there is no bootstrap: prefer `score_0_10_from_levels` when the counts are at hand, which
    gives the same value and, from 30 answers or when all answers are equal, the same interval.
    """
    check_confidence(confidence)
    if n <= 0:
        raise ValueError("a mean needs at least one answer")
    if n * _exact(total_sq) == _exact(total) ** 2:
        raw = all_equal_interval(float(_exact(total) / n), n, max_level, confidence)
    else:
        raw = mean_interval(n, total, total_sq, confidence)
    return _on_0_10(raw, max_level)


def share_interval(count: int, n: int, confidence: float = 0.95) -> Estimate:
    """Share count/n with its Wilson score interval.

    Why Wilson rather than p ± z·sqrt(p(1-p)/n): the latter collapses to a zero-width interval
    at 0 % or 100 % and leaves [0, 1] for small n, which are exactly the small cells teams look
    at; Wilson's interval stays inside [0, 1] and keeps close to its nominal coverage from a
    handful of answers (Brown, Cai & DasGupta 2001).
    """
    if n <= 0:
        raise ValueError("a share needs at least one answer")
    if not 0 <= count <= n:
        raise ValueError("count must be between 0 and n")
    z = _z(confidence)
    share = count / n
    z2n = z * z / n
    centre = (share + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(share * (1 - share) / n + z2n / (4 * n))
    # At 0 and n the bounds are exactly 0 and 1; rounding alone could push them past.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return Estimate(share, low, high, n)


def _levels_and_counts(counts_by_level: Mapping[int, int]) -> tuple[list[int], list[int]]:
    """Levels with a positive count, sorted (so the result does not depend on mapping order)."""
    if any(c < 0 for c in counts_by_level.values()):
        raise ValueError("counts cannot be negative")
    kept = sorted((int(level), int(c)) for level, c in counts_by_level.items() if c > 0)
    if not kept:
        raise ValueError("a mean needs at least one answer")
    return [level for level, _ in kept], [c for _, c in kept]


def data_seed(counts_by_level: Mapping[int, int]) -> int:
    """A seed that depends only on the (level, count) pairs with a positive count, in any order.

    SHA-256 of their text rather than Python's `hash`, so it is the same in every process, on
    every machine and in every version of Python.
    """
    levels, counts = _levels_and_counts(counts_by_level)
    text = ";".join(f"{lv}:{c}" for lv, c in zip(levels, counts, strict=True))
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest()[:8], "big")


def bootstrap_mean_interval(
    counts_by_level: Mapping[int, int],
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int | None = None,
) -> Estimate:
    """Mean of ordinal levels with a percentile bootstrap interval, from the count of each level.

    Why: with few answers the mean of a 0..max scale is often skewed (many answers at the top),
    and the symmetric t interval can run past the scale. Resampling n answers from the observed
    ones is the same as drawing the level counts from a multinomial(n, observed shares), so the
    bootstrap needs only the per-level counts a cell already holds, and it is one vectorised draw.
    The interval always stays between the lowest and highest level observed and contains the
    mean. It is deterministic: without an explicit `seed` the random draws are seeded from the
    counts themselves (`data_seed`), so the same cell always shows the same interval, wherever
    and whenever it is computed, while different cells do not share one stream of draws.

    Limits: when every answer has the same level the interval has zero width (the published
    scores use `all_equal_interval` then), and at very small n the percentile bootstrap is
    somewhat too narrow (it cannot see levels nobody chose).
    """
    check_confidence(confidence)
    if resamples < 1:
        raise ValueError("resamples must be positive")
    alpha = 1 - confidence
    levels, counts = _levels_and_counts(counts_by_level)
    n = sum(counts)
    mean = sum(lv * c for lv, c in zip(levels, counts, strict=True)) / n
    rng = np.random.default_rng(data_seed(counts_by_level) if seed is None else seed)
    drawn = rng.multinomial(n, np.asarray(counts, dtype=np.float64) / n, size=resamples)
    means = drawn @ np.asarray(levels, dtype=np.float64) / n
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return Estimate(mean, min(float(low), mean), max(float(high), mean), n)


def level_mean_interval(
    counts_by_level: Mapping[int, int],
    confidence: float = 0.95,
    *,
    max_level: int | None = None,
    bootstrap_below: int = BOOTSTRAP_BELOW,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int | None = None,
) -> Estimate:
    """Mean of ordinal levels with the interval suited to its number of answers.

    Below `bootstrap_below` answers (30 by default) the bootstrap is used, from 30 on the
    Student t interval of `mean_interval`. Why 30: the usual rule of thumb from which the mean
    of a bounded 0..max scale is close enough to normal for the t interval to be accurate, while
    below it the skew of satisfaction scales makes the symmetric t interval misleading.
    When the scale's highest level `max_level` is given and every answer chose the same level,
    whatever n, the interval is `all_equal_interval` (both others would have zero width).
    """
    check_confidence(confidence)
    levels, counts = _levels_and_counts(counts_by_level)
    n = sum(counts)
    if max_level is not None and len(levels) == 1:
        return all_equal_interval(levels[0], n, max_level, confidence)
    if n < bootstrap_below:
        return bootstrap_mean_interval(counts_by_level, confidence, resamples, seed)
    total = sum(lv * c for lv, c in zip(levels, counts, strict=True))
    total_sq = sum(lv * lv * c for lv, c in zip(levels, counts, strict=True))
    return mean_interval(n, total, total_sq, confidence)


def score_0_10_from_levels(
    counts_by_level: Mapping[int, int],
    max_level: int,
    confidence: float = 0.95,
    *,
    bootstrap_below: int = BOOTSTRAP_BELOW,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int | None = None,
) -> Estimate:
    """`score_0_10` from per-level counts: the interval switches as `level_mean_interval` does.

    Bootstrap below 30 answers, t from 30, `all_equal_interval` whenever all answers are equal
    (one answer included). The value is always the same as `score_0_10`'s, and so is the
    interval from 30 answers on or when all answers are equal.
    """
    raw = level_mean_interval(
        counts_by_level,
        confidence,
        max_level=max_level,
        bootstrap_below=bootstrap_below,
        resamples=resamples,
        seed=seed,
    )
    return _on_0_10(raw, max_level)


def _sizes(n: npt.ArrayLike) -> npt.NDArray[np.int64]:
    sizes = np.atleast_1d(np.asarray(n))
    if sizes.ndim != 1:
        raise ValueError("n must be a number or a one-dimensional array")
    if sizes.size and (np.any(sizes < 1) or np.any(sizes != np.floor(sizes))):
        raise ValueError("n must hold whole numbers of answers, at least 1")
    return sizes.astype(np.int64)


def _check_funnel(target: float, kind: FunnelKind, sd: float | None) -> None:
    if kind == "share":
        if sd is not None:
            raise ValueError("sd only applies to means; a share's spread follows from its target")
        if not 0.0 < target < 1.0:
            raise ValueError("the target share must be strictly between 0 and 1")
    elif kind == "mean":
        if sd is None or not (math.isfinite(sd) and sd > 0):
            raise ValueError("a funnel for means needs the answers' standard deviation sd > 0")
    else:
        raise ValueError(f"unknown funnel kind {kind!r}")


def _binomial_lower_count(target: float, sizes: npt.NDArray[np.int64], tail: float) -> FloatArray:
    """Spiegelhalter's (2005, appendix A.1.1) interpolated `tail`-quantile of Binomial(n, target).

    r is the smallest count with P(R ≤ r) ≥ tail; the limit r - a with
    a = (P(R ≤ r) - tail) / P(R = r) spreads the last jump of the discrete distribution linearly
    over the unit below r, so the funnel is a smooth curve in n instead of a staircase. A whole
    count x lies below it exactly when P(R ≤ x) < tail: the interpolation never changes which
    places are flagged, only how the line is drawn between whole counts.
    """
    r: FloatArray = np.asarray(stats.binom.ppf(tail, sizes, target), dtype=np.float64)
    cdf = stats.binom.cdf(r, sizes, target)
    pmf = stats.binom.pmf(r, sizes, target)
    safe = np.where(pmf > 0, pmf, 1.0)
    a = np.clip(np.where(pmf > 0, (cdf - tail) / safe, 0.0), 0.0, 1.0)
    count: FloatArray = np.clip(r - a, 0.0, sizes)
    return count


def _binomial_limits(
    target: float, sizes: npt.NDArray[np.int64], tail: float
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper share limits, each leaving at most `tail` of Binomial(n, target) outside.

    The upper limit is the lower one of the answers *not* counted (n - R ~ Binomial(n, 1 - target)),
    so both tails are treated alike: a share x/n is above exactly when P(R ≥ x) < tail. (Applying
    the quantile formula directly to the upper tail would flag counts whose tail probability
    exceeds `tail`.) Both are divided by n only at the end, so a whole count on a limit compares
    as equal to it.
    """
    lower = _binomial_lower_count(target, sizes, tail) / sizes
    upper = (sizes - _binomial_lower_count(1 - target, sizes, tail)) / sizes
    return lower.astype(np.float64), upper.astype(np.float64)


def _funnel_bounds(
    target: float,
    sizes: npt.NDArray[np.int64],
    kind: FunnelKind,
    sd: float | None,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    if not 0.0 < level < 1.0:
        raise ValueError("funnel levels must be strictly between 0 and 1")
    tail = (1 - level) / 2
    if kind == "share":
        return _binomial_limits(target, sizes, tail)
    assert sd is not None
    half = _z(level) * sd / np.sqrt(sizes.astype(np.float64))
    return target - half, target + half


def funnel_limits(
    target: float,
    n: npt.ArrayLike,
    *,
    kind: FunnelKind = "share",
    sd: float | None = None,
    levels: Sequence[float] = FUNNEL_LEVELS,
) -> pd.DataFrame:
    """Funnel-plot control limits around `target` for each number of answers in `n`.

    Why funnels rather than rankings: a place with few answers can sit far from the territory's
    figure by chance alone; the limits show how far chance can take it for its size (Spiegelhalter
    2005, "Funnel plots for comparing institutional performance", Stat. Med. 24:1185-1202).

    - kind="share": `target` is the territory's share (strictly between 0 and 1) and the limits
      come from the exact binomial distribution with Spiegelhalter's interpolation
      (`_binomial_limits`): they stay in [0, 1] and are right for small n, where the normal
      approximation p ± z·sqrt(p(1-p)/n) is not. A share count/n is outside exactly when the
      one-sided binomial probability of a count at least that extreme is below (1 - level)/2.
    - kind="mean": `target` is the territory's mean and `sd` the standard deviation of single
      answers (e.g. the territory's pooled within-place standard deviation); the limits are the
      normal approximation target ± z·sd/sqrt(n). They are not clipped to the scale.

    Returns one row per level and n (levels in the given order, n as given), with columns
    n, level, lower, upper. The default levels 0.95 and 0.998 are Spiegelhalter's "2 and 3
    standard errors": outside 99.8 % is unlikely to be chance even among a few hundred places.

    Limits: it assumes places differ only by chance around the target. When places genuinely
    differ (over-dispersion), many will fall outside; `shrinkage` estimates that spread.
    """
    _check_funnel(target, kind, sd)
    sizes = _sizes(n)
    frames = []
    for level in levels:
        lower, upper = _funnel_bounds(target, sizes, kind, sd, level)
        frames.append(
            pd.DataFrame({"n": sizes, "level": float(level), "lower": lower, "upper": upper})
        )
    if not frames:
        raise ValueError("at least one funnel level is needed")
    return pd.concat(frames, ignore_index=True)


def funnel_position(
    value: float,
    n: int,
    target: float,
    *,
    kind: FunnelKind = "share",
    sd: float | None = None,
    level: float = 0.998,
) -> FunnelPosition:
    """Where a place's `value` from `n` answers falls against the funnel limits at `level`.

    A value on a limit counts as inside. The default 99.8 % level flags only what is very unlikely
    to be chance; pass 0.95 for an early warning, knowing that one place in twenty is outside by
    chance alone.
    """
    _check_funnel(target, kind, sd)
    lower, upper = _funnel_bounds(target, _sizes(n), kind, sd, level)
    if value > float(upper[0]):
        return "above"
    if value < float(lower[0]):
        return "below"
    return "inside"
