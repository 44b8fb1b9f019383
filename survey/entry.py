"""Paper and assisted entry (/equipe/saisie): a mediator transcribes a paper form or enters an
answer given orally. The channel is chosen here by the mediator, never asked of the person.

Mediators sign in with a single-use link printed by `observatory token issue` / `token link`, or
by pasting a token. Either way the server opens a session row (observatory.access.sessions) and
the browser gets only an opaque random id in an HttpOnly, SameSite=Strict cookie limited to
/equipe: logging out or revoking the token deletes the row, so a replayed cookie opens nothing
(docs/decisions/0015). The people who answer never reach these pages and never get a cookie.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from observatory.access import audit
from observatory.access.scopes import allowed_places, may_enter_for
from observatory.access.sessions import (
    close_session,
    open_session,
    utcnow,
)
from observatory.access.signin import code_is_open, redeem, well_formed
from observatory.access.tokens import Principal, Role, TokenError, verify
from observatory.clock import BACK_DAYS, answer_day, today
from observatory.places.models import Place
from observatory.responses.abuse import Source, SourceKind
from observatory.responses.ingest import Ingestion, Status, ingest
from observatory.web.context import request_session, runtime, unit_of_work
from observatory.web.staff import (
    SPACE_PATH,
    check_csrf,
    csrf,
    current_principal,
    forget_cookie,
    session_id,
    session_limits,
    set_cookie,
)
from survey.fields import answers_from, form_key, shown_answers
from survey.i18n import N_
from survey.messages import ERROR_MESSAGES

entry_blueprint = Blueprint("entry", __name__, url_prefix="/equipe")
ENTRY_CHANNELS = {"paper": N_("Formulaire papier"), "assisted": N_("Réponse donnée à l'oral")}
PLACE_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²".isdigit() is True


@entry_blueprint.after_request
def no_store(response: Response) -> Response:
    """Staff pages hold scoped data and CSRF values: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in(principal: Principal, method: str) -> Response:
    """Open a session for `principal` and send the browser on with its cookie."""
    rt = runtime()
    now = utcnow()
    with unit_of_work() as db:
        if session_id():  # a new sign-in never reuses the browser's previous session
            close_session(db, session_id(), now=now)
        opened = open_session(
            db, principal, now=now, limits=session_limits(rt.settings), method=method
        )
    # A team member lands on the team space; other staff on the entry page.
    target = SPACE_PATH if principal.role is Role.TEAM else url_for("entry.entry_form", lang=g.lang)
    return set_cookie(redirect(target, code=303), opened)


def _failed_signin(method: str) -> None:
    """Record a failed sign-in; nothing of what was sent (token or code) is kept."""
    with unit_of_work() as db:
        audit.record(
            db, actor=audit.ANONYMOUS_ACTOR, action="signin.fail", detail={"method": method}
        )


@entry_blueprint.get("/connexion")
def login_form() -> str:
    return render_template("entry_login.html", error=False)


@entry_blueprint.post("/connexion")
def login() -> ResponseReturnValue:
    rt = runtime()
    token = request.form.get("token", "").strip()
    with unit_of_work() as db:
        try:
            principal = verify(db, token, rt.settings.secret_key.get_secret_value())
        except TokenError:
            principal = None
    if principal is None:
        _failed_signin("paste")
        return render_template("entry_login.html", error=True), 401
    return _signed_in(principal, "paste")


def _link_gone(status: int) -> ResponseReturnValue:
    return render_template("entry_login.html", link_gone=True), status


@entry_blueprint.get("/connexion/<code>")
def link_confirm(code: str) -> ResponseReturnValue:
    """Show a button, never sign in on GET: link previewers and prefetchers must not burn it."""
    if not well_formed(code):
        return _link_gone(400)
    with unit_of_work() as db:
        usable = code_is_open(db, code, utcnow())
    if not usable:
        return _link_gone(410)
    return render_template("entry_login.html", link_code=code)


