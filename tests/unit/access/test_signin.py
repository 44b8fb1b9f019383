"""Issued tokens and single-use sign-in links: recorded per person, exchanged once, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.access.audit import recent
from observatory.access.models import IssuedToken, SigninCode
from observatory.access.sessions import Limits, open_session, resume
from observatory.access.signin import (
    SigninError,
    code_is_open,
    holders,
    issue_link,
    issue_token,
    redeem,
    revoke_token,
    well_formed,
)
from observatory.access.tokens import Role, TokenError, verify

SECRET = "signin-test-secret-0123456789abcdef-01"
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)  # signed tokens are checked against now
URL = "https://observatoire.example.fr/"
LIMITS = Limits(idle=dt.timedelta(hours=2), lifetime=dt.timedelta(hours=12))


def issue_for(session: Session, holder: str = "Marie Dupont (EPN Reims)", days: int = 30):  # type: ignore[no-untyped-def]
    return issue_token(session, SECRET, Role.TEAM, "12", holder=holder, days=days, now=T0)


def code_of(link: str) -> str:
    assert link.startswith("https://observatoire.example.fr/equipe/connexion/")
    return link.rsplit("/", 1)[1]


def test_a_token_is_recorded_for_one_person(session: Session) -> None:
    signed, record = issue_for(session, holder="  Marie   Dupont  ")
    stored = session.get(IssuedToken, record.jti)
    assert stored is not None and stored.holder == "Marie Dupont"
    assert (stored.role, stored.scope, stored.issued_at) == ("team", "12", T0)
    assert stored.expires == T0 + dt.timedelta(days=30) and stored.revoked_at is None
    assert signed.count(".") == 2 and record.jti in [e.target[6:] for e in recent(session)]
    with pytest.raises(ValueError, match="holder"):
        issue_token(session, SECRET, Role.TEAM, "12", holder=" ", days=1, now=T0)


def test_a_link_works_once(session: Session) -> None:
    _, record = issue_for(session)
    link = issue_link(session, record.jti, public_url=URL, hours=24, now=T0)
    code = code_of(link)
    assert well_formed(code) and not well_formed("abc") and not well_formed(code + "/..")
    (row,) = session.scalars(select(SigninCode)).all()
    assert code not in row.code_hash  # only the hash is kept
    assert code_is_open(session, code, T0)
    assert code_is_open(session, code, T0)  # looking burns nothing
    found = redeem(session, code, T0 + dt.timedelta(minutes=3))
    assert found is not None
    assert (found.role, found.scope, found.jti) == (Role.TEAM, "12", record.jti)
    assert redeem(session, code, T0 + dt.timedelta(minutes=4)) is None
    assert not code_is_open(session, code, T0 + dt.timedelta(minutes=4))
    assert redeem(session, "x" * 43, T0) is None


def test_a_link_expires_and_never_outlives_its_token(session: Session) -> None:
    _, record = issue_for(session)
    code = code_of(issue_link(session, record.jti, public_url=URL, hours=24, now=T0))
    assert not code_is_open(session, code, T0 + dt.timedelta(hours=24))
    assert redeem(session, code, T0 + dt.timedelta(hours=24)) is None
    _, short = issue_for(session, days=1)
    late = T0 + dt.timedelta(hours=20)
    capped = code_of(issue_link(session, short.jti, public_url=URL, hours=24, now=late))
    assert redeem(session, capped, T0 + dt.timedelta(days=1)) is None


def test_revocation_ends_sessions_and_links_of_that_person_only(session: Session) -> None:
    signed, marie = issue_for(session)
    _, paul = issue_for(session, holder="Paul Martin")
    code = code_of(issue_link(session, marie.jti, public_url=URL, hours=24, now=T0))
    principal = redeem(session, code, T0)
    assert principal is not None
    mine = open_session(session, principal, now=T0, limits=LIMITS, method="link")
    unused = code_of(issue_link(session, marie.jti, public_url=URL, hours=24, now=T0))
    paul_code = code_of(issue_link(session, paul.jti, public_url=URL, hours=24, now=T0))
    assert revoke_token(session, marie.jti, now=T0 + dt.timedelta(hours=1)) == 1
    assert resume(session, mine, now=T0 + dt.timedelta(hours=1), limits=LIMITS) is None
    assert redeem(session, unused, T0 + dt.timedelta(hours=1)) is None
    assert session.get(IssuedToken, marie.jti).revoked_at is not None  # type: ignore[union-attr]
    with pytest.raises(SigninError, match="revoked"):
        issue_link(session, marie.jti, public_url=URL, hours=24, now=T0)
    with pytest.raises(TokenError, match="revoked"):
        verify(session, signed, SECRET)  # the pasted token is refused too
    assert redeem(session, paul_code, T0 + dt.timedelta(hours=1)) is not None
    with pytest.raises(SigninError, match="no token"):
        issue_link(session, "unknown", public_url=URL, hours=24, now=T0)
    actions = [e.action for e in recent(session)]
    assert actions.count("token.revoke") == 1 and actions.count("signin_link.issue") == 3


def test_holders_filter_by_role_and_scope(session: Session) -> None:
    issue_for(session)
    issue_token(session, SECRET, Role.COORDINATOR, "departement:51", holder="Coord", days=9, now=T0)
    assert {t.holder for t in holders(session)} == {"Marie Dupont (EPN Reims)", "Coord"}
    assert [t.holder for t in holders(session, role="coordinator")] == ["Coord"]
    assert [t.holder for t in holders(session, scope="12")] == ["Marie Dupont (EPN Reims)"]
    assert holders(session, role="team", scope="13") == []
