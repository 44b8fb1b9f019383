"""Column names shared by every stage of the cell pipeline.

In one place so that the SQL of each stage, the pandas frames and the database tables agree on
names and order without importing one another.
"""

from __future__ import annotations

from observatory.aggregation.models import CELL_KEY
from observatory.aggregation.models import DELTA_KEY as _DELTA_KEY
from observatory.responses.models import KEY_MODULUS

KEY = list(CELL_KEY)
# A delta row's key: a cell's key without its question (docs/decisions/0012).
DELTA_KEY = list(_DELTA_KEY)
# Columns of the answers frame: one row per chosen option, with its response's attributes
# (`record_key`: the response's secret key, docs/decisions/0019).
ANSWER_COLUMNS = [
    "seq",
    "place_id",
    "team_id",
    "day",
    "version",
    "channel",
    "language",
    "record_key",
    "question",
    "option",
]
# Statistics of each frame of `Cells`: counts and sums add up when cells merge, keys add up
# modulo KEY_MODULUS (`key_sum` goes with n, an option's `key` with its count).
TOTAL_VALUES = ["n", "sum", "sum_sq", "key_sum"]
OPTION_VALUES = ["count", "key"]
# Columns of a stored cell row, in the order the exports give them.
ROW_VALUES = ["n", "sum", "sum_sq", "counts_json", "key_sum", "keys_json"]
ROW_COLUMNS = [*KEY, *ROW_VALUES, "updated_on"]
# Columns of a delta row: one row per cell key without its question, every question's
# statistics in `cells_json` (docs/decisions/0012).
DELTA_COLUMNS = [*DELTA_KEY, "cells_json", "updated_on"]
# The key columns as SQL.
KEYS_SQL = ", ".join(KEY)
DELTA_KEYS_SQL = ", ".join(DELTA_KEY)
# Keys are summed as integers (BIGINT, HUGEINT in DuckDB's sums) and reduced in SQL, so stored
# values stay below 2**32 and are exact whatever the order of the additions.
MODULUS_SQL = str(KEY_MODULUS)
