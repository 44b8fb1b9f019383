"""The accumulator merged into one row per cell, its option counts (and keys) as JSON objects.

Per-option counts are pivoted into one column per option rank (options of a question sorted
bytewise), merged by a plain GROUP BY and formatted with concat_ws, which skips absent options:
several times faster than an ordered string_agg over millions of cells. Options sorted the same
way whichever path computed a cell is what makes a fold and a rebuild store the same text, and
what gives `keys_json` the options of `counts_json` in the same order.
"""

from __future__ import annotations

from observatory.aggregation.cells.columns import KEY, KEYS_SQL, MODULUS_SQL

# The options present in `acc`, ranked within their question (into the `ranks` table).
RANKS_SQL = """
CREATE OR REPLACE TEMP TABLE ranks (question VARCHAR, option VARCHAR, rank BIGINT);
INSERT INTO ranks
SELECT question, option, CAST(row_number() OVER (PARTITION BY question ORDER BY option) AS BIGINT)
FROM (SELECT DISTINCT question, option FROM acc WHERE option IS NOT NULL);
"""
MAX_RANK_SQL = "SELECT coalesce(max(rank), 0) FROM ranks"


def _json_object(ranks: int, values: str) -> str:
    """A JSON object {option: value} of the ranked columns `values`{i}; absent options (NULL)
    are skipped."""
    if not ranks:
        return "'{}'"
    pairs = ", ".join(
        f"""'"' || n.o{i} || '": ' || CAST(m.{values}{i} AS VARCHAR)""" for i in range(1, ranks + 1)
    )
    return f"'{{' || concat_ws(', ', {pairs}) || '}}'"


def rows_sql(ranks: int, where: str = "TRUE") -> str:
    """The merged cells (those of `acc a` that `where` selects), one row per key: KEY + n, sum,
    sum_sq, counts_json, key_sum, keys_json, options sorted by code (needs the `ranks` table,
    whose largest rank is `ranks`). Keys are reduced modulo 2**32."""
    pivot = "".join(
        f", sum(a.count) FILTER (WHERE r.rank = {i}) AS c{i}"
        f", sum(a.key) FILTER (WHERE r.rank = {i}) % {MODULUS_SQL} AS k{i}"
        for i in range(1, ranks + 1)
    )
    names = ", ".join(f"max(option) FILTER (WHERE rank = {i}) AS o{i}" for i in range(1, ranks + 1))
    joined = "LEFT JOIN names n USING (question)" if ranks else ""
    return f"""
WITH merged AS (
    SELECT {", ".join(f"a.{c}" for c in KEY)}, sum(a.n) AS n, sum(a.sum) AS sum,
           sum(a.sum_sq) AS sum_sq, sum(a.key_sum) % {MODULUS_SQL} AS key_sum{pivot}
    FROM acc a LEFT JOIN ranks r ON r.question = a.question AND r.option = a.option
    WHERE {where}
    GROUP BY ALL
), names AS (
    SELECT question{", " + names if ranks else ""} FROM ranks GROUP BY question
)
SELECT {KEYS_SQL}, n, sum, sum_sq, {_json_object(ranks, "c")} AS counts_json,
       key_sum, {_json_object(ranks, "k")} AS keys_json
FROM merged m {joined}
"""
