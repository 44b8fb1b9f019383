"""Tables of the team space (migration 0011).

Everything here belongs to one team and is read only by that team (or by the operators' CLI),
except the "nous avons fait" entries a team chose to publish on its territory's page.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base, BigIntPK


class CommentReview(Base):
    """A comment a team marked "traité": kept, moved aside, never deleted. Per team, since the
    two teams of a shared place each deal with its comments."""

    __tablename__ = "comment_review"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    response_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("response.seq", ondelete="CASCADE"),
        primary_key=True,
    )
    treated_on: Mapped[dt.date] = mapped_column(Date)


class TeamAction(Base):
    """One "vous avez dit, nous avons fait" entry; its content lives in its versions, so that
    every edit is kept and dated."""

    __tablename__ = "team_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    created_on: Mapped[dt.date] = mapped_column(Date)


class TeamActionVersion(Base):
    """The content of an entry as saved on one day; the latest version is the entry."""

    __tablename__ = "team_action_version"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("team_action.id", ondelete="CASCADE"), index=True
    )
    saved_on: Mapped[dt.date] = mapped_column(Date)
    said: Mapped[str] = mapped_column(Text)  # what users said
    done: Mapped[str] = mapped_column(Text)  # what the team changed
    done_in: Mapped[dt.date] = mapped_column(Date)  # the month of the change (first day)
    topic: Mapped[str | None] = mapped_column(String(40))  # an indicator or a theme code
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # on the territory's page
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class TeamYearNote(Base):
    """The team's own two notes of its annual self-evaluation."""

    __tablename__ = "team_year_note"
    __table_args__ = (UniqueConstraint("team_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    done_this_year: Mapped[str] = mapped_column(Text, default="")
    next_year: Mapped[str] = mapped_column(Text, default="")
    saved_on: Mapped[dt.date] = mapped_column(Date)


class TeamContact(Base):
    """An address the weekly digest goes to; unsubscribing keeps the row (so a digest never
    goes to it again) until the team removes it."""

    __tablename__ = "team_contact"
    __table_args__ = (UniqueConstraint("team_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    added_on: Mapped[dt.date] = mapped_column(Date)
    unsubscribed_on: Mapped[dt.date | None] = mapped_column(Date)


class DigestSent(Base):
    """One weekly digest sent to a team: at most one a week (the unique key), and what it
    counted, so the next one counts only what is new."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    week: Mapped[dt.date] = mapped_column(Date)  # the Monday of the week it was sent
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    up_to_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    answers: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int] = mapped_column(Integer)
