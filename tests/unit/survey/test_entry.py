"""Paper and assisted entry by mediators: signed in, scoped to their places, CSRF-protected."""

from __future__ import annotations

import datetime as dt
import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from observatory.access.audit import recent
from observatory.access.models import StaffSession
from observatory.access.signin import revoke_token
from observatory.access.tokens import Role, issue, revoke
from observatory.config import Settings
from observatory.places.models import TeamPlace
from observatory.responses.models import Response

SECRET = "test-secret-key-0123456789abcdef-0123"


def team_of(factory: sessionmaker[Session], place_id: int) -> int:
    with factory() as session:
        return int(
            session.scalars(select(TeamPlace.team_id).where(TeamPlace.place_id == place_id)).one()
        )


def sign_in(client: FlaskClient, token: str) -> str:
    reply = client.post("/equipe/connexion", data={"token": token})
    assert reply.status_code == 303, reply.status_code
    page = client.get("/equipe/saisie").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_team_transcribes_a_paper_form_for_its_place(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    token, _ = issue(SECRET, Role.TEAM, str(team_of(session_factory, place.id)), days=1)
    csrf = sign_in(client, token)
    day = dt.date.today() - dt.timedelta(days=5)
    form = {"csrf": csrf, "place": str(place.id), "channel": "paper", "day": day.isoformat(),
            "satisfaction": "bien", "idempotency_key": "paper-form-1"}  # fmt: skip
    reply = client.post("/equipe/saisie", data=form)
    assert reply.status_code == 200 and "Réponse enregistrée" in reply.get_data(as_text=True)
    assert client.post("/equipe/saisie", data=form).status_code == 200  # sent twice, stored once
    with session_factory() as session:
        (stored,) = session.scalars(select(Response)).all()
        assert (stored.channel, stored.day) == ("paper", day)


def test_no_entry_without_sign_in_csrf_or_scope(
    client: FlaskClient, make_place, session_factory
) -> None:
    mine, theirs = make_place(), make_place()
    assert client.get("/equipe/saisie").status_code == 302
    assert client.post("/equipe/connexion", data={"token": "forged"}).status_code == 401
    token, principal = issue(SECRET, Role.TEAM, str(team_of(session_factory, mine.id)), days=1)
    csrf = sign_in(client, token)
    base = {"channel": "assisted", "day": dt.date.today().isoformat(), "satisfaction": "bien"}
    assert client.post("/equipe/saisie", data={**base, "place": str(mine.id)}).status_code == 400
    assert (
        client.post(
            "/equipe/saisie", data={**base, "csrf": csrf, "place": str(theirs.id)}
        ).status_code
        == 403
    )
    too_old = {**base, "csrf": csrf, "place": str(mine.id), "day": "2020-01-01"}
    page = client.post("/equipe/saisie", data=too_old)
    assert page.status_code == 400 and "trois derniers mois" in page.get_data(as_text=True)
    with session_factory.begin() as session:
        revoke(session, principal.jti, dt.date.today())
    assert client.get("/equipe/saisie").status_code == 302  # revoked: signed out at once
    with session_factory() as session:
        assert session.scalars(select(Response)).all() == []


def test_a_coordinator_enters_for_places_of_their_departement(
    client: FlaskClient, make_place, session_factory
) -> None:
    reims, saint_denis = make_place(commune="51454"), make_place(commune="97411")
    token, _ = issue(SECRET, Role.COORDINATOR, "departement:51", days=1)
    csrf = sign_in(client, token)
    page = html.unescape(client.get("/equipe/saisie").get_data(as_text=True))
    assert reims.name in page and saint_denis.name not in page
    base = {
        "csrf": csrf,
        "channel": "paper",
        "day": dt.date.today().isoformat(),
        "satisfaction": "bien",
    }
    assert (
        client.post("/equipe/saisie", data={**base, "place": str(saint_denis.id)}).status_code
        == 403
    )
    assert client.post("/equipe/saisie", data={**base, "place": str(reims.id)}).status_code == 200


def cookies_set_by(reply: TestResponse) -> str:
    """The cookies a reply sets, as a browser would send them back ("name=value; ...")."""
    return "; ".join(h.split(";", 1)[0] for h in reply.headers.getlist("Set-Cookie"))


def test_a_cookie_replayed_after_logout_opens_nothing(app: Flask, client: FlaskClient) -> None:
    token, _ = issue(SECRET, Role.MINISTRY, "*", days=1)
    reply = client.post("/equipe/connexion", data={"token": token})
    assert reply.status_code == 303
    stolen = cookies_set_by(reply)
    page = client.get("/equipe/saisie").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    replay = app.test_client(use_cookies=False)  # sends exactly the copied header
    assert replay.get("/equipe/saisie", headers={"Cookie": stolen}).status_code == 200
    assert client.post("/equipe/deconnexion", data={"csrf": csrf.group(1)}).status_code == 303
    after = replay.get("/equipe/saisie", headers={"Cookie": stolen})
    assert after.status_code == 302 and "/equipe/connexion" in after.headers["Location"]


def test_revoking_a_token_ends_its_open_sessions(
    client: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    token, principal = issue(SECRET, Role.MINISTRY, "*", days=1)
    sign_in(client, token)
    with session_factory.begin() as session:
        assert revoke_token(session, principal.jti, now=dt.datetime.now(dt.UTC)) == 1
        assert session.scalars(select(StaffSession)).all() == []
    assert client.get("/equipe/saisie").status_code == 302


def test_the_cookie_holds_no_token_and_is_locked_down(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    from observatory.app import create_app
    from tests.conftest import RecordingNotifier

    https = create_app(
        settings.model_copy(update={"public_url": "https://observatoire.example.fr"}),
        notifier=RecordingNotifier(),
    )
    try:
        token, principal = issue(SECRET, Role.MINISTRY, "*", days=1)
        reply = https.test_client().post("/equipe/connexion", data={"token": token})
        (cookie,) = reply.headers.getlist("Set-Cookie")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "path"} <= attributes and "SameSite=Strict" in cookie
        assert "Path=/equipe" in cookie and "Expires" not in cookie  # dies with the browser
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        assert principal.jti not in value and not any(part in value for part in token.split("."))
        with session_factory() as session:
            assert session.scalars(select(StaffSession.jti)).all() == [principal.jti]
    finally:
        https.extensions["observatory"].close()


def test_staff_pages_are_never_cached(client: FlaskClient) -> None:
    for path in ("/equipe/connexion", "/equipe/saisie", "/equipe/connexion/" + "a" * 43):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_an_idle_session_ends(client: FlaskClient, session_factory: sessionmaker[Session]) -> None:
    token, _ = issue(SECRET, Role.MINISTRY, "*", days=1)
    sign_in(client, token)
    with session_factory.begin() as session:  # as if the computer had been left for 2 h 01
        (row,) = session.scalars(select(StaffSession)).all()
        row.last_seen = row.last_seen - dt.timedelta(minutes=121)
    reply = client.get("/equipe/saisie")
    assert reply.status_code == 302
    assert "equipe_session=;" in reply.headers["Set-Cookie"]  # the dead cookie is dropped
    with session_factory() as session:
        assert session.scalars(select(StaffSession)).all() == []
        assert recent(session, 1)[0].action == "session.expire"


def test_sign_ins_and_sign_outs_are_audited_without_secrets(
    client: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    forged = client.post("/equipe/connexion", data={"token": "forged.secret.value"})
    assert forged.status_code == 401
    token, principal = issue(SECRET, Role.COORDINATOR, "departement:51", days=1)
    csrf = sign_in(client, token)
    client.post("/equipe/deconnexion", data={"csrf": csrf})
    with session_factory() as session:
        events = list(reversed(recent(session)))
    assert [(e.actor, e.action) for e in events] == [
        ("anonymous", "signin.fail"),
        (f"token:{principal.jti}", "signin"),
        (f"token:{principal.jti}", "signout"),
    ]
    assert events[1].detail == {"method": "paste", "role": "coordinator",
                                "scope": "departement:51"}  # fmt: skip
    logged = repr([(e.actor, e.target, e.detail) for e in events])
    assert "forged" not in logged and token not in logged


def test_logout_needs_the_csrf_value(client: FlaskClient) -> None:
    token, _ = issue(SECRET, Role.MINISTRY, "*", days=1)
    sign_in(client, token)
    assert client.post("/equipe/deconnexion", data={"csrf": "wrong"}).status_code == 400
    assert client.get("/equipe/saisie").status_code == 200


def test_signing_in_again_replaces_the_browsers_session(
    client: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    first, _ = issue(SECRET, Role.MINISTRY, "*", days=1)
    second, principal = issue(SECRET, Role.MINISTRY, "*", days=1)
    sign_in(client, first)
    sign_in(client, second)
    with session_factory() as session:
        assert session.scalars(select(StaffSession.jti)).all() == [principal.jti]
