"""Pure, set-based computation of aggregate cells from answers (pandas, no I/O).

Cells are kept in a long form made of two frames that add up exactly:
- `totals`: one row per cell key with n, sum and sum_sq (integers);
- `options`: one row per cell key and option with its count.
Merging two sets of cells is a concatenation followed by a group-by sum, which is why an
incremental fold and a full rebuild give identical cells.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from observatory.aggregation.models import CELL_KEY, NO_BREAKDOWN, PERIOD_KINDS
from observatory.questionnaires.definitions import Questionnaire

KEY = list(CELL_KEY)
# The geography columns expected for each place, by scope level.
GEO_LEVELS = ("place", "commune", "epci", "departement", "region")
NATIONAL = "FR"


@dataclass(frozen=True)
class Cells:
    """Sufficient statistics in long form; see the module docstring."""

    totals: pd.DataFrame  # KEY + n, sum, sum_sq
    options: pd.DataFrame  # KEY + option, count

    @staticmethod
    def empty() -> Cells:
        totals = pd.DataFrame({c: pd.Series(dtype="object") for c in KEY})
        for c in ("n", "sum", "sum_sq"):
            totals[c] = pd.Series(dtype="int64")
        options = pd.DataFrame({c: pd.Series(dtype="object") for c in [*KEY, "option"]})
        options["count"] = pd.Series(dtype="int64")
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


def _period_starts(month: pd.Series, kind: str) -> pd.Series:
    if kind == "month":
        return month
    frequency = "Q" if kind == "quarter" else "Y"
    return pd.Series(month.dt.to_period(frequency).dt.start_time, index=month.index)


def compute_cells(
    answers: pd.DataFrame,
    geo: pd.DataFrame,
    levels: pd.DataFrame,
) -> Cells:
    """Cells for every scope level and period kind from a batch of answers.

    `answers`: seq, place_id, team_id (nullable), day, version, question, option.
    `geo`: place_id, place, commune, epci, departement, region (codes; nullable).
    `levels`: the output of `option_levels`.
    """
    if answers.empty:
        return Cells.empty()
    frame = answers.merge(levels, on=["version", "question", "option"], how="inner")
    frame["month"] = pd.to_datetime(frame["day"]).dt.to_period("M").dt.start_time
    frame["team"] = frame["team_id"].astype("Int64").astype("string")

    # Finest grain first; every other cell is a sum of these rows.
    grain = ["place_id", "team", "month", "question"]
    base_options = (
        frame.groupby([*grain, "option", "level"], dropna=False, observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    base_options["sum"] = base_options["count"] * base_options["level"]
    base_options["sum_sq"] = base_options["sum"] * base_options["level"]
    # n counts respondents, not options: a multiple choice answer counts once.
    base_n = (
        frame.drop_duplicates(["seq", "question"])
        .groupby(grain, dropna=False, observed=True)
        .size()
        .rename("n")
        .reset_index()
    )
    base_sums = (
        base_options.groupby(grain, dropna=False, observed=True)[["sum", "sum_sq"]]
        .sum()
        .reset_index()
    )
    base_totals = base_n.merge(base_sums, on=grain, how="left")

    geo_cols = geo.set_index("place_id")
    base_totals = base_totals.join(geo_cols, on="place_id")
    base_options = base_options.join(geo_cols, on="place_id")

    scope_columns: list[tuple[str, str | None]] = [(level, level) for level in GEO_LEVELS]
    scope_columns += [("team", "team"), ("national", None)]
    totals = pd.concat(
        [
            _roll_up(base_totals, level, column, ["n", "sum", "sum_sq"])
            for level, column in scope_columns
        ],
        ignore_index=True,
    )
    options = pd.concat(
        [
            _roll_up(base_options, level, column, ["count"], ["option"])
            for level, column in scope_columns
        ],
        ignore_index=True,
    )
    return Cells(_normalise(totals, ["n", "sum", "sum_sq"]), _normalise(options, ["count"]))


def _roll_up(
    frame: pd.DataFrame,
    level: str,
    column: str | None,
    values: list[str],
    extra: list[str] | None = None,
) -> pd.DataFrame:
    """Sum the finest-grain rows into one scope level, for every period kind at once."""
    scope = frame[column] if column else pd.Series(NATIONAL, index=frame.index)
    kept = scope.notna()
    frame, scope = frame[kept], scope[kept].astype("string")
    extra = extra or []
    stacked = pd.concat(
        [
            pd.DataFrame(
                {
                    "scope_code": scope,
                    "period_kind": kind,
                    "period_start": _period_starts(frame["month"], kind),
                    "question": frame["question"],
                    **{col: frame[col] for col in [*extra, *values]},
                }
            )
            for kind in PERIOD_KINDS
        ],
        ignore_index=True,
    )
    grouped = (
        stacked.groupby(
            ["scope_code", "period_kind", "period_start", "question", *extra], observed=True
        )[values]
        .sum()
        .reset_index()
    )
    grouped.insert(0, "scope_level", level)
    grouped["breakdown"] = NO_BREAKDOWN
    grouped["breakdown_value"] = ""
    return grouped


def _normalise(frame: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """One dtype per column whatever the source (fresh batch or database), so merges are exact."""
    extra = ["option"] if "option" in frame.columns else []
    out = frame[[*KEY, *extra, *values]].copy()
    for col in KEY:
        if col == "period_start":
            out[col] = pd.to_datetime(out[col]).dt.normalize()
        else:
            out[col] = out[col].astype("string")
    if "option" in out.columns:
        out["option"] = out["option"].astype("string")
    for col in values:
        out[col] = out[col].astype("int64")
    return out


def merge_cells(*parts: Cells) -> Cells:
    """Exact merge of several sets of cells (sufficient statistics add up)."""
    non_empty = [p for p in parts if len(p)]
    if not non_empty:
        return Cells.empty()
    totals = pd.concat([_normalise(p.totals, ["n", "sum", "sum_sq"]) for p in non_empty])
    options = pd.concat([_normalise(p.options, ["count"]) for p in non_empty])
    totals = totals.groupby(KEY, observed=True)[["n", "sum", "sum_sq"]].sum().reset_index()
    options = options.groupby([*KEY, "option"], observed=True)["count"].sum().reset_index()
    return Cells(_normalise(totals, ["n", "sum", "sum_sq"]), _normalise(options, ["count"]))


def to_rows(cells: Cells) -> pd.DataFrame:
    """KEY + n, sum, sum_sq, counts_json (options sorted, so equal cells serialise equally)."""
    options = cells.options.sort_values([*KEY, "option"], ignore_index=True)
    rows = cells.totals
    if options.empty:
        return rows.assign(counts_json="{}")
    group = options.groupby(KEY, sort=False, observed=True).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    pairs = ('"' + options["option"] + '": ' + options["count"].astype("string") + ", ").to_numpy(
        dtype=object
    )
    # Concatenating the pairs of each run of rows: one C-level pass instead of a Python join
    # per cell.
    joined = np.add.reduceat(pairs, starts)
    counts = options.loc[starts, KEY].reset_index(drop=True)
    counts["counts_json"] = ["{" + text[:-2] + "}" for text in joined]
    rows = rows.merge(counts, on=KEY, how="left")
    rows["counts_json"] = rows["counts_json"].fillna("{}")
    return rows


def from_rows(rows: pd.DataFrame) -> Cells:
    """The inverse of `to_rows` (cells read back from the database)."""
    if rows.empty:
        return Cells.empty()
    totals = rows[[*KEY, "n", "sum", "sum_sq"]]
    parsed = rows["counts_json"].map(json.loads)
    exploded = rows[KEY].assign(counts=parsed.map(lambda d: list(d.items()))).explode("counts")
    exploded = exploded[exploded["counts"].notna()]
    options = exploded[KEY].copy()
    options["option"] = exploded["counts"].map(lambda kv: kv[0])
    options["count"] = exploded["counts"].map(lambda kv: kv[1])
    return Cells(_normalise(totals, ["n", "sum", "sum_sq"]), _normalise(options, ["count"]))


def counts_of(cell_row: Mapping[str, object]) -> dict[str, int]:
    """Per-option counts of one stored cell row."""
    raw = cell_row.get("counts_json") or "{}"
    return {str(k): int(v) for k, v in json.loads(str(raw)).items()}
