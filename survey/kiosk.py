"""Kiosk mode (/kiosk/<enrolment>): the form on a tablet enrolled by a place.

Without JavaScript it is the plain one-page form (posted here, channel "kiosk"). With it,
kiosk.js shows one question per screen, queues answers on the device and sends them through
POST /api/v1/responses, so answers given while the network is down are sent later, once.
"""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from observatory.clock import today
from observatory.places.kiosks import kiosk_for_token
from observatory.places.models import Kiosk, Place
from observatory.places.qr import form_url, qr_svg
from observatory.responses.abuse import Source, SourceKind
from observatory.responses.ingest import Ingestion, Status, ingest
from observatory.web.context import public_url, request_session, runtime
from survey.fields import answers_from, form_key, shown_answers
from survey.i18n import N_
from survey.messages import ERROR_MESSAGES
from survey.views import HONEYPOT, RETRY_LATER

kiosk_blueprint = Blueprint("kiosk", __name__)


@kiosk_blueprint.after_request
def _never_stored(response: Response) -> Response:
    """A kiosk page carries its enrolment credential: no cache, proxy or back button keeps it
    (the service worker keeps what the tablet needs offline)."""
    if request.path != "/kiosk/sw.js":
        response.headers["Cache-Control"] = "no-store"
    return response


def _gettext(message: str) -> str:
    translated: str = g.translator.gettext(message)
    return translated


def enrolled(token: str) -> tuple[Kiosk, Place] | None:
    """The active kiosk of an enrolment token and its place (page and API alike)."""
    session = request_session()
    kiosk = kiosk_for_token(session, token, runtime().settings.secret_key.get_secret_value())
    place = session.get(Place, kiosk.place_id) if kiosk else None
    return (kiosk, place) if kiosk and place else None


def _page(token: str, kiosk: Kiosk, place: Place, **state: object) -> str:
    rt = runtime()
    context: dict[str, object] = {"values": {}, "errors": {}, "thanked": False} | state
    # Built from the configured public address, never from the request's Host header.
    later_url = f"{form_url(public_url(), place.code)}/plus-tard?lang={g.lang}"
    return render_template(
        "kiosk.html",
        kiosk=kiosk,
        place=place,
        token=token,
        questionnaire=rt.current_questionnaire(),
        settings=rt.settings,
        messages=ERROR_MESSAGES,
        idempotency_key=form_key(None),
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
    raw = answers_from(request.form, questionnaire)
    item = Ingestion(
        place=place,
        questionnaire=questionnaire,
        raw=raw,
        channel="kiosk",
        language=g.lang,
        idempotency_key=form_key(request.form.get("idempotency_key")),
        day=today(rt.settings.timezone),
        source=Source(SourceKind.KIOSK, str(kiosk.id)),
    )
    outcome = ingest(request_session(), item, rt.limits, rt.notifier)
    values = shown_answers(raw, questionnaire)
    if outcome.status is Status.INVALID:
        return _page(token, kiosk, place, values=values, errors=outcome.errors), 400
    if outcome.status in RETRY_LATER:
        return _page(token, kiosk, place, values=values), RETRY_LATER[outcome.status][0]
    return done


@kiosk_blueprint.get("/kiosk/sw.js")
def service_worker() -> Response:
    """Served under /kiosk/ so that its scope covers the kiosk pages."""
    script = resources.files("survey").joinpath("static", "kiosk-sw.js").read_text("utf-8")
    reply = Response(script, mimetype="text/javascript")
    reply.headers["Cache-Control"] = "no-cache"
    return reply
