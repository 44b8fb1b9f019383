"""Places of digital mediation (national schema v1.0.2) and the teams that serve them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base


class Place(Base):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short public code used in URLs and QR codes (6-8 characters, no 0/O/1/I).
    code: Mapped[str] = mapped_column(String(8), unique=True)
    # `id` of the national schema: the key re-imports upsert on.
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str | None] = mapped_column(String(200))
    pivot: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(300))
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    commune_name: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    typologie: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    dispositifs: Mapped[list[str]] = mapped_column(JSON, default=list)
    itinerant: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.date] = mapped_column(Date)
    # The whole validated record, so nothing of the national schema is lost on import.
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    presentation: Mapped[str | None] = mapped_column(Text)


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class TeamPlace(Base):
    """A team serves one or more places; a place may be served by several teams."""

    __tablename__ = "team_place"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[int] = mapped_column(
        ForeignKey("place.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Kiosk(Base):
    """A tablet enrolled by a place; the enrolment link is its credential (only its hash here)."""

    __tablename__ = "kiosk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Dates only, like everything else in the database.
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)
