"""Plotly figures and their text alternatives; no data access here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

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


# The team space's figures are plain dicts in Plotly's JSON schema: building go.Figure objects
# validates every property and cost a team page 130 ms of its 150 ms budget; Dash sends dicts
# as they are. The property names are Plotly's, checked by plotly.js in the browser tests.
Figure = dict[str, Any]
# What a page shows in place of a figure the disclosure gate holds back.
SUPPRESSED = "secret statistique"
LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
    "plot_bgcolor": "white",
    "font": {"family": "system-ui, sans-serif"},
    "legend": {"orientation": "h"},
}


def _line(x: Sequence[Any], y: Sequence[Any], **style: Any) -> dict[str, Any]:
    return {"type": "scatter", "x": list(x), "y": list(y), **style}


def trend_figure(months: Sequence[dt.date], values: Sequence[Estimate | None]) -> Figure:
    """A score by month with its 95 % interval as a band; months without enough answers are
    gaps (no point, no line through them)."""
    x = [label_of_month(m) for m in months]
    value = [e.value if e else None for e in values]
    low = [e.low if e else None for e in values]
    high = [e.high if e else None for e in values]
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "connectgaps": False}
    return {
        "data": [
            _line(x, high, showlegend=False, **band),
            _line(
                x,
                low,
                fill="tonexty",
                fillcolor="rgba(0, 0, 145, 0.15)",
                name="Intervalle à 95 %",
                **band,
            ),
            _line(
                x,
                value,
                mode="lines+markers",
                line={"color": BLEU_FRANCE},
                name="Satisfaction (sur 10)",
                connectgaps=False,
            ),
        ],
        "layout": {
            **LAYOUT,
            "height": 300,
            "yaxis": {"range": [0, 10], "title": {"text": "Satisfaction sur 10"}},
        },
    }


def funnel_figure(result: Funnel) -> Figure:
    """The places of a département: the team's own named (diamonds), the others anonymous
    (circles), the département's score and the limits chance allows for each number of
    answers (dashed: 95 %, dotted: 99.8 %)."""
    traces: list[dict[str, Any]] = []
    for level, dash in ((0.95, "dash"), (0.998, "dot")):
        n, lower, upper = zip(*result.limits[level], strict=True)
        name = f"Limites du hasard à {format_number(100 * level, 1 if level > 0.99 else 0)} %"
        line = {"color": "#3a3a3a", "dash": dash, "width": 1}
        for bound, legend in ((lower, True), (upper, False)):
            traces.append(
                _line(
                    n,
                    bound,
                    mode="lines",
                    name=name,
                    showlegend=legend,
                    line=line,
                    hoverinfo="skip",
                )
            )
    others = [p for p in result.points if p.name is None]
    own = [p for p in result.points if p.name is not None]
    traces.append(
        _line(
            [p.n for p in others],
            [p.score for p in others],
            mode="markers",
            name="Autres lieux du département",
            marker={"color": "#929292", "symbol": "circle", "size": 7},
        )
    )
    sizes = [p.n for p in result.points]
    low, high = math.log(min(sizes)), math.log(max(sizes))
    traces.append(
        _line(
            [p.n for p in own],
            [p.score for p in own],
            mode="markers",
            name="Vos lieux",
            marker={"color": BLEU_FRANCE, "symbol": "diamond", "size": 12},
        )
    )
    # Each own place named on a white label, on the side where there is room: as the
    # trace's text, a place near the right edge (the busiest, often the team's own) had its
    # name cut off, and the limits' lines ran through it. (On a log axis an annotation's x is
    # the logarithm of the value.)
    names = [
        {
            "x": math.log10(p.n), "y": p.score, "text": p.name, "showarrow": False,
            "xanchor": "right" if math.log(p.n) > (low + high) / 2 else "left",
            "yanchor": "bottom", "yshift": 8, "bgcolor": "rgba(255, 255, 255, 0.9)",
        }
        for p in own
    ]  # fmt: skip
    traces.append(
        _line(
            [min(sizes), max(sizes)],
            [result.target, result.target],
            mode="lines",
            name="Satisfaction du département",
            line={"color": BLEU_FRANCE, "width": 1},
        )
    )
    return {
        "data": traces,
        "layout": {
            **LAYOUT,
            "height": 360,
            "annotations": names,
            # Above the plot: below it, the legend covered the axis title.
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "xaxis": {
                "title": {"text": "Nombre de réponses"},
                "type": "log",
                **_count_ticks(min(sizes), max(sizes)),
            },
            "yaxis": {"title": {"text": "Satisfaction sur 10"}, "range": [0, 10]},
        },
    }


def _count_ticks(least: int, most: int) -> dict[str, Any]:
    """Round numbers of answers as the log axis's ticks, written in full: Plotly's own ticks
    on a short log range read "2, 3, … 9, 100" for 20, 30, … 90, 100."""
    steps = [m * 10**e for e in range(7) for m in (1, 2, 5)]
    ticks = [v for v in steps if least <= v <= most]
    if len(ticks) < 2:
        ticks = sorted({least, *ticks, most})
    return {"tickvals": ticks, "ticktext": [format_number(v) for v in ticks]}


__all__ = [
    "SUPPRESSED",
    "format_number",
    "funnel_figure",
    "month_label",
    "monthly_answers_figure",
    "trend_figure",
]
