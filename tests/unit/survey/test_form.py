"""The minimal form: stores one anonymous response, re-shows errors, never half-stores."""

from __future__ import annotations

import datetime as dt
import html as html_lib

from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.clock import today
from observatory.responses.models import Answer, Comment, Response
from tests.conftest import FORM_FIELDS, fresh_form, send_answers


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_form_is_served_for_a_known_place(client: FlaskClient, make_place) -> None:
    place = make_place()
    page = client.get(f"/r/{place.code}")
    assert page.status_code == 200
    html = html_lib.unescape(page.get_data(as_text=True))
    assert "Comment s'est passé votre accompagnement ?" in html
    assert place.name in html
    # Lower-case codes (typed by hand) work too.
    assert client.get(f"/r/{place.code.lower()}").status_code == 200


def test_unknown_place_gets_a_helpful_404(client: FlaskClient, territories) -> None:
    page = client.get("/r/ZZZZZZ")
    assert page.status_code == 404
    assert "ne correspond à aucun lieu" in html_lib.unescape(page.get_data(as_text=True))
    assert client.post("/r/not-a-code", data={"satisfaction": "bien"}).status_code == 404


def test_valid_answer_is_stored_anonymously_then_notified(
    app, client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    data = {
        "idempotency_key": "k1",
        "satisfaction": "tres_bien",
        "motif": ["demarches", "securite"],
        "amelioration": "Très bien, mon mail est jean.dupont@example.org",
    }
    data = {**fresh_form(client, place.code), **data}
    reply = client.post(
        f"/r/{place.code}",
        data=data,
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
        headers={"User-Agent": "UA-test-marker"},
    )
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"/r/{place.code}/merci?lang=fr")
    assert app.extensions["observatory"].notifier.notifications == 1
    with session_factory() as session:
        response = session.scalars(select(Response)).one()
        assert response.channel == "qr"
        assert response.day == today("Europe/Paris")
        assert isinstance(response.day, dt.date) and not isinstance(response.day, dt.datetime)
        options = set(session.scalars(select(Answer.option)))
        assert options == {"tres_bien", "demarches", "securite"}
        comment = session.scalars(select(Comment.text)).one()
        assert "jean.dupont" not in comment and "[courriel]" in comment
        # Nothing in any column of the response rows carries the address or the user agent.
        for table in ("response", "answer", "comment"):
            for row in session.execute(
                select(inspect(Response).local_table.metadata.tables[table])
            ).all():
                assert "203.0.113.7" not in str(row) and "UA-test-marker" not in str(row)
    # Sending the same form twice stores it once.
    assert client.post(f"/r/{place.code}", data=data).status_code == 303
    assert count(session_factory, Response) == 1


def test_invalid_answer_shows_errors_and_stores_nothing(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    reply = send_answers(client, place.code, {"objectif": "oui", "motif": "loisirs"})
    assert reply.status_code == 400
    html = html_lib.unescape(reply.get_data(as_text=True))
    assert "Merci de choisir une réponse" in html
    assert 'aria-describedby="' in html and "err-satisfaction" in html
    # The other answers are kept in the re-shown form.
    assert 'value="oui" checked' in html and 'value="loisirs" checked' in html
    bad = send_answers(client, place.code, {"satisfaction": "super"})
    assert bad.status_code == 400
    too_long = send_answers(
        client, place.code, {"satisfaction": "bien", "amelioration": "x" * 1001}
    )
    assert too_long.status_code == 400
    assert count(session_factory, Response) == 0
    assert count(session_factory, Answer) == 0


def test_thank_you_page(client: FlaskClient, make_place) -> None:
    place = make_place()
    page = client.get(f"/r/{place.code}/merci")
    assert page.status_code == 200
    assert "Merci pour votre avis" in html_lib.unescape(page.get_data(as_text=True))


def test_smileys_are_drawn_not_emoji(client: FlaskClient, make_place) -> None:
    page = client.get(f"/r/{make_place().code}").get_data(as_text=True)
    assert page.count('<svg class="face"') == 4
    assert 'aria-hidden="true"' in page
    assert not any(0x1F300 <= ord(ch) <= 0x1FAFF for ch in page)


def test_poster_of_a_place(client: FlaskClient, make_place) -> None:
    place = make_place()
    page = html_lib.unescape(client.get(f"/r/{place.code}/affiche").get_data(as_text=True))
    assert "<svg" in page and f"/r/{place.code}" in page and place.name in page
    assert client.get("/r/ZZZZZZ/affiche").status_code == 404


def test_the_later_entry_point_records_its_channel(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    page = client.get(f"/r/{place.code}/plus-tard")
    assert page.status_code == 200
    assert f'action="/r/{place.code}/plus-tard"' in page.get_data(as_text=True)
    fields = dict(FORM_FIELDS.findall(page.get_data(as_text=True)))
    reply = client.post(f"/r/{place.code}/plus-tard", data={**fields, "satisfaction": "bien"})
    assert reply.status_code == 303
    with session_factory() as session:
        assert session.scalars(select(Response.channel)).one() == "later"


def test_pages_forbid_inline_script_and_other_origins(client: FlaskClient, make_place) -> None:
    policy = client.get(f"/r/{make_place().code}").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
