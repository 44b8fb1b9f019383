"""Server-side sessions: only a hash is stored, and idle, lifetime, logout and revocation end them.

Time is injected (`now`), never waited for.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.access.models import StaffSession
from observatory.access.sessions import (
    Limits,
    close_session,
    csrf_for,
    digest,
    end_sessions_of,
    live_sessions,
    open_session,
    resume,
)
from observatory.access.tokens import Principal, Role, revoke

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
LIMITS = Limits(idle=dt.timedelta(minutes=120), lifetime=dt.timedelta(hours=12))


def principal(jti: str = "jti-1", days: int = 30) -> Principal:
    return Principal(Role.TEAM, "7", jti, T0 + dt.timedelta(days=days))


def test_only_the_hash_of_the_id_is_stored(session: Session) -> None:
    session_id = open_session(session, principal(), now=T0, limits=LIMITS, method="paste")
    (row,) = session.scalars(select(StaffSession)).all()
    assert row.id_hash == digest(session_id) and session_id not in row.id_hash
    assert (row.jti, row.role, row.scope) == ("jti-1", "team", "7")
    assert row.expires == T0 + LIMITS.lifetime
    found = resume(session, session_id, now=T0 + dt.timedelta(minutes=5), limits=LIMITS)
    assert found is not None and (found.role, found.scope, found.jti) == (Role.TEAM, "7", "jti-1")
    assert resume(session, "another-id", now=T0, limits=LIMITS) is None


def test_activity_keeps_a_session_alive_until_it_is_idle_too_long(session: Session) -> None:
    session_id = open_session(session, principal(), now=T0, limits=LIMITS, method="link")
    step = dt.timedelta(minutes=119)
    assert resume(session, session_id, now=T0 + step, limits=LIMITS) is not None
    assert resume(session, session_id, now=T0 + 2 * step, limits=LIMITS) is not None
    idle_end = T0 + 2 * step + LIMITS.idle
    assert resume(session, session_id, now=idle_end, limits=LIMITS) is None
    assert session.scalars(select(StaffSession)).all() == []  # the row is gone for good
    assert resume(session, session_id, now=T0 + 2 * step, limits=LIMITS) is None


def test_no_session_outlives_its_lifetime_or_its_token(session: Session) -> None:
    busy = open_session(session, principal(), now=T0, limits=LIMITS, method="paste")
    now = T0
    while now + dt.timedelta(hours=1) < T0 + LIMITS.lifetime:
        now += dt.timedelta(hours=1)
        assert resume(session, busy, now=now, limits=LIMITS) is not None
    assert resume(session, busy, now=T0 + LIMITS.lifetime, limits=LIMITS) is None
    short = Principal(Role.MINISTRY, "*", "jti-short", T0 + dt.timedelta(hours=1))
    capped = open_session(session, short, now=T0, limits=LIMITS, method="paste")
    assert session.get(StaffSession, digest(capped)).expires == short.expires  # type: ignore[union-attr]
    assert resume(session, capped, now=T0 + dt.timedelta(hours=1), limits=LIMITS) is None


def test_logout_and_revocation_delete_the_rows(session: Session) -> None:
    first = open_session(session, principal(), now=T0, limits=LIMITS, method="paste")
    second = open_session(session, principal(), now=T0, limits=LIMITS, method="link")
    other = open_session(session, principal("jti-2"), now=T0, limits=LIMITS, method="link")
    assert close_session(session, first, now=T0)
    assert not close_session(session, first, now=T0)
    assert resume(session, first, now=T0, limits=LIMITS) is None
    assert end_sessions_of(session, "jti-1") == 1
    assert resume(session, second, now=T0, limits=LIMITS) is None
    assert resume(session, other, now=T0, limits=LIMITS) is not None
    revoke(session, "jti-2", T0.date())  # written outside revoke_token: still refused
    assert resume(session, other, now=T0, limits=LIMITS) is None


def test_stale_sessions_are_purged_when_someone_signs_in(session: Session) -> None:
    open_session(session, principal("old"), now=T0, limits=LIMITS, method="paste")
    later = T0 + LIMITS.idle + dt.timedelta(minutes=1)
    open_session(session, principal("new"), now=later, limits=LIMITS, method="paste")
    assert [row.jti for row in session.scalars(select(StaffSession))] == ["new"]
    assert [row.jti for row in live_sessions(session, now=later, limits=LIMITS)] == ["new"]


def test_csrf_is_bound_to_the_session_and_the_key() -> None:
    assert csrf_for("a", "key-1") == csrf_for("a", "key-1")
    assert len({csrf_for("a", "key-1"), csrf_for("b", "key-1"), csrf_for("a", "key-2")}) == 3
