"""Server-side staff sessions: the browser holds only an opaque random id.

Why server-side (docs/decisions/0015): a session must end for real on logout and on revocation.
A signed cookie that carries the token keeps working when replayed; a row that is deleted does
not. Only the SHA-256 of the id is stored, so a copy of the database opens no session.

Every function takes `now`, so idle and absolute limits are tested without waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from observatory.access import audit
from observatory.access.models import StaffSession, TokenRevocation
from observatory.access.tokens import Principal, Role

ID_BYTES = 32
# last_seen is written at most this often: a page view is not a database write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    """How long a session may stay unused, and how long it may live at all."""

    idle: dt.timedelta
    lifetime: dt.timedelta


def utcnow() -> dt.datetime:
    """The current instant; views call this, services take `now` as a parameter."""
    return dt.datetime.now(dt.UTC)


def digest(secret_value: str) -> str:
    """The stored form of a random id or code: a lookup key that opens nothing by itself."""
    return hashlib.sha256(secret_value.encode()).hexdigest()


def csrf_for(session_id: str, key: str) -> str:
    """The CSRF value of a session: derived from its id, so nothing more is stored or sent."""
    return hmac.new(key.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def open_session(
    session: Session, principal: Principal, *, now: dt.datetime, limits: Limits, method: str
) -> str:
    """Start a session for `principal`; returns the opaque id to put in the cookie.

    The session never outlives the token (its `exp`). Stale rows of anyone are purged here, so
    abandoned sessions do not pile up without a scheduled job.
    """
    purge_stale(session, now=now, limits=limits)
    session_id = secrets.token_urlsafe(ID_BYTES)
    session.add(
        StaffSession(
            id_hash=digest(session_id),
            jti=principal.jti,
            role=principal.role.value,
            scope=principal.scope,
            created=now,
            last_seen=now,
            expires=min(now + limits.lifetime, principal.expires),
        )
    )
    audit.record(
        session,
        actor=audit.token_actor(principal.jti),
        action="signin",
        detail={"method": method, "role": principal.role.value, "scope": principal.scope},
        at=now,
    )
    session.flush()
    return session_id


def resume(
    session: Session, session_id: str, *, now: dt.datetime, limits: Limits
) -> Principal | None:
    """The principal of a live session, touching its `last_seen`; None (and the row gone) if
    it is unknown, idle too long, past its lifetime, or its token was revoked."""
    row = session.get(StaffSession, digest(session_id))
    if row is None:
        return None
    reason = _end_reason(session, row, now, limits)
    if reason is not None:
        session.delete(row)
        audit.record(
            session,
            actor=audit.token_actor(row.jti),
            action="session.expire",
            detail={"reason": reason},
            at=now,
        )
        session.flush()
        return None
    if now - row.last_seen >= TOUCH_EVERY:
        row.last_seen = now
        session.flush()
    return Principal(Role(row.role), row.scope, row.jti, row.expires)


def _end_reason(
    session: Session, row: StaffSession, now: dt.datetime, limits: Limits
) -> str | None:
    if now >= row.expires:
        return "lifetime"
    if now - row.last_seen >= limits.idle:
        return "idle"
    # Revocation deletes sessions; this check also covers revocations written by other means.
    if session.get(TokenRevocation, row.jti) is not None:
        return "revoked"
    return None


def close_session(session: Session, session_id: str, *, now: dt.datetime) -> bool:
    """Sign out: the row is deleted, so the same cookie replayed later opens nothing."""
    row = session.get(StaffSession, digest(session_id))
    if row is None:
        return False
    session.delete(row)
    audit.record(session, actor=audit.token_actor(row.jti), action="signout", at=now)
    session.flush()
    return True


def end_sessions_of(session: Session, jti: str) -> int:
    """Delete every session opened with token `jti` (on revocation); returns how many."""
    ended = session.scalars(select(StaffSession.id_hash).where(StaffSession.jti == jti)).all()
    if ended:
        session.execute(delete(StaffSession).where(StaffSession.jti == jti))
    return len(ended)


def purge_stale(session: Session, *, now: dt.datetime, limits: Limits) -> None:
    """Delete sessions past their lifetime or idle limit (they would be refused anyway)."""
    session.execute(
        delete(StaffSession).where(
            or_(StaffSession.expires <= now, StaffSession.last_seen <= now - limits.idle)
        )
    )


def live_sessions(session: Session, *, now: dt.datetime, limits: Limits) -> list[StaffSession]:
    """Sessions still usable at `now`, newest first (for operators)."""
    query = (
        select(StaffSession)
        .where(StaffSession.expires > now, StaffSession.last_seen > now - limits.idle)
        .order_by(StaffSession.created.desc())
    )
    return list(session.scalars(query))
