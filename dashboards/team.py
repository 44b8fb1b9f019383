"""The team space (/equipe/): a Dash app on the product's Flask server, for signed-in teams.

Authorization is checked on every request the app answers, not only on page load: the index
redirects to the sign-in page, and the layout and every callback ask who is signed in (the
session row, read once per request) and which places that team serves. A team never reads a
place it does not serve, whatever a callback's inputs say.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from dash import Dash, Input, Output, dcc, html
from flask import Flask, redirect, request
from werkzeug.wrappers import Response

from dashboards.csp import STYLE_HASHES
from dashboards.shell import ObservatoryDash
from dashboards.team_view import ALL_PLACES, choices, render_results
from observatory.access.sessions import csrf_for
from observatory.access.tokens import Principal, Role
from observatory.analysis import periods
from observatory.analysis.team import NotYourPlaceError, TeamResults, team_name, team_results
from observatory.clock import today
from observatory.runtime import Runtime
from observatory.web.headers import register_dash_policy
from observatory.web.staff import SPACE_PATH, current_principal, session_id

PLACE_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is True
MAX_SEARCH = 100
STATIC_PARTS = ("/assets/", "/_dash-component-suites/")  # versioned files, cached for a year
SIGNIN = "/equipe/connexion"


def _team_of(principal: Principal | None) -> int | None:
    if principal is None or principal.role is not Role.TEAM:
        return None
    return int(principal.scope)


def _signed_out() -> html.Div:
    return html.Div(
        [
            html.P("Vous n'êtes pas connecté·e, ou votre session a pris fin."),
            html.A("Se connecter à l'espace équipe", href=SIGNIN),
        ],
        role="alert",
        className="alert",
    )


def _results(runtime: Runtime, team_id: int, place: str, period_code: str) -> TeamResults:
    settings = runtime.settings
    period = periods.period(period_code, today(settings.timezone))
    place_id = None if place == ALL_PLACES else int(place)
    with runtime.sessions() as session:
        return team_results(
            session,
            team_id,
            place_id=place_id,
            period=period,
            questionnaire=runtime.current_questionnaire(),
            settings=settings,
        )


def choice_of(search: object) -> tuple[str, str]:
    """(period code, place) from the page's query string ("?periode=12m&lieu=42"); defaults
    for what is missing. ValueError for what is not a query string of ours."""
    if not isinstance(search, str) or len(search) > MAX_SEARCH:
        raise ValueError("adresse non reconnue")
    query = parse_qs(search.removeprefix("?"), keep_blank_values=True)
    if set(query) - {"periode", "lieu"} or any(len(v) != 1 for v in query.values()):
        raise ValueError("adresse non reconnue")
    period_code = query.get("periode", [periods.DEFAULT])[0]
    place = query.get("lieu", [ALL_PLACES])[0]
    if place != ALL_PLACES and not PLACE_ID.fullmatch(place):
        raise NotYourPlaceError(place)
    return period_code, place


def _page(runtime: Runtime, principal: Principal | None) -> html.Div:
    team_id = _team_of(principal)
    header = html.Header(
        html.P("Observatoire citoyen de la médiation numérique", className="site-title")
    )
    if team_id is None:
        return html.Div(
            [header, html.Main([html.H1("Espace équipe"), _signed_out()], id="contenu")]
        )
    with runtime.sessions() as session:
        name = team_name(session, team_id)
    csrf = csrf_for(session_id(), runtime.settings.secret_key.get_secret_value())
    nav = html.Nav(
        [
            html.A("Saisir des réponses papier", href="/equipe/saisie"),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf", value=csrf, id="csrf"),
                    html.Button("Se déconnecter", type="submit", className="link-button"),
                ],
                method="post",
                action="/equipe/deconnexion",
            ),
        ],
        className="team-nav",
        **{"aria-label": "Espace équipe"},  # type: ignore[arg-type]
    )
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            header,
            html.Main(
                [
                    html.H1(f"Espace équipe – {name}"),
                    nav,
                    html.P(
                        "Ce que disent, de façon anonyme, les personnes que vous avez "
                        "accompagnées. Les chiffres changent quand vous choisissez une autre "
                        "période ou un autre lieu.",
                    ),
                    html.Div(id="choix", className="controls"),
                    html.Div(
                        html.P("Chargement des résultats…"),
                        id="resultats",
                        **{"aria-live": "polite"},  # type: ignore[arg-type]
                    ),
                ],
                id="contenu",
            ),
        ]
    )


def register_team_space(server: Flask, runtime: Runtime) -> Dash:
    app = ObservatoryDash(
        __name__,
        server=server,
        url_base_pathname=SPACE_PATH,
        title="Espace équipe – Observatoire de la médiation numérique",
        serve_locally=True,
        update_title=None,
    )
    app.config.suppress_callback_exceptions = True
    app.layout = lambda: _page(runtime, current_principal())

    @app.callback(
        Output("choix", "children"),
        Output("resultats", "children"),
        Input("url", "search"),
    )
    def update(search: object) -> tuple[list[Any], Any]:
        team_id = _team_of(current_principal())  # every callback, not only the page load
        if team_id is None:
            return [], _signed_out()
        try:
            period_code, place = choice_of(search)
            results = _results(runtime, team_id, place, period_code)
        except NotYourPlaceError:
            return [], _problem("Ce lieu n'est pas un de vos lieux.")
        except ValueError as error:
            return [], _problem(f"Choix non reconnu : {error}.")
        offered = periods.offered(today(runtime.settings.timezone))
        return choices(offered, results), render_results(results)

    @server.before_request
    def signed_in_first() -> Response | None:
        """The index of the space sends a visitor who is not signed in as a team member to
        the sign-in page (the layout and callbacks refuse them too)."""
        if request.path != SPACE_PATH:
            return None
        if _team_of(current_principal()) is None:
            return redirect(SIGNIN)
        return None

    @server.after_request
    def no_store(response: Response) -> Response:
        """The space's pages and callbacks hold a team's figures: no cache may keep them."""
        path = request.path
        if path.startswith(SPACE_PATH) and not any(s in path for s in STATIC_PARTS):
            response.headers["Cache-Control"] = "no-store"
        return response

    register_dash_policy(server, SPACE_PATH, app.csp_hashes(), STYLE_HASHES)
    return app


def _problem(message: str) -> html.Div:
    return html.Div(html.P(message), role="alert", className="alert")
