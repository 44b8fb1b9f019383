"""The territorial referential table: commune, EPCI, département, région and national."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, Integer, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column

from observatory.db import Base

LEVELS = ("commune", "epci", "departement", "region", "national")
NATIONAL_CODE = "FR"


class Territory(Base):
    """One territory; codes are only unique within a level (région 01 is not département 01)."""

    __tablename__ = "territory"

    level: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    # The natural parent: commune → département, département → région, région → national.
    parent_code: Mapped[str | None] = mapped_column(String(9))
    # Denormalised ancestors of a commune, so a fold joins one row per place.
    epci_code: Mapped[str | None] = mapped_column(String(9))
    departement_code: Mapped[str | None] = mapped_column(String(3))
    region_code: Mapped[str | None] = mapped_column(String(3))

    __table_args__ = (Index("ix_territory_level_parent", "level", "parent_code"),)


def communes_in(level: str, code: str) -> Select[Any]:
    """The codes of the communes of an EPCI, a département or a région, as a subquery for the
    database to find (not hundreds of codes sent, parsed and planned)."""
    column = {
        "epci": Territory.epci_code,
        "departement": Territory.departement_code,
        "region": Territory.region_code,
    }[level]
    return select(Territory.code).where(Territory.level == "commune", column == code)
