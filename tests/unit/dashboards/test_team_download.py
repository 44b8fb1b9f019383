"""A team downloads its own figures as shown (CSV and XLSX), and nothing of another team."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from observatory.access.tokens import Role
from observatory.places.models import Place
from tests.unit.dashboards.test_team_space import sign_in, team_of


@pytest.fixture
def client(app_with) -> FlaskClient:
    return app_with(rate_limit_client_per_hour=1000)


def test_the_download_holds_the_figures_of_the_page(
    client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    assert client.get("/equipe/telechargement/resultats.csv").status_code == 302
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    reply = client.get("/equipe/telechargement/resultats.csv?periode=3m&lieu=tous")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert reply.headers["Cache-Control"] == "no-store"
    rows = list(
        csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    satisfaction = next(r for r in rows if r[:2] == ["Indicateurs", "Satisfaction"])
    # 5 × "bien" (level 2) and 1 × "pas bien" (0) out of 3: (5 × 2/3 × 10) / 6 = 5.6 / 10
    assert satisfaction[3] == "5.6" and satisfaction[6] == "6"
    months = [r for r in rows if r[0] == "Mois"]
    assert any(r[2] == "pas encore assez de réponses" for r in months)  # a gap, never a count
    xlsx = client.get(f"/equipe/telechargement/resultats.xlsx?periode=12m&lieu={mine.id}")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Indicateurs", "Mois", "Motifs"]
    assert book["Indicateurs"]["B2"].value == "sur 10" and book["Indicateurs"]["C2"].value == 5.6
    assert client.get(f"/equipe/telechargement/resultats.csv?lieu={theirs.id}").status_code == 404
    assert client.get("/equipe/telechargement/resultats.csv?periode=zz").status_code == 400
