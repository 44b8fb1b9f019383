"""The team space's forms (/equipe/envoi/…): plain HTML forms posted to the server, which
work with or without JavaScript, each checked for the session, its CSRF value and the team's
own places before anything changes; then back to the page (303).

Dash pages draw the forms; the writes happen here, in services that take a Session.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue

from observatory.access import audit
from observatory.aggregation.review import discard, held_answers, release
from observatory.analysis.indicators import INDICATORS
from observatory.analysis.team import team_places
from observatory.clock import today
from observatory.questionnaires.definitions import Questionnaire
from observatory.teamspace.actions import ActionError, save_action, withdraw_action
from observatory.teamspace.comments import set_treated
from observatory.teamspace.notes import NoteError, save_notes
from observatory.web.context import runtime, unit_of_work
from observatory.web.staff import team_form_sender

team_forms = Blueprint(
    "team_forms", __name__, url_prefix="/equipe/envoi", template_folder="templates"
)
NUMBER = re.compile(r"[0-9]{1,18}")
YEAR = re.compile(r"20[0-9]{2}")
MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
# Where a form may send the browser back to: the space's own pages, with their query string.
BACK = re.compile(r"/equipe/(commentaires|actions|attente)?(\?[A-Za-z0-9=&_%.-]{0,200})?")


def _team() -> int:
    return int(team_form_sender().scope)


def _back(default: str, **extra: str) -> ResponseReturnValue:
    target = request.form.get("retour", "")
    if not BACK.fullmatch(target):
        target = default
    if extra:
        target += ("&" if "?" in target else "?") + urlencode(extra)
    return redirect(target, code=303)


def refused(reason: str, back: str) -> ResponseReturnValue:
    """Nothing saved: what is wrong, and the way back (the browser's Back keeps the text)."""
    return render_template("team_refused.html", reason=reason, back=back), 400


def topics(questionnaire_themes: dict[str, str]) -> dict[str, str]:
    """What an entry may point to: the page's indicators and the reasons for coming."""
    return {i.id: i.label for i in INDICATORS} | questionnaire_themes


def theme_labels_of(questionnaire: Questionnaire) -> dict[str, str]:
    question = questionnaire.question("motif")
    return {o.code: o.label for o in question.options} if question else {}


@team_forms.post("/commentaire")
def comment() -> ResponseReturnValue:
    team_id = _team()
    seq = request.form.get("seq", "")
    if not NUMBER.fullmatch(seq):
        abort(400)
    treated = request.form.get("traite") == "1"
    with unit_of_work() as db:
        if not set_treated(db, team_id, int(seq), treated=treated, today=_today()):
            abort(404)  # not a comment at one of the team's places: nothing to say about it
    return _back("/equipe/commentaires", fait="traite" if treated else "rouvert")


def _today() -> dt.date:
    return today(runtime().settings.timezone)


@team_forms.post("/action")
def action() -> ResponseReturnValue:
    team_id = _team()
    form = request.form
    action_id = form.get("action", "")
    month = MONTH.fullmatch(form.get("mois", ""))
    if action_id and not NUMBER.fullmatch(action_id):
        abort(400)
    if month is None:
        return refused("Indiquez le mois du changement (mois et année).", "/equipe/actions")
    topic = form.get("sujet", "") or None
    try:
        with unit_of_work() as db:
            save_action(
                db,
                team_id,
                action_id=int(action_id) if action_id else None,
                said=form.get("dit", ""),
                done=form.get("fait", ""),
                done_in=dt.date(int(month[1]), int(month[2]), 1),
                topic=topic,
                public=form.get("public") == "1",
                topics=topics(theme_labels_of(runtime().current_questionnaire())),
                today=_today(),
            )
    except ActionError as error:
        return refused(str(error), "/equipe/actions")
    return _back("/equipe/actions", fait="enregistre")


@team_forms.post("/action/retrait")
def withdraw() -> ResponseReturnValue:
    team_id = _team()
    action_id = request.form.get("action", "")
    if not NUMBER.fullmatch(action_id):
        abort(400)
    with unit_of_work() as db:
        if not withdraw_action(db, team_id, int(action_id), _today()):
            abort(404)
    return _back("/equipe/actions", fait="retire")


@team_forms.post("/bilan")
def notes() -> ResponseReturnValue:
    team_id = _team()
    year = request.form.get("annee", "")
    if not YEAR.fullmatch(year):
        abort(400)
    try:
        with unit_of_work() as db:
            save_notes(db, team_id, int(year), done=request.form.get("fait", ""),
                       next_year=request.form.get("prochain", ""), today=_today())  # fmt: skip
    except NoteError as error:
        return refused(str(error), f"/equipe/bilan/{year}")
    return redirect(f"/equipe/bilan/{year}?fait=enregistre", code=303)


@team_forms.post("/attente")
def review() -> ResponseReturnValue:
    """Release or discard answers held as a suspected burst at one of the team's places."""
    principal = team_form_sender()
    team_id = int(principal.scope)
    decision = request.form.get("decision", "")
    ids = request.form.getlist("reponse")
    if decision not in ("liberer", "ecarter") or not ids or len(ids) > 500:
        abort(400)
    with unit_of_work() as db:
        places = [p.id for p in team_places(db, team_id)]
        held = {h.id for h in held_answers(db, places)}
        if not set(ids) <= held:
            abort(404)  # an answer that is not held at one of the team's places
        count = release(db, ids, _today()) if decision == "liberer" else discard(db, ids)
        audit.record(
            db,
            actor=audit.token_actor(principal.jti),
            action=f"review.{'release' if decision == 'liberer' else 'discard'}",
            detail={"answers": count},
        )
    return _back("/equipe/attente", fait=decision)
