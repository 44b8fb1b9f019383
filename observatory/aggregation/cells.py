"""Pure, set-based computation of aggregate cells from answers (DuckDB over pandas, no I/O).

Cells are kept in a long form made of two frames that add up exactly:
- `totals`: one row per cell key with n, sum and sum_sq (integers);
- `options`: one row per cell key and option with its count.
Merging two sets of cells is a concatenation followed by a group-by sum, which is why an
incremental fold and a full rebuild give identical cells.

Only month cells are stored (docs/decisions/0009): a quarter, a year or a rolling 12 months
is the exact sum of its months (`observatory.aggregation.periods`). Breakdowns (theme,
channel, age band, language) are stored from the département up; below that a split cell
would almost never reach a publication threshold, and a team's or an EPCI's few thousand
answers are split on demand (`observatory.aggregation.on_demand`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from observatory.aggregation.models import (
    BREAKDOWN_LEVELS,
    CELL_KEY,
    NO_BREAKDOWN,
    SCOPE_LEVELS,
    STORED_PERIOD_KIND,
    UNKNOWN_VALUE,
)
from observatory.aggregation.models import (
    DELTA_KEY as _DELTA_KEY_COLUMNS,
)
from observatory.questionnaires.definitions import Questionnaire

KEY = list(CELL_KEY)
DELTA_KEY = list(_DELTA_KEY_COLUMNS)
NATIONAL = "FR"
# Columns of the answers frame: one row per chosen option, with its response's attributes.
ANSWER_COLUMNS = [
    "seq",
    "place_id",
    "team_id",
    "day",
    "version",
    "channel",
    "language",
    "question",
    "option",
]
# Breakdowns read from an answer of the same response (the others are response columns).
THEME_QUESTION = "motif"
AGE_QUESTION = "age"
_VALUES = {"totals": ["n", "sum", "sum_sq"], "options": ["count"]}
DUCKDB_MEMORY_LIMIT = "1GB"
# Accumulated rows merged by one export statement at most (whole months; `_month_ranges`).
EXPORT_ROWS = 5_000_000
_NO_GEO = pd.DataFrame(
    {c: pd.Series(dtype="string") for c in ["place", "commune", "epci", "departement", "region"]}
).assign(place_id=pd.Series(dtype="int64"))
_NO_LEVELS = pd.DataFrame(
    {
        "version": pd.Series(dtype="int64"),
        "question": pd.Series(dtype="string"),
        "option": pd.Series(dtype="string"),
        "level": pd.Series(dtype="int64"),
    }
)


@dataclass(frozen=True)
class Cells:
    """Sufficient statistics in long form; see the module docstring."""

    totals: pd.DataFrame  # KEY + n, sum, sum_sq
    options: pd.DataFrame  # KEY + option, count

    @staticmethod
    def empty() -> Cells:
        totals = pd.DataFrame({c: pd.Series(dtype="string") for c in KEY})
        totals["period_start"] = pd.Series(dtype="datetime64[ns]")
        for c in _VALUES["totals"]:
            totals[c] = pd.Series(dtype="int64")
        options = totals[KEY].copy()
        options["option"] = pd.Series(dtype="string")
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


class _Shared:
    """The process's DuckDB database, opened on first use (and again after a fork)."""

    database: duckdb.DuckDBPyConnection | None = None
    pid = 0
    lock = threading.Lock()


def _connect() -> duckdb.DuckDBPyConnection:
    """A private connection to the process's in-memory DuckDB.

    Temporary tables belong to their connection, so builders never see each other's work.
    Memory is capped and spills to a temporary directory, so that a rebuild of a large history
    stays within a known budget (docs/performance.md). Opening the database once per process
    saves the start-up cost on every small fold.
    """
    with _Shared.lock:
        if _Shared.database is None or _Shared.pid != os.getpid():  # never reuse across a fork
            database = duckdb.connect(":memory:")
            spill = Path(tempfile.gettempdir()) / "observatory-duckdb"
            database.execute("SET preserve_insertion_order = false")
            database.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            database.execute(f"SET temp_directory = '{spill}'")
            _Shared.database, _Shared.pid = database, os.getpid()
        return _Shared.database.cursor()


def _scope_selects() -> list[str]:
    """One SELECT per scope level over the finest grain (`grain`, joined to geography)."""
    parts = []
    for level in SCOPE_LEVELS:
        if level == "national":
            code = f"'{NATIONAL}'"
        elif level == "team":
            code = "CAST(team_id AS VARCHAR)"
        else:
            code = level
        where = f"{code} IS NOT NULL"
        if level not in BREAKDOWN_LEVELS:
            where += f" AND breakdown = '{NO_BREAKDOWN}'"
        parts.append(
            f"SELECT '{level}' AS scope_level, {code} AS scope_code, month, question, "
            f"breakdown, breakdown_value, option, first, cnt, level FROM grain WHERE {where}"
        )
    return parts


