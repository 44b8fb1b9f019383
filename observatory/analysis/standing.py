"""The service behind "Où en est votre lieu": the satisfaction of the places of the team's
département over the period, its own places exactly and the others as the public sees them."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.read import read_cells
from observatory.analysis.funnel import Funnel, PlacePoint, funnel, point
from observatory.analysis.periods import Period
from observatory.config import Settings
from observatory.disclosure import Audience, figures
from observatory.disclosure.figures import Rules
from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.models import KEY_MODULUS
from observatory.territories.models import Territory

QUESTION = "satisfaction"


def _tallies(rows: pd.DataFrame, period: Period) -> dict[str, dict[str, tuple[int, int]]]:
    wanted = {pd.Timestamp(m) for m in period.months}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    chosen = rows[rows["period_start"].isin(wanted)]
    for code, counts, keys in zip(
        chosen["scope_code"], chosen["counts_json"], chosen["keys_json"], strict=True
    ):
        tally = out.setdefault(str(code), {})
        key_of = json.loads(str(keys))
        for option, c in json.loads(str(counts)).items():
            total, key = tally.get(option, (0, 0))
            tally[option] = (total + int(c), (key + int(key_of[option])) % KEY_MODULUS)
    return out


def team_standing(
    session: Session,
    departement: str,
    own: dict[str, str],
    *,
    period: Period,
    target: float,
    questionnaire: Questionnaire,
    settings: Settings,
) -> Funnel | None:
    """The funnel of the places of `departement`; `own` maps the team's place codes to their
    names (shown exactly and named), `target` is the département's public score."""
    question = questionnaire.question(QUESTION)
    if question is None or question.max_level is None:
        return None
    level_of = {o.code: o.level for o in question.options if o.level is not None}
    communes = select(Territory.code).where(
        Territory.level == "commune", Territory.departement_code == departement
    )
    codes = list(session.scalars(select(Place.code).where(Place.commune_code.in_(communes))))
    if not codes:
        return None
    rows = read_cells(
        session,
        scope_level="place",
        scope_code=codes,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        question=QUESTION,
    )
    team_rules = Rules.for_audience(Audience.TEAM, settings)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    points: list[PlacePoint] = []
    for code, tally in _tallies(rows, period).items():
        scored = {o: v for o, v in tally.items() if o in level_of}
        if code in own:
            counts: dict[str, int] | None = {o: c for o, (c, _) in scored.items()}
            if counts is not None and sum(counts.values()) < team_rules.k:
                counts = None
        else:
            counts = figures.distribution(scored, public) if scored else None
        if not counts:
            continue
        by_level: Counter[int] = Counter()
        for option, c in counts.items():
            by_level[level_of[option]] += c
        points.append(point(by_level, question.max_level, own.get(code)))
    return funnel(points, target)
