"""The annual self-evaluation (/equipe/bilan/<année>): a server-rendered page (it prints and
works without JavaScript) and the same page as a PDF made locally by weasyprint.

weasyprint needs Debian's Pango and HarfBuzz (`make test` installs them). Where they are
missing, importing it fails: the page then says the PDF is unavailable and the HTML report, with
its print stylesheet, still works.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue

from dashboards.team_view import change_text, indicator_value
from observatory.analysis.periods import month_label
from observatory.analysis.wording import interval_text, number, value_text
from observatory.clock import today
from observatory.teamspace.notes import MAX_NOTE
from observatory.teamspace.report import AnnualReport, annual_report, report_years
from observatory.web.context import runtime
from observatory.web.staff import csrf, signed_in_team

team_report = Blueprint(
    "team_report",
    __name__,
    url_prefix="/equipe/bilan",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
STYLESHEET = Path(__file__).with_name("static") / "report.css"
SAVED = {"enregistre": "Vos notes sont enregistrées."}


@functools.cache
def pdf_available() -> bool:
    """Whether weasyprint can load (it needs Pango at import time)."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


def _team() -> int | None:
    principal = signed_in_team()
    return int(principal.scope) if principal else None


def _report(team_id: int, year: int) -> AnnualReport:
    rt = runtime()
    with rt.sessions() as session:
        try:
            return annual_report(
                session, team_id, year, questionnaire=rt.current_questionnaire(),
                settings=rt.settings, today=today(rt.settings.timezone),
            )  # fmt: skip
        except ValueError:
            abort(404)


def _context(report: AnnualReport) -> dict[str, Any]:
    results = report.results
    rows = []
    for row in results.indicators:
        indicator, now = row.change.indicator, row.change.current.estimate
        rows.append({
            "label": indicator.label,
            "value": indicator_value(indicator.kind, now),
            "interval": interval_text(indicator.kind, now) if now else "",
            "n": number(now.n) if now else "",
            "change": change_text(row, results.verdicts[indicator.id]),
            "departement": indicator_value(indicator.kind, row.departement, "secret statistique"),
            "france": indicator_value(indicator.kind, row.france, "secret statistique"),
        })  # fmt: skip
    answers = (
        f"{number(results.answers)} réponses en {report.year}."
        if results.answers is not None
        else f"Pas assez de réponses en {report.year} pour montrer des chiffres."
    )
    rt = runtime()
    return {
        "year": report.year,
        "team": results.team,
        "places": ", ".join(p.name for p in results.places),
        "departement": results.departement,
        "answers": answers,
        "sentences": [s.text for s in results.sentences],
        "rows": rows,
        "themes": [
            {"label": t.label, "count": number(t.count), "share": value_text("share", t.share)}
            for t in results.themes or []
        ],
        "keywords": ", ".join(f"{k.word} ({number(k.comments)})" for k in report.keywords),
        "actions": [
            {"month": month_label(a.done_in), "said": a.said, "done": a.done}
            for a in report.actions
        ],
        "notes": report.notes,
        "years": list(report_years(today(rt.settings.timezone)))[::-1][:4],
        "max_note": MAX_NOTE,
        "pdf_available": pdf_available(),
    }


@team_report.get("/<int:year>")
def page(year: int) -> ResponseReturnValue:
    team_id = _team()
    if team_id is None:
        return redirect("/equipe/connexion")
    context = _context(_report(team_id, year))
    done = SAVED.get(request.args.get("fait", ""))
    return render_template("team_report.html", pdf=False, csrf=csrf(), done=done, **context)


@team_report.get("/<int:year>.pdf")
def pdf(year: int) -> ResponseReturnValue:
    team_id = _team()
    if team_id is None:
        return redirect("/equipe/connexion")
    if not pdf_available():
        abort(503)
    from weasyprint import HTML

    context = _context(_report(team_id, year))
    html = render_template(
        "team_report.html", pdf=True, inline_css=STYLESHEET.read_text(encoding="utf-8"),
        **context,
    )  # fmt: skip
    document = HTML(string=html, url_fetcher=_nothing_fetched).write_pdf()
    name = f"bilan-{year}.pdf"
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _nothing_fetched(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    """The PDF is made from the page and its stylesheet only: nothing is fetched, from the
    network or the disk (a crafted URL in a note must not read a file)."""
    raise ValueError(f"not fetched: {url[:80]}")
