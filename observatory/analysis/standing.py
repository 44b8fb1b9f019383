"""The service behind "Où en sont vos lieux": the satisfaction of the places of the team's
département over the period, its own places exactly and the others as the public sees them.

The page asks for it in a callback of its own, beside the results, so that the headline figures
never wait for the funnel (docs/decisions/0021). The other places' public counts are made by the
workers ahead of the page (`observatory.analysis.public_counts`, docs/decisions/0023); the
team's own places are always read fresh."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from observatory.aggregation.sums import Summed, Tally
from observatory.analysis.funnel import Funnel, PlacePoint, funnel, point
from observatory.analysis.indicators import INDICATORS, scales
from observatory.analysis.periods import Period
from observatory.analysis.public_counts import (
    QUESTION,
    States,
    by_place,
    departement_months,
    public_counts,
    state,
)
from observatory.analysis.shared import store_for
from observatory.analysis.team import (
    chosen_place,
    main_departement,
    public_estimate,
    team_places,
    territory_name,
)
from observatory.clock import today
from observatory.config import Settings
from observatory.disclosure import Audience
from observatory.disclosure.figures import Rules
from observatory.questionnaires.definitions import Questionnaire


@dataclass(frozen=True)
class Standing:
    """What the section shows: the period, the département's name and its funnel (None when
    there are too few places or answers to draw one)."""

    period: Period
    departement: str | None
    funnel: Funnel | None


def team_funnel(
    session: Session,
    team_id: int,
    *,
    place_id: int | None,
    period: Period,
    questionnaire: Questionnaire,
    settings: Settings,
) -> Standing:
    """The standing of the team's places (or of one of them) in their main département;
    NotYourPlaceError for a place the team does not serve."""
    places = team_places(session, team_id)
    place = chosen_place(places, team_id, place_id)
    shown = [place] if place else places
    departement = main_departement(shown)
    if departement is None:
        return Standing(period, None, None)
    indicator = next(i for i in INDICATORS if i.question == QUESTION)
    months = departement_months(session, departement, period.months)
    summed = Summed()
    for sums in months.values():
        summed.add(sums)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    target = public_estimate(indicator, summed, scales(questionnaire)[indicator.id], public)
    name = territory_name(session, departement)
    if target is None:
        return Standing(period, name, None)
    drawn = team_standing(
        session, departement, {p.code: p.name for p in shown}, period=period,
        target=target.value, questionnaire=questionnaire, settings=settings,
        states={month: state(sums) for month, sums in months.items()},
        own_inside=all(p.departement == departement for p in shown),
    )  # fmt: skip
    return Standing(period, name, drawn)


def team_standing(
    session: Session,
    departement: str,
    own: dict[str, str],
    *,
    period: Period,
    target: float,
    questionnaire: Questionnaire,
    settings: Settings,
    states: States,
    own_inside: bool = False,
) -> Funnel | None:
    """The funnel of the places of `departement`; `own` maps the team's place codes to their
    names (shown exactly and named), `target` is the département's public score, `states`
    the state of each month of the département's own cells (`public_counts.state`): the
    other places' public counts are kept while they stay the same. `own_inside`: every own
    place lies in the département."""
    question = questionnaire.question(QUESTION)
    if question is None or question.max_level is None:
        return None
    level_of = {o.code: o.level for o in question.options if o.level is not None}
    team_rules = Rules.for_audience(Audience.TEAM, settings)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    read: dict[str, Tally] = {}
    others = public_counts(
        session, departement, period.months, public, states=states,
        store=store_for(settings), today=today(settings.timezone), read=read,
    )  # fmt: skip
    counted = {code: counts for code, counts in others.items() if code not in own}
    if own:
        # Read with the département's places just now, when they all lie there.
        fresh = read if read and own_inside else by_place(session, list(own), period.months)
        for code in own:
            exact = {o: c for o, (c, _) in fresh.get(code, {}).items()}
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
