"""Who is signed in on a staff page (/equipe/…): the server-side session behind the cookie.

The paper entry pages and the team space share one cookie, limited to /equipe, holding only an
opaque random id (docs/decisions/0015). Every staff view and every Dash callback asks
`current_principal()`; it reads the session row each time (once per request), so a logout or a
revoked token closes every page at once, not at the next page load.
"""

from __future__ import annotations

import datetime as dt
import hmac

from flask import abort, after_this_request, g, has_request_context, request
from werkzeug.wrappers import Response

from observatory.access.sessions import Limits, csrf_for, resume, utcnow
from observatory.access.tokens import Principal, Role
from observatory.config import Settings
from observatory.web.context import runtime, unit_of_work

COOKIE_NAME = "equipe_session"
COOKIE_PATH = "/equipe"  # never sent with the respondents' pages


def session_limits(settings: Settings) -> Limits:
    return Limits(
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        lifetime=dt.timedelta(hours=settings.session_lifetime_hours),
    )


def session_id() -> str:
    return request.cookies.get(COOKIE_NAME, "")


def set_cookie(response: Response, value: str) -> Response:
    response.set_cookie(
        COOKIE_NAME,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=runtime().settings.public_url.startswith("https://"),
    )  # no max_age: the cookie dies with the browser; the server decides when the session ends
    return response


def forget_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="Strict")
    return response


def current_principal() -> Principal | None:
    """The signed-in principal of this request, or None (and the dead cookie is dropped)."""
    if not has_request_context():
        return None
    if "staff_principal" in g:
        found: Principal | None = g.staff_principal
        return found
    value = session_id()
    principal = None
    if value:
        rt = runtime()
        with unit_of_work() as db:
            principal = resume(db, value, now=utcnow(), limits=session_limits(rt.settings))
        if principal is None:
            after_this_request(forget_cookie)
    g.staff_principal = principal
    return principal


def signed_in_team() -> Principal | None:
    """The signed-in principal when it is a team member: the team space's only audience."""
    principal = current_principal()
    return principal if principal is not None and principal.role is Role.TEAM else None


def team_form_sender() -> Principal:
    """The team member who sent this form: 403 for anyone else, 400 without this session's
    CSRF value. Every write of the team space starts here."""
    principal = signed_in_team()
    if principal is None:
        abort(403)
    check_csrf()
    return principal


def csrf() -> str:
    """The CSRF value of this browser's session, for the forms of staff pages."""
    return csrf_for(session_id(), runtime().settings.secret_key.get_secret_value())


def check_csrf() -> None:
    """Refuse (400) a form that does not carry this session's CSRF value."""
    if not session_id() or not hmac.compare_digest(csrf(), request.form.get("csrf", "")):
        abort(400)


SPACE_PATH = "/equipe/"  # the team space; a team member lands there once signed in
