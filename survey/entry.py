"""Paper and assisted entry (/equipe/saisie): a mediator transcribes a paper form or enters an
answer given orally. The channel is chosen here by the mediator, never asked of the person.

Mediators sign in with a token issued by `observatory token issue`; it is kept in a signed,
HttpOnly, SameSite=Strict session cookie and verified again (expiry, revocation) on every request.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from observatory.access.scopes import allowed_places, may_enter_for
from observatory.access.tokens import Principal, TokenError, verify
from observatory.app import runtime
from observatory.clock import today
from observatory.places.models import Place
from survey.i18n import N_
from survey.messages import ERROR_MESSAGES
from survey.submission import Status, accept

entry_blueprint = Blueprint("entry", __name__, url_prefix="/equipe")
ENTRY_CHANNELS = {"paper": N_("Formulaire papier"), "assisted": N_("Réponse donnée à l'oral")}
BACK_DAYS = 90  # a paper form may be transcribed up to three months later


def current_principal() -> Principal | None:
    token = session.get("token")
    if not token:
        return None
    rt = runtime()
    with rt.sessions() as db:
        try:
            return verify(db, str(token), rt.settings.secret_key.get_secret_value())
        except TokenError:
            session.clear()
            return None


def _check_csrf() -> None:
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), request.form.get("csrf", "")):
        abort(400)


@entry_blueprint.get("/connexion")
def login_form() -> str:
    return render_template("entry_login.html", error=False)


@entry_blueprint.post("/connexion")
def login() -> ResponseReturnValue:
    rt = runtime()
    token = request.form.get("token", "").strip()
    with rt.sessions() as db:
        try:
            verify(db, token, rt.settings.secret_key.get_secret_value())
        except TokenError:
            return render_template("entry_login.html", error=True), 401
    session.clear()
    session["token"] = token
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect(url_for("entry.entry_form", lang=g.lang), code=303)


@entry_blueprint.post("/deconnexion")
def logout() -> ResponseReturnValue:
    _check_csrf()
    session.clear()
    return redirect(url_for("entry.login_form", lang=g.lang), code=303)


def _render(principal: Principal, status: int = 200, **state: Any) -> ResponseReturnValue:
    rt = runtime()
    with rt.sessions() as db:
        places = allowed_places(db, principal)
    now = today(rt.settings.timezone)
    context: dict[str, Any] = {"values": {}, "errors": {}, "saved": False} | state
    page = render_template(
        "entry.html",
        places=places,
        channels=ENTRY_CHANNELS,
        questionnaire=rt.current_questionnaire(),
        messages=ERROR_MESSAGES,
        csrf=session["csrf"],
        idempotency_key=uuid.uuid4().hex,
        today=now,
        earliest=now - dt.timedelta(days=BACK_DAYS),
        **context,
    )
    return page, status


@entry_blueprint.get("/saisie")
def entry_form() -> ResponseReturnValue:
    principal = current_principal()
    if principal is None:
        return redirect(url_for("entry.login_form", lang=g.lang))
    return _render(principal)


@entry_blueprint.post("/saisie")
def entry_submit() -> ResponseReturnValue:
    principal = current_principal()
    if principal is None:
        return redirect(url_for("entry.login_form", lang=g.lang), code=303)
    _check_csrf()
    rt = runtime()
    questionnaire = rt.current_questionnaire()
    raw = {q.id: request.form.getlist(q.id) for q in questionnaire.questions}
    chosen = {k: request.form.get(k, "") for k in ("place", "channel", "day")}
    problems = _entry_problems(chosen, today(rt.settings.timezone))
    place_id = int(chosen["place"]) if chosen["place"].isdigit() else -1
    with rt.sessions() as db:
        if "place" not in problems and not may_enter_for(db, principal, place_id):
            abort(403)
        place = db.get(Place, place_id)
    if problems or place is None:
        return _render(principal, 400, values=raw, errors={}, entry_errors=problems, chosen=chosen)
    outcome = accept(
        rt,
        place=place,
        questionnaire=questionnaire,
        raw=raw,
        channel=chosen["channel"],
        language=g.lang,
        idempotency_key=request.form.get("idempotency_key", "")[:64] or uuid.uuid4().hex,
        day=dt.date.fromisoformat(chosen["day"]),
        limiter_key=f"{principal.role.value}-{principal.scope}",
    )
    if outcome.status is Status.INVALID:
        return _render(principal, 400, values=raw, errors=outcome.errors, chosen=chosen)
    if outcome.status in (Status.RATE_LIMITED, Status.UNAVAILABLE):
        return _render(principal, 503 if outcome.status is Status.UNAVAILABLE else 429,
                       values=raw, chosen=chosen, limited=True)  # fmt: skip
    # Ready for the next paper form: same place, channel and day, empty answers.
    return _render(principal, saved=True, chosen=chosen)


def _entry_problems(chosen: dict[str, str], now: dt.date) -> dict[str, str]:
    problems = {}
    if not chosen["place"].isdigit():
        problems["place"] = N_("Choisissez le lieu.")
    if chosen["channel"] not in ENTRY_CHANNELS:
        problems["channel"] = N_("Choisissez comment la réponse a été donnée.")
    try:
        day = dt.date.fromisoformat(chosen["day"])
        if not now - dt.timedelta(days=BACK_DAYS) <= day <= now:
            problems["day"] = N_("La date doit être dans les trois derniers mois.")
    except ValueError:
        problems["day"] = N_("Indiquez la date de la réponse (jour/mois/année).")
    return problems
