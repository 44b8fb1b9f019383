"""Self-service: a team prints the poster and QR of its places, enrols and revokes its kiosk
tablets, and copies its form links; never for another team's place."""

from __future__ import annotations

import re

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

UNKNOWN = "Tablette non reconnue"


def test_a_team_serves_itself_for_its_own_places(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    page = callback_search(client, "", "/equipe/lieux")
    assert f"/r/{mine.code}" in page and f"/r/{theirs.code}" not in page
    svg = client.get(f"/equipe/lieux/{mine.code}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert client.get(f"/equipe/lieux/{mine.code}/qr.png").data[:4] == b"\x89PNG"
    assert client.get(f"/equipe/lieux/{theirs.code}/qr.png").status_code == 404
    assert client.get(f"/equipe/lieux/{mine.code}/qr.gif").status_code == 404
    token = csrf_of(client)
    enrolled = client.post(
        "/equipe/envoi/kiosque", data={"csrf": token, "lieu": mine.code, "nom": "Accueil"}
    )
    assert enrolled.status_code == 200 and enrolled.headers["Cache-Control"] == "no-store"
    link = re.search(r'href="(https?://[^"]+/kiosk/[^"]+)"', enrolled.get_data(as_text=True))
    assert link
    path = "/kiosk/" + link.group(1).split("/kiosk/", 1)[1]
    assert UNKNOWN not in client.get(path).get_data(as_text=True)
    page = callback_search(client, "", "/equipe/lieux")
    (kiosk_id,) = hidden_values(page, "kiosque")
    assert "Accueil (depuis le" in page
    for_them = {"csrf": token, "lieu": theirs.code, "nom": "Pirate"}
    assert client.post("/equipe/envoi/kiosque", data=for_them).status_code == 404
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    steal = {"csrf": csrf_of(other), "kiosque": kiosk_id}
    assert other.post("/equipe/envoi/kiosque/retrait", data=steal).status_code == 404
    assert UNKNOWN not in client.get(path).get_data(as_text=True)
    revoked = client.post(
        "/equipe/envoi/kiosque/retrait", data={"csrf": token, "kiosque": kiosk_id}
    )
    assert revoked.status_code == 303
    assert UNKNOWN in client.get(path).get_data(as_text=True)


def test_a_team_manages_its_digest_addresses_from_its_page(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    token = csrf_of(client)
    added = client.post("/equipe/envoi/adresse", data={"csrf": token, "adresse": "Marie@EPN.fr"})
    assert added.status_code == 303
    page = callback_search(client, "?fait=adresse", "/equipe/lieux")
    assert "Marie@epn.fr" in page and "recevra la lettre" in page
    bad = client.post("/equipe/envoi/adresse", data={"csrf": token, "adresse": "pas une adresse"})
    assert bad.status_code == 400 and "adresse e-mail valable" in bad.get_data(as_text=True)
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    assert "Marie@epn.fr" not in callback_search(other, "", "/equipe/lieux")
    steal = {"csrf": csrf_of(other), "adresse": "Marie@epn.fr"}
    assert other.post("/equipe/envoi/adresse/retrait", data=steal).status_code == 404
    mine_removed = {"csrf": token, "adresse": "Marie@epn.fr"}
    assert client.post("/equipe/envoi/adresse/retrait", data=mine_removed).status_code == 303
    assert "Marie@epn.fr" not in callback_search(client, "", "/equipe/lieux")
