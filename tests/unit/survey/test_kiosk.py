"""Kiosk enrolment, the kiosk page without JavaScript, and the JSON ingestion API."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.clock import today
from observatory.places.kiosks import enrol_kiosk, kiosk_for_token, revoke_kiosk
from observatory.places.models import Place
from observatory.responses.models import Response
from survey.i18n import LANGUAGES, Translator

SECRET = "test-secret-key-0123456789abcdef-0123"
Enrol = Callable[[], str]


@pytest.fixture
def enrol(make_place, session_factory: sessionmaker[Session]) -> Enrol:
    def factory() -> str:
        place = make_place()
        with session_factory.begin() as session:
            _, token = enrol_kiosk(
                session, session.get(Place, place.id), "Tablette", SECRET, dt.date(2026, 11, 1)
            )
        return token

    return factory


def responses(factory: sessionmaker[Session]) -> list[Response]:
    with factory() as session:
        return list(session.scalars(select(Response).order_by(Response.seq)))


def api(client: FlaskClient, token: str | None, body: object) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = client.post("/api/v1/responses", data=json.dumps(body), headers=headers,
                        content_type="application/json")  # fmt: skip
    return reply.status_code, reply.get_json() or {}


def test_enrolment_tokens_are_verified_and_revocable(enrol: Enrol, session_factory) -> None:
    token = enrol()
    with session_factory() as session:
        kiosk = kiosk_for_token(session, token, SECRET)
        assert kiosk is not None and kiosk.token_hash != token
        assert kiosk_for_token(session, token, "another-secret-0123456789abcdef-012345") is None
        assert kiosk_for_token(session, token[:-2] + "xx", SECRET) is None
    with session_factory.begin() as session:
        revoke_kiosk(session, kiosk.id, dt.date(2026, 11, 2))
    with session_factory() as session:
        assert kiosk_for_token(session, token, SECRET) is None


def test_kiosk_page_and_its_no_javascript_submission(
    client: FlaskClient, enrol: Enrol, session_factory
) -> None:
    token = enrol()
    page = client.get(f"/kiosk/{token}")
    assert page.status_code == 200 and "data-kiosk" in page.get_data(as_text=True)
    # A QR code to answer later, at home: it leads to the "later" entry point.
    assert "/plus-tard" in page.get_data(as_text=True) and 'class="qr-code"' in page.get_data(
        as_text=True
    )
    assert client.get("/kiosk/not-a-token").status_code == 404
    reply = client.post(
        f"/kiosk/{token}", data={"idempotency_key": "kiosk-1", "satisfaction": "bien"}
    )
    assert reply.status_code == 303 and "merci=1" in reply.headers["Location"]
    assert client.post(f"/kiosk/{token}", data={"objectif": "oui"}).status_code == 400
    (stored,) = responses(session_factory)
    assert stored.channel == "kiosk"
    assert client.get("/kiosk/sw.js").headers["Content-Type"].startswith("text/javascript")


def test_api_stores_once_with_the_day_given_offline(
    client: FlaskClient, enrol: Enrol, session_factory
) -> None:
    token = enrol()
    day = today("Europe/Paris") - dt.timedelta(days=3)
    body = {
        "idempotency_key": "offline-0001",
        "day": day.isoformat(),
        "language": "uk",
        "answers": {"satisfaction": "tres_bien", "motif": ["demarches", "securite"]},
    }
    assert api(client, token, body) == (201, {"status": "stored"})
    assert api(client, token, body) == (200, {"status": "duplicate"})
    (stored,) = responses(session_factory)
    assert (stored.channel, stored.day, stored.language) == ("kiosk", day, "uk")


def test_unhashable_language_is_a_clear_error_not_a_crash(
    client: FlaskClient, enrol: Enrol
) -> None:
    # Found by the fuzzer: {"language": []} used to raise TypeError (a 500).
    status, reply = api(client, enrol(), {"idempotency_key": "k" * 10, "language": []})
    assert status == 422 and "language" in reply["errors"]  # type: ignore[operator]


def test_api_refuses_bad_requests_clearly(
    client: FlaskClient, enrol: Enrol, session_factory
) -> None:
    token = enrol()
    good = {"idempotency_key": "offline-0002", "answers": {"satisfaction": "bien"}}
    assert api(client, None, good)[0] == 401
    assert api(client, "forged", good)[0] == 401
    old = {**good, "day": (today("Europe/Paris") - dt.timedelta(days=45)).isoformat()}
    status, reply = api(client, token, old)
    assert status == 422 and "day" in reply["errors"]  # type: ignore[operator]
    status, reply = api(client, token, {**good, "answers": {"objectif": "oui"}})
    assert status == 422 and reply["errors"] == {"satisfaction": "required"}
    assert api(client, token, [1, 2])[0] == 422
    assert api(client, token, {**good, "idempotency_key": "short"})[0] == 422
    assert responses(session_factory) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "idempotency_key": st.text(max_size=70) | json_values,
            "day": st.dates().map(str) | json_values,
            "language": st.sampled_from(["fr", "ar", "xx"]) | json_values,
            "answers": st.dictionaries(
                st.sampled_from(["satisfaction", "motif", "amelioration", "zzz"]),
                st.sampled_from(["bien", "demarches", "x"])
                | st.lists(st.text(max_size=8), max_size=3)
                | json_values,
                max_size=4,
            )
            | json_values,
        },
    )
)
def test_api_fuzzing_never_fails_and_never_stores_invalid(
    app: Flask, session_factory: sessionmaker[Session], body: dict[str, object]
) -> None:
    client = app.test_client()
    token = app.config.setdefault("_fuzz_token", None)
    if token is None:
        with session_factory.begin() as session:
            place = session.scalars(select(Place)).first()
            _, token = enrol_kiosk(session, place, "fuzz", SECRET, dt.date(2026, 11, 1))  # type: ignore[arg-type]
        app.config["_fuzz_token"] = token
    with session_factory() as session:
        before = session.scalar(select(func.count()).select_from(Response))
    status, _ = api(client, token, body)
    assert status < 500
    with session_factory() as session:
        after = session.scalar(select(func.count()).select_from(Response))
    assert (after != before) == (status == 201)


@pytest.fixture(autouse=True)
def _one_place_for_fuzzing(request: pytest.FixtureRequest) -> None:
    if "fuzzing" in request.node.name:
        request.getfixturevalue("make_place")()


# What kiosk.js shows (see survey/templates/kiosk.html): answer queued / stored, answers refused,
# tablet no longer enrolled.
THANKS_PENDING = (
    "Votre réponse va être envoyée, de façon anonyme. "
    "Elle aidera l'équipe de ce lieu à s'améliorer."
)
THANKS_SENT = (
    "Votre réponse est enregistrée, de façon anonyme. Elle aidera l'équipe de ce lieu à "
    "s'améliorer."
)
REFUSED = (
    "Réponses qui n'ont pas pu être envoyées : %(n)s. Elles restent enregistrées sur cette "
    "tablette ; prévenez l'équipe du lieu."
)
REVOKED = (
    "Cette tablette n'est plus autorisée à envoyer les réponses. Réponses gardées sur la "
    "tablette : %(n)s. Prévenez l'équipe du lieu."
)


def test_kiosk_page_says_queued_until_the_server_confirms_in_every_language(
    client: FlaskClient, enrol: Enrol
) -> None:
    """kiosk.js shows "va être envoyée" first; "enregistrée" only once the server has the answer.

    The texts of the refused and "no longer enrolled" states are in the page, translated, with
    the count left for the script to fill in.
    """
    token = enrol()
    for code in LANGUAGES:
        words = Translator(code)
        page = html.unescape(client.get(f"/kiosk/{token}?lang={code}").get_data(as_text=True))
        thanks = page[page.index('id="kiosk-thanks"') :]
        assert (
            f'<p id="kiosk-thanks-text" role="status">{words.gettext(THANKS_PENDING)}</p>' in thanks
        )
        assert f'data-thanks-pending-text="{words.gettext(THANKS_PENDING)}"' in page
        assert f'data-thanks-sent-text="{words.gettext(THANKS_SENT)}"' in page
        assert f'data-refused-text="{words.gettext(REFUSED, n="%(n)s")}"' in page
        assert f'data-revoked-text="{words.gettext(REVOKED, n="%(n)s")}"' in page
        assert "%(n)s" in words.gettext(REFUSED) and "%(n)s" in words.gettext(REVOKED)
        if code != "fr":
            assert (
                words.gettext(THANKS_PENDING) != THANKS_PENDING
                and words.gettext(REFUSED) != REFUSED
            )
    # Without JavaScript the answer was stored before the thank-you page: it may say so.
    assert "a bien été enregistrée" in client.get(f"/kiosk/{token}?merci=1").get_data(as_text=True)
