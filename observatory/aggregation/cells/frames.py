"""The `Cells` frames and the pandas conversions of cell rows read from the database.

Every frame gets one dtype per column whatever its source (a fresh DuckDB batch or database
rows), so that merges and comparisons are exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from observatory.aggregation.cells.columns import KEY, OPTION_VALUES, ROW_VALUES, TOTAL_VALUES
from observatory.questionnaires.definitions import Questionnaire

_VALUES = {"totals": TOTAL_VALUES, "options": OPTION_VALUES}
# Inputs of a builder that only merges cells (no answers, so no geography or levels).
NO_GEO = pd.DataFrame(
    {c: pd.Series(dtype="string") for c in ["place", "commune", "epci", "departement", "region"]}
).assign(place_id=pd.Series(dtype="int64"))
NO_LEVELS = pd.DataFrame(
    {
        "version": pd.Series(dtype="int64"),
        "question": pd.Series(dtype="string"),
        "option": pd.Series(dtype="string"),
        "level": pd.Series(dtype="int64"),
    }
)


@dataclass(frozen=True)
class Cells:
    """Sufficient statistics in long form (see the package docstring)."""

    totals: pd.DataFrame  # KEY + n, sum, sum_sq, key_sum
    options: pd.DataFrame  # KEY + option, count, key

    @staticmethod
    def empty() -> Cells:
        totals = pd.DataFrame({c: pd.Series(dtype="string") for c in KEY})
        totals["period_start"] = pd.Series(dtype="datetime64[ns]")
        for c in TOTAL_VALUES:
            totals[c] = pd.Series(dtype="int64")
        options = totals[KEY].copy()
        options["option"] = pd.Series(dtype="string")
        for c in OPTION_VALUES:
            options[c] = pd.Series(dtype="int64")
        return Cells(totals, options)

    def __len__(self) -> int:
        return len(self.totals)


def option_levels(questionnaires: Iterable[Questionnaire]) -> pd.DataFrame:
    """(version, question, option) → integer level for scored questions (others get 0)."""
    rows = [
        (qn.version, q.id, o.code, o.level if q.scored and o.level is not None else 0)
        for qn in questionnaires
        for q in qn.questions
        for o in q.options
    ]
    return pd.DataFrame(rows, columns=["version", "question", "option", "level"])


def normalise(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """One dtype per column whatever the source (fresh batch or database), so merges are exact."""
    extra = ["option"] if kind == "options" else []
    out = frame[[*KEY, *extra, *_VALUES[kind]]].copy()
    for col in [*KEY, *extra]:
        if col == "period_start":
            out[col] = pd.to_datetime(out[col]).dt.normalize().astype("datetime64[ns]")
        else:
            out[col] = out[col].astype("string")
    for col in _VALUES[kind]:
        out[col] = out[col].astype("int64")
    return out


def empty_rows() -> pd.DataFrame:
    """Cell rows (KEY + ROW_VALUES) with no row."""
    empty = Cells.empty().totals.assign(
        counts_json=pd.Series(dtype="string"), keys_json=pd.Series(dtype="string")
    )
    return empty[[*KEY, *ROW_VALUES]]


def _option_entries(counts_json: object, keys_json: object) -> list[tuple[str, int, int]]:
    """(option, count, key) of one stored row; every counted option has its key."""
    keys = json.loads(str(keys_json))
    return [(option, count, keys[option]) for option, count in json.loads(str(counts_json)).items()]


def from_rows(rows: pd.DataFrame) -> Cells:
    """Cells from stored rows (KEY + ROW_VALUES): the inverse of `builder.to_rows`."""
    if rows.empty:
        return Cells.empty()
    totals = rows[[*KEY, *TOTAL_VALUES]]
    pairs = zip(rows["counts_json"], rows["keys_json"], strict=True)
    parsed = pd.Series([_option_entries(c, k) for c, k in pairs], index=rows.index, dtype=object)
    exploded = rows[KEY].assign(entries=parsed).explode("entries")
    exploded = exploded[exploded["entries"].notna()]
    options = exploded[KEY].copy()
    for index, name in enumerate(["option", *OPTION_VALUES]):
        options[name] = exploded["entries"].map(lambda entry, i=index: entry[i])
    return Cells(normalise(totals, "totals"), normalise(options, "options"))


def typed_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Cell rows (KEY + ROW_VALUES) with one dtype per column, whether they come from DuckDB
    or from the database."""
    out = normalise(rows, "totals")
    out["counts_json"] = rows["counts_json"].astype("string")
    out["keys_json"] = rows["keys_json"].astype("string")
    return out[[*KEY, *ROW_VALUES]]


def counts_of(cell_row: Mapping[str, object]) -> dict[str, int]:
    """Per-option counts of one stored cell row."""
    raw = cell_row.get("counts_json") or "{}"
    return {str(k): int(v) for k, v in json.loads(str(raw)).items()}
