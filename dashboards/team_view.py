"""The team space's results as HTML components: a pure function of `TeamResults` (no data
access), so that a test reads exactly what a team reads.

Every figure is text first (tables, sentences); the chart repeats one of them, with its own
summary and the table as its alternative. Nothing is said by colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboards.figures import funnel_figure, trend_figure
from observatory.aggregation.stats import Estimate
from observatory.analysis.breakdown import GroupTable
from observatory.analysis.indicators import INDICATORS
from observatory.analysis.narrative import figure_id
from observatory.analysis.periods import Period, month_label
from observatory.analysis.standing import Standing
from observatory.analysis.team import IndicatorRow, TeamResults
from observatory.analysis.wording import difference_text, interval_text, number, value_text

ALL_PLACES = "tous"
PLACE_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is True
TOO_FEW = "pas encore assez de réponses"
HELD_BACK = "secret statistique"
TREND_INDICATOR = "satisfaction"


def _scrolling(caption: str, head: html.Tr, rows: list[html.Tr], table_id: str) -> html.Div:
    """A wide table in a region that scrolls sideways on a phone; the region takes the focus
    so that a keyboard can scroll it, and is named by the table's caption."""
    return html.Div(
        html.Table(
            [html.Caption(caption, id=f"{table_id}-titre"), html.Thead(head), html.Tbody(rows)],
            id=table_id,
        ),
        className="table-scroll",
        tabIndex=0,
        role="region",
        **{"aria-labelledby": f"{table_id}-titre"},  # type: ignore[arg-type]
    )


def indicator_value(kind: str, estimate: Estimate | None, missing: str = TOO_FEW) -> str:
    return value_text(kind, estimate.value) if estimate else missing


def change_text(row: IndicatorRow, verdict: str) -> str:
    change = row.change
    if verdict == "peu" or change.comparison is None or change.previous.estimate is None:
        return "trop peu de réponses pour comparer"
    shift = difference_text(change.indicator.kind, change.comparison.difference)
    before = value_text(change.indicator.kind, change.previous.estimate.value)
    if verdict in ("hausse", "baisse"):
        word = "En hausse" if verdict == "hausse" else "En baisse"
        return f"{word} : {shift} (avant : {before})"
    return f"Stable : {shift} (avant : {before}), un écart qui peut venir du hasard"


def analysis_section(results: TeamResults) -> html.Section:
    items = []
    for sentence in results.sentences:
        links = [
            html.A("voir le chiffre", href=f"#{target}", className="figure-link")
            for target in sentence.figures[:1]
        ]
        items.append(html.Li([sentence.text, " ", *links], className=f"sentence-{sentence.kind}"))
    return html.Section(
        [html.H2("Ce que disent vos usagers", id="analyse-titre"), html.Ul(items, id="analyse")],
        **{"aria-labelledby": "analyse-titre"},  # type: ignore[arg-type]
    )


