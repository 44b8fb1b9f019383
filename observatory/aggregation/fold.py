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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.cells.builder import CellBuilder
from observatory.aggregation.cells.columns import ANSWER_COLUMNS, DELTA_COLUMNS
from observatory.aggregation.cells.frames import option_levels
from observatory.aggregation.models import AggregateCell, AggregateDelta, FoldWatermark
from observatory.aggregation.store import (
    add_to_stored_cells,
    append_deltas,
    insert_cells,
    replace_cells,
)
from observatory.db import read_frame
from observatory.questionnaires.definitions import Questionnaire, load_questionnaires
from observatory.responses.locks import INGEST_LOCK_KEY
from observatory.responses.models import Response

WATERMARK = "cells"
# Advisory lock key that serialises compactions of the delta log.
COMPACT_LOCK_KEY = 7_204_312
# Responses read per step of a fold or rebuild (about 7 answers each).
CHUNK_RESPONSES = 250_000
# Logged delta rows past which the worker compacts after a fold, even when busy: readers add
# at most this many rows (about a fold of 10,000 responses at 20,000 places, twice).
COMPACT_ROWS = 60_000


@dataclass(frozen=True)
class FoldResult:
    responses: int
    # Cells written by a rebuild or a first fold; delta rows (one per cell key without its
    # question) logged by an incremental fold; cells touched by a compaction.
    rows_written: int
    last_seq: int


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


def lock_watermark(session: Session) -> int:
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
    """Answers of the unflagged responses in (after, upto]: a range scan of both primary keys."""
    return read_answers(
        session,
        "r.seq > ? AND r.seq <= ?",
        "a.response_seq > ? AND a.response_seq <= ?",
        (after, upto),
    )


def read_answers(
    session: Session, responses_where: str, answers_where: str, params: Sequence[object]
) -> pd.DataFrame:
    """Answers (ANSWER_COLUMNS, one row per chosen option) of the unflagged responses that
    `responses_where` selects (SQL over `response r`); `answers_where` (over `answer a`) must
    select at least their answers. Both take the same `params`.

    Two narrow queries joined in pandas rather than one join: the day is parsed once per
    response, not per answer, and the rows come straight from the driver.
    """
    responses = read_frame(
        session,
        "SELECT r.seq, r.place_id, r.team_id, r.day, r.questionnaire_version, r.channel, "
        f"r.language, r.record_key FROM response r WHERE r.flags = 0 AND {responses_where}",
        params,
        ["seq", "place_id", "team_id", "day", "version", "channel", "language", "record_key"],
    )
    responses["day"] = pd.to_datetime(responses["day"])
    answers = read_frame(
        session,
        f"SELECT a.response_seq, a.question, a.option FROM answer a WHERE {answers_where}",
        params,
        ["seq", "question", "option"],
    )
    return responses.merge(answers, on="seq", how="inner")[ANSWER_COLUMNS]


GEO_COLUMNS = ["place_id", "place", "commune", "epci", "departement", "region"]
_GEO_SQL = (
    "SELECT p.id, p.code, p.commune_code, t.epci_code, t.departement_code, t.region_code "
    "FROM place p LEFT JOIN territory t ON t.level = 'commune' AND t.code = p.commune_code"
)


def load_geo(session: Session, responses: tuple[int, int] | None = None) -> pd.DataFrame:
    """Codes of each place and of its territories (place_id, place, commune, epci,
    departement, region).

    `responses` = (after, upto): only the places of the responses with a seq in that range, so
    that a fold's cost follows its answers rather than the number of places (reading all
    20,000 took a fifth of a second, half of a small fold).
    """
    sql = _GEO_SQL
    if responses is not None:
        sql += " WHERE p.id IN (SELECT r.place_id FROM response r WHERE r.seq > ? AND r.seq <= ?)"
        return read_frame(session, sql, responses, GEO_COLUMNS)
    return read_frame(session, sql, (), GEO_COLUMNS)


