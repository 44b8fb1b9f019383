"""Fold every response past the watermark into the aggregate cells, in one transaction.

Correctness under concurrency:
- a fold first takes the watermark row with an UPDATE, which serialises folds (row lock on
  PostgreSQL, the database write lock on SQLite), then moves the watermark in the same
  transaction as the cells: a crash or a re-run can never count a response twice;
- on PostgreSQL, a response's `seq` is drawn before its transaction commits, so a fold could
  see seq 101 committed while 100 is still in flight and skip 100 for ever. Ingestion holds a
  shared advisory lock while it inserts; the fold takes the same lock exclusively for an
  instant, after which every `seq` up to the current maximum is committed (the "horizon").
  SQLite serialises writers, so its maximum is always safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.cells import (
    ANSWER_COLUMNS,
    KEY,
    CellBuilder,
    from_rows,
    option_levels,
)
from observatory.aggregation.models import AggregateCell, FoldWatermark
from observatory.db import bulk_insert, bulk_update, read_frame
from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire, load_questionnaires
from observatory.responses.models import Response
from observatory.territories.models import Territory

WATERMARK = "cells"
# Advisory lock key shared by ingestion (shared mode) and the fold (exclusive mode).
INGEST_LOCK_KEY = 7_204_311
_IN_CHUNK = 500
# Responses read per step of a fold or rebuild (about 7 answers each).
CHUNK_RESPONSES = 250_000


@dataclass(frozen=True)
class FoldResult:
    responses: int
    cells_written: int
    last_seq: int


def hold_ingest_lock(session: Session) -> None:
    """Called by ingestion before inserting a response (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": INGEST_LOCK_KEY})


def safe_horizon(session: Session) -> int:
    """The largest seq below which no insert can still be in flight.

    On PostgreSQL the exclusive lock is held only while the maximum is read (a new snapshot,
    in READ COMMITTED), so ingestion waits for an instant, not for the whole fold.
    """
    newest = select(func.coalesce(func.max(Response.seq), 0))
    if session.get_bind().dialect.name != "postgresql":
        return int(session.scalar(newest) or 0)
    session.execute(text("SELECT pg_advisory_lock(:k)"), {"k": INGEST_LOCK_KEY})
    try:
        return int(session.scalar(newest) or 0)
    finally:
        session.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": INGEST_LOCK_KEY})


def _lock_watermark(session: Session) -> int:
    """Take the watermark row for this transaction and return the last folded seq."""
    stmt = (
        update(FoldWatermark)
        .where(FoldWatermark.name == WATERMARK)
        .values(folds=FoldWatermark.folds + 1)
    )
    if session.execute(stmt).rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(FoldWatermark(name=WATERMARK, last_seq=0, folds=1))
        except Exception:  # a concurrent fold created it first: lock it like everyone else
            session.execute(stmt)
    return int(
        session.scalar(select(FoldWatermark.last_seq).where(FoldWatermark.name == WATERMARK)) or 0
    )


def load_answers(session: Session, after: int, upto: int) -> pd.DataFrame:
    """Answers of the unflagged responses in (after, upto], one row per chosen option.

    Two narrow queries joined in pandas: the day is parsed once per response, not per answer,
    and the answers are a range scan of their primary key, read straight from the driver.
    """
    responses = read_frame(
        session,
        "SELECT seq, place_id, team_id, day, questionnaire_version, channel, language "
        "FROM response WHERE seq > ? AND seq <= ? AND flags = 0",
        (after, upto),
        ["seq", "place_id", "team_id", "day", "version", "channel", "language"],
    )
    responses["day"] = pd.to_datetime(responses["day"])
    answers = read_frame(
        session,
        "SELECT response_seq, question, option FROM answer "
        "WHERE response_seq > ? AND response_seq <= ?",
        (after, upto),
        ["seq", "question", "option"],
    )
    return responses.merge(answers, on="seq", how="inner")[ANSWER_COLUMNS]


def load_geo(session: Session) -> pd.DataFrame:
    stmt = select(
        Place.id,
        Place.code,
        Place.commune_code,
        Territory.epci_code,
        Territory.departement_code,
        Territory.region_code,
    ).outerjoin(Territory, and_(Territory.level == "commune", Territory.code == Place.commune_code))
    columns = ["place_id", "place", "commune", "epci", "departement", "region"]
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)


