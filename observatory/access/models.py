"""Revoked tokens: a token stays refused until it would have expired anyway."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base


class TokenRevocation(Base):
    __tablename__ = "token_revocation"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_on: Mapped[dt.date] = mapped_column(Date)
