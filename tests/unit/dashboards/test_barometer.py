"""The barometer reads the national cells through the disclosure gate."""

from __future__ import annotations

import datetime as dt
import json

from flask.testing import FlaskClient

from dashboards.figures import format_number
from dashboards.queries import national_overview
from observatory.aggregation.fold import fold_all_pending
from observatory.config import Settings
from observatory.disclosure.perturbation import MAX_NOISE
from observatory.questionnaires.definitions import builtin
from tests.conftest import send_answers


def layout_text(client: FlaskClient) -> str:
    reply = client.get("/barometre/_dash-layout")
    assert reply.status_code == 200
    return json.dumps(reply.get_json(), ensure_ascii=False)


def post(client: FlaskClient, code: str, choice: str, n: int) -> None:
    for _ in range(n):
        assert send_answers(client, code, {"satisfaction": choice}).status_code == 303


def test_barometer_page_is_served_with_local_assets(client: FlaskClient, territories) -> None:
    page = client.get("/barometre/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cdn" not in html.lower() and "unpkg" not in html


def test_barometer_shows_the_gates_perturbed_national_figures(
    client: FlaskClient, make_place, session_factory, settings: Settings
) -> None:
    place = make_place()
    post(client, place.code, "tres_bien", 30)
    post(client, place.code, "pas_bien", 15)
    fold_all_pending(session_factory, dt.date.today())
    text = layout_text(client)
    with session_factory() as session:
        overview = national_overview(session, builtin().headline, settings)
    answers, score = overview.answers.value, overview.score_12_months.value
    assert answers is not None and score is not None
    assert abs(answers - 45) <= MAX_NOISE  # perturbed, never more than 4 away
    assert f'"children": "{format_number(answers)}", "id": "national-answers"' in text
    # 30 × 10 + 15 × 0 over 45 answers = 6.7 / 10, give or take the perturbed level counts
    assert abs(score.value - 20 / 3) < 1.0
    assert f"{format_number(score.value, 1)} / 10" in text


def test_barometer_hides_figures_below_k_public(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    post(client, place.code, "bien", 5)  # at most 9 once perturbed: below k_public (11)
    fold_all_pending(session_factory, dt.date.today())
    text = layout_text(client)
    assert "secret statistique" in text
    assert '"national-answers"' in text and '"children": "5"' not in text