def _load_existing(session: Session, scopes: pd.DataFrame) -> pd.DataFrame:
    """Stored cells of the (scope, month) pairs a fold touches, with their ids."""
    cols = [AggregateCell.id, *(getattr(AggregateCell, c) for c in KEY)]
    cols += [AggregateCell.n, AggregateCell.sum, AggregateCell.sum_sq, AggregateCell.counts_json]
    names = ["id", *KEY, "n", "sum", "sum_sq", "counts_json"]
    frames = []
    for level, part in scopes.groupby("scope_level", observed=True):
        periods = sorted({pd.Timestamp(ts).date() for ts in part["period_start"]})
        codes = sorted(set(part["scope_code"].astype(str)))
        for i in range(0, len(codes), _IN_CHUNK):
            stmt = select(*cols).where(
                AggregateCell.scope_level == str(level),
                AggregateCell.period_start.in_(periods),
                AggregateCell.scope_code.in_(codes[i : i + _IN_CHUNK]),
            )
            rows = session.execute(stmt).all()
            if rows:
                frames.append(pd.DataFrame(rows, columns=names))
    if not frames:
        return pd.DataFrame(columns=names)
    existing = pd.concat(frames, ignore_index=True)
    existing["period_start"] = pd.to_datetime(existing["period_start"])
    return existing


def _with_ids(rows: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    if existing.empty:
        return rows.assign(id=pd.Series(pd.NA, index=rows.index, dtype="Int64"))
    ids = existing[[*KEY, "id"]].copy()
    ids["period_start"] = pd.to_datetime(ids["period_start"]).dt.normalize()
    ids["period_start"] = ids["period_start"].astype("datetime64[ns]")
    for col in KEY:
        if col != "period_start":
            ids[col] = ids[col].astype("string")
    return rows.merge(ids, on=KEY, how="left")


def _write(session: Session, rows: pd.DataFrame, today: dt.date) -> int:
    """Update the cells that exist (rows with an id), insert the others."""
    rows = rows.copy()
    rows["period_start"] = rows["period_start"].dt.date
    rows["updated_on"] = today
    values = ["n", "sum", "sum_sq", "counts_json", "updated_on"]
    known = rows["id"].notna()
    if known.any():
        bulk_update(
            session,
            "aggregate_cell",
            "id",
            rows.loc[known, [*values, "id"]].astype({"id": "int64"}),
        )
    bulk_insert(session, "aggregate_cell", rows.loc[~known, [*KEY, *values]])
    return len(rows)


def fold_pending(
    session: Session,
    today: dt.date,
    questionnaires: Mapping[int, Questionnaire] | None = None,
    progress: Callable[[int], object] | None = None,
) -> FoldResult:
    """Fold responses past the watermark (up to the safe horizon) within the caller's
    transaction; the caller commits.

    Answers are read `CHUNK_RESPONSES` responses at a time into one DuckDB accumulator, so
    memory follows the size of a chunk and of the cells, not of the history. `progress` is
    called with the number of responses read after each chunk.
    """
    horizon = safe_horizon(session)
    last = _lock_watermark(session)
    if horizon <= last:
        return FoldResult(0, 0, last)
    upto = horizon
    qns = questionnaires if questionnaires is not None else load_questionnaires(session)
    folded = 0
    written = 0
    with CellBuilder(load_geo(session), option_levels(qns.values())) as builder:
        for lo in range(last, upto, CHUNK_RESPONSES):
            hi = min(lo + CHUNK_RESPONSES, upto)
            answers = load_answers(session, lo, hi)
            folded += int(answers["seq"].nunique()) if len(answers) else 0
            builder.add_answers(answers)
            if progress is not None:
                progress(hi - lo)
        has_cells = session.scalar(select(AggregateCell.id).limit(1)) is not None
        if has_cells:
            existing = _load_existing(session, builder.scopes())
            if len(existing):
                builder.add_cells(from_rows(existing.drop(columns="id")))
            written = _write(session, _with_ids(builder.rows(), existing), today)
        else:  # a rebuild, or the first fold: nothing to update, stream the inserts
            for batch in builder.row_batches():
                written += _write(session, _with_ids(batch, pd.DataFrame()), today)
    session.execute(
        update(FoldWatermark).where(FoldWatermark.name == WATERMARK).values(last_seq=upto)
    )
    return FoldResult(folded, written, upto)


def fold_all_pending(factory: sessionmaker[Session], today: dt.date) -> FoldResult:
    """One committed fold of everything up to the horizon (the tasks' and the demo's entry)."""
    with factory.begin() as session:
        return fold_pending(session, today)


def reset_cells(session: Session) -> None:
    """Forget every cell and move the watermark back to the start (the rebuild's first step)."""
    _lock_watermark(session)
    session.execute(delete(AggregateCell))
    session.execute(update(FoldWatermark).where(FoldWatermark.name == WATERMARK).values(last_seq=0))


def pending_range(session: Session) -> tuple[int, int]:
    """(last folded seq, newest seq): how much a fold or rebuild has left to do."""
    last = session.scalar(select(FoldWatermark.last_seq).where(FoldWatermark.name == WATERMARK))
    newest = session.scalar(select(func.coalesce(func.max(Response.seq), 0)))
    return int(last or 0), int(newest or 0)
