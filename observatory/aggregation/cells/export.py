"""Merged cells as export statements: stored rows or delta rows, for COPY files or tuples.

Exports are split by ranges of months: months never share a cell, so each statement merges its
own part of the accumulator and its hash tables stay within DuckDB's memory limit (one
statement over the cells of 10 M responses did not: docs/decisions/0012).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from observatory.aggregation.cells.columns import DELTA_KEY, KEY
from observatory.aggregation.cells.delta import packed_sql
from observatory.aggregation.cells.pivot import rows_sql

# Accumulated rows merged by one export statement at most (whole months; `month_ranges`).
EXPORT_ROWS = 5_000_000
SHAPES = ("rows", "delta")
# Accumulated rows per month, in month order (the input of `month_ranges`).
MONTH_ROWS_SQL = (
    "SELECT period_start, count(*) FROM acc GROUP BY period_start ORDER BY period_start"
)


def month_ranges(months: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months (with their accumulated rows) packed into ranges of at most
    `EXPORT_ROWS` rows (a month over that stands alone): one range for a fold, a few for a
    rebuild."""
    ranges: list[tuple[dt.date, dt.date]] = []
    held = 0
    for month, rows in months:
        if ranges and held + rows <= EXPORT_ROWS:
            ranges[-1] = (ranges[-1][0], month)
            held += rows
        else:
            ranges.append((month, month))
            held = rows
    return ranges


def export_sql(
    ranks: int,
    months: tuple[dt.date, dt.date],
    updated_on: dt.date,
    dates_as_text: bool,
    shape: str,
) -> str:
    """The merged rows of one range of months (`pivot.rows_sql`, packed for `shape="delta"`)
    with their `updated_on` day: ROW_COLUMNS or DELTA_COLUMNS. `dates_as_text` gives dates as
    ISO text (SQLite's form)."""
    first, last = months
    merged = rows_sql(ranks, f"a.period_start BETWEEN DATE '{first}' AND DATE '{last}'")
    day = f"DATE '{updated_on.isoformat()}'"
    keys = DELTA_KEY if shape == "delta" else KEY
    as_text = "period_start" if dates_as_text else None
    columns = [f"CAST({c} AS VARCHAR)" if c == as_text else c for c in keys]
    stamp = f"CAST({day} AS VARCHAR)" if dates_as_text else day
    if shape == "delta":
        return f"SELECT {', '.join(columns)}, cells_json, {stamp} FROM ({packed_sql(merged)})"
    if shape != "rows":
        raise ValueError(f"unknown shape {shape!r}: 'rows' or 'delta'")
    return (
        f"SELECT {', '.join(columns)}, CAST(n AS BIGINT), CAST(sum AS BIGINT), "
        f"CAST(sum_sq AS BIGINT), counts_json, CAST(key_sum AS BIGINT), keys_json, {stamp} "
        f"FROM ({merged})"
    )


def copy_sql(export: str, path: Path) -> str:
    """DuckDB's COPY of an export into a CSV file for PostgreSQL's COPY. NULL is written as \\N
    so that an empty string stays empty."""
    quoted = str(path).replace("'", "''")
    return f"COPY ({export}) TO '{quoted}' (FORMAT csv, HEADER false, NULLSTR '\\N')"
