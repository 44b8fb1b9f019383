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

from observatory.aggregation.cells import (
    DELTA_COLUMNS,
    DELTA_KEY,
    KEY,
    Cells,
    from_delta_rows,
    from_rows,
    merge_cells,
    to_rows,
)
from observatory.aggregation.models import AggregateCell, AggregateDelta

ROW_VALUES = ["n", "sum", "sum_sq", "counts_json"]


def read_cells(session: Session, **where: str) -> pd.DataFrame:
    """Cells whose key columns equal `where` (e.g. scope_level="national", question="age"),
    deltas included: KEY + n, sum, sum_sq, counts_json, sorted by KEY.

    Dtypes do not depend on whether deltas were pending: dates as datetime64, codes as string,
    statistics as int64.
    """
    unknown = set(where) - set(KEY)
    if unknown:
        raise ValueError(f"cells are filtered by their key columns {KEY}, not {sorted(unknown)}")
    stored = _select(session, AggregateCell, [*KEY, *ROW_VALUES], where)
    logged = _logged(session, where)
    rows = to_rows(merge_cells(from_rows(stored), logged)) if len(logged) else _typed(stored)
    return rows.sort_values(KEY).reset_index(drop=True)


def _logged(session: Session, where: Mapping[str, str]) -> Cells:
    """The pending deltas of the cells `where` selects: a logged row holds every question, so
    the question is filtered once the rows are unpacked."""
    key_filter = {k: v for k, v in where.items() if k in DELTA_KEY}
    cells = from_delta_rows(_select(session, AggregateDelta, DELTA_COLUMNS, key_filter))
    question = where.get("question")
    if question is None or not len(cells):
        return cells
    return Cells(
        cells.totals[cells.totals["question"] == question],
        cells.options[cells.options["question"] == question],
    )


def _select(
    session: Session,
    table: type[AggregateCell] | type[AggregateDelta],
    names: Sequence[str],
    where: Mapping[str, str],
) -> pd.DataFrame:
    stmt = select(*(getattr(table, c) for c in names))
    stmt = stmt.where(*(getattr(table, k) == v for k, v in where.items()))
    return pd.DataFrame(session.execute(stmt).all(), columns=list(names))


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    for col in [*KEY, "counts_json"]:
        if col == "period_start":
            out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
        else:
            out[col] = out[col].astype("string")
    for col in ["n", "sum", "sum_sq"]:
        out[col] = out[col].astype("int64")
    return out
