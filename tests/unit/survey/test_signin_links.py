"""Sign-in links: GET only asks for confirmation, POST exchanges the code once for a session."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.audit import recent
from observatory.access.signin import issue_link, issue_token, revoke_token
from observatory.access.tokens import Role
from observatory.config import Settings

GONE = "Ce lien a déjà servi ou a expiré ; demandez un nouveau lien"


def new_link(
    factory: sessionmaker[Session], settings: Settings, *, hours: int = 24, ago: int = 0
) -> tuple[str, str]:
    """A link path for a fresh ministry token (issued `ago` hours back), and the token's jti."""
    now = dt.datetime.now(dt.UTC)
    with factory.begin() as session:
        _, record = issue_token(
            session,
            settings.secret_key.get_secret_value(),
            Role.MINISTRY,
            "*",
            holder="Marie Dupont (EPN Reims)",
            days=1,
            now=now,
        )
        link = issue_link(
            session,
            record.jti,
            public_url=settings.public_url,
            hours=hours,
            now=now - dt.timedelta(hours=ago),
        )
    assert link.startswith(f"{settings.public_url}/equipe/connexion/")
    return urlsplit(link).path, record.jti


def test_a_link_signs_in_once_and_only_on_post(
    app: Flask, client: FlaskClient, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    path, jti = new_link(session_factory, settings)
    for _ in range(2):  # a mail client's link preview must not burn the code
        shown = client.get(path)
        assert shown.status_code == 200 and "Set-Cookie" not in shown.headers
        assert f'action="{path}"' in shown.get_data(as_text=True)
    used = client.post(path)
    assert used.status_code == 303 and urlsplit(used.headers["Location"]).path == "/equipe/saisie"
    assert "equipe_session=" in used.headers["Set-Cookie"]
    assert client.get("/equipe/saisie").status_code == 200
    other = app.test_client()
    for again in (other.post(path), other.get(path)):
        assert again.status_code == 410 and GONE in again.get_data(as_text=True)
        assert "Set-Cookie" not in again.headers
    assert other.get("/equipe/saisie").status_code == 302
    with session_factory() as session:
        events = [(e.actor, e.action, e.detail.get("method")) for e in recent(session)]
    assert (f"token:{jti}", "signin", "link") in events
    assert ("anonymous", "signin.fail", "link") in events
    assert not any(path.rsplit("/", 1)[1] in repr(e) for e in events)


def test_expired_unknown_malformed_and_revoked_links_are_refused(
    client: FlaskClient, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    expired, _ = new_link(session_factory, settings, hours=24, ago=25)
    assert client.get(expired).status_code == 410
    assert client.post(expired).status_code == 410
    unknown = "/equipe/connexion/" + "A" * 43
    assert client.get(unknown).status_code == 410
    malformed = client.get("/equipe/connexion/abc")
    assert malformed.status_code == 400 and GONE in malformed.get_data(as_text=True)
    assert client.post("/equipe/connexion/abc").status_code == 400
    revoked, jti = new_link(session_factory, settings)
    with session_factory.begin() as session:
        revoke_token(session, jti, now=dt.datetime.now(dt.UTC))
    assert client.get(revoked).status_code == 410
    assert client.post(revoked).status_code == 410
    assert client.get("/equipe/saisie").status_code == 302


def test_the_link_page_still_offers_the_token_form(
    client: FlaskClient, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    page = client.get("/equipe/connexion/" + "B" * 43).get_data(as_text=True)
    assert 'name="token"' in page and 'action="/equipe/connexion"' in page
