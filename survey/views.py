"""Routes of the form: GET shows it, POST validates, stores, then notifies the workers.

Works without JavaScript. Two modes: the whole form on one page, or one question per screen
("étapes"), where the answers already given travel in hidden fields (no cookie, no session).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from observatory.clock import today
from observatory.places.codes import normalise_code
from observatory.places.models import Place
from observatory.places.qr import form_url, poster_context, qr_svg
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.abuse import Source, SourceKind, client_key
from observatory.responses.ingest import Ingestion, Status, ingest
from observatory.web.context import public_url, request_session, runtime
from survey.fields import answers_from, form_key, shown_answers, step_number
from survey.i18n import LANGUAGES, Translator, choose
from survey.messages import ERROR_MESSAGES, NOTICES
from survey.protection import FormGuard, Verdict

survey_blueprint = Blueprint(
    "survey",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/survey",
)
HONEYPOT = "site_web"  # a field people never see; robots fill every field
# Not stored, answers kept: the person sends again a little later.
RETRY_LATER = {
    Status.RATE_LIMITED: (429, "rate_limited"),
    Status.UNAVAILABLE: (503, "unavailable"),
}
# Not stored: the form is shown again, answers kept, with what happened.
REFUSED = RETRY_LATER | {
    Status.REPLAYED: (400, Verdict.EXPIRED.value),
    Status.CONFLICT: (409, "already_sent"),  # this form already sent other answers
}
STEPS = "etapes"


@survey_blueprint.before_app_request
def _language() -> None:
    g.lang = choose(request.values.get("lang"), request.accept_languages)
    g.translator = Translator(g.lang)


@survey_blueprint.app_context_processor
def _i18n_context() -> dict[str, Any]:
    language = LANGUAGES[g.get("lang", "fr")]
    return {"lang": language.code, "dir": language.direction, "languages": LANGUAGES.values()}


def _guard() -> FormGuard:
    settings = runtime().settings
    return FormGuard(
        settings.secret_key.get_secret_value(),
        min_fill_seconds=settings.min_fill_seconds,
        max_age_seconds=settings.form_token_max_age_seconds,
    )


def _place_or_404(code: str) -> Place:
    normalised = normalise_code(code)
    place = runtime().place(normalised, request_session()) if normalised is not None else None
    if place is None:
        abort(404)
    return place


def _render(
    place: Place,
    questionnaire: Questionnaire,
    *,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    key: str,
    token: str,
    steps: bool,
    step: int = 0,
    notice: str | None = None,
    later: bool = False,
) -> str:
    return render_template(
        "form.html",
        place=place,
        questionnaire=questionnaire,
        values=values,
        errors=errors,
        messages=ERROR_MESSAGES,
        notice=NOTICES.get(notice or ""),
        idempotency_key=key,
        token=token,
        steps=steps,
        step=step,
        honeypot=HONEYPOT,
        later=later,
        # Read-aloud stays on from one screen to the next when the person turned it on.
        voice="1" if request.values.get("voice") == "1" else "0",
    )


# The QR printed at the place answers now ("qr"); the one a kiosk shows to take home answers
# later ("later"). The entry point records the channel: it is never asked.
@survey_blueprint.get("/r/<code>", defaults={"later": False})
@survey_blueprint.get("/r/<code>/plus-tard", defaults={"later": True})
def form(code: str, later: bool) -> str:
    place = _place_or_404(code)
    return _render(
        place,
        runtime().current_questionnaire(),
        values={},
        errors={},
        key=form_key(None),
        token=_guard().issue(place.code),
        steps=request.args.get("mode") == STEPS,
        later=later,
    )


@survey_blueprint.post("/r/<code>", defaults={"later": False})
@survey_blueprint.post("/r/<code>/plus-tard", defaults={"later": True})
def submit(code: str, later: bool) -> WerkzeugResponse | tuple[str, int]:
    place = _place_or_404(code)
    rt = runtime()
    questionnaire = rt.current_questionnaire()
    raw = answers_from(request.form, questionnaire)
    key = form_key(request.form.get("idempotency_key"))
    token = request.form.get("token", "")
    steps = request.form.get("mode") == STEPS
    thanks = redirect(url_for("survey.thanks", code=place.code, lang=g.lang), code=303)
    if request.form.get(HONEYPOT):
        return thanks  # a robot: it sees success, nothing is stored

    def again(status: int, **kwargs: Any) -> tuple[str, int]:
        # Over-long text is never echoed back in full (a 50 MB comment was, once).
        values = shown_answers(raw, questionnaire)
        page = _render(
            place, questionnaire, values=values, key=key, steps=steps, later=later, **kwargs
        )
        return page, status

    nav = request.form.get("nav", "send")
    if steps and nav in ("next", "prev"):
        return _move(questionnaire, raw, again, nav, token)

    guard = _guard()
    verdict = guard.check(token, place.code)
    if verdict is not Verdict.OK:
        fresh = token if verdict is Verdict.TOO_FAST else guard.issue(place.code)
        last = _last(questionnaire, steps)
        return again(400, errors={}, token=fresh, notice=verdict.value, step=last)
    secret = rt.settings.secret_key.get_secret_value()
    # The address only ever feeds an hourly salted hash held in Redis/memory for <= 1 h.
    source = Source(SourceKind.FORM, place.code, client_key(secret, request.remote_addr))
    item = Ingestion(
        place=place,
        questionnaire=questionnaire,
        raw=raw,
        channel="later" if later else "qr",
        language=g.lang,
        idempotency_key=key,
        day=today(rt.settings.timezone),
        source=source,
        once=token,
        once_ttl_seconds=rt.settings.form_token_max_age_seconds,
    )
    outcome = ingest(request_session(), item, rt.limits, rt.notifier)
    if outcome.status in (Status.STORED, Status.DUPLICATE):
        return thanks
    if outcome.status is Status.INVALID:
        first = _index_of(questionnaire, next(iter(outcome.errors)))
        return again(400, errors=outcome.errors, token=token, step=first if steps else 0)
    status, notice = REFUSED[outcome.status]
    # A token spent on another answer is replaced: the person checks and sends again.
    fresh = guard.issue(place.code) if outcome.status is Status.REPLAYED else token
    return again(status, errors={}, token=fresh, notice=notice, step=_last(questionnaire, steps))


def _index_of(questionnaire: Questionnaire, qid: str) -> int:
    return next(i for i, q in enumerate(questionnaire.questions) if q.id == qid)


def _last(questionnaire: Questionnaire, steps: bool) -> int:
    return len(questionnaire.questions) - 1 if steps else 0


def _move(
    questionnaire: Questionnaire,
    raw: Mapping[str, Sequence[str]],
    again: Any,
    nav: str,
    token: str,
) -> tuple[str, int]:
    """One screen forward (after checking that screen's question) or back."""
    step = step_number(request.form.get("step"), len(questionnaire.questions))
    if nav == "next":
        current = questionnaire.questions[step]
        if current.required and not any(v.strip() for v in raw.get(current.id, ())):
            return again(400, errors={current.id: "required"}, token=token, step=step)  # type: ignore[no-any-return]
        step = min(step + 1, len(questionnaire.questions) - 1)
    else:
        step = max(step - 1, 0)
    return again(200, errors={}, token=token, step=step)  # type: ignore[no-any-return]


@survey_blueprint.get("/r/<code>/affiche")
def poster(code: str) -> str:
    """The printable A4 poster of a place (QR code generated here, nothing from outside)."""
    place = _place_or_404(code)
    url = form_url(public_url(), place.code)
    context = poster_context(place.name, place.commune_name, url)
    return render_template("poster.html", qr=qr_svg(url, title=context["qr_title"]), **context)


@survey_blueprint.get("/r/<code>/merci")
def thanks(code: str) -> str:
    return render_template("thanks.html", place=_place_or_404(code))


@survey_blueprint.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("not_found.html"), 404
