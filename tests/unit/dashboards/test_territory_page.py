""" "Vous avez dit, nous avons fait" on the public page of a team's territory: only the entries the
team chose to publish, as they stand (an edit shows its latest version, a withdrawn entry is
gone), on the page of every département it serves and no other; the département's figures
through the public gate."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role
from observatory.aggregation.fold import fold_all_pending
from observatory.places.models import Place, TeamPlace
from observatory.teamspace.models import TeamActionVersion
from tests.unit.dashboards.test_barometer import layout_text
from tests.unit.dashboards.test_team_space import answer, callback_search, sign_in, team_of
from tests.unit.dashboards.test_team_work import csrf_of

PARIS = "75056"


@pytest.fixture
def client(app_with) -> FlaskClient:  # type: ignore[no-untyped-def]
    return app_with(rate_limit_client_per_hour=1000)


def publish(client: FlaskClient, said: str, done: str, public: bool) -> None:
    entry = {
        "csrf": csrf_of(client), "dit": said, "fait": done, "sujet": "",
        "mois": dt.date.today().strftime("%Y-%m"), "public": "1" if public else "0",
    }  # fmt: skip
    assert client.post("/equipe/envoi/action", data=entry).status_code == 303


def action_of(factory: sessionmaker[Session], done: str) -> int:
    with factory() as session:
        found = select(TeamActionVersion.action_id).where(TeamActionVersion.done == done)
        return int(session.scalars(found).one())


def page(client: FlaskClient, code: str) -> str:
    reply = client.get(f"/barometre/territoires/{code}")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_a_teams_public_entries_appear_on_its_departements_page_only(
    client: FlaskClient, app_with, make_place, session_factory
) -> None:
    reims: Place = make_place()  # département 51
    team = team_of(session_factory, reims)
    sign_in(client, Role.TEAM, str(team))
    publish(client, "On attend trop longtemps", "Un second créneau le mardi", public=True)
    publish(client, "Le wifi coupe", "Nouvelle borne wifi", public=False)
    actions = callback_search(client, "", "/equipe/actions")
    assert "Vos actions publiques paraissent sur la page de" in actions
    assert '"href": "/barometre/territoires/51"' in actions and "Marne" in actions
    marne = page(client, "51")
    assert "Marne (51)" in marne
    assert "Un second créneau le mardi" in marne and "On attend trop longtemps" in marne
    assert f"Équipe {reims.code}" in marne  # the team's name, never a person's
    assert "Nouvelle borne wifi" not in marne  # not published by the team
    assert "Un second créneau" not in page(client, "75")

    # An edit shows its latest version; withdrawn, the entry leaves the public page.
    action_id = str(action_of(session_factory, "Un second créneau le mardi"))
    edited = {
        "csrf": csrf_of(client), "action": action_id, "dit": "On attend trop longtemps",
        "fait": "Deux créneaux le mardi", "sujet": "",
        "mois": dt.date.today().strftime("%Y-%m"), "public": "1",
    }  # fmt: skip
    assert client.post("/equipe/envoi/action", data=edited).status_code == 303
    marne = page(client, "51")
    assert "Deux créneaux le mardi" in marne and "Un second créneau le mardi" not in marne
    retract = {"csrf": csrf_of(client), "action": action_id}
    assert client.post("/equipe/envoi/action/retrait", data=retract).status_code == 303
    assert "Deux créneaux le mardi" not in page(client, "51")

    # A team serving places in two départements shows its entries on both pages.
    paris: Place = make_place(commune=PARIS, team=False)
    with session_factory.begin() as session:
        session.add(TeamPlace(team_id=team, place_id=paris.id))
    publish(client, "Les horaires", "Ouvert le samedi", public=True)
    assert "Ouvert le samedi" in page(client, "51") and "Ouvert le samedi" in page(client, "75")
    # What a team writes is text on the public page, never markup.
    publish(client, "<script>alert(1)</script>", '<img src=x onerror="alert(2)">', public=True)
    marne = page(client, "51")
    assert "<script>alert" not in marne and "<img src=x" not in marne
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in marne
    # Nor a person's name or number: shown scrubbed, as users' comments are.
    publish(client, "Mme Dupont au 06 12 34 56 78 attendait", "Rappel sous 48 h", public=True)
    marne = page(client, "51")
    assert "Dupont" not in marne and "06 12 34 56 78" not in marne
    assert "[nom]" in marne and "[téléphone]" in marne
    assert "Mme Dupont" in callback_search(client, "", "/equipe/actions")  # as written


def test_the_departements_figures_pass_the_public_gate(
    client: FlaskClient, make_place, session_factory
) -> None:
    few: Place = make_place()
    answer(client, few, "bien", 3)
    fold_all_pending(session_factory, dt.date.today())
    marne = page(client, "51")
    assert marne.count("secret statistique") == 2  # 3 answers: neither count nor score
    assert "Aucune équipe du département n'a encore publié" in marne
    for more in range(4):
        answer(client, make_place(), "tres_bien" if more % 2 else "bien", 12)
    fold_all_pending(session_factory, dt.date.today())
    marne = page(client, "51")
    assert "secret statistique" not in marne and "sur 10" in marne
    assert "Intervalle de confiance à 95 %" in marne


def test_the_list_of_departements_and_unknown_codes(client: FlaskClient, territories) -> None:
    assert '"href": "/barometre/territoires/"' in layout_text(client)  # from the national page
    listing = client.get("/barometre/territoires/").get_data(as_text=True)
    assert 'href="/barometre/territoires/2A"' in listing and "Marne (51)" in listing
    assert 'href="/barometre/territoires/976"' in listing
    for bad in ("00", "20", "999", "51'--", "abc", "%00"):
        refused = client.get(f"/barometre/territoires/{bad}")
        assert refused.status_code == 404
        assert "Ce département n'existe pas" in refused.get_data(as_text=True)
