"""The barometer reads the national cells through the disclosure gate."""

from __future__ import annotations

import datetime as dt
import json

from flask.testing import FlaskClient

from observatory.aggregation.fold import fold_all_pending
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


def test_barometer_shows_national_figures_above_k(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    post(client, place.code, "tres_bien", 8)
    post(client, place.code, "pas_bien", 4)
    fold_all_pending(session_factory, dt.date.today())
    text = layout_text(client)
    assert '"national-answers"' in text
    assert '"children": "12"' in text
    # 8 x 10 + 4 x 0 over 12 answers = 6.7 / 10
    assert "6,7 / 10" in text


def test_barometer_hides_figures_below_k_public(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    post(client, place.code, "bien", 10)  # k_public is 11
    fold_all_pending(session_factory, dt.date.today())
    text = layout_text(client)
    assert "secret statistique" in text
    assert '"children": "10"' not in text
