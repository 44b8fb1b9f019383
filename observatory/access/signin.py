"""Issued tokens and single-use sign-in links.

Why links (docs/decisions/0015): a mediator should not handle a long bearer token. The CLI prints
`{public_url}/equipe/connexion/<code>`; the random code is stored only as its SHA-256, is valid
for a few hours, and is exchanged once for a server-side session. Each token belongs to one
person (its holder label), so one person can be revoked alone and sent a fresh link.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from observatory.access import audit
from observatory.access.models import IssuedToken, SigninCode, TokenRevocation
from observatory.access.sessions import digest, end_sessions_of
from observatory.access.tokens import Principal, Role, issue, revoke

CODE_BYTES = 32
CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")
LINK_PATH = "/equipe/connexion/"


class SigninError(ValueError):
    """A token that cannot be given a link (unknown, revoked or expired)."""


def issue_token(
    session: Session,
    secret: str,
    role: Role,
    scope: str,
    *,
    holder: str,
    days: int,
    now: dt.datetime,
    actor: str = audit.CLI_ACTOR,
) -> tuple[str, IssuedToken]:
    """Sign a token for one person and record it; returns the signed token and its record."""
    holder = " ".join(holder.split())
    if not holder:
        raise ValueError("name the person who will hold this token (--holder)")
    signed, principal = issue(secret, role, scope, days=days, now=now)
    record = IssuedToken(
        jti=principal.jti,
        role=role.value,
        scope=principal.scope,
        holder=holder[:200],
        issued_at=now,
        expires=principal.expires,
        revoked_at=None,
    )
    session.add(record)
    audit.record(
        session,
        actor=actor,
        action="token.issue",
        target=audit.token_actor(principal.jti),
        detail={"role": role.value, "scope": principal.scope, "days": days},
        at=now,
    )
    session.flush()
    return signed, record


def usable_token(session: Session, jti: str, now: dt.datetime) -> IssuedToken:
    """The record of a token that may still sign in; SigninError otherwise."""
    record = session.get(IssuedToken, jti)
    if record is None:
        raise SigninError(f"no token has the id {jti!r}")
    if record.revoked_at is not None or session.get(TokenRevocation, jti) is not None:
        raise SigninError(f"token {jti} is revoked")
    if record.expires <= now:
        raise SigninError(f"token {jti} has expired")
    return record


def issue_link(
    session: Session,
    jti: str,
    *,
    public_url: str,
    hours: int,
    now: dt.datetime,
    actor: str = audit.CLI_ACTOR,
) -> str:
    """A fresh single-use sign-in link for token `jti`, valid `hours` (never past the token)."""
    record = usable_token(session, jti, now)
    session.execute(delete(SigninCode).where(SigninCode.expires <= now))  # dead links of anyone
    code = secrets.token_urlsafe(CODE_BYTES)
    expires = min(now + dt.timedelta(hours=hours), record.expires)
    session.add(SigninCode(code_hash=digest(code), jti=jti, created=now, expires=expires))
    audit.record(
        session,
        actor=actor,
        action="signin_link.issue",
        target=audit.token_actor(jti),
        detail={"hours": hours},
        at=now,
    )
    session.flush()
    return f"{public_url.rstrip('/')}{LINK_PATH}{code}"


def well_formed(code: str) -> bool:
    """Whether `code` could be one of ours (a malformed one is a bad request, not a used one)."""
    return CODE_SHAPE.fullmatch(code) is not None


def code_is_open(session: Session, code: str, now: dt.datetime) -> bool:
    """Whether the code may still be exchanged (for the confirmation page; it burns nothing)."""
    row = session.get(SigninCode, digest(code))
    if row is None or row.used_at is not None or row.expires <= now:
        return False
    try:
        usable_token(session, row.jti, now)
    except SigninError:
        return False
    return True


def redeem(session: Session, code: str, now: dt.datetime) -> Principal | None:
    """Exchange a code once for its token's principal; None if unknown, used or expired.

    The conditional UPDATE makes the exchange atomic: of two concurrent requests with the same
    code, only one changes the row and gets a principal.
    """
    code_hash = digest(code)
    burnt = session.execute(
        update(SigninCode)
        .where(
            SigninCode.code_hash == code_hash,
            SigninCode.used_at.is_(None),
            SigninCode.expires > now,
        )
        .values(used_at=now)
    )
    if getattr(burnt, "rowcount", 0) != 1:
        return None
    jti = session.scalars(select(SigninCode.jti).where(SigninCode.code_hash == code_hash)).one()
    try:
        record = usable_token(session, jti, now)
    except SigninError:
        return None
    return Principal(Role(record.role), record.scope, record.jti, record.expires)


def revoke_token(
    session: Session, jti: str, *, now: dt.datetime, actor: str = audit.CLI_ACTOR
) -> int:
    """Refuse token `jti` from now on and end its sessions at once; returns sessions ended."""
    revoke(session, jti, now.date())
    record = session.get(IssuedToken, jti)
    if record is not None and record.revoked_at is None:
        record.revoked_at = now
    ended = end_sessions_of(session, jti)
    audit.record(
        session,
        actor=actor,
        action="token.revoke",
        target=audit.token_actor(jti),
        detail={"sessions_ended": ended},
        at=now,
    )
    session.flush()
    return ended


def holders(
    session: Session, *, role: str | None = None, scope: str | None = None
) -> list[IssuedToken]:
    """Issued tokens, newest first, optionally for one role and scope."""
    query = select(IssuedToken).order_by(IssuedToken.issued_at.desc())
    if role:
        query = query.where(IssuedToken.role == role)
    if scope:
        query = query.where(IssuedToken.scope == scope)
    return list(session.scalars(query))
