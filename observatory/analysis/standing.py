"""The service behind "Où en est votre lieu": the satisfaction of the places of the team's
département over the period, its own places exactly and the others as the public sees them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import NO_BREAKDOWN, STORED_PERIOD_KIND
from observatory.aggregation.sums import Summed, Tally, sum_cells
from observatory.analysis.funnel import Funnel, PlacePoint, funnel, point
from observatory.analysis.memo import Memo
from observatory.analysis.periods import Period
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


def _sums(
    session: Session, by: tuple[str, ...], level: str, codes: str | list[str], period: Period
) -> dict[tuple[Hashable, ...], Summed]:
    """The question's cells of `codes` over the period, added up by the database per `by`."""
    return sum_cells(
        session,
        by,
        scope_level=level,
        scope_code=codes,
        period_kind=STORED_PERIOD_KIND,
        breakdown=NO_BREAKDOWN,
        question=QUESTION,
        period_start=list(period.months),
    )


def _by_place(session: Session, codes: list[str], period: Period) -> dict[str, Tally]:
    """Each place's option counts and keys of the question over the period."""
    summed = _sums(session, ("scope_code",), "place", codes, period)
    return {str(code): sums.options for (code,), sums in summed.items()}


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
            for code, tally in _by_place(session, codes, period).items():
                counts = figures.distribution(tally, public) if tally else None
                if counts:
                    shown[code] = counts
        return shown

    return _PUBLIC.get(
        session,
        (departement, period.months, public),
        compute,
        version=_departement_state(session, departement, period),
    )


def _departement_state(session: Session, departement: str, period: Period) -> Hashable:
    """What changes whenever an answer to the question at one of the département's places
    changes over the period: the département's cells are its places' cells added up, and their
    option keys sum random 32-bit record keys, so a new, released or removed answer changes
    them (a dozen cells, where the places' are thousands)."""
    summed = _sums(session, (), "departement", departement, period).get(())
    return (summed.n, tuple(sorted(summed.options.items()))) if summed else None


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
        for code, tally in _by_place(session, list(own), period).items():
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
