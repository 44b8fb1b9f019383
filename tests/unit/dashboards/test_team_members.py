"""A team manages its members: one access per person, added with a single-use link shown
once, revoked at once; never another team's members."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from observatory.access.tokens import Role
from observatory.places.models import Place
from tests.unit.dashboards.test_team_space import (
    callback_search,
    hidden_values,
    sign_in,
    team_of,
)
from tests.unit.dashboards.test_team_work import csrf_of


def link_in(reply_text: str) -> str:
    found = re.search(r'href="(https?://[^"]+/equipe/connexion/[^"]+)"', reply_text)
    assert found, reply_text[:500]
    return urlsplit(found.group(1)).path


def test_a_team_adds_and_removes_its_members(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    token = csrf_of(client)
    added = client.post("/equipe/envoi/membre", data={"csrf": token, "nom": "Lucie  Martin"})
    assert added.status_code == 200 and added.headers["Cache-Control"] == "no-store"
    path = link_in(added.get_data(as_text=True))
    lucie = app_with()
    assert lucie.post(path).status_code == 303  # the link signs her in, once
    assert "Lucie Martin" in callback_search(lucie, "", "/equipe/membres")
    assert app_with().post(path).status_code == 410  # used
    page = callback_search(client, "", "/equipe/membres")
    (member, *_) = hidden_values(page, "membre")
    again = client.post("/equipe/envoi/membre/lien", data={"csrf": token, "membre": member})
    assert again.status_code == 200 and link_in(again.get_data(as_text=True)) != path
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    assert "Lucie Martin" not in callback_search(other, "", "/equipe/membres")
    steal = {"csrf": csrf_of(other), "membre": member}
    assert other.post("/equipe/envoi/membre/retrait", data=steal).status_code == 404
    assert "Lucie Martin" in callback_search(lucie, "", "/equipe/membres")  # still in
    removed = client.post("/equipe/envoi/membre/retrait", data={"csrf": token, "membre": member})
    assert removed.status_code == 303
    assert "pas connecté" in callback_search(lucie, "", "/equipe/membres")  # at once
    assert "accès retiré" in callback_search(client, "", "/equipe/membres")
    empty = client.post("/equipe/envoi/membre", data={"csrf": token, "nom": "  "})
    assert empty.status_code == 400 and "nom" in empty.get_data(as_text=True)
