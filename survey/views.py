"""Routes of the form: GET shows it, POST validates, stores, then notifies the workers."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from observatory.app import runtime
from observatory.clock import today
from observatory.db import session_scope
from observatory.places.codes import normalise_code
from observatory.places.models import Place
from observatory.responses.service import SubmissionError, store_response, validate_answers
from survey.messages import ERROR_MESSAGES

survey_blueprint = Blueprint(
    "survey",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/survey",
)


def _place_or_404(code: str) -> Place:
    normalised = normalise_code(code)
    place = None
    if normalised is not None:
        with runtime().sessions() as session:
            place = session.scalar(select(Place).where(Place.code == normalised))
    if place is None:
        abort(404)
    return place


@survey_blueprint.get("/r/<code>")
def form(code: str) -> str:
    place = _place_or_404(code)
    return render_template(
        "form.html",
        place=place,
        questionnaire=runtime().current_questionnaire(),
        idempotency_key=uuid.uuid4().hex,
        values={},
        errors={},
        messages=ERROR_MESSAGES,
    )


@survey_blueprint.post("/r/<code>")
def submit(code: str) -> WerkzeugResponse | tuple[str, int]:
    place = _place_or_404(code)
    rt = runtime()
    questionnaire = rt.current_questionnaire()
    raw = {q.id: request.form.getlist(q.id) for q in questionnaire.questions}
    key = request.form.get("idempotency_key", "")[:64] or uuid.uuid4().hex
    try:
        submission = validate_answers(questionnaire, raw)
    except SubmissionError as error:
        page = render_template(
            "form.html",
            place=place,
            questionnaire=questionnaire,
            idempotency_key=key,
            values=raw,
            errors=error.errors,
            messages=ERROR_MESSAGES,
        )
        return page, 400
    with session_scope(rt.sessions) as session:
        store_response(
            session,
            place=place,
            questionnaire=questionnaire,
            submission=submission,
            channel="qr",
            language="fr",
            idempotency_key=key,
            day=today(rt.settings.timezone),
        )
    rt.notifier.notify()  # after the commit: the database is the source of truth
    return redirect(url_for("survey.thanks", code=place.code), code=303)


@survey_blueprint.get("/r/<code>/merci")
def thanks(code: str) -> str:
    return render_template("thanks.html", place=_place_or_404(code))


@survey_blueprint.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("not_found.html"), 404
