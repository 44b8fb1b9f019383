"""A team's results for a period: its own figures exactly (from `k_team`), beside its
département and France as the public sees them (perturbed, from `k_public`), and the text that
sums them up. A service: it takes a Session and returns plain data for the page to draw.

The team's figures are the cells of the places it serves, added up: an answer at a place shared
by two teams has no team of its own (docs/decisions/0005), and both teams see it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NATIONAL, NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.stats import Estimate
from observatory.aggregation.sums import Summed, sum_cells
from observatory.analysis.indicators import (
    INDICATORS,
    Change,
    Indicator,
    Scale,
    change,
    measure,
    scales,
)
from observatory.analysis.narrative import Sentence, Verdict, analyse, verdicts
from observatory.analysis.periods import Period
from observatory.config import Settings
from observatory.disclosure import Audience, figures
from observatory.disclosure.figures import Rules
from observatory.places.models import Place, Team, TeamPlace
from observatory.questionnaires.definitions import Questionnaire
from observatory.territories.models import Territory

THEMES = "motif"


class NotYourPlaceError(PermissionError):
    """A place the team does not serve (or that does not exist: the same answer)."""


@dataclass(frozen=True)
class PlaceChoice:
    id: int
    code: str
    name: str
    departement: str | None


@dataclass(frozen=True)
class IndicatorRow:
    change: Change  # the team's figure now and over the previous period
    departement: Estimate | None  # as the public sees it; None: held back or no département
    france: Estimate | None


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    answers: int | None  # None: fewer than k_team answers (never shown, nor its count)
    values: dict[str, Estimate | None]


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    count: int
    share: float  # of the people who said why they came


@dataclass(frozen=True)
class TeamResults:
    team: str
    places: list[PlaceChoice]
    place: PlaceChoice | None  # None: every place of the team
    period: Period
    answers: int | None
    indicators: list[IndicatorRow]
    departement: str | None  # its name
    departement_code: str | None
    months: list[MonthRow]
    themes: list[Theme] | None  # None: held back
    sentences: list[Sentence]
    verdicts: dict[str, Verdict]  # the same verdicts the sentences state


def team_name(session: Session, team_id: int) -> str | None:
    return session.scalar(select(Team.name).where(Team.id == team_id))


def team_places(session: Session, team_id: int) -> list[PlaceChoice]:
    rows = session.execute(
        select(Place.id, Place.code, Place.name, Territory.departement_code)
        .join(TeamPlace, TeamPlace.place_id == Place.id)
        .outerjoin(
            Territory, (Territory.level == "commune") & (Territory.code == Place.commune_code)
        )
        .where(TeamPlace.team_id == team_id)
        .order_by(Place.name, Place.id)
    )
    return [PlaceChoice(i, code, name, dep) for i, code, name, dep in rows]


def chosen_place(
    places: list[PlaceChoice], team_id: int, place_id: int | None
) -> PlaceChoice | None:
    """The place asked for among the team's (None: all of them); NotYourPlaceError for a
    place the team does not serve, whatever the address says."""
    if place_id is None:
        return None
    place = next((p for p in places if p.id == place_id), None)
    if place is None:
        raise NotYourPlaceError(f"team {team_id} does not serve place {place_id}")
    return place


Monthly = dict[dt.date, dict[str, Summed]]  # month → question → n, option counts and keys


def _monthly(
    session: Session, level: str, codes: str | list[str], months: Iterable[dt.date]
) -> Monthly:
    """The month cells of the page's questions for `months` only, added up by month and
    question over the scopes read (a team's places) by the database: a page reads a few
    thousand cells and gets back a few hundred sums."""
    out: Monthly = {}
    summed = _page_sums(session, ("period_start", "question"), level, codes, months)
    for (month, question), sums in summed.items():
        out.setdefault(cast(dt.date, month), {})[str(question)] = sums
    return out


def _page_sums(
    session: Session,
    by: tuple[str, ...],
    level: str | list[str],
    codes: str | list[str],
    months: Iterable[dt.date],
) -> dict[tuple[Hashable, ...], Summed]:
    """The page's questions (the indicators and the reasons) over `months`, added up by the
    database per `by`."""
    return sum_cells(
        session,
        by,
        scope_level=level,
        scope_code=codes,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        period_start=sorted(set(months)),
        question=[*(i.question for i in INDICATORS), THEMES],
    )


def _territories(
    session: Session, departement: str | None, months: Sequence[dt.date]
) -> tuple[dict[str, Summed], dict[str, Summed]]:
    """The département's and the nation's questions over `months`, in one read added up by the
    database (their cells are a few dozen; each statement costs a round trip)."""
    levels = ["national", *(["departement"] if departement else [])]
    codes = [NATIONAL, *([departement] if departement else [])]
    summed = _page_sums(session, ("scope_level", "question"), levels, codes, months)
    out: dict[str, dict[str, Summed]] = {"departement": {}, "national": {}}
    for (level, question), sums in summed.items():
        out[str(level)][str(question)] = sums
    return out["departement"], out["national"]


def _tallies(monthly: Monthly, months: Iterable[dt.date]) -> dict[str, Summed]:
    """n, option counts and keys of each question, summed over `months` (keys modulo 2**32,
    as the cells of a longer period would hold them)."""
    out: dict[str, Summed] = {}
    for month in months:
        for question, sums in monthly.get(month, {}).items():
            out.setdefault(question, Summed()).add(sums)
    return out


def _exact(sums: Summed | None) -> dict[str, int]:
    return {code: c for code, (c, _) in sums.options.items()} if sums else {}


def public_estimate(
    indicator: Indicator, sums: Summed | None, scale: Scale, rules: Rules
) -> Estimate | None:
    """The indicator from perturbed option counts, as anyone but the team sees it."""
    if sums is None:
        return None
    shown = figures.distribution(sums.options, rules, among=scale.levels)
    if shown is None:
        return None
    return measure(indicator, shown, scale, rules.k).estimate


def main_departement(places: list[PlaceChoice]) -> str | None:
    found = Counter(p.departement for p in places if p.departement)
    return min(found, key=lambda code: (-found[code], code)) if found else None


def _themes(sums: Summed | None, questionnaire: Questionnaire, k: int) -> list[Theme] | None:
    """The reasons for coming, as shares of the people who gave at least one (the cells' n: a
    person may give several)."""
    question = questionnaire.question(THEMES)
    n = sums.n if sums else 0
    if question is None or n < k:
        return None
    counts = _exact(sums)
    return sorted(
        (
            Theme(o.code, o.label, counts.get(o.code, 0), counts.get(o.code, 0) / n)
            for o in question.options
        ),
        key=lambda t: (-t.count, t.code),
    )


def _answers(sums: Summed | None, k: int) -> int | None:
    """The question's answers, held back under k (the headline's n: people who answered)."""
    n = sums.n if sums else 0
    return n if n >= k else None


def team_results(
    session: Session,
    team_id: int,
    *,
    place_id: int | None,
    period: Period,
    questionnaire: Questionnaire,
    settings: Settings,
) -> TeamResults:
    """Everything the team page shows for one period; NotYourPlaceError for a place the team does
    not serve."""
    name = team_name(session, team_id)
    if name is None:
        raise NotYourPlaceError(f"no team {team_id}")
    places = team_places(session, team_id)
    place = chosen_place(places, team_id, place_id)
    shown_places = [place] if place else places
    own = Rules.for_audience(Audience.TEAM, settings)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    scale_of = scales(questionnaire)
    headline = questionnaire.headline.id

    read = {*period.months, *period.previous, *period.trend}
    codes = [p.code for p in shown_places]
    monthly = _monthly(session, "place", codes, read) if shown_places else {}
    team_now = _tallies(monthly, period.months)
    team_before = _tallies(monthly, period.previous)
    departement = main_departement(shown_places)
    dep_now, france_now = _territories(session, departement, period.months)

    indicators = []
    for indicator in INDICATORS:
        scale = scale_of[indicator.id]
        q = indicator.question
        now = measure(indicator, _exact(team_now.get(q)), scale, own.k)
        before = measure(indicator, _exact(team_before.get(q)), scale, own.k)
        indicators.append(
            IndicatorRow(
                change(now, before, scale),
                public_estimate(indicator, dep_now.get(q), scale, public),
                public_estimate(indicator, france_now.get(q), scale, public),
            )
        )
    answers = _answers(team_now.get(headline), own.k)
    months = []
    for month in period.trend:
        tallies = _tallies(monthly, [month])
        count = _answers(tallies.get(headline), own.k)
        values = {
            i.id: measure(i, _exact(tallies.get(i.question)), scale_of[i.id], own.k).estimate
            if count is not None
            else None
            for i in INDICATORS
        }
        months.append(MonthRow(month, count, values))
    themes = _themes(team_now.get(THEMES), questionnaire, own.k)
    top = [(t.label, t.share) for t in (themes or [])[:3] if t.count > 0]
    return TeamResults(
        team=name,
        places=places,
        place=place,
        period=period,
        answers=answers,
        indicators=indicators,
        departement=territory_name(session, departement),
        departement_code=departement,
        months=months,
        themes=themes,
        sentences=analyse(
            [r.change for r in indicators], answers=answers, themes=top, versus=period.versus
        ),
        verdicts=verdicts([r.change for r in indicators]),
    )


def territory_name(session: Session, departement: str | None) -> str | None:
    if departement is None:
        return None
    return session.scalar(
        select(Territory.name).where(
            Territory.level == "departement", Territory.code == departement
        )
    )