_KEYS = ", ".join(KEY)
_BATCH_SQL = f"""
CREATE OR REPLACE TEMP TABLE scored AS
SELECT a.seq, a.place_id, CAST(a.team_id AS BIGINT) AS team_id,
       CAST(date_trunc('month', CAST(a.day AS DATE)) AS DATE) AS month,
       CAST(a.channel AS VARCHAR) AS channel, CAST(a.language AS VARCHAR) AS language,
       CAST(a.question AS VARCHAR) AS question, CAST(a.option AS VARCHAR) AS option,
       CAST(l.level AS BIGINT) AS level,
       -- n counts respondents: only one option of a multiple choice answer counts.
       CAST(row_number() OVER (PARTITION BY a.seq, a.question ORDER BY a.option) = 1
            AS BIGINT) AS first
FROM answers_in a
JOIN levels l ON l.version = a.version AND l.question = a.question AND l.option = a.option;
CREATE OR REPLACE TEMP TABLE age AS
    SELECT seq, min(option) AS value FROM scored WHERE question = '{AGE_QUESTION}' GROUP BY seq;
CREATE OR REPLACE TEMP TABLE theme AS
    SELECT DISTINCT seq, option AS value FROM scored WHERE question = '{THEME_QUESTION}';
CREATE OR REPLACE TEMP TABLE grain AS
-- Below the département, cells have no breakdown: group at the place × team grain.
WITH fine AS (
    SELECT place_id, team_id, month, question, option, level,
           sum(first) AS first, count(*) AS cnt
    FROM scored GROUP BY ALL
), tagged AS (
    -- Breakdowns exist from the département up: group them at that grain straight away.
    SELECT seq, place_id, month, question, option, level, first,
           'channel' AS breakdown, channel AS breakdown_value FROM scored
    UNION ALL SELECT seq, place_id, month, question, option, level, first, 'language', language
    FROM scored
    UNION ALL
    SELECT s.seq, s.place_id, s.month, s.question, s.option, s.level, s.first, 'age',
           coalesce(g.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN age g USING (seq) WHERE s.question <> '{AGE_QUESTION}'
    UNION ALL
    SELECT s.seq, s.place_id, s.month, s.question, s.option, s.level, s.first, 'theme',
           coalesce(t.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN theme t USING (seq) WHERE s.question <> '{THEME_QUESTION}'
)
SELECT f.place_id, f.team_id, f.month, f.question, '{NO_BREAKDOWN}' AS breakdown,
       '' AS breakdown_value, f.option, f.level, f.first, f.cnt, g.place, g.commune, g.epci,
       g.departement, g.region
FROM fine f LEFT JOIN geo g ON g.place_id = f.place_id
UNION ALL
SELECT NULL, NULL, t.month, t.question, t.breakdown, t.breakdown_value, t.option, t.level,
       sum(t.first), count(*), NULL, NULL, NULL, g.departement, g.region
FROM tagged t LEFT JOIN geo g ON g.place_id = t.place_id
GROUP BY ALL;
INSERT INTO acc
SELECT scope_level, scope_code, '{STORED_PERIOD_KIND}' AS period_kind, month AS period_start,
       question, breakdown, breakdown_value, option,
       sum(first), sum(cnt), sum(cnt * level), sum(cnt * level * level)
FROM ({" UNION ALL ".join(_scope_selects())})
GROUP BY ALL;
DROP TABLE scored; DROP TABLE age; DROP TABLE theme; DROP TABLE grain;
"""

# Per-option counts are pivoted into one column per option rank (options of a question sorted
# bytewise), merged by a plain GROUP BY and formatted with concat_ws, which skips absent options:
# several times faster than an ordered string_agg over millions of cells.
_RANKS_SQL = """
SELECT question, option, CAST(row_number() OVER (PARTITION BY question ORDER BY option) AS BIGINT)
FROM (SELECT DISTINCT question, option FROM acc WHERE option IS NOT NULL)
"""


