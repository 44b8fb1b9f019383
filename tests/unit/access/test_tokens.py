"""Tokens: pinned algorithm, audience, issuer, expiry and revocation are all enforced."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from sqlalchemy.orm import Session

from observatory.access.tokens import (
    AUDIENCE,
    ISSUER,
    Role,
    TokenError,
    issue,
    key_id,
    revoke,
    verify,
)

SECRET = "token-test-secret-0123456789abcdef-01"


def test_a_valid_token_gives_its_principal(session: Session) -> None:
    token, issued = issue(SECRET, Role.TEAM, "12", days=30)
    principal = verify(session, token, SECRET)
    assert (principal.role, principal.scope, principal.jti) == (Role.TEAM, "12", issued.jti)
    assert jwt.get_unverified_header(token)["kid"] == key_id(SECRET)


def test_revoked_expired_and_foreign_tokens_are_refused(session: Session) -> None:
    token, issued = issue(SECRET, Role.MINISTRY, "*", days=1)
    revoke(session, issued.jti, dt.date(2026, 11, 23))
    with pytest.raises(TokenError, match="revoked"):
        verify(session, token, SECRET)
    old, _ = issue(SECRET, Role.TEAM, "1", days=1, now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(TokenError):
        verify(session, old, SECRET)
    other, _ = issue("another-secret-0123456789abcdef-012345", Role.TEAM, "1", days=1)
    with pytest.raises(TokenError):
        verify(session, other, SECRET)


def test_algorithm_audience_and_issuer_are_pinned(session: Session) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "role": "ministry", "scope": "*", "jti": "x",
              "iat": now, "exp": now + 60}  # fmt: skip
    unsigned = jwt.encode(claims, key=None, algorithm="none", headers={"kid": key_id(SECRET)})
    with pytest.raises(TokenError):
        verify(session, unsigned, SECRET)
    for wrong in ({"aud": "someone-else"}, {"iss": "someone-else"}):
        forged = jwt.encode(
            {**claims, **wrong}, SECRET, algorithm="HS256", headers={"kid": key_id(SECRET)}
        )
        with pytest.raises(TokenError):
            verify(session, forged, SECRET)
    no_jti = {k: v for k, v in claims.items() if k != "jti"}
    missing = jwt.encode(no_jti, SECRET, algorithm="HS256", headers={"kid": key_id(SECRET)})
    with pytest.raises(TokenError):
        verify(session, missing, SECRET)


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.TEAM, "abc"), (Role.COORDINATOR, "51"), (Role.COORDINATOR, "canton:12")],
)
def test_scopes_must_fit_their_role(role: Role, scope: str) -> None:
    with pytest.raises(ValueError):
        issue(SECRET, role, scope, days=1)
