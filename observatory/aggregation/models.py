"""Aggregate cells (sufficient statistics) and the fold watermark."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from observatory.db import Base, BigIntPK

SCOPE_LEVELS = ("place", "team", "commune", "epci", "departement", "region", "national")
# The scope code of the national cells.
NATIONAL = "FR"
# Stored grain: months. The other period kinds are exact sums of months (aggregation.periods).
STORED_PERIOD_KIND = "month"
PERIOD_KINDS = ("month", "quarter", "year", "rolling12")
NO_BREAKDOWN = "none"
BREAKDOWNS = (NO_BREAKDOWN, "theme", "channel", "age", "language")
# Breakdowns that partition the respondents (each falls in exactly one value, "not said"
# included), so that their values add up to the cell without breakdown. A response may name
# several themes: theme cells overlap and add up to more than the total.
ADDITIVE_BREAKDOWNS = ("channel", "age", "language")
UNKNOWN_VALUE = "non_renseigne"
# Levels whose stored cells are also split by breakdown (docs/decisions/0009); a team's or an
# EPCI's breakdowns are computed on demand from its own answers (aggregation.on_demand).
BREAKDOWN_LEVELS = ("departement", "region", "national")
# What identifies a cell: its unique constraint, and the grouping key of every computation.
CELL_KEY = (
    "scope_level",
    "scope_code",
    "period_kind",
    "period_start",
    "question",
    "breakdown",
    "breakdown_value",
)
# The delta log's key: a cell's key without its question (one logged row holds every question).
DELTA_KEY = tuple(c for c in CELL_KEY if c != "question")

# Free space left in each page on PostgreSQL, so that a fold's update of a cell fits beside it
# (a "HOT" update: no new index entry), which keeps folds cheap after a rebuild packed the table.
CELL_FILLFACTOR = 80


def _key_string(length: int) -> TypeEngine[str]:
    """Bytewise ("C") collation on PostgreSQL: cell keys are codes, never sorted for people, and
    the unique index builds and probes faster than under a linguistic collation."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class CellKeyColumns:
    """Columns shared by the stored cells and the delta log (which has no question column)."""

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    scope_level: Mapped[str] = mapped_column(_key_string(12))
    scope_code: Mapped[str] = mapped_column(_key_string(12))
    period_kind: Mapped[str] = mapped_column(_key_string(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    breakdown: Mapped[str] = mapped_column(_key_string(16), default=NO_BREAKDOWN)
    breakdown_value: Mapped[str] = mapped_column(_key_string(64), default="")
    # Day only: a finer time would tell when the last person answered at a small place.
    updated_on: Mapped[dt.date] = mapped_column(Date)


class AggregateCell(CellKeyColumns, Base):
    """Integer sufficient statistics: means, shares, intervals and merges are exact from these.

    Ordinal answers are stored as integer levels (0..max), so `sum` and `sum_sq` are integers and
    an incremental fold gives bit-for-bit the same cells as a full rebuild.
    """

    __tablename__ = "aggregate_cell"
    __table_args__ = (
        UniqueConstraint(*CELL_KEY, name="uq_aggregate_cell_key"),
        {"postgresql_with": {"fillfactor": CELL_FILLFACTOR}},
    )

    question: Mapped[str] = mapped_column(_key_string(32))
    n: Mapped[int] = mapped_column(BigInteger)
    sum: Mapped[int] = mapped_column(BigInteger)
    sum_sq: Mapped[int] = mapped_column(BigInteger)
    counts_json: Mapped[str] = mapped_column(Text)
    # The cell keys (docs/decisions/0019): the sum modulo 2**32 of the record keys of the
    # responses counted in n, and {option: sum of the keys of those who chose it} with the
    # options of `counts_json` in the same order. Secret: only the perturbation reads them.
    key_sum: Mapped[int] = mapped_column(BigInteger)
    keys_json: Mapped[str] = mapped_column(Text)


class AggregateDelta(CellKeyColumns, Base):
    """What folds added and compaction has not yet moved into `aggregate_cell`.

    A fold only appends here (COPY, no probe of the stored cells, no merge), so its cost follows
    the new answers; a cell's value is its stored row plus its deltas, which is what
    `aggregation.read.read_cells` returns. Compaction (`fold.compact_deltas`, run by the worker
    when the log grows or the sweep finds nothing new) adds them in and empties the log
    (docs/decisions/0011). One row holds every question of a scope, month and breakdown value
    (`cells_json`, see `cells.delta`): a fold writes about seven times fewer rows than
    it touches cells, and its cost is mostly per row (docs/decisions/0012).
    """

    __tablename__ = "aggregate_delta"
    __table_args__ = (Index("ix_aggregate_delta_scope", "scope_level", "scope_code"),)

    cells_json: Mapped[str] = mapped_column(Text)


class FoldWatermark(Base):
    """The last response `seq` folded into the cells, per named fold."""

    __tablename__ = "fold_watermark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    folds: Mapped[int] = mapped_column(Integer, default=0)
