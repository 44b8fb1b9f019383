"""The service behind "Où en sont vos lieux": the satisfaction of the places of the team's
département over the period, its own places exactly and the others as the public sees them.

The page asks for it in a callback of its own, beside the results: the other places' public
counts are read from every place of the département (hundreds) whenever its cells change,
which costs as much again as the results themselves; apart, each stays within a page's budget
and the headline figures never wait for the funnel (docs/decisions/0021)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.sums import Summed, Tally, add_tally, sum_cells
from observatory.analysis.funnel import Funnel, PlacePoint, funnel, point
from observatory.analysis.indicators import INDICATORS, scales
from observatory.analysis.memo import Memo
from observatory.analysis.periods import Period
from observatory.analysis.team import (
    chosen_place,
    main_departement,
    public_estimate,
    team_places,
    territory_name,
)
from observatory.config import Settings
from observatory.disclosure import Audience, figures
from observatory.disclosure.figures import Rules
from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire
from observatory.territories.models import Territory

QUESTION = "satisfaction"


# The other places' public counts are the same for every team of a département: kept ten
# minutes and while the département's own cells of the period stay the same, so that a page
# does not read and perturb the cells of hundreds of places on each call. The team's own places
# are always read fresh.
_PUBLIC: Memo[dict[str, dict[str, int]]] = Memo(seconds=600.0)
# Every place's tallies over a period's months but the last, kept while the département's own
# cells of those months stay the same: a new answer changes the current month only, so the
# public counts above are then made again from the last month read and the rest kept, not the
# whole period read (docs/performance.md: 157 → 80 ms p95 for 647 places over 12 months).
_EARLIER: Memo[dict[str, Tally]] = Memo(seconds=600.0, entries=256)
States = dict[dt.date, Hashable]  # each month's state of the département's own cell


def _sums(
    session: Session,
    by: tuple[str, ...],
    level: str,
    codes: str | list[str] | Select[Any],
    months: Sequence[dt.date],
) -> dict[tuple[Hashable, ...], Summed]:
    """The question's cells of `codes` over `months`, added up by the database per `by`."""
    return sum_cells(
        session,
        by,
        scope_level=level,
        scope_code=codes,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        question=QUESTION,
        period_start=list(months),
    )


def _by_place(
    session: Session, codes: list[str] | Select[Any], months: Sequence[dt.date]
) -> dict[str, Tally]:
    """Each place's option counts and keys of the question over `months`."""
    if not months:
        return {}
    summed = _sums(session, ("scope_code",), "place", codes, months)
    return {str(code): sums.options for (code,), sums in summed.items()}


def _places_of(departement: str) -> Select[Any]:
    """The codes of the département's places, for the database to find (not hundreds of
    codes sent, parsed and planned)."""
    communes = select(Territory.code).where(
        Territory.level == "commune", Territory.departement_code == departement
    )
    return select(Place.code).where(Place.commune_code.in_(communes))


def _place_tallies(
    session: Session,
    departement: str,
    months: Sequence[dt.date],
    states: States,
) -> dict[str, Tally]:
    """Each place's tallies over `months`: those of all months but the last from `_EARLIER`
    when their months are unchanged, else read; the last month always read (what a new
    answer changes). Each read adds up per place in the database, as one read of the whole
    period would."""
    earlier, last = tuple(months[:-1]), months[-1:]
    version = tuple(states.get(month) for month in earlier)
    places = _places_of(departement)
    kept = _EARLIER.peek((departement, earlier), version=version) if earlier else {}
    if kept is None:
        kept = _by_place(session, places, earlier)
        _EARLIER.put((departement, earlier), kept, version=version)
    out: dict[str, Tally] = {}
    for part in (kept, _by_place(session, places, last)):
        for code, tally in part.items():
            add_tally(out.setdefault(code, {}), tally)
    return out


def _public_counts(
    session: Session,
    departement: str,
    period: Period,
    public: Rules,
    *,
    states: States,
    read: dict[str, Tally],
) -> dict[str, dict[str, int]]:
    """Each place of the département as the public sees its answers (perturbed, thresholds
    and dominance applied); places the public does not see are left out. When they are
    computed (not kept), every place's exact tallies are also put in `read`: the team's own
    places are among them, fresh, and need no second read."""

    def compute() -> dict[str, dict[str, int]]:
        read.update(_place_tallies(session, departement, period.months, states))
        shown: dict[str, dict[str, int]] = {}
        for code, tally in read.items():
            counts = figures.distribution(tally, public) if tally else None
            if counts:
                shown[code] = counts
        return shown

    version = tuple(sorted(states.items(), key=lambda item: item[0]))
    return _PUBLIC.get(session, (departement, period.months, public), compute, version=version)


def _departement_months(
    session: Session, departement: str, period: Period
) -> dict[dt.date, Summed]:
    """The département's own answers to the question, month by month over the period (a
    dozen cells): added up, its public score, the funnel's centre; each month's, what changes
    whenever an answer at one of its places that month changes (its cells are its places'
    cells added up, and their option keys sum random 32-bit record keys, so a new, released or
    removed answer changes them)."""
    summed = _sums(session, ("period_start",), "departement", departement, period.months)
    return {cast(dt.date, month): sums for (month,), sums in summed.items()}


def _state(summed: Summed | None) -> Hashable:
    return (summed.n, tuple(sorted(summed.options.items()))) if summed else None


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
    months = _departement_months(session, departement, period)
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
        states={month: _state(sums) for month, sums in months.items()},
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
    the state of each month of the département's own cells (`_state`): what is kept of its
    places is kept while their month's state stays the same. `own_inside`: every own place
    lies in the département."""
    question = questionnaire.question(QUESTION)
    if question is None or question.max_level is None:
        return None
    level_of = {o.code: o.level for o in question.options if o.level is not None}
    team_rules = Rules.for_audience(Audience.TEAM, settings)
    public = Rules.for_audience(Audience.PUBLIC, settings)
    read: dict[str, Tally] = {}
    counted: dict[str, dict[str, int]] = {
        code: counts
        for code, counts in _public_counts(
            session, departement, period, public, states=states, read=read
        ).items()
        if code not in own
    }
    if own:
        # Read with the département's places just now, when they all lie there.
        fresh = read if read and own_inside else _by_place(session, list(own), period.months)
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