def fold_pending(
    session: Session,
    today: dt.date,
    questionnaires: Mapping[int, Questionnaire] | None = None,
    progress: Callable[[int], object] | None = None,
    *,
    replace: bool = False,
) -> FoldResult:
    """Fold responses past the watermark (up to the safe horizon) within the caller's
    transaction; the caller commits.

    Answers are read `CHUNK_RESPONSES` responses at a time into one DuckDB accumulator, so
    memory follows the size of a chunk and of the cells, not of the history. `progress` is
    called with the number of responses read after each chunk. `replace` (the rebuild, after
    `reset_watermark`) swaps every stored cell for the computed ones.
    """
    horizon = safe_horizon(session)
    last = lock_watermark(session)
    if horizon <= last:
        return FoldResult(0, 0, last)
    upto = horizon
    qns = questionnaires if questionnaires is not None else load_questionnaires(session)
    folded = 0
    # A rebuild needs every place; a fold (one chunk) only those of its responses.
    geo = load_geo(session, None if upto - last > CHUNK_RESPONSES else (last, upto))
    with CellBuilder(geo, option_levels(qns.values())) as builder:
        for lo in range(last, upto, CHUNK_RESPONSES):
            hi = min(lo + CHUNK_RESPONSES, upto)
            answers = load_answers(session, lo, hi)
            folded += int(answers["seq"].nunique()) if len(answers) else 0
            builder.add_answers(answers)
            if progress is not None:
                progress(hi - lo)
        if replace:
            written = replace_cells(session, builder, today)
            session.execute(delete(AggregateDelta))
        elif _nothing_stored(session):
            written = insert_cells(session, builder, today)  # the very first fold
        else:
            written = append_deltas(session, builder, today)
    session.execute(
        update(FoldWatermark).where(FoldWatermark.name == WATERMARK).values(last_seq=upto)
    )
    return FoldResult(folded, written, upto)


def _nothing_stored(session: Session) -> bool:
    return all(
        session.scalar(select(table.id).limit(1)) is None
        for table in (AggregateCell, AggregateDelta)
    )


def compact_deltas(session: Session, today: dt.date) -> int:
    """Add the logged deltas into the cells and remove them from the log, in the caller's
    transaction; returns the number of cells touched.

    `DELETE … RETURNING` takes exactly the rows it removes, so folds keep appending while a
    compaction runs (their rows stay for the next one) and the watermark is not held: a long
    compaction never delays freshness. The deltas of one key, from several folds, are merged
    in DuckDB first, so each stored cell is updated once. Compactions are serialised (an
    advisory lock on PostgreSQL, the write lock on SQLite): two of them upserting the same cells
    in different orders could deadlock; a compaction that finds another running skips.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        got = connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({COMPACT_LOCK_KEY})")
        if not got.scalar():
            return 0
    taken = connection.exec_driver_sql(
        f"DELETE FROM aggregate_delta RETURNING {', '.join(DELTA_COLUMNS)}"
    )
    logged = pd.DataFrame(taken.fetchall(), columns=DELTA_COLUMNS)
    if logged.empty:
        return 0
    with CellBuilder.for_cells() as builder:
        builder.add_delta_rows(logged)
        return add_to_stored_cells(session, builder, today)


def compact_if_due(factory: sessionmaker[Session], today: dt.date, *, idle: bool) -> int:
    """Compact when the log holds `COMPACT_ROWS` rows or more, or when the worker is idle (a
    sweep that found nothing new), so that readers rarely have many deltas to add."""
    with factory.begin() as session:
        logged = int(session.scalar(select(func.count()).select_from(AggregateDelta)) or 0)
        if not logged or (logged < COMPACT_ROWS and not idle):
            return 0
        return compact_deltas(session, today)


def fold_all_pending(factory: sessionmaker[Session], today: dt.date) -> FoldResult:
    """One committed fold of everything up to the horizon (the tasks' and the demo's entry)."""
    with factory.begin() as session:
        return fold_pending(session, today)


def reset_watermark(session: Session) -> None:
    """Take the watermark and move it back to the start: everything is pending again (the
    rebuild's first step; the stored cells stay until the rebuild replaces them)."""
    lock_watermark(session)
    session.execute(update(FoldWatermark).where(FoldWatermark.name == WATERMARK).values(last_seq=0))


def reset_cells(session: Session) -> None:
    """Forget every cell and move the watermark back to the start."""
    reset_watermark(session)
    session.execute(delete(AggregateDelta))
    session.execute(delete(AggregateCell))


def pending_range(session: Session) -> tuple[int, int]:
    """(last folded seq, newest seq): how much a fold or rebuild has left to do."""
    last = session.scalar(select(FoldWatermark.last_seq).where(FoldWatermark.name == WATERMARK))
    newest = session.scalar(select(func.coalesce(func.max(Response.seq), 0)))
    return int(last or 0), int(newest or 0)