def _rows_sql(ranks: int, where: str = "TRUE") -> str:
    """The merged cells (those of `acc a` that `where` selects), one row per key, options as a
    JSON object sorted by option, so equal cells serialise equally whichever way they were
    computed (needs the `ranks` table)."""
    counts = ", ".join(
        f"sum(a.count) FILTER (WHERE r.rank = {i}) AS c{i}" for i in range(1, ranks + 1)
    )
    names = ", ".join(f"max(option) FILTER (WHERE rank = {i}) AS o{i}" for i in range(1, ranks + 1))
    pairs = ", ".join(
        f"""'"' || n.o{i} || '": ' || CAST(m.c{i} AS VARCHAR)""" for i in range(1, ranks + 1)
    )
    pivot = f", {counts}" if ranks else ""
    formatted = f"'{{' || concat_ws(', ', {pairs}) || '}}'" if ranks else "'{}'"
    joined = "LEFT JOIN names n USING (question)" if ranks else ""
    return f"""
WITH merged AS (
    SELECT {", ".join(f"a.{c}" for c in KEY)}, sum(a.n) AS n, sum(a.sum) AS sum,
           sum(a.sum_sq) AS sum_sq{pivot}
    FROM acc a LEFT JOIN ranks r ON r.question = a.question AND r.option = a.option
    WHERE {where}
    GROUP BY ALL
), names AS (
    SELECT question{", " + names if ranks else ""} FROM ranks GROUP BY question
)
SELECT {_KEYS}, n, sum, sum_sq, {formatted} AS counts_json
FROM merged m {joined}
"""


# Columns of a stored cell row, in the order `write_csv` and `row_tuples` give them.
ROW_COLUMNS = [*KEY, "n", "sum", "sum_sq", "counts_json", "updated_on"]
# Columns of a delta row (`shape="delta"`): one row per cell key without its question, every
# question's statistics in `cells_json` (docs/decisions/0012).
DELTA_COLUMNS = [*DELTA_KEY, "cells_json", "updated_on"]
_DELTA_KEYS = ", ".join(DELTA_KEY)
# A delta row's `cells_json`: a JSON array of [question, n, sum, sum_sq, {option: count}]. An
# array rather than an object keyed by question, so that rows of several folds can be joined
# into one (the migration from narrow deltas does) without a question appearing twice as a key.
_DELTA_ENTRY = (
    """'["' || question || '", ' || CAST(n AS VARCHAR) || ', ' || CAST(sum AS VARCHAR) """
    """|| ', ' || CAST(sum_sq AS VARCHAR) || ', ' || counts_json || ']'"""
)


def _delta_sql(rows_sql: str) -> str:
    """The merged cells folded into one row per key without question."""
    return (
        f"SELECT {_DELTA_KEYS}, '[' || string_agg({_DELTA_ENTRY}, ', ') || ']' AS cells_json "
        f"FROM ({rows_sql}) GROUP BY {_DELTA_KEYS}"
    )


def _unpacked(question: str, *values: str) -> str:
    keys = ", ".join(question if c == "question" else c for c in KEY)
    return f"SELECT {keys}, {', '.join(values)}"


_DELTA_ROWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE entries AS
SELECT {
    ", ".join(
        "CAST(period_start AS DATE) AS period_start"
        if c == "period_start"
        else f"CAST({c} AS VARCHAR) AS {c}"
        for c in DELTA_KEY
    )
},
       unnest(from_json(CAST(cells_json AS VARCHAR), '["JSON"]')) AS entry
FROM deltas_in;
INSERT INTO acc {
    _unpacked(
        "entry->>0",
        "NULL",
        "CAST(entry->>1 AS BIGINT)",
        "0",
        "CAST(entry->>2 AS BIGINT)",
        "CAST(entry->>3 AS BIGINT)",
    )
}
FROM entries;
INSERT INTO acc {
    _unpacked("question", "unnest(map_keys(m))", "0", "unnest(map_values(m))", "0", "0")
}
FROM (SELECT *, entry->>0 AS question,
             json_transform(entry->4, '"MAP(VARCHAR, BIGINT)"') AS m FROM entries);
