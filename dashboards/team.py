"""The team space (/equipe/): a Dash app on the product's Flask server, for signed-in teams.

Authorization is checked on every request the app answers, not only on page load: the pages
redirect to the sign-in page, and the layout and every callback ask who is signed in (the
session row, read once per request) and which places that team serves. A team never reads a
place it does not serve, whatever a callback's inputs say. Writes go through plain forms
(dashboards/team_forms.py), checked the same way plus a CSRF value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from flask import Flask, redirect, request
from werkzeug.wrappers import Response

from dashboards.csp import STYLE_HASHES
from dashboards.shell import ObservatoryDash
from dashboards.team_download import team_download
from dashboards.team_forms import team_forms
from dashboards.team_members import team_members
from dashboards.team_pages import (
    actions_page,
    comments_page,
    groups_part,
    held_page,
    members_page,
    places_page,
    results_page,
    standing_part,
)
from dashboards.team_places import team_places_blueprint
from dashboards.team_report import team_report
from observatory.analysis.team import NotYourPlaceError, team_name
from observatory.clock import today
from observatory.runtime import Runtime
from observatory.web.headers import register_dash_policy
from observatory.web.staff import SPACE_PATH, csrf, signed_in_team

STATIC_PARTS = ("/assets/", "/_dash-component-suites/")  # versioned files, cached for a year
SIGNIN = "/equipe/connexion"
# The space's pages: path under /equipe/ → (link text, page builder).
Page = Callable[[Runtime, int, object, str], list[Any]]
PAGES: dict[str, tuple[str, Page]] = {
    "": ("Résultats", lambda rt, team, search, _csrf: results_page(rt, team, search)),
    "commentaires": ("Commentaires", comments_page),
    "actions": ("Nous avons fait", actions_page),
    "attente": ("Réponses en attente", held_page),
    "lieux": ("Nos lieux, affiches et tablettes", places_page),
    "membres": ("Membres de l'équipe", members_page),
}


def _signed_in_team_id() -> int | None:
    """The signed-in team's id, asked on every request: the session row decides."""
    principal = signed_in_team()
    return int(principal.scope) if principal else None


def _page_key(pathname: object) -> str | None:
    if not isinstance(pathname, str) or not pathname.startswith(SPACE_PATH):
        return None
    key = pathname.removeprefix(SPACE_PATH).strip("/")
    return key if key in PAGES else None


def _signed_out() -> html.Div:
    return html.Div(
        [
            html.P("Vous n'êtes pas connecté·e, ou votre session a pris fin."),
            html.A("Se connecter à l'espace équipe", href=SIGNIN),
        ],
        role="alert",
        className="alert",
    )


def _problem(message: str) -> html.Div:
    return html.Div(html.P(message), role="alert", className="alert")


def _sections(current: str, year: int) -> html.Nav:
    """The space's pages; the one shown is marked in words, not by colour alone."""
    links: list[Any] = []
    for key, (label, _) in PAGES.items():
        content: list[Any] = [label]
        if key == current:
            content.append(html.Span(" (page affichée)", className="chosen-mark"))
        links.append(
            html.Li(dcc.Link(content, href=SPACE_PATH + key, className="chosen" * (key == current)))
        )
    links.append(html.Li(html.A("Bilan annuel", href=f"{SPACE_PATH}bilan/{year}")))
    links.append(html.Li(html.A("Saisir des réponses papier", href=f"{SPACE_PATH}saisie")))
    return html.Nav(
        html.Ul(links, className="choice-list"),
        className="sections",
        **{"aria-label": "Pages de l'espace équipe"},  # type: ignore[arg-type]
    )


def _part(runtime: Runtime, build: Callable[[Runtime, int, object], Any], search: object) -> Any:
    """A part of a page drawn by its own callback, for the signed-in team only (asked again
    on every callback); a bad address gets a message, never another team's figures."""
    team_id = _signed_in_team_id()
    if team_id is None:
        return _signed_out()
    try:
        return build(runtime, team_id, search)
    except NotYourPlaceError:
        return _problem("Ce lieu n'est pas un de vos lieux.")
    except ValueError as error:
        return _problem(f"Choix non reconnu : {error}.")


def _page(runtime: Runtime) -> html.Div:
    team_id = _signed_in_team_id()
    header = html.Header(
        html.P("Observatoire citoyen de la médiation numérique", className="site-title")
    )
    if team_id is None:
        return html.Div(
            [header, html.Main([html.H1("Espace équipe"), _signed_out()], id="contenu")]
        )
    with runtime.sessions() as session:
        name = team_name(session, team_id)
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf", value=csrf(), id="csrf"),
            html.Button("Se déconnecter", type="submit", className="link-button"),
        ],
        method="post",
        action="/equipe/deconnexion",
        className="logout",
    )
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            header,
            html.Main(
                [
                    html.H1(f"Espace équipe – {name}"),
                    logout,
                    html.Div(id="sections"),
                    html.P(
                        "Ce que disent, de façon anonyme, les personnes que vous avez "
                        "accompagnées. Les chiffres changent quand vous choisissez une autre "
                        "période ou un autre lieu.",
                    ),
                    html.Div(
                        html.P("Chargement…"),
                        id="page",
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
    app.layout = lambda: _page(runtime)
    server.register_blueprint(team_forms)
    server.register_blueprint(team_report)
    server.register_blueprint(team_download)
    server.register_blueprint(team_places_blueprint)
    server.register_blueprint(team_members)

    @app.callback(
        Output("sections", "children"),
        Output("page", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
    )
    def show(pathname: object, search: object) -> tuple[Any, Any]:
        team_id = _signed_in_team_id()  # every callback, not only the page load
        if team_id is None:
            return [], _signed_out()
        key = _page_key(pathname)
        year = today(runtime.settings.timezone).year
        if key is None:
            return _sections("", year), _problem("Cette page n'existe pas.")
        try:
            content = PAGES[key][1](runtime, team_id, search, csrf())
        except NotYourPlaceError:
            content = [_problem("Ce lieu n'est pas un de vos lieux.")]
        except ValueError as error:
            content = [_problem(f"Choix non reconnu : {error}.")]
        return _sections(key, year), content

    @app.callback(
        Output("situation", "children"),
        Input("situation-demande", "data"),
    )
    def show_standing(search: object) -> Any:
        """The funnel, asked by the results page once it is shown (the store appearing)."""
        return _part(runtime, standing_part, search)

    @app.callback(
        Output("groupes", "children"),
        Input("voir-groupes", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def show_groups(_clicks: object, search: object) -> Any:
        return _part(runtime, groups_part, search)

    @server.before_request
    def signed_in_first() -> Response | None:
        """A page of the space sends a visitor who is not signed in as a team member to the
        sign-in page (the layout and callbacks refuse them too)."""
        if _page_key(request.path) is None or request.method != "GET":
            return None
        if _signed_in_team_id() is None:
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
