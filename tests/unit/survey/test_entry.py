"""Paper and assisted entry by mediators: signed in, scoped to their places, CSRF-protected."""

from __future__ import annotations

import datetime as dt
import html
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role, issue, revoke
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
            "satisfaction": "bien", "idempotency_key": "paper-1"}  # fmt: skip
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
