"""The process's in-memory DuckDB, shared by every cell builder through private cursors."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import duckdb

# DuckDB spills to disk past this, so a rebuild of a large history stays within a known budget.
DUCKDB_MEMORY_LIMIT = "1GB"


class _Shared:
    """The process's DuckDB database, opened on first use (and again after a fork)."""

    database: duckdb.DuckDBPyConnection | None = None
    pid = 0
    lock = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
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
