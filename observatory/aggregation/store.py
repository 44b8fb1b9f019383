"""Cells from a `CellBuilder` into `aggregate_cell`: a bulk load, or an addition in the database.

Why several paths:
- a rebuild (or the very first fold) writes into an empty table, so it streams the rows in
  with COPY on PostgreSQL, straight from a CSV file that DuckDB writes, without a Python
  object per cell;
- an incremental fold only appends the new answers' cells (deltas) to `aggregate_delta`, the
  same way, one row per cell key without its question: its cost follows the new answers, not
  the stored cells (docs/decisions/0011, 0012);
- compaction adds logged deltas to the stored cells inside the database, with one
  `INSERT … ON CONFLICT DO UPDATE` from a temporary table: sufficient statistics add up and
  per-option counts merge key by key; cell keys add up modulo 2**32 the same way (totals and
  per option, docs/decisions/0019); nothing stored is read back (docs/decisions/0010).

The merged `counts_json` and `keys_json` are rebuilt with options sorted by their code in
bytewise order, the order DuckDB uses, so an incremental fold and a rebuild store the same text.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from observatory.aggregation.cells.builder import CellBuilder
from observatory.aggregation.cells.columns import DELTA_COLUMNS, KEY, ROW_COLUMNS
from observatory.aggregation.models import CELL_FILLFACTOR
from observatory.responses.models import KEY_MODULUS

TABLE = "aggregate_cell"
LOG = "aggregate_delta"
DELTA = "aggregate_cell_delta"
_COPY_BLOCK = 1 << 20


def _modulo(dialect: str, expression: str) -> str:
    """`expression` modulo 2**32 (mod() on PostgreSQL, where the driver reads % as a
    placeholder)."""
    if dialect == "postgresql":
        return f"mod({expression}, {KEY_MODULUS})"
    return f"({expression}) % {KEY_MODULUS}"


def _merge_json(dialect: str, column: str, keys: bool = False) -> str:
    """The JSON object {option: value} of the stored row's `column` and the delta's, added
    option by option (`keys`: modulo 2**32)."""
    if dialect == "postgresql":
        total = "sum(u.value::bigint)"
        total = _modulo(dialect, total) if keys else total
        return f"""coalesce((
        SELECT '{{' || string_agg('"' || m.k || '": ' || m.s, ', ' ORDER BY m.k COLLATE "C")
               || '}}'
        FROM (SELECT u.key AS k, {total} AS s
              FROM (SELECT key, value FROM json_each_text({TABLE}.{column}::json)
                    UNION ALL
                    SELECT key, value FROM json_each_text(EXCLUDED.{column}::json)) u
              GROUP BY u.key) m), '{{}}')"""
    # SQLite's group_concat keeps the order of an ordered subquery.
    total = _modulo(dialect, "sum(value)") if keys else "sum(value)"
    return f"""coalesce((
        SELECT '{{' || group_concat('"' || k || '": ' || s, ', ') || '}}'
        FROM (SELECT key AS k, {total} AS s
              FROM (SELECT key, value FROM json_each({TABLE}.{column})
                    UNION ALL
                    SELECT key, value FROM json_each(excluded.{column}))
              GROUP BY key ORDER BY key)), '{{}}')"""


def insert_cells(session: Session, builder: CellBuilder, today: dt.date) -> int:
    """Load the builder's cells into a table that holds none of their keys (a rebuild)."""
    return _load(session.connection(), TABLE, builder, today)


def replace_cells(session: Session, builder: CellBuilder, today: dt.date) -> int:
    """Replace every stored cell by the builder's (a rebuild), atomically with the caller's
    transaction.

    On PostgreSQL the cells are loaded into a new table without indexes, which are then built
    in one sort each, and the new table takes the old one's place: several times faster than
    deleting millions of rows and inserting as many through the unique index, and readers keep
    the old cells, unblocked, until the swap at commit. SQLite deletes and inserts.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(f"DELETE FROM {TABLE}")
        return _load(connection, TABLE, builder, today)
    fresh = f"{TABLE}_next"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fresh}")
    connection.exec_driver_sql(
        f"CREATE TABLE {fresh} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE) "
        f"WITH (fillfactor = {CELL_FILLFACTOR})"
    )
    written = _load(connection, fresh, builder, today)
    connection.exec_driver_sql(f"CREATE UNIQUE INDEX {fresh}_key ON {fresh} ({', '.join(KEY)})")
    connection.exec_driver_sql(f"CREATE UNIQUE INDEX {fresh}_pk ON {fresh} (id)")
    # The id sequence belongs to the old table's column: hand it over before dropping it.
    connection.exec_driver_sql(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {fresh}.id")
    connection.exec_driver_sql(f"DROP TABLE {TABLE}")
    connection.exec_driver_sql(f"ALTER TABLE {fresh} RENAME TO {TABLE}")
    connection.exec_driver_sql(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY USING INDEX {fresh}_pk"
    )
    connection.exec_driver_sql(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT uq_{TABLE}_key UNIQUE USING INDEX {fresh}_key"
    )
    return written


def append_deltas(session: Session, builder: CellBuilder, today: dt.date) -> int:
    """Append the builder's cells to the delta log (an incremental fold): COPY, nothing else;
    returns the number of rows logged (one per cell key without its question)."""
    return _load(session.connection(), LOG, builder, today, shape="delta")


def add_to_stored_cells(session: Session, builder: CellBuilder, today: dt.date) -> int:
    """Add the builder's cells to the stored ones in the database (creating the missing cells;
    compaction): returns the number of cells touched."""
    connection = session.connection()
    dialect = connection.dialect.name
    temporary = "TEMPORARY TABLE" if dialect == "postgresql" else "TEMP TABLE"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {DELTA}")
    connection.exec_driver_sql(
        f"CREATE {temporary} {DELTA} AS SELECT {', '.join(ROW_COLUMNS)} FROM {TABLE} WHERE 1 = 0"
    )
    try:
        written = _load(connection, DELTA, builder, today)
        if written:
            connection.exec_driver_sql(_upsert_sql(dialect))
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {DELTA}")
    return written


def _upsert_sql(dialect: str) -> str:
    columns = ", ".join(ROW_COLUMNS)
    added = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in ("n", "sum", "sum_sq"))
    # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not a join.
    return (
        f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {DELTA} WHERE true "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}, "
        f"counts_json = {_merge_json(dialect, 'counts_json')}, "
        f"key_sum = {_modulo(dialect, f'{TABLE}.key_sum + excluded.key_sum')}, "
        f"keys_json = {_merge_json(dialect, 'keys_json', keys=True)}, "
        "updated_on = excluded.updated_on"
    )


def _load(
    connection: Connection, table: str, builder: CellBuilder, today: dt.date, shape: str = "rows"
) -> int:
    names = DELTA_COLUMNS if shape == "delta" else ROW_COLUMNS
    columns = ", ".join(names)
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        with tempfile.TemporaryDirectory(prefix="observatory-cells-") as folder:
            parts = [(p, n) for p, n in builder.write_csv(Path(folder), today, shape) if n]
            if not parts:
                return 0
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for path, _ in parts:
                    with path.open("rb") as source:
                        while block := source.read(_COPY_BLOCK):
                            copy.write(block)
        return sum(n for _, n in parts)
    marks = ", ".join("?" for _ in names)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    count = 0
    for batch in builder.row_tuples(today, shape=shape):
        connection.exec_driver_sql(insert, batch)
        count += len(batch)
    return count
