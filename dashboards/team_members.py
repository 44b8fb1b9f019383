"""The team's members (/equipe/membres): one token per person, listed, added and revoked by the
team itself, as `observatory token issue|list|revoke` does from the CLI.

Adding a member issues a token for that person and a single-use sign-in link, shown once in the
reply (never in an address) for the team to pass on; a new link can be made for a member who
lost theirs. Revoking ends that person's sessions at once. Only tokens of this team are listed
or touched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dash import dcc, html
from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from dashboards.team_forms import refused
from observatory.access import audit
from observatory.access.models import IssuedToken
from observatory.access.sessions import utcnow
from observatory.access.signin import SigninError, holders, issue_link, issue_token, revoke_token
from observatory.access.tokens import Role
from observatory.web.context import public_url, runtime, unit_of_work
from observatory.web.staff import team_form_sender

team_members = Blueprint("team_members", __name__, url_prefix="/equipe/envoi/membre",
                         template_folder="templates")  # fmt: skip
JTI = re.compile(r"[0-9a-f]{32}")
MEMBER_DAYS = 365
LINK_HOURS = 72


def _team() -> tuple[int, str]:
    principal = team_form_sender()
    return int(principal.scope), principal.jti


def team_tokens(session: Session, team_id: int) -> list[IssuedToken]:
    return holders(session, role=Role.TEAM.value, scope=str(team_id))


def _own_token(session: Session, team_id: int, jti: str) -> IssuedToken:
    if not JTI.fullmatch(jti):
        abort(400)
    found = next((t for t in team_tokens(session, team_id) if t.jti == jti), None)
    if found is None:
        abort(404)
    return found


def _link_page(name: str, link: str, new: bool) -> str:
    return render_template("team_member.html", name=name, link=link, new=new, hours=LINK_HOURS)


@team_members.post("")
def add() -> ResponseReturnValue:
    team_id, jti = _team()
    name = " ".join(request.form.get("nom", "").split())[:200]
    if not name:
        return refused("Indiquez le nom de la personne.", "/equipe/membres")
    now = utcnow()
    with unit_of_work() as db:
        _, record = issue_token(
            db, runtime().settings.secret_key.get_secret_value(), Role.TEAM, str(team_id),
            holder=name, days=MEMBER_DAYS, now=now, actor=audit.token_actor(jti),
        )  # fmt: skip
        link = issue_link(db, record.jti, public_url=public_url(), hours=LINK_HOURS, now=now,
                          actor=audit.token_actor(jti))  # fmt: skip
    return _link_page(name, link, new=True)


@team_members.post("/lien")
def new_link() -> ResponseReturnValue:
    team_id, jti = _team()
    now = utcnow()
    try:
        with unit_of_work() as db:
            record = _own_token(db, team_id, request.form.get("membre", ""))
            link = issue_link(db, record.jti, public_url=public_url(), hours=LINK_HOURS,
                              now=now, actor=audit.token_actor(jti))  # fmt: skip
            name = record.holder
    except SigninError:
        reason = "Ce membre n'a plus d'accès valable : ajoutez-le à nouveau."
        return refused(reason, "/equipe/membres")
    return _link_page(name, link, new=False)


@team_members.post("/retrait")
def remove() -> ResponseReturnValue:
    team_id, jti = _team()
    with unit_of_work() as db:
        record = _own_token(db, team_id, request.form.get("membre", ""))
        revoke_token(db, record.jti, now=utcnow(), actor=audit.token_actor(jti))
    if record.jti == jti:  # one's own access: the session just ended
        return redirect("/equipe/connexion", code=303)
    return redirect("/equipe/membres?fait=membre-retire", code=303)


def members_view(
    tokens: Sequence[IssuedToken], *, me: str, csrf: str, done: str | None
) -> list[Any]:
    now = utcnow()
    out: list[Any] = [html.H2("Les membres de l'équipe", id="membres-titre")]
    if done:
        out.append(html.P(done, role="status", className="done"))
    out.append(html.P(
        "Chaque personne a son propre accès : on peut le retirer à une personne sans gêner les "
        "autres. Un lien de connexion ne sert qu'une fois ; faites-en un nouveau si besoin."
    ))  # fmt: skip
    items = []
    for t in tokens:
        if t.revoked_at is not None:
            state = f"accès retiré le {t.revoked_at:%d/%m/%Y}"
        elif t.expires <= now:
            state = f"accès expiré le {t.expires:%d/%m/%Y}"
        else:
            state = f"accès valable jusqu'au {t.expires:%d/%m/%Y}"
        who = t.holder + (" (vous)" if t.jti == me else "")
        actions: list[Any] = []
        if t.revoked_at is None and t.expires > now:
            actions = [
                html.Form([
                    dcc.Input(type="hidden", name="csrf", value=csrf),
                    dcc.Input(type="hidden", name="membre", value=t.jti),
                    html.Button(f"Nouveau lien pour {t.holder}", type="submit",
                                className="link-button"),
                ], method="post", action="/equipe/envoi/membre/lien"),
                html.Form([
                    dcc.Input(type="hidden", name="csrf", value=csrf),
                    dcc.Input(type="hidden", name="membre", value=t.jti),
                    html.Button(f"Retirer l'accès de {t.holder}", type="submit",
                                className="link-button"),
                ], method="post", action="/equipe/envoi/membre/retrait"),
            ]  # fmt: skip
        items.append(html.Li([html.P(f"{who} – {state}"),
                              html.Div(actions, className="row-actions")]))  # fmt: skip
    out.append(html.Ul(items, className="actions") if items else html.P("Aucun membre."))
    out.append(html.Form([
        dcc.Input(type="hidden", name="csrf", value=csrf),
        html.Label("Nom de la personne à ajouter", htmlFor="nom-membre"),
        dcc.Input(id="nom-membre", name="nom", type="text", maxLength=200,
                  placeholder="Prénom Nom"),
        html.Button("Ajouter et faire son lien de connexion", type="submit",
                    className="primary-button"),
    ], method="post", action="/equipe/envoi/membre", className="stacked-form"))  # fmt: skip
    return out
