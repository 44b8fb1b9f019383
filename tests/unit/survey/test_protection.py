"""Abuse controls of the form: none of them loses a person's answers, none stores a trace."""

from __future__ import annotations

import html as html_lib

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.responses.models import FLAG_BURST, Response
from tests.conftest import FORM_FIELDS, AppFactory, fresh_form, send_answers


def stored(factory: sessionmaker[Session]) -> list[Response]:
    with factory() as session:
        return list(session.scalars(select(Response)))


def test_a_form_sent_too_fast_is_shown_again_with_its_answers(
    app_with: AppFactory, make_place, session_factory
) -> None:
    client = app_with(min_fill_seconds=30)
    place = make_place()
    reply = send_answers(client, place.code, {"satisfaction": "bien", "objectif": "non"})
    assert reply.status_code == 400
    page = html_lib.unescape(reply.get_data(as_text=True))
    assert "Vous avez répondu très vite" in page
    assert 'value="bien" checked' in page and 'value="non" checked' in page
    assert stored(session_factory) == []


def test_a_token_for_another_place_or_forged_is_refused_but_answers_kept(
    client: FlaskClient, make_place, session_factory
) -> None:
    first, second = make_place(), make_place()
    fields = fresh_form(client, first.code)
    reply = client.post(f"/r/{second.code}", data={**fields, "satisfaction": "bien"})
    assert reply.status_code == 400
    assert 'value="bien" checked' in reply.get_data(as_text=True)
    forged = client.post(
        f"/r/{first.code}", data={"token": "forged", "idempotency_key": "k", "satisfaction": "bien"}
    )
    assert forged.status_code == 400
    assert stored(session_factory) == []
    # The page shown again carries a fresh, valid token: sending it again works.
    fields = dict(FORM_FIELDS.findall(forged.get_data(as_text=True)))
    again = client.post(
        f"/r/{first.code}", data={**fields, "idempotency_key": "k", "satisfaction": "bien"}
    )
    assert again.status_code == 303
    assert len(stored(session_factory)) == 1


def test_the_honeypot_swallows_robots(client: FlaskClient, make_place, session_factory) -> None:
    place = make_place()
    reply = send_answers(client, place.code, {"satisfaction": "bien", "site_web": "http://spam"})
    assert reply.status_code == 303  # the robot believes it worked
    assert stored(session_factory) == []


def test_rate_limit_keeps_answers_and_stores_nothing_more(
    app_with: AppFactory, session_factory, make_place
) -> None:
    client = app_with(rate_limit_client_per_hour=2)
    place = make_place()
    for choice in ("bien", "tres_bien"):
        assert send_answers(client, place.code, {"satisfaction": choice}).status_code == 303
    third = send_answers(client, place.code, {"satisfaction": "pas_bien"})
    assert third.status_code == 429
    page = html_lib.unescape(third.get_data(as_text=True))
    assert "réessayez dans quelques minutes" in page and 'value="pas_bien" checked' in page
    assert len(stored(session_factory)) == 2


def test_bursts_of_identical_answers_are_kept_but_flagged(
    app_with: AppFactory, session_factory, make_place
) -> None:
    client = app_with(burst_threshold=2)
    place = make_place()
    for _ in range(4):
        assert send_answers(client, place.code, {"satisfaction": "tres_bien"}).status_code == 303
    assert send_answers(client, place.code, {"satisfaction": "bien"}).status_code == 303
    flags = [r.flags for r in sorted(stored(session_factory), key=lambda r: r.seq)]
    assert flags == [0, 0, FLAG_BURST, FLAG_BURST, 0]


def test_no_address_or_user_agent_reaches_any_table(
    client: FlaskClient, make_place, engine, session_factory
) -> None:
    from observatory.models import Base

    place = make_place()
    fields = fresh_form(client, place.code)
    client.post(
        f"/r/{place.code}",
        data={**fields, "satisfaction": "bien", "amelioration": "RAS"},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
        headers={"User-Agent": "Mozilla/5.0 (marker-UA-4242)"},
    )
    assert len(stored(session_factory)) == 1
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                text = " ".join(str(v) for v in row)
                assert "198.51.100.23" not in text and "marker-UA-4242" not in text, table.name
                for value in row:
                    # Dates only: no datetime column anywhere, nothing finer than a day.
                    assert type(value).__name__ != "datetime", (table.name, value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Response)).scalar() == 1
