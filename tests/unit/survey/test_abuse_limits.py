"""Abuse control that never locks real people out (issue 10): single-use form tokens, limits
that count only stored answers, a kiosk's and a mediator's own buckets, idempotency keys scoped
to their source."""

from __future__ import annotations

import datetime as dt
import json

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role, issue
from observatory.clock import today
from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place
from observatory.responses.models import FLAG_BURST, Response
from tests.conftest import AppFactory, fresh_form
from tests.unit.survey.test_entry import sign_in, team_of

SECRET = "test-secret-key-0123456789abcdef-0123"


def stored(factory: sessionmaker[Session]) -> list[Response]:
    with factory() as session:
        return list(session.scalars(select(Response).order_by(Response.seq)))


def enrol(factory: sessionmaker[Session], place: Place) -> str:
    with factory.begin() as session:
        _, token = enrol_kiosk(
            session, session.get(Place, place.id), "Tablette", SECRET, dt.date(2026, 11, 1)
        )
    return token


def kiosk_post(client: FlaskClient, token: str, key: str, answers: dict[str, object]) -> int:
    body = {"idempotency_key": key, "answers": answers}
    reply = client.post(
        "/api/v1/responses",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/json",
    )
    return reply.status_code


def form_post(client: FlaskClient, code: str, fields: dict[str, str], address: str, **answers: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/r/{code}", data={**fields, **answers}, environ_base={"REMOTE_ADDR": address}
    )


def test_a_replayed_form_token_stores_one_answer_and_blocks_nobody(
    app_with: AppFactory, make_place, session_factory
) -> None:
    """620 replays of one token with new keys once blocked a whole place, kiosk included."""
    client = app_with(rate_limit_client_per_hour=10, rate_limit_place_per_hour=10)
    place = make_place()
    kiosk = enrol(session_factory, place)
    fields = fresh_form(client, place.code)
    replies = [
        form_post(
            client,
            place.code,
            {**fields, "idempotency_key": f"replay-{i:04d}"},
            "198.51.100.9",
            satisfaction="tres_bien",
        ).status_code
        for i in range(60)
    ]
    assert replies[0] == 303 and set(replies[1:]) == {400}
    assert len(stored(session_factory)) == 1
    # The place's kiosk and a new client at the place are not affected.
    assert kiosk_post(client, kiosk, "kiosk-after-replays", {"satisfaction": "bien"}) == 201
    other = fresh_form(client, place.code)
    assert (
        form_post(client, place.code, other, "203.0.113.50", satisfaction="bien").status_code == 303
    )


