"""The SQL that fills the accumulator (`acc`): answers scored and rolled up every scope level,
and stored cells added back in.

The accumulator holds one row per cell and option; n, sum, sum_sq and the key sums add up over
a cell's rows (keys modulo 2**32) and a stored cell's totals come in on a row without option, so
every source of cells (a batch of answers, stored cells, logged deltas) is merged by one GROUP BY
at the end.
"""

from __future__ import annotations

from observatory.aggregation.cells.columns import KEY, KEYS_SQL, MODULUS_SQL
from observatory.aggregation.models import (
    BREAKDOWN_LEVELS,
    NATIONAL,
    NO_BREAKDOWN,
    SCOPE_LEVELS,
    STORED_PERIOD_KIND,
    UNKNOWN_VALUE,
)

# Breakdowns read from an answer of the same response (the others are response columns).
THEME_QUESTION = "motif"
AGE_QUESTION = "age"


def _columns_ddl() -> str:
    return ", ".join(f"{c} {'DATE' if c == 'period_start' else 'VARCHAR'}" for c in KEY)


CREATE_ACC_SQL = (
    f"CREATE TEMP TABLE acc ({_columns_ddl()}, option VARCHAR, n BIGINT, count BIGINT,"
    " sum BIGINT, sum_sq BIGINT, key_sum BIGINT, key BIGINT);"
)


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
            f"breakdown, breakdown_value, option, first, cnt, level, first_key, cnt_key "
            f"FROM grain WHERE {where}"
        )
    return parts


# A batch of answers (`answers_in`) scored with `levels`, placed with `geo`, into `acc`. A
# cell's `key_sum` adds the record keys of the responses counted in n (`first`), an option's
# `key` those of the responses that chose it; both are reduced modulo 2**32 as they are grouped.
M = MODULUS_SQL
ANSWERS_SQL = f"""
CREATE OR REPLACE TEMP TABLE scored AS
SELECT a.seq, a.place_id, CAST(a.team_id AS BIGINT) AS team_id,
       CAST(date_trunc('month', CAST(a.day AS DATE)) AS DATE) AS month,
       CAST(a.channel AS VARCHAR) AS channel, CAST(a.language AS VARCHAR) AS language,
       CAST(a.question AS VARCHAR) AS question, CAST(a.option AS VARCHAR) AS option,
       CAST(l.level AS BIGINT) AS level, CAST(a.record_key AS BIGINT) AS record_key,
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
           sum(first) AS first, count(*) AS cnt,
           CAST(sum(first * record_key) % {M} AS BIGINT) AS first_key,
           CAST(sum(record_key) % {M} AS BIGINT) AS cnt_key
    FROM scored GROUP BY ALL
), tagged AS (
    -- Breakdowns exist from the département up: group them at that grain straight away.
    SELECT seq, place_id, month, question, option, level, first, record_key,
           'channel' AS breakdown, channel AS breakdown_value FROM scored
    UNION ALL
    SELECT seq, place_id, month, question, option, level, first, record_key, 'language',
           language
    FROM scored
    UNION ALL
    SELECT s.seq, s.place_id, s.month, s.question, s.option, s.level, s.first, s.record_key,
           'age', coalesce(g.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN age g USING (seq) WHERE s.question <> '{AGE_QUESTION}'
    UNION ALL
    SELECT s.seq, s.place_id, s.month, s.question, s.option, s.level, s.first, s.record_key,
           'theme', coalesce(t.value, '{UNKNOWN_VALUE}')
    FROM scored s LEFT JOIN theme t USING (seq) WHERE s.question <> '{THEME_QUESTION}'
)
SELECT f.place_id, f.team_id, f.month, f.question, '{NO_BREAKDOWN}' AS breakdown,
       '' AS breakdown_value, f.option, f.level, f.first, f.cnt, f.first_key, f.cnt_key,
       g.place, g.commune, g.epci, g.departement, g.region
FROM fine f LEFT JOIN geo g ON g.place_id = f.place_id
UNION ALL
SELECT NULL, NULL, t.month, t.question, t.breakdown, t.breakdown_value, t.option, t.level,
       sum(t.first), count(*), CAST(sum(t.first * t.record_key) % {M} AS BIGINT),
       CAST(sum(t.record_key) % {M} AS BIGINT), NULL, NULL, NULL, g.departement, g.region
FROM tagged t LEFT JOIN geo g ON g.place_id = t.place_id
GROUP BY ALL;
INSERT INTO acc
SELECT scope_level, scope_code, '{STORED_PERIOD_KIND}' AS period_kind, month AS period_start,
       question, breakdown, breakdown_value, option,
       sum(first), sum(cnt), sum(cnt * level), sum(cnt * level * level),
       CAST(sum(first_key) % {M} AS BIGINT), CAST(sum(cnt_key) % {M} AS BIGINT)
FROM ({" UNION ALL ".join(_scope_selects())})
GROUP BY ALL;
DROP TABLE scored; DROP TABLE age; DROP TABLE theme; DROP TABLE grain;
"""

# Cells frames (`totals_in`, `options_in`: `frames.Cells`) into `acc`.
CELLS_SQL = (
    f"INSERT INTO acc SELECT {KEYS_SQL}, NULL, n, 0, sum, sum_sq, key_sum, 0 FROM totals_in;"
    f"INSERT INTO acc SELECT {KEYS_SQL}, option, 0, count, 0, 0, 0, key FROM options_in;"
)

# The accumulator merged back into `Cells` frames (totals, then options).
TOTALS_SQL = (
    f"SELECT {KEYS_SQL}, CAST(sum(n) AS BIGINT) AS n, CAST(sum(sum) AS BIGINT) AS sum, "
    "CAST(sum(sum_sq) AS BIGINT) AS sum_sq, "
    f"CAST(sum(key_sum) % {MODULUS_SQL} AS BIGINT) AS key_sum FROM acc GROUP BY ALL"
)
OPTIONS_SQL = (
    f"SELECT {KEYS_SQL}, option, CAST(sum(count) AS BIGINT) AS count, "
    f"CAST(sum(key) % {MODULUS_SQL} AS BIGINT) AS key FROM acc WHERE option IS NOT NULL "
    "GROUP BY ALL"
)
