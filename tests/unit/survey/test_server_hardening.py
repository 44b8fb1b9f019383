"""What the server writes and answers (issue 10): no place code or credential in any log line,
no SQL parameter in errors, public URLs from the settings only, no caching of credentials,
the workers woken only after a commit."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from observatory.db import make_engine
from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place
from observatory.responses.ingest import after_commit
from tests.conftest import fresh_form

SECRET = "test-secret-key-0123456789abcdef-0123"


def kiosk_token(factory: sessionmaker[Session], place: Place) -> str:
    with factory.begin() as session:
        _, token = enrol_kiosk(
            session, session.get(Place, place.id), "T", SECRET, dt.date(2026, 1, 1)
        )
    return token


def test_the_access_log_names_routes_never_codes_or_credentials(
    client: FlaskClient, make_place, session_factory, caplog: pytest.LogCaptureFixture
) -> None:
    place = make_place()
    token = kiosk_token(session_factory, place)
    with caplog.at_level(logging.INFO, logger="observatory.access"):
        fields = fresh_form(client, place.code)
        client.post(f"/r/{place.code}", data={**fields, "satisfaction": "bien"})
        client.get(f"/kiosk/{token}")
        client.get(f"/r/{place.code}/affiche?lang=en")
    lines = [r.getMessage() for r in caplog.records if r.name == "observatory.access"]
    assert "POST /r/<code> 303" in lines and "GET /kiosk/<token> 200" in lines
    assert "GET /r/<code>/affiche 200" in lines
    for line in lines:
        assert place.code not in line and token not in line and "lang" not in line


def test_an_unhandled_error_is_logged_by_route_without_the_path(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(credential: str) -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/boom/<credential>", view_func=boom)
    app.config["TESTING"] = False  # the production path: a 500 and a log line
    with caplog.at_level(logging.ERROR):
        reply = app.test_client().get("/boom/secret-credential-42")
    assert reply.status_code == 500
    assert "/boom/<credential>" in caplog.text and "secret-credential-42" not in caplog.text


def test_database_errors_never_carry_sql_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as raised:
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": "a comment text"})
        assert "a comment text" not in str(raised.value)
    finally:
        engine.dispose()


def test_public_urls_come_from_the_settings_never_the_host_header(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    poster = client.get(f"/r/{place.code}/affiche").get_data(as_text=True)
    assert f"http://127.0.0.1:8050/r/{place.code}" in poster
    assert (
        client.get(f"/r/{place.code}/affiche", headers={"Host": "evil.example"}).status_code == 400
    )
    page = client.get(f"/kiosk/{kiosk_token(session_factory, place)}")
    assert f"http://127.0.0.1:8050/r/{place.code}/plus-tard" in page.get_data(as_text=True)
    assert "evil.example" not in client.get(
        f"/r/{place.code}/affiche", base_url="http://127.0.0.1"
    ).get_data(as_text=True)


def test_kiosk_pages_are_never_stored_by_a_cache(
    client: FlaskClient, make_place, session_factory
) -> None:
    token = kiosk_token(session_factory, make_place())
    assert client.get(f"/kiosk/{token}").headers["Cache-Control"] == "no-store"
    assert client.get("/kiosk/not-a-token").headers["Cache-Control"] == "no-store"


def test_the_workers_are_woken_after_a_commit_and_never_after_a_rollback(
    session_factory: sessionmaker[Session],
) -> None:
    calls: list[str] = []
    with session_factory() as session:
        after_commit(session, lambda: calls.append("rolled back"))
        session.execute(text("SELECT 1"))
        session.rollback()
        session.commit()  # a later commit must not fire the forgotten callback
        after_commit(session, lambda: calls.append("committed"))
        session.execute(text("SELECT 1"))
        session.commit()
        session.commit()  # once only
    assert calls == ["committed"]


def test_no_request_body_reaches_the_logs(
    client: FlaskClient, make_place, caplog: pytest.LogCaptureFixture
) -> None:
    place = make_place()
    marker = f"body-marker-{uuid.uuid4().hex}"
    with caplog.at_level(logging.DEBUG):
        fields = fresh_form(client, place.code)
        client.post(
            f"/r/{place.code}", data={**fields, "satisfaction": "x", "amelioration": marker}
        )
        client.post(
            f"/r/{place.code}", data={**fields, "satisfaction": "bien", "amelioration": marker}
        )
    assert marker not in caplog.text
