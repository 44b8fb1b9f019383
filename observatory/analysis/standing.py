"""The service behind "Où en est votre lieu": the satisfaction of the places of the team's
département over the period, its own places exactly and the others as the public sees them."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.read import read_cells
from observatory.analysis.funnel import Funnel, PlacePoint, funnel, point
from observatory.analysis.memo import Memo
from observatory.analysis.periods import Period
from observatory.analysis.tallies import Tally, tallies_by
from observatory.config import Settings
from observatory.disclosure import Audience, figures
from observatory.disclosure.figures import Rules
from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire
from observatory.territories.models import Territory

QUESTION = "satisfaction"


def _by_place(rows: pd.DataFrame) -> dict[str, Tally]:
    """Each place's option counts over the period (the rows hold only its months)."""
    return {str(code): tally for (code,), tally in tallies_by(rows, ("scope_code",)).items()}


# The other places' public counts are the same for every team of a département: kept a minute
# and until the next fold, so that a page does not read and perturb the cells of hundreds of
# places on each call. The team's own places are always read fresh.
_PUBLIC: Memo[dict[str, dict[str, int]]] = Memo(seconds=60.0)


def _place_cells(session: Session, codes: list[str], period: Period) -> pd.DataFrame:
    return read_cells(
        session,
        scope_level="place",
        scope_code=codes,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        question=QUESTION,
        period_start=list(period.months),
    )


def _public_counts(
    session: Session, departement: str, period: Period, public: Rules
) -> dict[str, dict[str, int]]:
    """Each place of the département as the public sees its answers (perturbed, thresholds
    and dominance applied); places the public does not see are left out."""

    def compute() -> dict[str, dict[str, int]]:
        communes = select(Territory.code).where(
            Territory.level == "commune", Territory.departement_code == departement
        )
        codes = list(session.scalars(select(Place.code).where(Place.commune_code.in_(communes))))
        shown: dict[str, dict[str, int]] = {}
        if codes:
            for code, tally in _by_place(_place_cells(session, codes, period)).items():
                counts = figures.distribution(tally, public) if tally else None
                if counts:
                    shown[code] = counts
        return shown

    return _PUBLIC.get(session, (departement, period.months, public.k), compute)


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
    team_rules = Rules.for_audience(Audience.TEAM, settings)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    counted: dict[str, dict[str, int]] = {
        code: counts
        for code, counts in _public_counts(session, departement, period, public).items()
        if code not in own
    }
    if own:
        for code, tally in _by_place(_place_cells(session, list(own), period)).items():
            exact = {o: c for o, (c, _) in tally.items()}
            if sum(exact.values()) >= team_rules.k:
                counted[code] = exact
    points: list[PlacePoint] = []
    for code, counts in counted.items():
        by_level: Counter[int] = Counter()
        for option, c in counts.items():
            if option in level_of:
                by_level[level_of[option]] += c
        if by_level:
            points.append(point(by_level, question.max_level, own.get(code)))
    return funnel(points, target)
