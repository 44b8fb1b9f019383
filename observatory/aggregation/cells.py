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

import json
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

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
from observatory.questionnaires.definitions import Questionnaire

KEY = list(CELL_KEY)
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
WITH tagged AS (
    SELECT *, '{NO_BREAKDOWN}' AS breakdown, '' AS breakdown_value FROM scored
    UNION ALL SELECT *, 'channel', channel FROM scored
    UNION ALL SELECT *, 'language', language FROM scored
    UNION ALL
    SELECT s.*, 'age', coalesce(g.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN age g USING (seq) WHERE s.question <> '{AGE_QUESTION}'
    UNION ALL
    SELECT s.*, 'theme', coalesce(t.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN theme t USING (seq) WHERE s.question <> '{THEME_QUESTION}'
)
SELECT t.place_id, t.team_id, t.month, t.question, t.breakdown, t.breakdown_value,
       t.option, t.level, sum(t.first) AS first, count(*) AS cnt,
       any_value(g.place) AS place, any_value(g.commune) AS commune,
       any_value(g.epci) AS epci, any_value(g.departement) AS departement,
       any_value(g.region) AS region
FROM tagged t LEFT JOIN geo g ON g.place_id = t.place_id
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE rolled AS
SELECT scope_level, scope_code, '{STORED_PERIOD_KIND}' AS period_kind, month AS period_start,
       question, breakdown, breakdown_value, option,
       sum(first) AS first, sum(cnt) AS count, sum(cnt * level) AS sum,
       sum(cnt * level * level) AS sum_sq
FROM ({" UNION ALL ".join(_scope_selects())})
GROUP BY ALL;
INSERT INTO acc_totals SELECT {_KEYS}, sum(first), sum(sum), sum(sum_sq) FROM rolled GROUP BY ALL;
INSERT INTO acc_options SELECT {_KEYS}, option, count FROM rolled;
DROP TABLE scored; DROP TABLE age; DROP TABLE theme; DROP TABLE grain; DROP TABLE rolled;
"""


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
            f"CREATE TEMP TABLE acc_totals ({_columns_ddl()}, n BIGINT, sum BIGINT, sum_sq BIGINT);"
            f"CREATE TEMP TABLE acc_options ({_columns_ddl()}, option VARCHAR, count BIGINT);"
        )
        self._con.unregister("geo_in")
        self._con.unregister("levels_in")

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
                f"INSERT INTO acc_totals SELECT {_KEYS}, n, sum, sum_sq FROM totals_in;"
                f"INSERT INTO acc_options SELECT {_KEYS}, option, count FROM options_in;"
            )
        finally:
            self._con.unregister("totals_in")
            self._con.unregister("options_in")

    def scopes(self) -> pd.DataFrame:
        """Distinct (scope_level, scope_code, period_start) touched so far."""
        return self._con.execute(
            "SELECT DISTINCT scope_level, scope_code, period_start FROM acc_totals"
        ).df()

    def cells(self) -> Cells:
        totals = self._con.execute(
            f"SELECT {_KEYS}, CAST(sum(n) AS BIGINT) AS n, CAST(sum(sum) AS BIGINT) AS sum, "
            "CAST(sum(sum_sq) AS BIGINT) AS sum_sq FROM acc_totals GROUP BY ALL"
        ).df()
        options = self._con.execute(
            f"SELECT {_KEYS}, option, CAST(sum(count) AS BIGINT) AS count "
            "FROM acc_options GROUP BY ALL"
        ).df()
        return Cells(_normalise(totals, "totals"), _normalise(options, "options"))

    def row_batches(self, size: int = 500_000) -> Iterator[pd.DataFrame]:
        """The merged cells as database rows (see `to_rows`), `size` rows at a time."""
        on = " AND ".join(f"t.{c} = c.{c}" for c in KEY)
        result = self._con.execute(
            f"""
            WITH totals AS (
                SELECT {_KEYS}, sum(n) AS n, sum(sum) AS sum, sum(sum_sq) AS sum_sq
                FROM acc_totals GROUP BY ALL
            ), options AS (
                SELECT {_KEYS}, option, sum(count) AS count FROM acc_options GROUP BY ALL
            ), counts AS (
                SELECT {_KEYS},
                       '{{' || string_agg('"' || option || '": ' || CAST(count AS VARCHAR), ', '
                                          ORDER BY option) || '}}' AS counts_json
                FROM options GROUP BY ALL
            )
            SELECT t.*, coalesce(c.counts_json, '{{}}') AS counts_json
            FROM totals t LEFT JOIN counts c ON {on}
            """
        )
        while True:
            batch = result.fetch_df_chunk(max(1, size // 2048))
            if batch.empty:
                return
            out = _normalise(batch, "totals")
            out["counts_json"] = batch["counts_json"].astype("string")
            yield out

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
    with CellBuilder(_NO_GEO, _NO_LEVELS) as builder:
        for part in non_empty:
            builder.add_cells(part)
        return builder.cells()


def to_rows(cells: Cells) -> pd.DataFrame:
    """KEY + n, sum, sum_sq, counts_json (options sorted, so equal cells serialise equally)."""
    with CellBuilder(_NO_GEO, _NO_LEVELS) as builder:
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


def counts_of(cell_row: Mapping[str, object]) -> dict[str, int]:
    """Per-option counts of one stored cell row."""
    raw = cell_row.get("counts_json") or "{}"
    return {str(k): int(v) for k, v in json.loads(str(raw)).items()}
