"""Plotly figures and their text alternatives; no data access here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go

from dashboards.queries import MonthPoint
from observatory.aggregation.stats import Estimate
from observatory.analysis.funnel import Funnel
from observatory.analysis.periods import month_label as label_of_month
from observatory.analysis.wording import number as format_number

BLEU_FRANCE = "#000091"


def month_label(point: MonthPoint) -> str:
    return label_of_month(point.month)


def monthly_answers_figure(points: list[MonthPoint]) -> go.Figure:
    shown = [p for p in points if not p.answers.suppressed]
    figure = go.Figure(
        go.Bar(
            x=[month_label(p) for p in shown],
            y=[p.answers.value for p in shown],
            marker_color=BLEU_FRANCE,
            name="Réponses",
            hovertemplate="%{x} : %{y} réponses<extra></extra>",
        )
    )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=320,
        yaxis_title="Réponses par mois",
        plot_bgcolor="white",
        font={"family": "system-ui, sans-serif"},
    )
    return figure


def trend_figure(months: Sequence[dt.date], values: Sequence[Estimate | None]) -> go.Figure:
    """A score by month with its 95 % interval as a band; months without enough answers are
    gaps (no point, no line through them)."""
    x = [label_of_month(m) for m in months]
    value = [e.value if e else None for e in values]
    low = [e.low if e else None for e in values]
    high = [e.high if e else None for e in values]
    figure = go.Figure(
        [
            go.Scatter(
                x=x,
                y=high,
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                connectgaps=False,
            ),
            go.Scatter(
                x=x,
                y=low,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(0, 0, 145, 0.15)",
                hoverinfo="skip",
                name="Intervalle à 95 %",
                connectgaps=False,
            ),
            go.Scatter(
                x=x,
                y=value,
                mode="lines+markers",
                line={"color": BLEU_FRANCE},
                name="Satisfaction (sur 10)",
                connectgaps=False,
            ),
        ]
    )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        height=300,
        yaxis={"range": [0, 10], "title": "Satisfaction sur 10"},
        plot_bgcolor="white",
        font={"family": "system-ui, sans-serif"},
        legend={"orientation": "h"},
    )
    return figure


def funnel_figure(result: Funnel) -> go.Figure:
    """The places of a département: the team's own named (diamonds), the others anonymous
    (circles), the département's score and the limits chance allows for each number of
    answers (dashed: 95 %, dotted: 99.8 %)."""
    traces: list[go.Scatter] = []
    for level, dash in ((0.95, "dash"), (0.998, "dot")):
        n, lower, upper = zip(*result.limits[level], strict=True)
        name = f"Limites du hasard à {format_number(100 * level, 1 if level > 0.99 else 0)} %"
        for bound, legend in ((lower, True), (upper, False)):
            traces.append(go.Scatter(x=n, y=bound, mode="lines", name=name, showlegend=legend,
                                     line={"color": "#3a3a3a", "dash": dash, "width": 1},
                                     hoverinfo="skip"))  # fmt: skip
    others = [p for p in result.points if p.name is None]
    own = [p for p in result.points if p.name is not None]
    grey = {"color": "#929292", "symbol": "circle", "size": 7}
    traces.append(
        go.Scatter(
            x=[p.n for p in others], y=[p.score for p in others], mode="markers",
            name="Autres lieux du département", marker=grey,
        )
    )  # fmt: skip
    blue = {"color": BLEU_FRANCE, "symbol": "diamond", "size": 12}
    traces.append(
        go.Scatter(
            x=[p.n for p in own], y=[p.score for p in own], mode="markers+text",
            name="Vos lieux", text=[p.name for p in own], textposition="top center", marker=blue,
        )
    )  # fmt: skip
    figure = go.Figure(traces)
    figure.add_hline(y=result.target, line={"color": BLEU_FRANCE, "width": 1})
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=340, plot_bgcolor="white",
        xaxis={"title": "Nombre de réponses", "type": "log"},
        yaxis={"title": "Satisfaction sur 10", "range": [0, 10]},
        font={"family": "system-ui, sans-serif"}, legend={"orientation": "h"},
    )  # fmt: skip
    return figure


__all__ = [
    "format_number",
    "funnel_figure",
    "month_label",
    "monthly_answers_figure",
    "trend_figure",
]
