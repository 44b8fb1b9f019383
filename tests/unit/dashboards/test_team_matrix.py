"""Role × page: every page and file of the team space, asked by nobody, by another team, by a
coordinator, by a revoked session and by the team itself. Team A's figures, comments, notes and
actions never reach anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from observatory.access.tokens import Role, issue, revoke
from observatory.places.models import Place
from tests.unit.dashboards.conftest import MINE
from tests.unit.dashboards.test_team_space import (
    SECRET,
    callback_search,
    layout,
    sign_in,
    standing_search,
    team_of,
)
from tests.unit.dashboards.test_team_work import csrf_of

YEAR = dt.date.today().year
SECRET_NOTE = "Note confidentielle de notre équipe, xylophone"
SECRET_ACTION = "Action confidentielle de notre équipe, marimba"
# Each page with a query it accepts.
PAGES = {
    "/equipe/": "?periode=12m",
    "/equipe/commentaires": "?periode=12m",
    "/equipe/actions": "",
    "/equipe/attente": "",
    "/equipe/lieux": "",
    "/equipe/membres": "",
}


@pytest.fixture
def client(app_with) -> FlaskClient:
    return app_with(rate_limit_client_per_hour=1000)


def everything(client: FlaskClient, mine: Place) -> list[tuple[str, int, str]]:
    """(what, status, text) of every page, callback and file of the space."""
    out = []
    for path, query in PAGES.items():
        reply = client.get(path)
        out.append((f"GET {path}", reply.status_code, reply.get_data(as_text=True)))
        out.append((f"callback {path}", 200, callback_search(client, query, path)))
    out.append(("callback funnel", 200, standing_search(client, "?periode=12m")))
    out.append(("layout", 200, layout(client)))
    for path in (
        f"/equipe/bilan/{YEAR}",
        "/equipe/telechargement/resultats.csv?periode=12m",
        f"/equipe/lieux/{mine.code}/qr.svg",
    ):
        reply = client.get(path)
        out.append((f"GET {path}", reply.status_code, reply.get_data(as_text=True)))
    return out


def test_role_by_page(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    team_a = team_of(session_factory, mine)
    sign_in(client, Role.TEAM, str(team_a))
    token = csrf_of(client)
    month = dt.date.today().strftime("%Y-%m")
    action = {
        "csrf": token,
        "dit": "On attend",
        "fait": SECRET_ACTION,
        "mois": month,
        "public": "0",
    }
    assert client.post("/equipe/envoi/action", data=action).status_code == 303
    notes = {"csrf": token, "annee": str(YEAR), "fait": SECRET_NOTE, "prochain": ""}
    assert client.post("/equipe/envoi/bilan", data=notes).status_code == 303
    own = everything(client, mine)
    seen = " ".join(text for _, _, text in own)
    assert all(status == 200 for _, status, _ in own), [(w, s) for w, s, _ in own if s != 200]
    for secret in (SECRET_ACTION, SECRET_NOTE, MINE[:20], mine.name):
        assert secret in seen

    nobody = app_with()
    team_b = app_with()
    sign_in(team_b, Role.TEAM, str(team_of(session_factory, theirs)))
    coordinator = app_with()
    sign_in(coordinator, Role.COORDINATOR, "departement:51")
    forged = app_with()
    forged.post("/equipe/connexion", data={"token": issue("another-key-" + "x" * 30, Role.TEAM,
                                                           str(team_a), days=1)[0]})  # fmt: skip
    expired = app_with()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    stale, _ = issue(SECRET, Role.TEAM, str(team_a), days=1, now=long_ago)
    expired.post("/equipe/connexion", data={"token": stale})
    revoked = app_with()
    principal = sign_in(revoked, Role.TEAM, str(team_a))
    with session_factory.begin() as session:
        revoke(session, principal.jti, dt.date.today())
    logged_out = app_with()
    sign_in(logged_out, Role.TEAM, str(team_a))
    assert (
        logged_out.post("/equipe/deconnexion", data={"csrf": csrf_of(logged_out)}).status_code
        == 303
    )

    for who, other in (("nobody", nobody), ("team B", team_b), ("coordinator", coordinator),
                       ("forged", forged), ("expired", expired), ("revoked", revoked),
                       ("logged out", logged_out)):  # fmt: skip
        for what, status, text in everything(other, mine):
            for secret in (SECRET_ACTION, SECRET_NOTE, MINE[:20]):
                assert secret not in text, f"{who} read {secret!r} on {what}"
            # Team B gets its own figures and report; never team A's place's QR code.
            files = ("GET /equipe/telechargement", "GET /equipe/bilan")
            if what.startswith("GET /equipe/lieux/") or (
                who != "team B" and what.startswith(files)
            ):
                assert status in (302, 403, 404), f"{who}: {what} gave {status}"
            if who != "team B":
                assert mine.name not in text, f"{who} saw the place's name on {what}"
