"""Plotly figures and their text alternatives; no data access here."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards.queries import MonthPoint

MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
BLEU_FRANCE = "#000091"


def month_label(point: MonthPoint) -> str:
    return f"{MONTHS_FR[point.month.month - 1]} {point.month.year}"


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


def format_number(value: float, decimals: int = 0) -> str:
    """French formatting: narrow no-break space for thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")
