"""The public national barometer (/barometre/): a Dash app on the product's Flask server."""

from __future__ import annotations

from dash import Dash, dcc, html
from flask import Flask

from dashboards.csp import STYLE_HASHES
from dashboards.figures import SUPPRESSED, format_number, month_label, monthly_answers_figure
from dashboards.queries import NationalOverview, national_overview
from dashboards.shell import ObservatoryDash
from dashboards.territory_page import territory_pages
from observatory.runtime import Runtime
from observatory.web.headers import register_dash_policy

PATH = "/barometre/"


def register_barometer(server: Flask, runtime: Runtime) -> Dash:
    app = ObservatoryDash(
        __name__,
        server=server,
        url_base_pathname=PATH,
        title="Baromètre national – médiation numérique",
        serve_locally=True,
        update_title=None,
    )
    app.config.suppress_callback_exceptions = True

    def layout() -> html.Div:
        # A function: every page load reads fresh cells.
        with runtime.sessions() as session:
            overview = national_overview(
                session, runtime.current_questionnaire().headline, runtime.settings
            )
        return render(overview)

    app.layout = layout
    server.register_blueprint(territory_pages)  # /barometre/territoires/<code>, server-rendered
    # Dash's only inline script is its renderer bootstrap; inline styles: dashboards.csp.
    register_dash_policy(server, PATH, app.csp_hashes(), STYLE_HASHES)
    return app


def _score_text(overview: NationalOverview) -> str:
    score = overview.score_12_months
    if score.value is None:
        return SUPPRESSED
    return f"{format_number(score.value.value, 1)} / 10"


def render(overview: NationalOverview) -> html.Div:
    score = overview.score_12_months.value
    interval = (
        # Two decimals: with many answers the interval is narrower than the displayed value.
        f"Intervalle de confiance à 95 % : {format_number(score.low, 2)} "
        f"à {format_number(score.high, 2)}, "
        f"sur {format_number(score.n)} réponses des 12 derniers mois."
        if score
        else "Pas assez de réponses pour publier ce chiffre."
    )
    answers = overview.answers.value
    rows = [
        html.Tr(
            [
                html.Th(month_label(p), scope="row"),
                html.Td(
                    format_number(p.answers.value) if p.answers.value is not None else SUPPRESSED
                ),
                html.Td(
                    format_number(p.score.value.value, 1)
                    if p.score.value is not None
                    else SUPPRESSED
                ),
            ]
        )
        for p in overview.months
    ]
    return html.Div(
        [
            html.Header(
                html.P("Observatoire citoyen de la médiation numérique", className="site-title")
            ),
            html.Main(
                [
                    html.H1("Baromètre national de la médiation numérique"),
                    html.P(
                        "Ce que disent, de façon anonyme, les personnes accompagnées "
                        "dans les lieux de médiation numérique de toute la France."
                    ),
                    html.P(
                        html.A(
                            "Les chiffres de chaque département, et ce que ses équipes ont "
                            "changé en réponse à leurs usagers",
                            href="/barometre/territoires/",
                        )
                    ),
                    html.Section(
                        [
                            html.Div(
                                [
                                    html.H2("Réponses recueillies"),
                                    html.P(
                                        format_number(answers)
                                        if answers is not None
                                        else SUPPRESSED,
                                        id="national-answers",
                                        className="kpi-value",
                                    ),
                                ],
                                className="kpi",
                            ),
                            html.Div(
                                [
                                    html.H2("Satisfaction sur les 12 derniers mois"),
                                    html.P(
                                        _score_text(overview),
                                        id="national-score",
                                        className="kpi-value",
                                    ),
                                    html.P(interval, className="kpi-note"),
                                ],
                                className="kpi",
                            ),
                        ],
                        className="kpis",
                        **{"aria-label": "Chiffres clés"},  # type: ignore[arg-type]
                    ),
                    html.H2("Réponses par mois"),
                    html.P(
                        "Le graphique montre le nombre de réponses reçues chaque mois ; "
                        "le tableau qui suit donne les mêmes chiffres "
                        "et la note de satisfaction du mois.",
                        id="chart-summary",
                    ),
                    dcc.Graph(
                        id="monthly-answers",
                        figure=monthly_answers_figure(overview.months),
                        config={"displayModeBar": False},
                    ),
                    html.Table(
                        [
                            html.Caption("Réponses et satisfaction (sur 10) par mois"),
                            html.Thead(
                                html.Tr(
                                    [
                                        html.Th("Mois", scope="col"),
                                        html.Th("Réponses", scope="col"),
                                        html.Th("Satisfaction sur 10", scope="col"),
                                    ]
                                )
                            ),
                            html.Tbody(rows),
                        ],
                        id="monthly-table",
                    ),
                ],
                id="contenu",
            ),
        ]
    )