def indicators_section(results: TeamResults) -> html.Section:
    departement = results.departement or "Département"
    head = html.Tr(
        [
            html.Th("Indicateur", scope="col"),
            html.Th("Vos usagers", scope="col"),
            html.Th("Intervalle de confiance à 95 %", scope="col"),
            html.Th("Réponses", scope="col"),
            html.Th(f"Par rapport à {results.period.versus}", scope="col"),
            html.Th(departement, scope="col"),
            html.Th("France", scope="col"),
        ]
    )
    rows = []
    for row in results.indicators:
        indicator = row.change.indicator
        now = row.change.current.estimate
        rows.append(
            html.Tr(
                [
                    html.Th(indicator.label, scope="row"),
                    html.Td(indicator_value(indicator.kind, now)),
                    html.Td(interval_text(indicator.kind, now) if now else ""),
                    html.Td(number(now.n) if now else ""),
                    html.Td(change_text(row, results.verdicts[indicator.id])),
                    html.Td(indicator_value(indicator.kind, row.departement, HELD_BACK)),
                    html.Td(indicator_value(indicator.kind, row.france, HELD_BACK)),
                ],
                id=figure_id(indicator.id),
            )
        )
    answers = (
        f"{number(results.answers)} réponses sur {results.period.label}."
        if results.answers is not None
        else f"Pas encore assez de réponses sur {results.period.label} pour montrer des chiffres."
    )
    place = str(results.place.id) if results.place else ALL_PLACES
    query = f"?periode={results.period.code}&lieu={place}"
    downloads = html.P(
        [
            "Télécharger ces chiffres : ",
            html.A("tableur CSV", href=f"/equipe/telechargement/resultats.csv{query}"),
            " · ",
            html.A("classeur Excel (XLSX)", href=f"/equipe/telechargement/resultats.xlsx{query}"),
        ],
        className="downloads",
    )
    return html.Section(
        [
            html.H2("Vos indicateurs", id="indicateurs-titre"),
            html.P(answers, id="reponses"),
            downloads,
            html.P(
                "Vos chiffres sont exacts ; ceux du département et de la France sont publiés "
                "comme le public les voit (légèrement arrondis au hasard pour protéger les "
                "personnes). L'intervalle dit où se trouve, très probablement, la vraie valeur.",
                className="note",
            ),
            _scrolling(
                f"Vos indicateurs sur {results.period.label}", head, rows, "table-indicateurs"
            ),
        ],
        **{"aria-labelledby": "indicateurs-titre"},  # type: ignore[arg-type]
    )


def _trend_summary(results: TeamResults) -> str:
    shown = [m for m in results.months if m.values.get(TREND_INDICATOR)]
    gaps = len(results.months) - len(shown)
    if not shown:
        return "Aucun mois n'a encore assez de réponses pour montrer la satisfaction."
    values = [m.values[TREND_INDICATOR] for m in shown]
    low = min(values, key=lambda e: e.value if e else 0.0)
    high = max(values, key=lambda e: e.value if e else 0.0)
    assert low is not None and high is not None
    text = (
        f"Satisfaction par mois, de {month_label(results.months[0].month)} à "
        f"{month_label(results.months[-1].month)} : entre {number(low.value, 1)} et "
        f"{number(high.value, 1)} sur 10."
    )
    if gaps:
        text += f" {gaps} mois sans assez de réponses : ils restent vides."
    return text + " Le tableau qui suit donne tous les indicateurs, mois par mois."


def months_section(results: TeamResults) -> html.Section:
    head = html.Tr(
        [html.Th("Mois", scope="col"), html.Th("Réponses", scope="col")]
        + [html.Th(i.label, scope="col") for i in INDICATORS]
    )
    body = []
    for month in results.months:
        cells: list[Any] = [html.Th(month_label(month.month), scope="row")]
        if month.answers is None:
            cells.append(html.Td(TOO_FEW, colSpan=1 + len(INDICATORS), className="gap"))
        else:
            cells.append(html.Td(number(month.answers)))
            cells += [html.Td(indicator_value(i.kind, month.values.get(i.id))) for i in INDICATORS]
        body.append(html.Tr(cells))
    return html.Section(
        [
            html.H2("Mois par mois", id="mois-titre"),
            html.P(_trend_summary(results), id="resume-tendance"),
            *(
                [
                    dcc.Graph(
                        id="tendance",
                        figure=trend_figure(
                            [m.month for m in results.months],
                            [m.values.get(TREND_INDICATOR) for m in results.months],
                        ),
                        config={"displayModeBar": False, "staticPlot": True},
                    )
                ]
                if any(m.values.get(TREND_INDICATOR) for m in results.months)
                else []  # an empty chart says nothing the sentence above does not
            ),
            _scrolling("Vos indicateurs mois par mois", head, body, "table-mois"),
        ],
        **{"aria-labelledby": "mois-titre"},  # type: ignore[arg-type]
    )


