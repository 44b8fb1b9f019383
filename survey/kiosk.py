"""Kiosk mode (/kiosk/<enrolment>): the form on a tablet enrolled by a place.

Without JavaScript it is the plain one-page form (posted here, channel "kiosk"). With it,
kiosk.js shows one question per screen, queues answers on the device and sends them through
POST /api/v1/responses, so answers given while the network is down are sent later, once.
"""

from __future__ import annotations

import uuid
from importlib import resources

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from observatory.app import runtime
from observatory.clock import today
from observatory.places.kiosks import kiosk_for_token
from observatory.places.models import Kiosk, Place
from observatory.places.qr import qr_svg
from survey.i18n import N_
from survey.messages import ERROR_MESSAGES
from survey.submission import Status, accept
from survey.views import HONEYPOT, RETRY_LATER

kiosk_blueprint = Blueprint("kiosk", __name__)


def _gettext(message: str) -> str:
    translated: str = g.translator.gettext(message)
    return translated


def enrolled(token: str) -> tuple[Kiosk, Place] | None:
    """The active kiosk of an enrolment token and its place (page and API alike)."""
    rt = runtime()
    with rt.sessions() as session:
        kiosk = kiosk_for_token(session, token, rt.settings.secret_key.get_secret_value())
        place = session.get(Place, kiosk.place_id) if kiosk else None
    return (kiosk, place) if kiosk and place else None


def _page(token: str, kiosk: Kiosk, place: Place, **state: object) -> str:
    rt = runtime()
    context: dict[str, object] = {"values": {}, "errors": {}, "thanked": False} | state
    later_url = url_for("survey.form", code=place.code, later=True, lang=g.lang, _external=True)
    return render_template(
        "kiosk.html",
        kiosk=kiosk,
        place=place,
        token=token,
        questionnaire=rt.current_questionnaire(),
        settings=rt.settings,
        messages=ERROR_MESSAGES,
        idempotency_key=uuid.uuid4().hex,
        honeypot=HONEYPOT,
        later_url=later_url,
        later_qr=qr_svg(later_url, title=_gettext(N_("QR code pour répondre plus tard"))),
        **context,
    )


def _unknown() -> tuple[str, int]:
    return render_template("kiosk_unknown.html"), 404


@kiosk_blueprint.get("/kiosk/<token>")
def kiosk_form(token: str) -> ResponseReturnValue:
    found = enrolled(token)
    if found is None:
        return _unknown()
    return _page(token, *found, thanked=request.args.get("merci") == "1")


@kiosk_blueprint.post("/kiosk/<token>")
def kiosk_submit(token: str) -> ResponseReturnValue:
    """The no-JavaScript path of a kiosk: same validation and storage as everywhere."""
    found = enrolled(token)
    if found is None:
        return _unknown()
    kiosk, place = found
    done = redirect(url_for("kiosk.kiosk_form", token=token, lang=g.lang, merci="1"), code=303)
    if request.form.get(HONEYPOT):
        return done
    rt = runtime()
    questionnaire = rt.current_questionnaire()
    raw = {q.id: request.form.getlist(q.id) for q in questionnaire.questions}
    outcome = accept(
        rt,
        place=place,
        questionnaire=questionnaire,
        raw=raw,
        channel="kiosk",
        language=g.lang,
        idempotency_key=request.form.get("idempotency_key", "")[:64] or uuid.uuid4().hex,
        day=today(rt.settings.timezone),
        limiter_key=f"kiosk-{kiosk.id}",
    )
    if outcome.status is Status.INVALID:
        return _page(token, kiosk, place, values=raw, errors=outcome.errors), 400
    if outcome.status in RETRY_LATER:
        return _page(token, kiosk, place, values=raw), RETRY_LATER[outcome.status][0]
    return done


@kiosk_blueprint.get("/kiosk/sw.js")
def service_worker() -> Response:
    """Served under /kiosk/ so that its scope covers the kiosk pages."""
    script = resources.files("survey").joinpath("static", "kiosk-sw.js").read_text("utf-8")
    reply = Response(script, mimetype="text/javascript")
    reply.headers["Cache-Control"] = "no-cache"
    return reply
