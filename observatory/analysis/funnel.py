"""Where a team's places stand among the places of their département: a funnel plot of the
satisfaction score and each own place's empirical-Bayes estimate; pure (counts in, figures out).

Never a ranking: a place far from the département's score with few answers may be there by
chance, and the funnel's limits show how far chance can go for its number of answers. The team's
own places are exact; the other places are anonymous and computed from their perturbed counts,
as the public would see them, and only when they pass the public threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from observatory.aggregation.shrinkage import (
    between_place_variance,
    pooled_within_variance,
    shrinkage_weight,
)
from observatory.aggregation.stats import FunnelPosition, funnel_limits, funnel_position

MIN_PLACES = 4  # the between-place variance needs k ≥ 4 places around their own mean
LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class PlacePoint:
    n: int
    total: float  # sum of the answers' scores (0 to 10)
    total_sq: float
    name: str | None  # None: another team's place, anonymous

    @property
    def score(self) -> float:
        return self.total / self.n


@dataclass(frozen=True)
class OwnStanding:
    name: str
    n: int
    score: float
    estimate: float  # the empirical-Bayes estimate, pulled towards the département
    position: FunnelPosition  # against the 99.8 % limits
    early: FunnelPosition  # against the 95 % limits


@dataclass(frozen=True)
class Funnel:
    target: float  # the département's score, as the public sees it
    sd: float  # of single answers, pooled over the places shown
    points: list[PlacePoint]
    own: list[OwnStanding]
    limits: dict[float, list[tuple[int, float, float]]]  # level → (n, lower, upper)


def point(levels: Mapping[int, int], max_level: int, name: str | None) -> PlacePoint:
    """A place's point from its answer counts by level."""
    scale = 10 / max_level
    n = sum(levels.values())
    total = sum(scale * level * c for level, c in levels.items())
    total_sq = sum((scale * level) ** 2 * c for level, c in levels.items())
    return PlacePoint(n, total, total_sq, name)


def funnel(points: Sequence[PlacePoint], target: float) -> Funnel | None:
    """The funnel of `points` around `target`, or None with too few places to read one."""
    shown = [p for p in points if p.n >= 1]
    if len(shown) < MIN_PLACES or not any(p.name for p in shown):
        return None
    sizes = np.array([p.n for p in shown], dtype=np.float64)
    totals = np.array([p.total for p in shown])
    squares = np.array([p.total_sq for p in shown])
    try:
        variance = pooled_within_variance(sizes, totals, squares)
    except ValueError:
        return None
    if variance <= 0:
        return None
    sd = math.sqrt(variance)
    means = totals / sizes
    tau2 = between_place_variance(sizes, means, variance, target)
    own = []
    for p in shown:
        if p.name is None:
            continue
        weight = float(shrinkage_weight(p.n, variance, tau2)[0])
        own.append(
            OwnStanding(
                p.name, p.n, p.score, target + weight * (p.score - target),
                funnel_position(p.score, p.n, target, kind="mean", sd=sd, level=0.998),
                funnel_position(p.score, p.n, target, kind="mean", sd=sd, level=0.95),
            )
        )  # fmt: skip
    grid = np.unique(np.geomspace(max(2, int(sizes.min())), int(sizes.max()) + 1, 40).astype(int))
    frame = funnel_limits(target, grid, kind="mean", sd=sd, levels=LEVELS)
    limits = {}
    for level in LEVELS:
        part = frame[frame["level"] == level]
        limits[level] = list(
            zip(
                part["n"].astype(int).tolist(),
                part["lower"].astype(float).tolist(),
                part["upper"].astype(float).tolist(),
                strict=True,
            )
        )
    return Funnel(target, sd, shown, own, limits)
