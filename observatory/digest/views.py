"""`/equipe/desabonnement/<token>`: leave the weekly digest without signing in.

GET only shows a confirmation page with a button: link previewers and mail scanners fetch every
link of a message, and must never unsubscribe anyone. POST unsubscribes, from that button or
from a mail client's one-click request (RFC 8058: `List-Unsubscribe=One-Click` posted to the same
address, without cookies). No CSRF value is needed: the token in the address is itself the
secret, and unsubscribing is all it can do. Pages are French only, like the digest.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from observatory.clock import today
from observatory.digest.unsubscribe import PATH, contact_of, unsubscribe
from observatory.places.models import Team
from observatory.teamspace.models import TeamContact
from observatory.web.context import request_session, runtime, unit_of_work

unsubscribe_blueprint = Blueprint(
    "digest_unsubscribe",
    __name__,
    url_prefix=PATH.rstrip("/"),
    template_folder="templates",
)


@unsubscribe_blueprint.after_request
def private(response: Response) -> Response:
    """The page names a person's address: no cache keeps it, no search engine lists it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _secret() -> str:
    return runtime().settings.secret_key.get_secret_value()


def _page(state: str, contact: TeamContact, token: str) -> str:
    team = request_session().get(Team, contact.team_id)
    since = contact.unsubscribed_on
    return render_template(
        "digest/unsubscribe.html",
        state=state,
        token=token,
        address=contact.email,
        team=team.name if team else "",
        since=since.strftime("%d/%m/%Y") if since else "",
    )


def _unknown() -> ResponseReturnValue:
    return render_template("digest/unknown.html"), 404


@unsubscribe_blueprint.get("/<token>")
def confirm(token: str) -> ResponseReturnValue:
    contact = contact_of(request_session(), _secret(), token)
    if contact is None:
        return _unknown()
    return _page("confirm" if contact.unsubscribed_on is None else "already", contact, token)


@unsubscribe_blueprint.post("/<token>", endpoint="unsubscribe")
def unsubscribe_view(token: str) -> ResponseReturnValue:
    with unit_of_work() as session:
        contact = contact_of(session, _secret(), token)
        if contact is None:
            return _unknown()
        unsubscribe(session, contact, today(runtime().settings.timezone))
    return _page("done", contact, token)
