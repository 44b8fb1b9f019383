"""JWT access tokens (pyjwt): algorithm pinned, audience and issuer checked, revocable by jti.

Roles (DESIGN §7): `team` (scope: a team id), `coordinator` (scope: a territory, e.g.
"departement:51"), `ministry` (scope "*"), `researcher` (aggregates only, scope "*").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from enum import Enum

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.access.models import TokenRevocation

ALGORITHM = "HS256"  # pinned: the header's "alg" is never trusted
ISSUER = "observatoire-mediation-numerique"
AUDIENCE = "observatoire"
TERRITORY_LEVELS = ("commune", "epci", "departement", "region")


class Role(Enum):
    TEAM = "team"
    COORDINATOR = "coordinator"
    MINISTRY = "ministry"
    RESEARCHER = "researcher"


class TokenError(ValueError):
    """A token that must not be honoured (forged, expired, revoked, malformed)."""


@dataclass(frozen=True)
class Principal:
    role: Role
    scope: str
    jti: str
    expires: dt.datetime


def key_id(secret: str) -> str:
    """A public fingerprint of the signing key, so keys can be rotated and told apart."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def check_scope(role: Role, scope: str) -> str:
    """The scope normalised for its role, or ValueError with the expected form."""
    if role is Role.TEAM:
        if not scope.isdigit():
            raise ValueError("a team scope is the team's numeric id")
        return scope
    if role is Role.COORDINATOR:
        level, _, code = scope.partition(":")
        if level not in TERRITORY_LEVELS or not code:
            raise ValueError("a coordinator scope is LEVEL:CODE, e.g. departement:51")
        return scope
    return "*"


def issue(
    secret: str, role: Role, scope: str, *, days: int, now: dt.datetime | None = None
) -> tuple[str, Principal]:
    """A signed token for `role` on `scope`, valid `days` days."""
    if not 1 <= days <= 366:
        raise ValueError("a token lives between 1 and 366 days")
    issued = now or dt.datetime.now(dt.UTC)
    principal = Principal(
        role, check_scope(role, scope), uuid.uuid4().hex, issued + dt.timedelta(days=days)
    )
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": f"{role.value}:{principal.scope}",
        "role": role.value,
        "scope": principal.scope,
        "jti": principal.jti,
        "iat": int(issued.timestamp()),
        "exp": int(principal.expires.timestamp()),
    }
    token = jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": key_id(secret)})
    return token, principal


def verify(session: Session, token: str, secret: str) -> Principal:
    """The principal of a valid token; TokenError otherwise (revocation checked every time)."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key_id(secret):
            raise TokenError("signed with an unknown key")
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "jti", "aud", "iss"]},
        )
        principal = Principal(
            Role(claims["role"]),
            check_scope(Role(claims["role"]), str(claims["scope"])),
            str(claims["jti"]),
            dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise TokenError(str(error)) from error
    if session.scalar(select(TokenRevocation.jti).where(TokenRevocation.jti == principal.jti)):
        raise TokenError("revoked")
    return principal


def revoke(session: Session, jti: str, today: dt.date) -> None:
    if session.get(TokenRevocation, jti) is None:
        session.add(TokenRevocation(jti=jti, revoked_on=today))
        session.flush()
