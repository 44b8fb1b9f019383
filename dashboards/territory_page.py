"""The public page of a département (/barometre/territoires/<code>): its figures as the public
sees them, and what its teams changed in answer to their users ("Vous avez dit, nous avons
fait"), for the entries each team chose to publish (docs/decisions/0021).

Server-rendered (Jinja): it reads without JavaScript and prints. The territorial barometer
(territories, priorities, maps) will grow from it; today it holds what a team's choice to
publish needs.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboards.figures import SUPPRESSED
from dashboards.queries import NationalOverview, territory_overview
from observatory.analysis.periods import month_label
from observatory.analysis.team import territory_name
from observatory.analysis.wording import interval_text, number
from observatory.places.models import Place, Team, TeamPlace
from observatory.responses.scrub.core import scrub
from observatory.teamspace.actions import ActionEntry, public_actions
from observatory.territories.models import Territory, communes_in
from observatory.web.context import runtime

territory_pages = Blueprint(
    "territory_pages",
    __name__,
    url_prefix="/barometre/territoires",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
_CODE = re.compile(r"[0-9]{2}|2[AB]|97[0-9]")


@territory_pages.get("/")
def index() -> str:
    with runtime().sessions() as session:
        rows = session.execute(
            select(Territory.code, Territory.name)
            .where(Territory.level == "departement")
            .order_by(Territory.code)
        ).all()
    return render_template("territories.html", departements=rows)


@territory_pages.get("/<code>")
def departement(code: str) -> ResponseReturnValue:
    if not _CODE.fullmatch(code):
        return _unknown()
    rt = runtime()
    with rt.sessions() as session:
        name = territory_name(session, code)
        if name is None:
            return _unknown()
        overview = territory_overview(
            session, rt.current_questionnaire().headline, rt.settings, "departement", code
        )
        entries = actions_in(session, code)
    return render_template(
        "territory.html",
        code=code,
        name=name,
        answers=_answers(overview),
        score=_score(overview),
        entries=[
            # A team's words, written for its own space, may name a person: the public page
            # shows them scrubbed like the users' comments (names, numbers, addresses).
            {
                "team": team,
                "said": scrub(e.said),
                "done": scrub(e.done),
                "month": month_label(e.done_in),
            }
            for team, e in entries
        ],
    )


def _unknown() -> ResponseReturnValue:
    """A code that names no département: said as such, with the way to the list."""
    return render_template("territory_unknown.html"), 404


def actions_in(session: Session, departement: str) -> list[tuple[str, ActionEntry]]:
    """The public entries of the teams serving a place of the département, newest first, with
    the team's name."""
    teams = dict(
        session.execute(
            select(Team.id, Team.name)
            .join(TeamPlace, TeamPlace.team_id == Team.id)
            .join(Place, Place.id == TeamPlace.place_id)
            .where(Place.commune_code.in_(communes_in("departement", departement)))
            .distinct()
        ).all()
    )
    found = public_actions(session, list(teams))
    out = [(teams[team_id], e) for team_id, entries in found.items() for e in entries]
    out.sort(key=lambda item: (item[1].done_in, item[1].id), reverse=True)
    return out


def _answers(overview: NationalOverview) -> str:
    value = overview.answers.value
    return number(value) if value is not None else SUPPRESSED


def _score(overview: NationalOverview) -> dict[str, str]:
    estimate = overview.score_12_months.value
    if estimate is None:
        return {"value": SUPPRESSED, "note": "Pas assez de réponses pour publier ce chiffre."}
    return {
        "value": f"{number(estimate.value, 1)} sur 10",
        "note": f"Intervalle de confiance à 95 % : {interval_text('score', estimate)}, sur "
        f"{number(estimate.n)} réponses des 12 derniers mois.",
    }