def test_the_same_answer_sent_again_with_a_spent_token_still_says_merci(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    fields = fresh_form(client, place.code)
    first = form_post(client, place.code, fields, "192.0.2.1", satisfaction="bien")
    again = form_post(client, place.code, fields, "192.0.2.1", satisfaction="bien")
    assert first.status_code == again.status_code == 303
    assert "merci" in again.headers["Location"]
    changed = form_post(client, place.code, fields, "192.0.2.1", satisfaction="pas_bien")
    assert changed.status_code == 409
    assert "déjà été envoyé" in changed.get_data(as_text=True)
    assert len(stored(session_factory)) == 1


def test_twenty_people_on_one_kiosk_never_see_a_429_while_an_abuser_is_limited(
    app_with: AppFactory, make_place, session_factory
) -> None:
    client = app_with(rate_limit_client_per_hour=5, rate_limit_place_per_hour=8)
    place = make_place()
    kiosk = enrol(session_factory, place)
    abuser = [
        form_post(
            client, place.code, fresh_form(client, place.code), "198.51.100.66", satisfaction="bien"
        ).status_code
        for _ in range(8)
    ]
    assert abuser[:5] == [303] * 5 and set(abuser[5:]) == {429}
    people = [
        kiosk_post(client, kiosk, f"person-{i:03d}", {"satisfaction": "tres_bien"})
        for i in range(20)
    ]
    assert people == [201] * 20
    neighbour = fresh_form(client, place.code)
    assert (
        form_post(client, place.code, neighbour, "203.0.113.8", satisfaction="bien").status_code
        == 303
    )
    # Identical answers on a kiosk are never flagged as a burst.
    assert all(r.flags == 0 for r in stored(session_factory) if r.channel == "kiosk")


def test_refused_posts_never_count_towards_the_place(
    app_with: AppFactory, make_place, session_factory
) -> None:
    client = app_with(rate_limit_place_per_hour=2)
    place = make_place()
    for i in range(30):  # invalid answers: refused, counted nowhere
        fields = fresh_form(client, place.code)
        reply = form_post(client, place.code, fields, f"192.0.2.{i}", satisfaction="nope")
        assert reply.status_code == 400
    for i in range(2):
        fields = fresh_form(client, place.code)
        assert (
            form_post(client, place.code, fields, f"203.0.113.{i}", satisfaction="bien").status_code
            == 303
        )


def test_bursts_are_identical_answers_from_one_client_only(
    app_with: AppFactory, make_place, session_factory
) -> None:
    client = app_with(burst_threshold=2)
    place = make_place()
    for i in range(5):  # five people, five addresses, the same answer: nobody is flagged
        fields = fresh_form(client, place.code)
        form_post(client, place.code, fields, f"192.0.2.{10 + i}", satisfaction="tres_bien")
    for _ in range(4):  # one address sending the same answer again and again
        fields = fresh_form(client, place.code)
        form_post(client, place.code, fields, "198.51.100.1", satisfaction="tres_bien")
    flags = [r.flags for r in stored(session_factory)]
    assert flags == [0] * 5 + [0, 0, FLAG_BURST, FLAG_BURST]


def team_token(factory: sessionmaker[Session], place: Place) -> str:
    token, _ = issue(SECRET, Role.TEAM, str(team_of(factory, place.id)), days=1)
    return token


def test_a_stack_of_seventy_paper_forms_is_entered_and_buckets_are_per_token(
    app_with: AppFactory, make_place, session_factory
) -> None:
    client = app_with(rate_limit_mediator_per_hour=70)
    place = make_place()
    csrf = sign_in(client, team_token(session_factory, place))
    day = today("Europe/Paris").isoformat()
    for i in range(70):
        form = {"csrf": csrf, "place": str(place.id), "channel": "paper", "day": day,
                "satisfaction": "tres_bien", "idempotency_key": f"paper-{i:03d}"}  # fmt: skip
        assert client.post("/equipe/saisie", data=form).status_code == 200, i
    over = {"csrf": csrf, "place": str(place.id), "channel": "paper", "day": day,
            "satisfaction": "bien", "idempotency_key": "paper-over"}  # fmt: skip
    assert client.post("/equipe/saisie", data=over).status_code == 429
    # A colleague with their own token is not affected by the first one's bucket.
    colleague = client.application.test_client()
    csrf2 = sign_in(colleague, team_token(session_factory, place))
    over["csrf"] = csrf2
    assert colleague.post("/equipe/saisie", data=over).status_code == 200
    assert len(stored(session_factory)) == 71
    assert all(r.flags == 0 for r in stored(session_factory))


def test_an_idempotency_key_is_scoped_to_its_source_and_a_different_body_is_a_conflict(
    client: FlaskClient, make_place, session_factory
) -> None:
    here, there = make_place(), make_place()
    kiosk_here, kiosk_there = enrol(session_factory, here), enrol(session_factory, there)
    assert kiosk_post(client, kiosk_here, "shared-key-1", {"satisfaction": "bien"}) == 201
    assert kiosk_post(client, kiosk_here, "shared-key-1", {"satisfaction": "bien"}) == 200
    assert kiosk_post(client, kiosk_here, "shared-key-1", {"satisfaction": "pas_bien"}) == 409
    # The same key from another kiosk at another place is another answer, kept.
    assert kiosk_post(client, kiosk_there, "shared-key-1", {"satisfaction": "pas_bien"}) == 201
    rows = stored(session_factory)
    assert [(r.place_id, r.channel) for r in rows] == [(here.id, "kiosk"), (there.id, "kiosk")]
    assert all("shared-key-1" not in r.idempotency_key for r in rows)


def test_a_paper_form_sent_again_with_other_answers_is_refused_clearly(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    csrf = sign_in(client, team_token(session_factory, place))
    form = {"csrf": csrf, "place": str(place.id), "channel": "paper",
            "day": today("Europe/Paris").isoformat(), "satisfaction": "bien",
            "idempotency_key": "paper-form-key-1"}  # fmt: skip
    assert client.post("/equipe/saisie", data=form).status_code == 200
    reply = client.post("/equipe/saisie", data={**form, "satisfaction": "pas_bien"})
    assert reply.status_code == 409
    assert "déjà été enregistré avec d" in reply.get_data(as_text=True)
    assert len(stored(session_factory)) == 1
