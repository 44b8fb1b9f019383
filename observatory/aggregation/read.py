"""Read cells as everyone should see them: the stored rows plus the deltas not yet compacted.

Folds only append to `aggregate_delta` (docs/decisions/0011), so a cell's current value is its
row in `aggregate_cell` plus its logged deltas. Every reader goes through `read_cells`, which
adds them exactly (sufficient statistics and option counts add up); after a compaction the log
is empty and the stored rows are returned as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.cells.builder import CellBuilder
from observatory.aggregation.cells.columns import DELTA_COLUMNS, DELTA_KEY, KEY, ROW_VALUES
from observatory.aggregation.cells.frames import from_rows, typed_rows
from observatory.aggregation.models import AggregateCell, AggregateDelta


def read_cells(session: Session, **where: object) -> pd.DataFrame:
    """Cells whose key columns equal `where` (e.g. scope_level="national", question="age"),
    or take one of its values when given a list or tuple (scope_code=["A2B3C4", "D5E6F7"],
    period_start=[dt.date(2026, 1, 1), dt.date(2026, 2, 1)]: a page reads only its months),
    deltas included: KEY + n, sum, sum_sq, counts_json, key_sum, keys_json, sorted by KEY.

    Dtypes do not depend on whether deltas were pending: dates as datetime64, codes as string,
    statistics as int64.
    """
    unknown = set(where) - set(KEY)
    if unknown:
        raise ValueError(f"cells are filtered by their key columns {KEY}, not {sorted(unknown)}")
    stored = _select(session, AggregateCell, [*KEY, *ROW_VALUES], where)
    # A logged row holds every question: it is selected on the other key columns, and the
    # merged rows on the question.
    logged_where = {k: v for k, v in where.items() if k in DELTA_KEY}
    logged = _select(session, AggregateDelta, DELTA_COLUMNS, logged_where)
    if logged.empty:
        rows = typed_rows(stored)
    else:
        with CellBuilder.for_cells() as builder:
            builder.add_cell_frames(from_rows(stored))
            builder.add_delta_rows(logged)
            rows = builder.rows()
        if "question" in where:
            wanted = where["question"]
            rows = rows[rows["question"].isin([wanted] if isinstance(wanted, str) else wanted)]  # type: ignore[arg-type]
    return rows.sort_values(KEY).reset_index(drop=True)


def _select(
    session: Session,
    table: type[AggregateCell] | type[AggregateDelta],
    names: Sequence[str],
    where: Mapping[str, object],
) -> pd.DataFrame:
    stmt = select(*(getattr(table, c) for c in names))
    stmt = stmt.where(
        *(
            getattr(table, k).in_(list(v))
            if isinstance(v, list | tuple)
            else getattr(table, k) == v
            for k, v in where.items()
        )
    )
    rows = session.execute(stmt).all()
    # Columns straight from the driver's tuples: a frame built from row objects costs many
    # times more (pandas inspects every row).
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame(dict(zip(names, values, strict=True)), columns=list(names))
