"""Read the aggregate cells the dashboards show, already through the disclosure gate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from observatory.aggregation.cells import NATIONAL
from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.read import read_cells
from observatory.aggregation.stats import Estimate, score_0_10
from observatory.config import Settings
from observatory.disclosure import Audience, Disclosed, disclose
from observatory.questionnaires.definitions import Question


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
    sum: int
    sum_sq: int


def _months(session: Session, question: str) -> list[_Month]:
    """National month cells of a question, oldest first (every other period sums months)."""
    rows = read_cells(
        session,
        scope_level="national",
        scope_code=NATIONAL,
        period_kind=STORED_PERIOD_KIND,
        question=question,
        breakdown=NO_BREAKDOWN,
    )
    return [
        _Month(month.date(), int(n), int(total), int(squares))
        for month, n, total, squares in zip(
            pd.to_datetime(rows["period_start"]),
            rows["n"],
            rows["sum"],
            rows["sum_sq"],
            strict=True,
        )
    ]


def national_overview(
    session: Session, headline: Question, settings: Settings, months: int = 24
) -> NationalOverview:
    """Answers so far, the headline score over the last 12 months and the monthly series."""
    assert headline.max_level is not None
    every_month = _months(session, headline.id)
    total = sum(c.n for c in every_month)
    monthly = every_month[-months:]
    last12 = monthly[-12:]
    n12 = sum(c.n for c in last12)
    score12 = (
        score_0_10(
            n12, sum(c.sum for c in last12), sum(c.sum_sq for c in last12), headline.max_level
        )
        if n12
        else None
    )
    points = [
        MonthPoint(
            c.period_start,
            disclose(c.n, c.n, Audience.PUBLIC, settings),
            disclose(
                score_0_10(c.n, c.sum, c.sum_sq, headline.max_level), c.n, Audience.PUBLIC, settings
            ),
        )
        for c in monthly
    ]
    return NationalOverview(
        disclose(total, total, Audience.PUBLIC, settings),
        disclose(score12, n12, Audience.PUBLIC, settings) if score12 else Disclosed(None, 0, True),
        points,
    )
