"""Frozen editions: what each published edition showed, cell by cell, never recomputed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base, BigIntPK


class Edition(Base):
    """One published edition (2026T3): its parameters, so that it can be explained later."""

    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    published_on: Mapped[dt.date] = mapped_column(Date)
    first_month: Mapped[dt.date] = mapped_column(Date)
    last_month: Mapped[dt.date] = mapped_column(Date)
    k: Mapped[int] = mapped_column(Integer)
    protection: Mapped[int] = mapped_column(Integer)
    cells: Mapped[int] = mapped_column(Integer)
    hidden: Mapped[int] = mapped_column(Integer)


class EditionCell(Base):
    """A cell as the edition published it: its perturbed count, or NULL when hidden.

    Only published values are kept, never a true count: the table can be exported again and
    again without the cells being read again. `reason` (primary or complementary hiding) is
    for the operators' report only and never exported: it would tell which hidden cells are
    the small ones.
    """

    __tablename__ = "edition_cell"
    __table_args__ = (Index("ix_edition_cell_edition", "edition_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    scope_level: Mapped[str] = mapped_column(String(12))
    scope_code: Mapped[str] = mapped_column(String(12))
    period_kind: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[dt.date] = mapped_column(Date)
    table_name: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reason: Mapped[str] = mapped_column(String(16), default="")
