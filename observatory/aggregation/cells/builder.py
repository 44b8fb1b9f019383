"""`CellBuilder`: runs the pipeline's SQL in one private DuckDB connection, and the cell
functions built on it (compute, merge, rows).

Everything stays set-based and out of Python objects until the final rows are read, in
batches: a rebuild of millions of answers needs memory for one batch, not for the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from observatory.aggregation.cells import export, pivot, sql
from observatory.aggregation.cells.columns import ANSWER_COLUMNS, DELTA_KEY
from observatory.aggregation.cells.delta import UNPACK_SQL
from observatory.aggregation.cells.duck import connect
from observatory.aggregation.cells.frames import (
    NO_GEO,
    NO_LEVELS,
    Cells,
    empty_rows,
    normalise,
    typed_rows,
)


class CellBuilder:
    """Accumulates cells from batches of answers, cells frames and logged deltas, in DuckDB,
    and gives them back merged: as frames, as rows, or as export files."""

    def __init__(self, geo: pd.DataFrame, levels: pd.DataFrame) -> None:
        self._con = connect()
        self._con.register("geo_in", geo)
        self._con.register("levels_in", levels)
        self._con.execute(
            "CREATE TEMP TABLE geo AS SELECT * FROM geo_in;"
            "CREATE TEMP TABLE levels AS SELECT * FROM levels_in;" + sql.CREATE_ACC_SQL
        )
        self._con.unregister("geo_in")
        self._con.unregister("levels_in")

    @classmethod
    def for_cells(cls) -> CellBuilder:
        """A builder that only merges cells (no answers, so no geography or levels)."""
        return cls(NO_GEO, NO_LEVELS)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> CellBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_answers(self, answers: pd.DataFrame) -> None:
        """Fold a batch of answers (ANSWER_COLUMNS); unscorable answers are ignored."""
        if answers.empty:
            return
        self._con.register("answers_in", answers[ANSWER_COLUMNS])
        try:
            self._con.execute(sql.ANSWERS_SQL)
        finally:
            self._con.unregister("answers_in")

    def add_cell_frames(self, cells: Cells) -> None:
        """Add cells given as frames (cells read back from the database, or computed earlier):
        an incremental fold adds the new answers to what is stored."""
        if not len(cells):
            return
        self._con.register("totals_in", cells.totals)
        self._con.register("options_in", cells.options)
        try:
            self._con.execute(sql.CELLS_SQL)
        finally:
            self._con.unregister("totals_in")
            self._con.unregister("options_in")

    def add_delta_rows(self, rows: pd.DataFrame) -> None:
        """Add logged delta rows (`DELTA_KEY` + cells_json), unpacked by DuckDB's JSON reader:
        a compaction takes tens of thousands of them, each holding every question."""
        if rows.empty:
            return
        self._con.register("deltas_in", rows[[*DELTA_KEY, "cells_json"]])
        try:
            self._con.execute(UNPACK_SQL)
        finally:
            self._con.unregister("deltas_in")

    def cells(self) -> Cells:
        """The merged cells as frames."""
        totals = self._con.execute(sql.TOTALS_SQL).df()
        options = self._con.execute(sql.OPTIONS_SQL).df()
        return Cells(normalise(totals, "totals"), normalise(options, "options"))

    def row_batches(self, size: int = 500_000) -> Iterator[pd.DataFrame]:
        """The merged cells as database rows (see `to_rows`), `size` rows at a time."""
        result = self._con.execute(pivot.rows_sql(self._ranks()))
        while True:
            batch = result.fetch_df_chunk(max(1, size // 2048))
            if batch.empty:
                return
            yield typed_rows(batch)

    def rows(self) -> pd.DataFrame:
        """Every merged cell as a database row, in one frame (for the small merges of readers)."""
        batches = list(self.row_batches())
        if not batches:
            return empty_rows()
        return pd.concat(batches, ignore_index=True)

    def write_csv(
        self, folder: Path, updated_on: dt.date, shape: str = "rows"
    ) -> list[tuple[Path, int]]:
        """Write the merged rows (`ROW_COLUMNS`, or `DELTA_COLUMNS` for `shape="delta"`) as
        CSV files for PostgreSQL's COPY, one per range of months, into `folder`; returns each
        file with its number of rows.

        DuckDB writes the files in parallel and no row passes through Python: this is the
        rebuild's bulk path.
        """
        written = []
        for index, statement in enumerate(self._exports(updated_on, False, shape)):
            path = folder / f"cells-{index:04d}.csv"
            row = self._con.execute(export.copy_sql(statement, path)).fetchone()
            written.append((path, int(row[0]) if row else 0))
        return written

    def row_tuples(
        self, updated_on: dt.date, size: int = 100_000, shape: str = "rows"
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The merged rows (`ROW_COLUMNS`, or `DELTA_COLUMNS` for `shape="delta"`) as plain
        tuples, dates as ISO text (SQLite's form)."""
        for statement in self._exports(updated_on, True, shape):
            result = self._con.execute(statement)
            while batch := result.fetchmany(size):
                yield batch

    def _exports(self, updated_on: dt.date, dates_as_text: bool, shape: str) -> list[str]:
        """The export SQL of the merged rows, one statement per range of months.

        The accumulator, filled in response order, is read by row groups that DuckDB skips on
        their month range.
        """
        ranks = self._ranks()
        return [
            export.export_sql(ranks, months, updated_on, dates_as_text, shape)
            for months in self._month_ranges()
        ]

    def _month_ranges(self) -> list[tuple[dt.date, dt.date]]:
        """The accumulated months packed into ranges (`export.month_ranges`)."""
        return export.month_ranges(self._con.execute(export.MONTH_ROWS_SQL).fetchall())

    def _ranks(self) -> int:
        """Rank the options present (the `ranks` table); returns the largest rank."""
        self._con.execute(pivot.RANKS_SQL)
        row = self._con.execute(pivot.MAX_RANK_SQL).fetchone()
        return int(row[0]) if row else 0


def compute_cells(answers: pd.DataFrame, geo: pd.DataFrame, levels: pd.DataFrame) -> Cells:
    """Month cells for every scope level and breakdown from a batch of answers.

    `answers`: ANSWER_COLUMNS. `geo`: place_id, place, commune, epci, departement, region
    (codes; nullable). `levels`: the output of `frames.option_levels`. Answers to unknown
    versions, questions or options are ignored: they cannot be scored.
    """
    if answers.empty:
        return Cells.empty()
    with CellBuilder(geo, levels) as builder:
        builder.add_answers(answers)
        return builder.cells()


def merge_cells(*parts: Cells) -> Cells:
    """Exact merge of several sets of cells (sufficient statistics add up)."""
    non_empty = [p for p in parts if len(p)]
    if not non_empty:
        return Cells.empty()
    with CellBuilder.for_cells() as builder:
        for part in non_empty:
            builder.add_cell_frames(part)
        return builder.cells()


def to_rows(cells: Cells) -> pd.DataFrame:
    """KEY + n, sum, sum_sq, counts_json (options sorted, so equal cells serialise equally)."""
    with CellBuilder.for_cells() as builder:
        builder.add_cell_frames(cells)
        return builder.rows()