@entry_blueprint.post("/connexion/<code>")
def link_signin(code: str) -> ResponseReturnValue:
    """Exchange the code once for a session."""
    if not well_formed(code):
        _failed_signin("link")
        return _link_gone(400)
    with unit_of_work() as db:
        principal = redeem(db, code, utcnow())
    if principal is None:
        _failed_signin("link")
        return _link_gone(410)
    return _signed_in(principal, "link")


@entry_blueprint.post("/deconnexion")
def logout() -> ResponseReturnValue:
    check_csrf()
    with unit_of_work() as db:
        close_session(db, session_id(), now=utcnow())
    response = redirect(url_for("entry.login_form", lang=g.lang), code=303)
    return forget_cookie(response)


def _render(principal: Principal, status: int = 200, **state: Any) -> ResponseReturnValue:
    rt = runtime()
    with unit_of_work() as db:
        places = allowed_places(db, principal)
    now = today(rt.settings.timezone)
    context: dict[str, Any] = {"values": {}, "errors": {}, "saved": False} | state
    page = render_template(
        "entry.html",
        places=places,
        channels=ENTRY_CHANNELS,
        questionnaire=rt.current_questionnaire(),
        messages=ERROR_MESSAGES,
        csrf=csrf(),
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
    check_csrf()
    rt = runtime()
    questionnaire = rt.current_questionnaire()
    raw = answers_from(request.form, questionnaire)
    values = shown_answers(raw, questionnaire)
    chosen = {k: request.form.get(k, "")[:16] for k in ("place", "channel", "day")}
    problems = _entry_problems(chosen, today(rt.settings.timezone))
    db = request_session()
    place = None
    if "place" not in problems:
        if not may_enter_for(db, principal, int(chosen["place"])):
            abort(403)
        place = db.get(Place, int(chosen["place"]))
    if problems or place is None:
        return _render(
            principal, 400, values=values, errors={}, entry_errors=problems, chosen=chosen
        )
    item = Ingestion(
        place=place,
        questionnaire=questionnaire,
        raw=raw,
        channel=chosen["channel"],
        language=g.lang,
        idempotency_key=form_key(request.form.get("idempotency_key")),
        day=dt.date.fromisoformat(chosen["day"]),
        # Each mediator's token has its own bucket, sized for a stack of paper forms.
        source=Source(SourceKind.MEDIATOR, principal.jti),
    )
    outcome = ingest(db, item, rt.limits, rt.notifier)
    if outcome.status is Status.INVALID:
        return _render(principal, 400, values=values, errors=outcome.errors, chosen=chosen)
    if outcome.status in (Status.RATE_LIMITED, Status.UNAVAILABLE):
        return _render(principal, 503 if outcome.status is Status.UNAVAILABLE else 429,
                       values=values, chosen=chosen, limited=True)  # fmt: skip
    if outcome.status is Status.CONFLICT:
        return _render(principal, 409, values=values, chosen=chosen, conflict=True)
    # Ready for the next paper form: same place, channel and day, empty answers.
    return _render(principal, saved=True, chosen=chosen)


def _entry_problems(chosen: dict[str, str], now: dt.date) -> dict[str, str]:
    problems = {}
    if not PLACE_ID.fullmatch(chosen["place"]):
        problems["place"] = N_("Choisissez le lieu.")
    if chosen["channel"] not in ENTRY_CHANNELS:
        problems["channel"] = N_("Choisissez comment la réponse a été donnée.")
    try:
        day = dt.date.fromisoformat(chosen["day"])
        # The one day rule of every channel; a date typed by a person is never silently moved.
        if answer_day(day, now, BACK_DAYS) != day:
            problems["day"] = N_("La date doit être dans les trois derniers mois.")
    except ValueError:
        problems["day"] = N_("Indiquez la date de la réponse (jour/mois/année).")
    return problems
