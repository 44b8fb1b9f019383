"""Bad input gets a clear 4xx and loses nothing (issue 10): each case here was a 500, an echo of
a 50 MB comment, or an answer dropped."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role, issue
from observatory.clock import answer_day, day_of, today
from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place, TeamPlace
from observatory.responses.models import Comment, Response
from tests.conftest import fresh_form

SECRET = "test-secret-key-0123456789abcdef-0123"


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(Response)) or 0)


def kiosk_token(factory: sessionmaker[Session], place: Place) -> str:
    with factory.begin() as session:
        _, token = enrol_kiosk(
            session, session.get(Place, place.id), "T", SECRET, dt.date(2026, 1, 1)
        )
    return token


def post_raw(client: FlaskClient, token: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/responses",
        data=data,
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/json",
    )


@pytest.mark.parametrize("step", ["abc", "1e5", "-1", "99999999999999999999", "", "٣"])
def test_step_mode_with_a_nonsense_step_shows_a_screen(
    client: FlaskClient, make_place, step: str
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code, mode="etapes")
    reply = client.post(
        f"/r/{place.code}",
        data={**fields, "mode": "etapes", "step": step, "nav": "next", "satisfaction": "bien"},
    )
    assert reply.status_code == 200
    assert "Question" in reply.get_data(as_text=True)


def test_a_nul_byte_in_a_comment_or_key_is_stored_cleanly_or_refused(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code)
    reply = client.post(
        f"/r/{place.code}",
        data={
            **fields,
            "idempotency_key": "k\x00ey",
            "satisfaction": "bien",
            "amelioration": "a\x00b",
        },
    )
    assert reply.status_code == 303
    with session_factory() as session:
        assert session.scalars(select(Comment.text)).one() == "ab"
    token = kiosk_token(session_factory, place)
    body = {"idempotency_key": "nul\u0000key-123", "answers": {"satisfaction": "bien"}}
    assert post_raw(client, token, json.dumps(body).encode()).status_code == 422
    body = {
        "idempotency_key": "nul-in-comment",
        "answers": {"satisfaction": "bien", "amelioration": "x\u0000y"},
    }
    assert post_raw(client, token, json.dumps(body).encode()).status_code == 201
    assert count(session_factory) == 2


@pytest.mark.parametrize(
    "data",
    [
        b'{"idempotency_key": "surrogate-1", '
        b'"answers": {"satisfaction": "bien", "amelioration": "x\\ud800y"}}',
        b"[" * 5000 + b"]" * 5000,
        b'{"idempotency_key": "deep-0001", "answers": ' + b'{"a": ' * 50 + b"1" + b"}" * 51,
        b"\xff\xfe not utf-8",
        b"{not json",
        b'{"idempotency_key": "nan-00001", "answers": {"satisfaction": NaN}}',
    ],
)
def test_malformed_json_gets_a_problem_not_a_500(
    client: FlaskClient, make_place, session_factory, data: bytes
) -> None:
    token = kiosk_token(session_factory, make_place())
    reply = post_raw(client, token, data)
    assert reply.status_code in (400, 422)
    assert reply.mimetype == "application/problem+json"
    assert reply.get_json()["status"] == reply.status_code
    assert count(session_factory) == 0


def test_paper_entry_with_a_superscript_place_is_a_clear_error(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    with session_factory() as session:
        team = session.scalar(select(TeamPlace.team_id).where(TeamPlace.place_id == place.id))
    token, _ = issue(SECRET, Role.TEAM, str(team), days=1)
    assert client.post("/equipe/connexion", data={"token": token}).status_code == 303
    page = client.get("/equipe/saisie").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    for bad in ("²", "١", "1" * 40, "-3"):
        form = {"csrf": csrf, "place": bad, "channel": "paper", "day": dt.date.today().isoformat(),
                "satisfaction": "bien"}  # fmt: skip
        reply = client.post("/equipe/saisie", data=form)
        assert reply.status_code == 400, bad
        assert "Choisissez le lieu" in html.unescape(reply.get_data(as_text=True))
    assert count(session_factory) == 0


def test_dash_callbacks_and_assets_refuse_malformed_requests(client: FlaskClient) -> None:
    for body in (b"", b"{", b"[]", b'{"output": 1}', b'{"output": "nope.children"}', b"[" * 5000):
        reply = client.post(
            "/barometre/_dash-update-component", data=body, content_type="application/json"
        )
        assert reply.status_code == 400, body[:20]
    for path in ("dash/x.js", "nope/x.js", "dash/../../etc/passwd", "dash/deps/%00.js"):
        assert client.get(f"/barometre/_dash-component-suites/{path}").status_code == 404, path


def test_a_50_megabyte_comment_is_refused_unread_and_never_echoed(
    client: FlaskClient, make_place
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code)
    huge = "A" * (50 * 1024 * 1024)
    reply = client.post(
        f"/r/{place.code}", data={**fields, "satisfaction": "bien", "amelioration": huge}
    )
    assert reply.status_code == 413
    assert len(reply.get_data()) < 20_000 and "AAAAAAAAAA" not in reply.get_data(as_text=True)


def test_an_over_long_comment_is_shown_again_cut_at_its_maximum(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code)
    text = "mot " * 3000  # 12,000 characters: under the body limit, over the field's
    reply = client.post(
        f"/r/{place.code}", data={**fields, "satisfaction": "bien", "amelioration": text}
    )
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert "trop long" in page and text[:2000] not in page and text[:1000].strip() in page
    assert count(session_factory) == 0


def test_the_day_rule_is_one_for_every_channel() -> None:
    paris = "Europe/Paris"
    late = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)  # 00:30 on 1 July in Paris
    assert day_of(late, paris) == dt.date(2026, 7, 1)
    assert day_of(late.replace(tzinfo=None), paris) == dt.date(2026, 7, 1)  # naive = UTC
    now = dt.date(2026, 7, 1)
    assert answer_day(dt.date(2026, 7, 3), now, 30) == now  # a clock ahead is clamped
    assert answer_day(dt.date(2026, 6, 1), now, 30) == dt.date(2026, 6, 1)
    assert answer_day(dt.date(2026, 5, 31), now, 30) is None


def test_a_kiosk_whose_clock_runs_two_days_ahead_loses_nothing(
    client: FlaskClient, make_place, session_factory
) -> None:
    token = kiosk_token(session_factory, make_place())
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    bodies = [
        {
            "idempotency_key": "ahead-day-01",
            "day": ahead.date().isoformat(),
            "answers": {"satisfaction": "bien"},
        },
        {
            "idempotency_key": "ahead-moment",
            "answered_at": ahead.isoformat(),
            "answers": {"satisfaction": "bien"},
        },
    ]
    for body in bodies:
        assert post_raw(client, token, json.dumps(body).encode()).status_code == 201
    with session_factory() as session:
        days = list(session.scalars(select(Response.day)))
    assert days == [today("Europe/Paris")] * 2


def test_a_kiosk_answer_late_in_the_evening_gets_the_same_day_as_the_web_form(
    client: FlaskClient, make_place, session_factory
) -> None:
    token = kiosk_token(session_factory, make_place())
    now = dt.datetime.now(ZoneInfo("Europe/Paris"))
    moment = now.replace(
        hour=0, minute=30, second=0, microsecond=0
    )  # 22:30 or 23:30 UTC the day before
    body = {"idempotency_key": "evening-001", "answered_at": moment.astimezone(dt.UTC).isoformat(),
            "answers": {"satisfaction": "bien"}}  # fmt: skip
    assert post_raw(client, token, json.dumps(body).encode()).status_code == 201
    with session_factory() as session:
        assert session.scalars(select(Response.day)).one() == moment.date()
