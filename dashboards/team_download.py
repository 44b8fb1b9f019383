"""A team's own figures as shown on its page, to download (CSV and XLSX).

The same figures, rounded as the page rounds them (scores to 0.1, shares to the percent), and
the same gaps: a month under `k_team` is "pas encore assez de réponses", never a count. The
département and France columns are the public's perturbed figures, as on the page.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, redirect, request
from flask.typing import ResponseReturnValue

from dashboards.team_pages import parse_query, team_choice
from dashboards.team_view import TOO_FEW, change_text
from observatory.aggregation.stats import Estimate
from observatory.analysis import periods
from observatory.analysis.indicators import INDICATORS
from observatory.analysis.periods import month_label
from observatory.analysis.team import NotYourPlaceError, TeamResults, team_results
from observatory.clock import today
from observatory.web.context import runtime
from observatory.web.staff import current_principal, signed_in_team

team_download = Blueprint("team_download", __name__, url_prefix="/equipe/telechargement")
HELD_BACK = "secret statistique"
Cell = str | int | float
Table = list[list[Cell]]


def _shown(kind: str, estimate: Estimate | None, missing: str) -> list[Cell]:
    """(value, low, high) as the page rounds them."""
    if estimate is None:
        return [missing, "", ""]
    if kind == "share":
        return [round(100 * estimate.value), round(100 * estimate.low), round(100 * estimate.high)]
    return [round(estimate.value, 1), round(estimate.low, 1), round(estimate.high, 1)]


def tables(results: TeamResults) -> dict[str, Table]:
    """The page's tables: indicators, months and reasons for coming (header row first)."""
    unit = {"score": "sur 10", "share": "%"}
    place = results.place.name if results.place else "tous nos lieux"
    indicators: Table = [[
        "indicateur", "unite", "valeur", "intervalle_bas", "intervalle_haut", "reponses",
        f"par_rapport_a ({results.period.versus})", f"departement ({results.departement or ''})",
        "france", "periode", "lieux",
    ]]  # fmt: skip
    for row in results.indicators:
        indicator, now = row.change.indicator, row.change.current.estimate
        indicators.append([
            indicator.label, unit[indicator.kind], *_shown(indicator.kind, now, TOO_FEW),
            now.n if now else "", change_text(row, results.verdicts[indicator.id]),
            _shown(indicator.kind, row.departement, HELD_BACK)[0],
            _shown(indicator.kind, row.france, HELD_BACK)[0], results.period.label, place,
        ])  # fmt: skip
    months: Table = [["mois", "reponses", *(f"{i.label} ({unit[i.kind]})" for i in INDICATORS)]]
    for month in results.months:
        if month.answers is None:
            months.append([month_label(month.month), TOO_FEW, *([""] * len(INDICATORS))])
            continue
        values = [_shown(i.kind, month.values.get(i.id), TOO_FEW)[0] for i in INDICATORS]
        months.append([month_label(month.month), month.answers, *values])
    themes: Table = [["motif", "personnes", "part (%)"]]
    themes += [[t.label, t.count, round(100 * t.share)] for t in results.themes or []]
    return {"Indicateurs": indicators, "Mois": months, "Motifs": themes}


def to_csv(named: dict[str, Table]) -> str:
    """One CSV (semicolon, as French spreadsheets expect) with a first column naming the table."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for name, rows in named.items():
        writer.writerow(["tableau", *rows[0]])
        writer.writerows([name, *row] for row in rows[1:])
    return out.getvalue()


def to_xlsx(named: dict[str, Table]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in named.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _results() -> TeamResults:
    principal = signed_in_team()
    if principal is None:
        abort(403)
    rt = runtime()
    try:
        period_code, place_id = team_choice(
            parse_query(request.query_string.decode(), {"periode", "lieu"})
        )
        period = periods.period(period_code, today(rt.settings.timezone))
        with rt.sessions() as session:
            return team_results(
                session, int(principal.scope), place_id=place_id, period=period,
                questionnaire=rt.current_questionnaire(), settings=rt.settings,
            )  # fmt: skip
    except NotYourPlaceError:
        abort(404)
    except ValueError:
        abort(400)


def _file(content: Any, mimetype: str, extension: str, results: TeamResults) -> Response:
    name = f"observatoire-{results.period.code}.{extension}"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@team_download.get("/resultats.csv")
def as_csv() -> ResponseReturnValue:
    if current_principal() is None:
        return redirect("/equipe/connexion")
    results = _results()
    # A byte-order mark, so that spreadsheets open the accents right.
    return _file("\ufeff" + to_csv(tables(results)), "text/csv", "csv", results)


@team_download.get("/resultats.xlsx")
def as_xlsx() -> ResponseReturnValue:
    if current_principal() is None:
        return redirect("/equipe/connexion")
    results = _results()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(to_xlsx(tables(results)), xlsx, "xlsx", results)
