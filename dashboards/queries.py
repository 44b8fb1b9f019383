"""Read the aggregate cells the dashboards show, already through the disclosure gate (the
cell key method for the public: perturbed counts, then thresholds, docs/decisions/0018)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from observatory.aggregation.models import NATIONAL, NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.read import read_cells
from observatory.aggregation.stats import Estimate, score_0_10_from_levels
from observatory.config import Settings
from observatory.disclosure import Audience, Disclosed, figures
from observatory.disclosure.figures import Rules
from observatory.questionnaires.definitions import Question
from observatory.responses.models import KEY_MODULUS


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    answers: Disclosed[int]
    score: Disclosed[Estimate]


@dataclass(frozen=True)
class NationalOverview:
    answers: Disclosed[int]
    score_12_months: Disclosed[Estimate]
    months: list[MonthPoint]


@dataclass(frozen=True)
class _Month:
    period_start: dt.date
    n: int
    key_sum: int
    options: dict[str, tuple[int, int]]  # option code → (count, cell key)


def _months(session: Session, question: str, level: str, code: str) -> list[_Month]:
    """A territory's month cells of a question, oldest first (every other period sums
    months)."""
    rows = read_cells(
        session,
        scope_level=level,
        scope_code=code,
        period_kind=STORED_PERIOD_KIND,
        question=question,
        breakdown=NO_BREAKDOWN,
    )
    months = []
    for month, n, key_sum, counts, keys in zip(
        pd.to_datetime(rows["period_start"]),
        rows["n"],
        rows["key_sum"],
        rows["counts_json"],
        rows["keys_json"],
        strict=True,
    ):
        count_of, key_of = json.loads(str(counts)), json.loads(str(keys))
        options = {code: (int(c), int(key_of[code])) for code, c in count_of.items()}
        months.append(_Month(month.date(), int(n), int(key_sum), options))
    return months


def _summed(cells: list[_Month]) -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
    """(n, key) and per-option (count, key) of the sum of several months: keys add up modulo
    2**32 like the cells of a period do."""
    n = sum(c.n for c in cells)
    key = sum(c.key_sum for c in cells) % KEY_MODULUS
    options: dict[str, tuple[int, int]] = {}
    for c in cells:
        for code, (count, option_key) in c.options.items():
            total, total_key = options.get(code, (0, 0))
            options[code] = (total + count, (total_key + option_key) % KEY_MODULUS)
    return (n, key), options


def _score(
    question: Question, options: dict[str, tuple[int, int]], rules: Rules
) -> Disclosed[Estimate]:
    """The score published from the level counts (perturbed for the public; bootstrap below
    30 answers), or held back; its n is the sum of the published level counts."""
    assert question.max_level is not None
    level_of = {o.code: o.level for o in question.options if o.level is not None}
    shown = figures.distribution(options, rules, among=level_of)
    if shown is None:
        return Disclosed(None, 0, True)
    by_level: Counter[int] = Counter()
    for code, count in shown.items():
        by_level[level_of[code]] += count
    n = sum(by_level.values())
    return Disclosed(score_0_10_from_levels(by_level, question.max_level), n, False)


def _count(n: int, key: int, rules: Rules) -> Disclosed[int]:
    shown = figures.count(n, key, rules)
    return Disclosed(shown, shown or 0, shown is None)


def national_overview(
    session: Session, headline: Question, settings: Settings, months: int = 24
) -> NationalOverview:
    """Answers so far, the headline score over the last 12 months and the monthly series, as
    the public may see them (docs/decisions/0018)."""
    return territory_overview(session, headline, settings, "national", NATIONAL, months=months)


def territory_overview(
    session: Session,
    headline: Question,
    settings: Settings,
    level: str,
    code: str,
    *,
    months: int = 24,
) -> NationalOverview:
    """`national_overview` for one territory (a département's public page): the same
    figures through the same gate."""
    rules = Rules.for_audience(Audience.PUBLIC, settings)
    every_month = _months(session, headline.id, level, code)
    (total, total_key), _ = _summed(every_month)
    monthly = every_month[-months:]
    _, last12 = _summed(monthly[-12:])
    points = [
        MonthPoint(
            c.period_start,
            _count(c.n, c.key_sum, rules),
            _score(headline, c.options, rules),
        )
        for c in monthly
    ]
    return NationalOverview(
        _count(total, total_key, rules), _score(headline, last12, rules), points
    )
