"""Quarters, years and rolling 12 months as exact sums of stored month cells (pure).

Only months are stored (docs/decisions/0009): sufficient statistics add up, so a quarter
computed here is bit-for-bit the cell a materialised quarter would hold, without storing
every answer four more times or re-materialising every rolling window when a month ends.
"""

from __future__ import annotations

import pandas as pd

from observatory.aggregation.cells.builder import merge_cells
from observatory.aggregation.cells.frames import Cells
from observatory.aggregation.models import STORED_PERIOD_KIND

DERIVED_KINDS = ("quarter", "year", "rolling12")
ROLLING_MONTHS = 12


def period_start(month: pd.Series, kind: str) -> pd.Series:
    """The start of the quarter or year holding each month."""
    if kind == STORED_PERIOD_KIND:
        return month
    if kind not in ("quarter", "year"):
        raise ValueError(f"no calendar period of kind {kind!r}")
    frequency = "Q" if kind == "quarter" else "Y"
    return pd.Series(
        month.dt.to_period(frequency).dt.start_time.astype("datetime64[ns]"), index=month.index
    )


def _relabel(frame: pd.DataFrame, kind: str, starts: pd.Series) -> pd.DataFrame:
    out = frame.copy()
    out["period_kind"] = kind
    out["period_start"] = starts.to_numpy()
    return out


def derive(cells: Cells, kind: str, last_month: pd.Timestamp | None = None) -> Cells:
    """Cells of `kind` from month cells.

    A rolling 12 months is labelled by its first month (`period_start`) and covers
    [period_start, period_start + 12 months). Windows are produced up to the one ending with
    `last_month` (default: the latest month in `cells`); earlier windows may hold fewer than
    12 months of data when the history is shorter, and say so by their start.
    """
    if kind == STORED_PERIOD_KIND or not len(cells):
        return cells
    if kind in ("quarter", "year"):
        return merge_cells(
            Cells(
                _relabel(cells.totals, kind, period_start(cells.totals["period_start"], kind)),
                _relabel(cells.options, kind, period_start(cells.options["period_start"], kind)),
            )
        )
    if kind != "rolling12":
        raise ValueError(f"unknown period kind {kind!r}")
    end = last_month if last_month is not None else cells.totals["period_start"].max()
    parts = []
    for shift in range(ROLLING_MONTHS):
        # A month belongs to the windows starting 0..11 months before it.
        def shifted(frame: pd.DataFrame, shift: int = shift) -> pd.DataFrame:
            starts = frame["period_start"] - pd.DateOffset(months=shift)
            last = starts + pd.DateOffset(months=ROLLING_MONTHS - 1)
            kept = last <= end
            return _relabel(frame[kept], kind, starts[kept])

        parts.append(Cells(shifted(cells.totals), shifted(cells.options)))
    return merge_cells(*parts)
