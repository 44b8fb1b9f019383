"""Delta-log rows: merged cells packed into one row per key without question, and unpacked
back into the accumulator.

A delta row's `cells_json` is a JSON array of entries [question, n, sum, sum_sq,
{option: count}, key_sum, {option: key}]: a stored row's values (the keys appended last by
docs/decisions/0019). An array rather than an object keyed by question, so that rows of several
folds can be joined into one (the migration from narrow deltas does) without a question
appearing twice as a key (docs/decisions/0012). DuckDB packs and unpacks them, so no row is
parsed in Python.
"""

from __future__ import annotations

from observatory.aggregation.cells.columns import DELTA_KEY, DELTA_KEYS_SQL, KEY

_ENTRY = (
    """'["' || question || '", ' || CAST(n AS VARCHAR) || ', ' || CAST(sum AS VARCHAR) """
    """|| ', ' || CAST(sum_sq AS VARCHAR) || ', ' || counts_json || ', ' """
    """|| CAST(key_sum AS VARCHAR) || ', ' || keys_json || ']'"""
)


def packed_sql(rows_sql: str) -> str:
    """The merged cells of `rows_sql` (`pivot.rows_sql`) folded into one row per key without
    question: DELTA_KEY + cells_json."""
    return (
        f"SELECT {DELTA_KEYS_SQL}, '[' || string_agg({_ENTRY}, ', ') || ']' AS cells_json "
        f"FROM ({rows_sql}) GROUP BY {DELTA_KEYS_SQL}"
    )


def _unpacked(question: str, *values: str) -> str:
    keys = ", ".join(question if c == "question" else c for c in KEY)
    return f"SELECT {keys}, {', '.join(values)}"


_TYPED_KEYS = ", ".join(
    "CAST(period_start AS DATE) AS period_start"
    if c == "period_start"
    else f"CAST({c} AS VARCHAR) AS {c}"
    for c in DELTA_KEY
)

# Logged rows (`deltas_in`: DELTA_KEY + cells_json) unpacked into `acc` by DuckDB's JSON
# reader: totals on a row without option, each option count and key on its own row. The two
# option maps are unnested side by side: `pivot` writes both objects with the same options in
# the same order, and DuckDB's maps keep the order of their JSON text.
UNPACK_SQL = f"""
CREATE OR REPLACE TEMP TABLE entries AS
SELECT {_TYPED_KEYS},
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
        "CAST(entry->>5 AS BIGINT)",
        "0",
    )
}
FROM entries;
INSERT INTO acc {
    _unpacked(
        "question",
        "unnest(map_keys(m))",
        "0",
        "unnest(map_values(m))",
        "0",
        "0",
        "0",
        "unnest(map_values(k))",
    )
}
FROM (SELECT *, entry->>0 AS question,
             json_transform(entry->4, '"MAP(VARCHAR, BIGINT)"') AS m,
             json_transform(entry->6, '"MAP(VARCHAR, BIGINT)"') AS k FROM entries);
DROP TABLE entries;
"""