def themes_section(results: TeamResults) -> html.Section:
    content: list[Any]
    if results.themes is None:
        content = [html.P("Pas encore assez de réponses pour montrer les motifs de venue.")]
    else:
        content = [
            html.P(
                "Une personne peut donner plusieurs raisons : les parts ne font pas 100 %.",
                className="note",
            ),
            html.Table(
                [
                    html.Caption("Pourquoi les personnes sont venues"),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th("Motif", scope="col"),
                                html.Th("Personnes", scope="col"),
                                html.Th("Part", scope="col"),
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Th(t.label, scope="row"),
                                    html.Td(number(t.count)),
                                    html.Td(value_text("share", t.share)),
                                ]
                            )
                            for t in results.themes
                        ]
                    ),
                ],
                id="table-motifs",
            ),
        ]
    return html.Section(
        [html.H2("Pourquoi les personnes sont venues", id="motifs"), *content],
        **{"aria-labelledby": "motifs"},  # type: ignore[arg-type]
    )


def choice_list(legend: str, items: list[tuple[str, str, bool]]) -> html.Nav:
    """Links that change what the page shows (they keep the choice in the address, so it can
    be bookmarked); the one shown is marked in words and in bold, not by colour alone."""
    links = []
    for label, href, chosen in items:
        content: list[Any] = [label]
        if chosen:
            content.append(html.Span(" (affiché)", className="chosen-mark"))
        links.append(html.Li(dcc.Link(content, href=href, className="chosen" if chosen else "")))
    return html.Nav(
        [html.P(legend, className="choice-title"), html.Ul(links, className="choice-list")],
        **{"aria-label": legend},  # type: ignore[arg-type]
    )


def choices(offered: list[Period], results: TeamResults, base: str) -> list[Any]:
    place = str(results.place.id) if results.place else ALL_PLACES
    by_period = [
        (p.label[0].upper() + p.label[1:], f"{base}?periode={p.code}&lieu={place}",
         p.code == results.period.code)
        for p in offered
    ]  # fmt: skip
    out: list[Any] = [choice_list("Période", by_period)]
    if len(results.places) > 1:
        code = results.period.code
        by_place = [
            ("Tous nos lieux", f"{base}?periode={code}&lieu={ALL_PLACES}", results.place is None)
        ]
        by_place += [
            (p.name, f"{base}?periode={code}&lieu={p.id}", results.place == p)
            for p in results.places
        ]
        out.append(choice_list("Lieu", by_place))
    return [html.Div(out, className="controls")]


POSITION = {
    "inside": "dans l'entonnoir : son écart avec le département peut venir du hasard",
    "above": "au-dessus de l'entonnoir : plus satisfaisant que le département, au-delà de ce "
    "que le hasard explique",
    "below": "en dessous de l'entonnoir : moins satisfaisant que le département, au-delà de ce "
    "que le hasard explique",
}


STANDING_TITLE = "Où en sont vos lieux dans le département"


def standing_placeholder(search: str) -> html.Div:
    """Where the funnel arrives, from a callback of its own (`dashboards.team`): the store
    holds the address it was asked for, and its appearing is what triggers the callback."""
    return html.Div(
        [
            dcc.Store(id="situation-demande", data=search),
            html.Div(
                html.Section(
                    [
                        html.H2(STANDING_TITLE, id="situation-titre"),
                        html.P("Calcul de la comparaison avec les lieux du département…"),
                    ],
                    **{"aria-labelledby": "situation-titre"},  # type: ignore[arg-type]
                ),
                id="situation",
                **{"aria-live": "polite"},  # type: ignore[arg-type]
            ),
        ]
    )


