"""Tables of staff access: issued tokens, revocations, sign-in codes, sessions and the audit log.

Nothing here ever refers to a respondent or to an answer: these tables describe staff only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base, BigIntPK


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant stored in UTC and always read back timezone-aware.

    PostgreSQL keeps `timestamptz`; SQLite keeps no zone at all, so values are converted to UTC
    on the way in and tagged as UTC on the way out: comparisons never mix naive and aware times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        instant: dt.datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=dt.UTC)
        return instant.astimezone(dt.UTC)


class TokenRevocation(Base):
    """Revoked tokens: a token stays refused until it would have expired anyway."""

    __tablename__ = "token_revocation"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_on: Mapped[dt.date] = mapped_column(Date)


class IssuedToken(Base):
    """One token per person, so that one person can be revoked alone and links re-sent."""

    __tablename__ = "access_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SigninCode(Base):
    """A single-use sign-in link; only the SHA-256 of its random code is stored."""

    __tablename__ = "signin_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(
        String(64), ForeignKey("access_token.jti", ondelete="CASCADE"), index=True
    )
    created: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StaffSession(Base):
    """A signed-in browser; only the SHA-256 of the opaque id in its cookie is stored.

    No foreign key to `access_token`: tokens issued before the registry existed may still be
    pasted; revocation ends sessions by jti either way.
    """

    __tablename__ = "staff_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what to which staff object, and when; never a respondent nor an answer."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
