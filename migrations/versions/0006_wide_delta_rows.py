"""aggregate_delta: one row per cell key without its question, every question in cells_json

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:00:00.000000

Why (docs/decisions/0012): a fold's time went mostly to writing one log row per cell it
touched (COPY, index entries, tuple headers); a row per scope, month and breakdown value holding
every question writes about seven times fewer rows. Pending deltas are kept: each narrow row
becomes an entry [question, n, sum, sum_sq, counts] of the wide row of its key, and back on
downgrade. The log is a transient table (compaction empties it), so both steps are quick.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "aggregate_delta"
HOLD = "aggregate_delta_migrating"
DELTA_KEY = "scope_level, scope_code, period_kind, period_start, breakdown, breakdown_value"
NARROW = ("question", "n", "sum", "sum_sq", "counts_json")


def _key(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    entry = (
        """'["' || question || '", ' || CAST(n AS TEXT) || ', ' || CAST(sum AS TEXT) || ', ' """
        """|| CAST(sum_sq AS TEXT) || ', ' || counts_json || ']'"""
    )
    joined = f"string_agg({entry}, ', ')" if _postgresql() else f"group_concat({entry}, ', ')"
    op.execute(
        f"CREATE TABLE {HOLD} AS SELECT {DELTA_KEY}, '[' || {joined} || ']' AS cells_json, "
        f"max(updated_on) AS updated_on FROM {TABLE} GROUP BY {DELTA_KEY}"
    )
    op.execute(f"DELETE FROM {TABLE}")
    with op.batch_alter_table(TABLE) as batch:
        for column in NARROW:
            batch.drop_column(column)
        batch.add_column(sa.Column("cells_json", sa.Text(), nullable=False))
    op.execute(
        f"INSERT INTO {TABLE} ({DELTA_KEY}, cells_json, updated_on) "
        f"SELECT {DELTA_KEY}, cells_json, updated_on FROM {HOLD}"
    )
    op.execute(f"DROP TABLE {HOLD}")


def downgrade() -> None:
    if _postgresql():
        entries = (
            "SELECT d.*, e.value ->> 0 AS question, CAST(e.value ->> 1 AS BIGINT) AS n, "
            "CAST(e.value ->> 2 AS BIGINT) AS sum, CAST(e.value ->> 3 AS BIGINT) AS sum_sq, "
            f"CAST(e.value -> 4 AS TEXT) AS counts_json FROM {TABLE} d, "
            "json_array_elements(CAST(d.cells_json AS json)) e"
        )
    else:
        entries = (
            "SELECT d.*, json_extract(e.value, '$[0]') AS question, "
            "json_extract(e.value, '$[1]') AS n, json_extract(e.value, '$[2]') AS sum, "
            "json_extract(e.value, '$[3]') AS sum_sq, json_extract(e.value, '$[4]') AS counts_json "
            f"FROM {TABLE} d, json_each(d.cells_json) e"
        )
    op.execute(f"CREATE TABLE {HOLD} AS {entries}")
    op.execute(f"DELETE FROM {TABLE}")
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("cells_json")
        batch.add_column(sa.Column("question", _key(32), nullable=False))
        batch.add_column(sa.Column("n", sa.BigInteger(), nullable=False))
        batch.add_column(sa.Column("sum", sa.BigInteger(), nullable=False))
        batch.add_column(sa.Column("sum_sq", sa.BigInteger(), nullable=False))
        batch.add_column(sa.Column("counts_json", sa.Text(), nullable=False))
    columns = f"{DELTA_KEY}, {', '.join(NARROW)}, updated_on"
    op.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {HOLD}")
    op.execute(f"DROP TABLE {HOLD}")
