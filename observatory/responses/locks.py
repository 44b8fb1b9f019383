"""The advisory lock that lets a fold know every `seq` below its horizon is committed.

Ingestion takes it in shared mode while it inserts; the fold takes it exclusively for an
instant (see `aggregation.fold.safe_horizon`). It lives here, below both, so that ingestion
never imports the aggregation package.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Advisory lock key shared by ingestion (shared mode) and the fold (exclusive mode).
INGEST_LOCK_KEY = 7_204_311


def hold_ingest_lock(session: Session) -> None:
    """Called by ingestion before inserting a response (no-op on SQLite, which serialises
    writers)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": INGEST_LOCK_KEY})
