"""One question per screen without JavaScript, and the form in six languages (Arabic RTL)."""

from __future__ import annotations

import html as html_lib
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from observatory.responses.models import Answer, Response
from survey.i18n import LANGUAGES
from tests.conftest import fresh_form


def text_of(reply) -> str:  # type: ignore[no-untyped-def]
    return html_lib.unescape(reply.get_data(as_text=True))


def test_step_by_step_carries_answers_and_requires_only_the_first(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code, mode="etapes")
    base = {**fields, "mode": "etapes"}
    empty_first = client.post(f"/r/{place.code}", data={**base, "step": "0", "nav": "next"})
    assert empty_first.status_code == 400 and "Merci de choisir une réponse" in text_of(empty_first)
    second = client.post(
        f"/r/{place.code}", data={**base, "step": "0", "nav": "next", "satisfaction": "bien"}
    )
    page = text_of(second)
    assert second.status_code == 200 and "Question 2 sur 9" in page
    assert '<input type="hidden" name="satisfaction" value="bien">' in page
    back = client.post(
        f"/r/{place.code}",
        data={**base, "step": "1", "nav": "prev", "satisfaction": "bien", "objectif": "oui"},
    )
    assert 'value="bien" checked' in text_of(back) and "Question 1 sur 9" in text_of(back)
    sent = client.post(
        f"/r/{place.code}",
        data={**base, "step": "1", "nav": "send", "satisfaction": "bien", "objectif": "oui"},
    )
    assert sent.status_code == 303
    with session_factory() as session:
        assert set(session.scalars(select(Answer.option))) == {"bien", "oui"}


def test_every_language_renders_with_its_direction(client: FlaskClient, make_place) -> None:
    place = make_place()
    for code, language in LANGUAGES.items():
        page = client.get(f"/r/{place.code}?lang={code}").get_data(as_text=True)
        assert f'<html lang="{code}" dir="{language.direction}">' in page
    arabic = text_of(client.get(f"/r/{place.code}?lang=ar"))
    assert 'dir="rtl"' in arabic
    # Translated: the headline question is not in French any more.
    assert "Comment s'est passé votre accompagnement ?" not in arabic


def test_language_follows_the_browser_then_the_choice(client: FlaskClient, make_place) -> None:
    place = make_place()
    english = client.get(f"/r/{place.code}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en"' in english.get_data(as_text=True)
    chosen = client.get(f"/r/{place.code}?lang=uk", headers={"Accept-Language": "en"})
    assert '<html lang="uk"' in chosen.get_data(as_text=True)
    assert "Set-Cookie" not in chosen.headers


def test_answer_records_the_language_and_thanks_in_it(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code, lang="es")
    reply = client.post(f"/r/{place.code}", data={**fields, "lang": "es", "satisfaction": "bien"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("lang=es")
    with session_factory() as session:
        assert session.scalars(select(Response.language)).one() == "es"
    thanks = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert '<html lang="es"' in thanks


def test_not_found_speaks_the_visitor_language(client: FlaskClient, territories) -> None:
    page = client.get("/r/ZZZZZZ", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and '<html lang="en"' in page.get_data(as_text=True)
    assert re.search(r"<h1>[^<]+</h1>", page.get_data(as_text=True))