def standing_section(standing: Standing) -> html.Section:
    """The funnel plot: never a ranking, the others anonymous and only from k_public."""
    title = html.H2(STANDING_TITLE, id="situation-titre")
    drawn = standing.funnel
    if drawn is None:
        content: list[Any] = [
            html.P(
                "Pas assez de lieux ou de réponses dans votre département sur "
                f"{standing.period.label} pour vous situer.",
                id="situation-resume",
            )
        ]
        return html.Section([title, *content], **{"aria-labelledby": "situation-titre"})  # type: ignore[arg-type]
    lines = [
        f"{own.name} : {number(own.score, 1)} sur 10 sur {number(own.n)} réponses, "
        f"{POSITION[own.position]}. Estimation qui tient compte du hasard : "
        f"{number(own.estimate, 1)} sur 10."
        for own in drawn.own
    ]
    summary = html.Div(
        [
            html.P(
                f"Chaque point est un lieu de {standing.departement or 'votre département'} "
                f"({number(len(drawn.points))} lieux avec assez de réponses) ; la ligne "
                f"bleue est la satisfaction du département ({number(drawn.target, 1)} sur "
                "10). Plus un lieu a de réponses, plus l'entonnoir se resserre. Les autres lieux "
                "restent anonymes et ce n'est pas un classement."
            ),
            html.Ul([html.Li(line) for line in lines]),
        ],
        id="situation-resume",
    )
    # A département can hold hundreds of places: one Markdown table (a single component)
    # instead of one Dash component per cell, which cost a page 100 ms.
    lines_md = ["| Lieu | Réponses | Satisfaction sur 10 |", "|:---|---:|---:|"]
    for p in sorted(drawn.points, key=lambda p: (p.name is None, -p.n)):
        name = (p.name or "Autre lieu").replace("|", "/")
        lines_md.append(f"| {name} | {number(p.n)} | {number(p.score, 1)} |")
    return html.Section(
        [
            title,
            summary,
            dcc.Graph(
                id="entonnoir",
                figure=funnel_figure(drawn),
                config={"displayModeBar": False, "staticPlot": True},
            ),
            html.Details(
                [
                    html.Summary("Voir les chiffres du graphique"),
                    html.P(
                        "Les lieux du département, par nombre de réponses",
                        className="table-title",
                    ),
                    html.Div(
                        dcc.Markdown("\n".join(lines_md)),
                        id="table-situation",
                        className="table-scroll",
                        tabIndex=0,
                        role="region",
                        **{"aria-label": "Les lieux du département"},  # type: ignore[arg-type]
                    ),
                ]
            ),
        ],
        **{"aria-labelledby": "situation-titre"},  # type: ignore[arg-type]
    )


def groups_tables(groups: Sequence[GroupTable]) -> list[Any]:
    """The reasons for coming by channel, age band and language: whether, say, older visitors
    come for other things."""
    if not groups:
        return [html.P("Pas assez de réponses, ou un seul groupe : rien à comparer.")]
    tables: list[Any] = []
    for i, group in enumerate(groups):
        head = html.Tr(
            [html.Th("Motif", scope="col")]
            + [
                html.Th(
                    f"{c.label} ({number(c.people)} pers.)"
                    if c.people
                    else f"{c.label} ({TOO_FEW})",
                    scope="col",
                )
                for c in group.columns
            ]
        )
        rows = [
            html.Tr(
                [html.Th(label, scope="row")]
                + [html.Td(value_text("share", v) if v is not None else "") for v in shares]
            )
            for label, shares in group.rows
        ]
        tables.append(_scrolling(group.title, head, rows, f"table-groupe-{i}"))
    return tables


def groups_section() -> html.Div:
    """A button that asks for the tables by group (a separate callback, see groups_part)."""
    return html.Div(
        [
            html.Button(
                "Voir les motifs selon la façon de répondre, l'âge et la langue",
                id="voir-groupes",
                n_clicks=0,
                type="button",
                className="link-button",
            ),
            html.Div(id="groupes", **{"aria-live": "polite"}),  # type: ignore[arg-type]
        ]
    )


def render_results(results: TeamResults, search: str) -> list[Any]:
    themes = themes_section(results)
    if results.themes is not None:
        themes.children.append(groups_section())
    return [
        analysis_section(results),
        indicators_section(results),
        months_section(results),
        themes,
        standing_placeholder(search),
    ]
