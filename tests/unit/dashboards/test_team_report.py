"""The annual self-evaluation: a server-rendered page with the team's notes, and its PDF
(weasyprint, read back with pypdf). Each team sees only its own report."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from dashboards.team_report import pdf_available
from observatory.access.tokens import Role
from observatory.places.models import Place
from tests.unit.dashboards.test_team_space import sign_in, team_name, team_of

YEAR = dt.date.today().year
DONE = "Nous avons ouvert un créneau le samedi matin pour les actifs."
NEXT = "Former deux bénévoles aux démarches de retraite."


@pytest.fixture
def client(app_with) -> FlaskClient:
    return app_with(rate_limit_client_per_hour=1000)


def page_csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
    assert found
    return found.group(1)


def test_the_report_shows_the_year_and_keeps_the_teams_notes(
    app_with,
    client: FlaskClient,
    places: tuple[Place, Place],
    session_factory,
) -> None:
    mine, theirs = places
    assert client.get(f"/equipe/bilan/{YEAR}").status_code == 302  # not signed in
    team_id = team_of(session_factory, mine)
    sign_in(client, Role.TEAM, str(team_id))
    page = client.get(f"/equipe/bilan/{YEAR}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert f"Bilan {YEAR} – {team_name(session_factory, team_id)}" in text
    assert f"6 réponses en {YEAR}" in text
    form = {"csrf": page_csrf(text), "annee": str(YEAR), "fait": DONE, "prochain": NEXT}
    saved = client.post("/equipe/envoi/bilan", data=form)
    assert saved.status_code == 303
    text = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert DONE in text and NEXT in text and "Vos notes sont enregistrées" in text
    too_long = client.post("/equipe/envoi/bilan", data={**form, "fait": "x" * 6000})
    assert too_long.status_code == 400 and "caractères" in too_long.get_data(as_text=True)
    for year in (1999, YEAR + 5):
        assert client.get(f"/equipe/bilan/{year}").status_code == 404
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    theirs_page = other.get(f"/equipe/bilan/{YEAR}").get_data(as_text=True)
    assert DONE not in theirs_page and NEXT not in theirs_page


@pytest.mark.skipif(not pdf_available(), reason="Pango is missing: `make test` installs it")
def test_the_pdf_holds_the_teams_figures_and_notes(
    client: FlaskClient,
    places: tuple[Place, Place],
    session_factory,
) -> None:
    mine, _ = places
    team_id = team_of(session_factory, mine)
    sign_in(client, Role.TEAM, str(team_id))
    text = client.get(f"/equipe/bilan/{YEAR}").get_data(as_text=True)
    form = {"csrf": page_csrf(text), "annee": str(YEAR), "fait": DONE, "prochain": NEXT}
    assert client.post("/equipe/envoi/bilan", data=form).status_code == 303
    reply = client.get(f"/equipe/bilan/{YEAR}.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(reply.data))
    content = " ".join(page.extract_text() for page in pdf.pages)
    words = " ".join(content.split())  # line breaks fall anywhere in a paragraph
    assert team_name(session_factory, team_id) in words
    assert f"6 réponses en {YEAR}" in words
    assert " ".join(DONE.split()) in words and " ".join(NEXT.split()) in words
