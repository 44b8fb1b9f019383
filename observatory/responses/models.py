"""Anonymous responses: no IP, no user agent, no cookie id and no time finer than the day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base, BigIntPK

CHANNELS = ("qr", "kiosk", "paper", "assisted", "later")

# Bits of `Response.flags`; any set bit keeps the response out of statistics. A burst is held
# until released (by a person, or automatically after `burst_release_days`); a discarded answer
# is kept, flagged, and never counted.
FLAG_BURST = 1
FLAG_DISCARDED = 2
# Record keys are uniform in [0, KEY_MODULUS), and a cell's key is the sum of its records' keys
# modulo KEY_MODULUS (the cell key method; docs/decisions/0019).
KEY_MODULUS = 2**32


class Response(Base):
    """One anonymous answer to a questionnaire; append-only."""

    __tablename__ = "response"
    # AUTOINCREMENT on SQLite: `seq` never reuses a value, so the fold watermark stays valid.
    __table_args__ = (
        # A place's answers over a period, read from the index alone on PostgreSQL (the team
        # space counts them by channel and language): without the included columns every
        # answer of a busy place costs a random heap read (migration 0012).
        Index(
            "ix_response_place_day",
            "place_id",
            "day",
            postgresql_include=["seq", "channel", "language", "flags"],
        ),
        # The few held answers, found without reading the table (the sweep releases them).
        Index(
            "ix_response_flagged",
            "day",
            postgresql_where=text("flags <> 0"),
            sqlite_where=text("flags <> 0"),
        ),
        # A team's held answers, found by place (its review page; migration 0013).
        Index(
            "ix_response_flagged_place",
            "place_id",
            "day",
            postgresql_where=text("flags <> 0"),
            sqlite_where=text("flags <> 0"),
        ),
        {"sqlite_autoincrement": True},
    )

    # Coarse ingestion sequence: the fold watermark moves along it.
    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    flags: Mapped[int] = mapped_column(Integer, default=0)
    # Secret, random, drawn once at ingestion (`service.store_response`) and never derived
    # from anything: the basis of the perturbation of published counts. Never shown, exported,
    # logged or returned; only folded into cell keys (docs/decisions/0019).
    record_key: Mapped[int] = mapped_column(BigInteger)


class Answer(Base):
    """One chosen option of one question (several rows for a multiple-choice question)."""

    __tablename__ = "answer"

    response_seq: Mapped[int] = mapped_column(
        ForeignKey("response.seq", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    option: Mapped[str] = mapped_column(String(64), primary_key=True)


class Comment(Base):
    """Free text, stored only after PII scrubbing; never folded into statistics as such."""

    __tablename__ = "comment"

    response_seq: Mapped[int] = mapped_column(
        ForeignKey("response.seq", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
