"""The audit log keeps who, when and what, newest first, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from observatory.access.audit import recent, record

T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)  # in the past: one event uses now


def test_events_are_listed_newest_first(session: Session) -> None:
    record(session, actor="cli", action="token.issue", target="token:a", detail={"role": "team"},
           at=T0)  # fmt: skip
    record(session, actor="token:a", action="signin", detail={"method": "link"},
           at=T0 + dt.timedelta(minutes=1))  # fmt: skip
    record(session, actor="token:a", action="signout")  # now
    session.commit()
    events = recent(session)
    assert [e.action for e in events] == ["signout", "signin", "token.issue"]
    assert events[1].at == T0 + dt.timedelta(minutes=1) and events[1].at.tzinfo is not None
    assert events[2].detail == {"role": "team"} and events[2].target == "token:a"
    assert events[0].detail == {} and events[0].target == ""
    assert [e.action for e in recent(session, limit=1)] == ["signout"]


def test_record_does_not_commit(session: Session) -> None:
    record(session, actor="cli", action="token.revoke", target="token:b")
    session.rollback()
    assert recent(session) == []


def test_details_stay_small(session: Session) -> None:
    with pytest.raises(ValueError):
        record(session, actor="cli", action="x", detail={str(i): i for i in range(50)})
