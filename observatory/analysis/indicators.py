"""The team space's headline indicators, measured from a question's answer counts; pure.

Two kinds, both the questionnaire's own scale: a score out of 10 (the mean level of a question
with levels, as the barometer publishes) and a share of the answers that gave one option ("oui").
A change between two periods is tested only from `MIN_TEST_N` answers on each side: below it the
tests' approximations (the t distribution of a mean of four levels, the normal distribution of a
difference of shares) are not to be trusted, and the page says there are too few answers rather
than print a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from observatory.aggregation.comparison import Comparison, compare_means, compare_shares
from observatory.aggregation.stats import Estimate, score_0_10_from_levels, share_interval
from observatory.questionnaires.definitions import Questionnaire

Kind = Literal["score", "share"]
Counts = Mapping[str, int]  # option code → answers over a period
MIN_TEST_N = 20


@dataclass(frozen=True)
class Indicator:
    id: str
    question: str
    kind: Kind
    label: str  # as a heading
    subject: str  # as the subject of a sentence ("la satisfaction")
    success: str = ""  # the option a share counts


INDICATORS = (
    Indicator("satisfaction", "satisfaction", "score", "Satisfaction", "la satisfaction"),
    Indicator(
        "objectif",
        "objectif",
        "share",
        "Objectif atteint",
        "la part des personnes qui ont pu faire ce qu'elles voulaient",
        "oui",
    ),
    Indicator(
        "autonomie",
        "autonomie",
        "share",
        "Pourrait le refaire seul·e",
        "la part des personnes qui pourraient le refaire seules",
        "oui",
    ),
    Indicator("accueil", "accueil", "score", "Accueil et écoute", "l'accueil"),
    Indicator(
        "recommandation",
        "recommandation",
        "share",
        "Conseillerait le lieu",
        "la part des personnes qui conseilleraient le lieu",
        "oui",
    ),
)


@dataclass(frozen=True)
class Scale:
    """What an indicator needs of its question: each option's level (scores)."""

    levels: Mapping[str, int]
    max_level: int


def scales(questionnaire: Questionnaire) -> dict[str, Scale]:
    """The scale of each indicator's question in this questionnaire version."""
    out = {}
    for indicator in INDICATORS:
        question = questionnaire.question(indicator.question)
        if question is None or question.max_level is None:
            raise ValueError(f"the questionnaire has no scored question {indicator.question!r}")
        levels = {o.code: o.level for o in question.options if o.level is not None}
        out[indicator.id] = Scale(levels, question.max_level)
    return out


@dataclass(frozen=True)
class Measure:
    """An indicator over one period: its estimate (value, 95 % interval, n), None when held
    back, and the sufficient statistics a comparison needs."""

    indicator: Indicator
    estimate: Estimate | None
    stats: tuple[int, int, int]  # scores: (n, Σ level, Σ level²); shares: (n, successes, 0)

    @property
    def n(self) -> int:
        return self.stats[0]


def _stats(indicator: Indicator, counts: Counts, scale: Scale) -> tuple[int, int, int]:
    scored = {code: c for code, c in counts.items() if code in scale.levels and c > 0}
    n = sum(scored.values())
    if indicator.kind == "share":
        return n, scored.get(indicator.success, 0), 0
    total = sum(scale.levels[code] * c for code, c in scored.items())
    total_sq = sum(scale.levels[code] ** 2 * c for code, c in scored.items())
    return n, total, total_sq


def measure(indicator: Indicator, counts: Counts, scale: Scale, k: int) -> Measure:
    """The indicator from exact counts, held back below `k` answers (the team's threshold)."""
    stats = _stats(indicator, counts, scale)
    n = stats[0]
    if n < k or n == 0:
        return Measure(indicator, None, stats)
    if indicator.kind == "share":
        return Measure(indicator, share_interval(stats[1], n), stats)
    by_level: dict[int, int] = {}
    for code, c in counts.items():
        if code in scale.levels and c > 0:
            by_level[scale.levels[code]] = by_level.get(scale.levels[code], 0) + c
    return Measure(indicator, score_0_10_from_levels(by_level, scale.max_level), stats)


@dataclass(frozen=True)
class Change:
    """An indicator now and over the previous period of the same length; `comparison` is None
    when either side has fewer than MIN_TEST_N answers. Differences are on the page's scale:
    points out of 10, or shares between -1 and 1."""

    indicator: Indicator
    current: Measure
    previous: Measure
    comparison: Comparison | None


def change(current: Measure, previous: Measure, scale: Scale) -> Change:
    indicator = current.indicator
    held_back = current.estimate is None or previous.estimate is None
    if held_back or min(current.n, previous.n) < MIN_TEST_N:
        return Change(indicator, current, previous, None)
    if indicator.kind == "share":
        tested = compare_shares(previous.stats[1], previous.n, current.stats[1], current.n)
        return Change(indicator, current, previous, tested)
    raw = compare_means(previous.stats, current.stats)
    factor = 10 / scale.max_level
    tested = Comparison(
        raw.difference * factor,
        raw.low * factor,
        raw.high * factor,
        raw.p_value,
        raw.test,
        raw.statistic,
    )
    return Change(indicator, current, previous, tested)