DROP TABLE entries;
"""


def _export_sql(rows_sql: str, updated_on: dt.date, dates_as_text: bool, shape: str) -> str:
    day = f"DATE '{updated_on.isoformat()}'"
    keys = DELTA_KEY if shape == "delta" else KEY
    as_text = "period_start" if dates_as_text else None
    columns = [f"CAST({c} AS VARCHAR)" if c == as_text else c for c in keys]
    stamp = f"CAST({day} AS VARCHAR)" if dates_as_text else day
    if shape == "delta":
        return f"SELECT {', '.join(columns)}, cells_json, {stamp} FROM ({_delta_sql(rows_sql)})"
    if shape != "rows":
        raise ValueError(f"unknown shape {shape!r}: 'rows' or 'delta'")
    return (
        f"SELECT {', '.join(columns)}, CAST(n AS BIGINT), CAST(sum AS BIGINT), "
        f"CAST(sum_sq AS BIGINT), counts_json, {stamp} FROM ({rows_sql})"
    )


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")


class CellBuilder:
    """Accumulates cells from batches of answers and stored cells, inside one DuckDB.

    Everything stays set-based and out of Python objects until the final rows are read, in
    batches: a rebuild of millions of answers needs memory for one batch, not for the history.
    """

    def __init__(self, geo: pd.DataFrame, levels: pd.DataFrame) -> None:
        self._con = _connect()
        self._con.register("geo_in", geo)
        self._con.register("levels_in", levels)
        self._con.execute(
            "CREATE TEMP TABLE geo AS SELECT * FROM geo_in;"
            "CREATE TEMP TABLE levels AS SELECT * FROM levels_in;"
            # One row per cell and option (n, sum and sum_sq add up over a cell's rows); a
            # stored cell's totals come in on a row without option.
            f"CREATE TEMP TABLE acc ({_columns_ddl()}, option VARCHAR, n BIGINT, count BIGINT,"
            " sum BIGINT, sum_sq BIGINT);"
        )
        self._con.unregister("geo_in")
        self._con.unregister("levels_in")

    @classmethod
    def for_cells(cls) -> CellBuilder:
        """A builder that only merges stored cells (no answers, so no geography or levels)."""
        return cls(_NO_GEO, _NO_LEVELS)

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
            self._con.execute(_BATCH_SQL)
        finally:
            self._con.unregister("answers_in")

    def add_cells(self, cells: Cells) -> None:
        """Add stored cells (an incremental fold adds the new answers to what is stored)."""
        if not len(cells):
            return
        self._con.register("totals_in", cells.totals)
        self._con.register("options_in", cells.options)
        try:
            self._con.execute(
                f"INSERT INTO acc SELECT {_KEYS}, NULL, n, 0, sum, sum_sq FROM totals_in;"
                f"INSERT INTO acc SELECT {_KEYS}, option, 0, count, 0, 0 FROM options_in;"
            )
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
            self._con.execute(_DELTA_ROWS_SQL)
        finally:
            self._con.unregister("deltas_in")

    def cells(self) -> Cells:
        totals = self._con.execute(
            f"SELECT {_KEYS}, CAST(sum(n) AS BIGINT) AS n, CAST(sum(sum) AS BIGINT) AS sum, "
            "CAST(sum(sum_sq) AS BIGINT) AS sum_sq FROM acc GROUP BY ALL"
        ).df()
        options = self._con.execute(
            f"SELECT {_KEYS}, option, CAST(sum(count) AS BIGINT) AS count "
            "FROM acc WHERE option IS NOT NULL GROUP BY ALL"
        ).df()
        return Cells(_normalise(totals, "totals"), _normalise(options, "options"))

    def row_batches(self, size: int = 500_000) -> Iterator[pd.DataFrame]:
        """The merged cells as database rows (see `to_rows`), `size` rows at a time."""
        result = self._con.execute(self._rows_sql())
        while True:
            batch = result.fetch_df_chunk(max(1, size // 2048))
            if batch.empty:
                return
            yield typed_rows(batch)

    def write_csv(
        self, folder: Path, updated_on: dt.date, shape: str = "rows"
    ) -> list[tuple[Path, int]]:
        """Write the merged rows (`ROW_COLUMNS`, or `DELTA_COLUMNS` for `shape="delta"`) as
        CSV files for PostgreSQL's COPY, one per month, into `folder`; returns each file with
        its number of rows.

        DuckDB writes the files in parallel and no row passes through Python: this is the
        rebuild's bulk path. NULL is written as \\N so that an empty string stays empty.
        """
        written = []
        for index, export in enumerate(self._exports(updated_on, False, shape)):
            path = folder / f"cells-{index:04d}.csv"
            copy = (
                f"COPY ({export}) TO '{_quoted_path(path)}' "
                "(FORMAT csv, HEADER false, NULLSTR '\\N')"
            )
            row = self._con.execute(copy).fetchone()
            written.append((path, int(row[0]) if row else 0))
        return written

    def row_tuples(
        self, updated_on: dt.date, size: int = 100_000, shape: str = "rows"
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The merged rows (`ROW_COLUMNS`, or `DELTA_COLUMNS` for `shape="delta"`) as plain
        tuples, dates as ISO text (SQLite's form)."""
        for export in self._exports(updated_on, True, shape):
            result = self._con.execute(export)
            while batch := result.fetchmany(size):
                yield batch

    def _exports(self, updated_on: dt.date, dates_as_text: bool, shape: str) -> list[str]:
        """The export SQL of the merged rows, one statement per range of months.

        Months never share a cell, so each statement merges its own part of the accumulator:
        its hash tables stay within DuckDB's memory limit (one statement over the cells of
        10 M responses did not: docs/decisions/0012), and the accumulator, filled in response
        order, is read by row groups that DuckDB skips on their month range.
        """
        ranks = self._ranks()
        return [
            _export_sql(
                _rows_sql(ranks, f"a.period_start BETWEEN DATE '{first}' AND DATE '{last}'"),
                updated_on,
                dates_as_text=dates_as_text,
                shape=shape,
            )
            for first, last in self._month_ranges()
        ]

    def _month_ranges(self) -> list[tuple[dt.date, dt.date]]:
        """Consecutive months packed into ranges of at most `EXPORT_ROWS` accumulated rows (a
        month over that stands alone): one range for a fold, a few for a rebuild."""
        months = self._con.execute(
            "SELECT period_start, count(*) FROM acc GROUP BY period_start ORDER BY period_start"
        ).fetchall()
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

    def _ranks(self) -> int:
        """Rank the options present (the `ranks` table); returns the largest rank."""
        self._con.execute(
            f"CREATE OR REPLACE TEMP TABLE ranks (question VARCHAR, option VARCHAR, rank BIGINT);"
            f"INSERT INTO ranks {_RANKS_SQL}"
        )
        row = self._con.execute("SELECT coalesce(max(rank), 0) FROM ranks").fetchone()
        return int(row[0]) if row else 0

    def _rows_sql(self) -> str:
        """The SQL of every merged row, in one statement (for the small merges of readers)."""
        return _rows_sql(self._ranks())

    def rows(self) -> pd.DataFrame:
        batches = list(self.row_batches())
        if not batches:
            return Cells.empty().totals.assign(counts_json=pd.Series(dtype="string"))
        return pd.concat(batches, ignore_index=True)


