"""What a team's annual self-evaluation holds (/equipe/bilan/<année>): the year's results
against the year before and the territory, the themes, the comment keywords, the analysis of
the year, the "nous avons fait" entries of the year and the team's two notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from observatory.aggregation.keywords import Keyword
from observatory.analysis import periods
from observatory.analysis.team import TeamResults, team_places, team_results
from observatory.config import Settings
from observatory.questionnaires.definitions import Questionnaire
from observatory.teamspace.actions import ActionEntry, list_actions
from observatory.teamspace.comments import team_comments
from observatory.teamspace.notes import YearNotes, year_notes

FIRST_YEAR = 2020


@dataclass(frozen=True)
class AnnualReport:
    year: int
    results: TeamResults
    keywords: list[Keyword]
    actions: list[ActionEntry]
    notes: YearNotes


def report_years(today: dt.date) -> range:
    return range(FIRST_YEAR, today.year + 1)


def annual_report(
    session: Session,
    team_id: int,
    year: int,
    *,
    questionnaire: Questionnaire,
    settings: Settings,
    today: dt.date,
) -> AnnualReport:
    """The report of `year` (ValueError for a year with no report)."""
    if year not in report_years(today):
        raise ValueError(f"pas de bilan pour l'année {year}")
    period = periods.period(str(year), today)
    results = team_results(
        session, team_id, place_id=None, period=period,
        questionnaire=questionnaire, settings=settings,
    )  # fmt: skip
    places = [p.id for p in team_places(session, team_id)]
    comments = team_comments(session, team_id, places, period.months, k=settings.k_team)
    return AnnualReport(
        year=year,
        results=results,
        keywords=comments.keywords,
        actions=list_actions(session, team_id, year=year),
        notes=year_notes(session, team_id, year),
    )
