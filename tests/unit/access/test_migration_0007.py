"""0007 adds the access tables and takes them away again without touching older data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from observatory.access.audit import record
from observatory.access.sessions import Limits, open_session
from observatory.access.tokens import Principal, Role
from observatory.db import downgrade, make_engine, make_session_factory, upgrade

NEW_TABLES = {"access_token", "signin_code", "staff_session", "audit_event"}
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def test_0007_up_and_down_keeps_revocations(empty_database: str) -> None:
    upgrade(empty_database, "0006")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO token_revocation VALUES ('old-jti', '2026-11-30')"))
        upgrade(empty_database, "0007")
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
        with make_session_factory(engine).begin() as session:
            principal = Principal(Role.TEAM, "3", "jti", T0 + dt.timedelta(days=1))
            limits = Limits(dt.timedelta(hours=2), dt.timedelta(hours=12))
            open_session(session, principal, now=T0, limits=limits, method="paste")
            record(session, actor="cli", action="token.issue", detail={"é": "ü"})
        downgrade(empty_database, "0006")
        engine.dispose()
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT jti FROM token_revocation")).scalars().all() == [
                "old-jti"
            ]
        upgrade(empty_database, "0007")
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()