def _columns_ddl() -> str:
    return ", ".join(f"{c} {'DATE' if c == 'period_start' else 'VARCHAR'}" for c in KEY)


def compute_cells(answers: pd.DataFrame, geo: pd.DataFrame, levels: pd.DataFrame) -> Cells:
    """Month cells for every scope level and breakdown from a batch of answers.

    `answers`: ANSWER_COLUMNS. `geo`: place_id, place, commune, epci, departement, region
    (codes; nullable). `levels`: the output of `option_levels`. Answers to unknown versions,
    questions or options are ignored: they cannot be scored.
    """
    if answers.empty:
        return Cells.empty()
    with CellBuilder(geo, levels) as builder:
        builder.add_answers(answers)
        return builder.cells()


def _normalise(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
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


def merge_cells(*parts: Cells) -> Cells:
    """Exact merge of several sets of cells (sufficient statistics add up)."""
    non_empty = [p for p in parts if len(p)]
    if not non_empty:
        return Cells.empty()
    with CellBuilder.for_cells() as builder:
        for part in non_empty:
            builder.add_cells(part)
        return builder.cells()


def to_rows(cells: Cells) -> pd.DataFrame:
    """KEY + n, sum, sum_sq, counts_json (options sorted, so equal cells serialise equally)."""
    with CellBuilder.for_cells() as builder:
        builder.add_cells(cells)
        return builder.rows()


def from_rows(rows: pd.DataFrame) -> Cells:
    """The inverse of `to_rows` (cells read back from the database)."""
    if rows.empty:
        return Cells.empty()
    totals = rows[[*KEY, "n", "sum", "sum_sq"]]
    parsed = rows["counts_json"].map(lambda text: list(json.loads(str(text)).items()))
    exploded = rows[KEY].assign(counts=parsed).explode("counts")
    exploded = exploded[exploded["counts"].notna()]
    options = exploded[KEY].copy()
    options["option"] = exploded["counts"].map(lambda kv: kv[0])
    options["count"] = exploded["counts"].map(lambda kv: kv[1])
    return Cells(_normalise(totals, "totals"), _normalise(options, "options"))


def typed_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Cell rows (KEY + n, sum, sum_sq, counts_json) with one dtype per column, whether they
    come from DuckDB or from the database."""
    out = _normalise(rows, "totals")
    out["counts_json"] = rows["counts_json"].astype("string")
    return out


def counts_of(cell_row: Mapping[str, object]) -> dict[str, int]:
    """Per-option counts of one stored cell row."""
    raw = cell_row.get("counts_json") or "{}"
    return {str(k): int(v) for k, v in json.loads(str(raw)).items()}
