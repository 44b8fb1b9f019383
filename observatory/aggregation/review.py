"""Answers held as suspected bursts: list them, release them into the statistics, or discard
them; held answers nobody discarded are released automatically after a delay.

A held answer may already lie below the fold's watermark (it was skipped, not folded). Releasing
it clears its flag *and* folds its cells in, in one transaction that holds the watermark like a
fold, so incremental cells keep equalling a rebuild (which counts every unflagged answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from observatory.aggregation.cells.builder import CellBuilder
from observatory.aggregation.cells.frames import option_levels
from observatory.aggregation.fold import (
    _nothing_stored,
    load_geo,
    lock_watermark,
    read_answers,
)
from observatory.aggregation.store import append_deltas, insert_cells
from observatory.places.models import Place
from observatory.questionnaires.definitions import load_questionnaires
from observatory.responses.models import FLAG_BURST, FLAG_DISCARDED, Response

_BATCH = 500  # bound parameters per statement


@dataclass(frozen=True)
class Held:
    """A held answer as a reviewer sees it: which, where and when, never what was said."""

    id: str
    place_code: str
    day: dt.date
    channel: str


def held_answers(session: Session, place_ids: Sequence[int] | None = None) -> list[Held]:
    """Held answers, oldest first (all places, or only `place_ids`: a team's review page)."""
    stmt = (
        select(Response.id, Place.code, Response.day, Response.channel)
        .join(Place, Place.id == Response.place_id)
        # `flags <> 0` lets the partial index of held answers serve: the bit tests alone made
        # a team's review page read every answer of its places (0.5 s for 30 at 10 M).
        .where(Response.flags != 0)
        .where(Response.flags.op("&")(FLAG_BURST) != 0)
        .where(Response.flags.op("&")(FLAG_DISCARDED) == 0)
        .order_by(Response.day, Response.seq)
    )
    if place_ids is not None:
        stmt = stmt.where(Response.place_id.in_(place_ids))
    return [Held(*row) for row in session.execute(stmt).all()]


def _held_seqs(session: Session, ids: Sequence[str]) -> list[int]:
    seqs: list[int] = []
    for lo in range(0, len(ids), _BATCH):
        chunk = list(ids[lo : lo + _BATCH])
        seqs += session.scalars(
            select(Response.seq)
            .where(Response.id.in_(chunk))
            .where(Response.flags.op("&")(FLAG_BURST) != 0)
            .where(Response.flags.op("&")(FLAG_DISCARDED) == 0)
        ).all()
    return sorted(seqs)


def release(session: Session, ids: Sequence[str], today: dt.date) -> int:
    """Release held answers into the statistics, within the caller's transaction; returns
    how many were released (unknown, discarded or already released ids are skipped)."""
    last = lock_watermark(session)  # serialises with folds: the watermark cannot move meanwhile
    seqs = _held_seqs(session, ids)
    for lo in range(0, len(seqs), _BATCH):
        session.execute(
            update(Response).where(Response.seq.in_(seqs[lo : lo + _BATCH])).values(flags=0)
        )
    # Above the watermark the next fold counts them; below it, they are folded in now.
    _fold_in(session, [s for s in seqs if s <= last], today)
    return len(seqs)


def _fold_in(session: Session, seqs: list[int], today: dt.date) -> None:
    if not seqs:
        return
    questionnaires = load_questionnaires(session)
    with CellBuilder(load_geo(session), option_levels(questionnaires.values())) as builder:
        for lo in range(0, len(seqs), _BATCH):
            chunk = seqs[lo : lo + _BATCH]
            marks = ", ".join("?" for _ in chunk)
            answers = read_answers(
                session, f"r.seq IN ({marks})", f"a.response_seq IN ({marks})", chunk
            )
            builder.add_answers(answers)
        if _nothing_stored(session):
            insert_cells(session, builder, today)
        else:
            append_deltas(session, builder, today)


def discard(session: Session, ids: Sequence[str]) -> int:
    """Keep held answers out of the statistics for good (they stay stored, flagged)."""
    seqs = _held_seqs(session, ids)
    for lo in range(0, len(seqs), _BATCH):
        session.execute(
            update(Response)
            .where(Response.seq.in_(seqs[lo : lo + _BATCH]))
            .values(flags=Response.flags.op("|")(FLAG_DISCARDED))
        )
    return len(seqs)


def release_due(session: Session, today: dt.date, delay_days: int) -> int:
    """Release every held answer given `delay_days` ago or earlier (the sweep calls this)."""
    cutoff = today - dt.timedelta(days=delay_days)
    due = session.scalars(
        select(Response.id)
        .where(Response.flags != 0)  # the partial index ix_response_flagged
        .where(Response.day <= cutoff)
        .where(Response.flags.op("&")(FLAG_BURST) != 0)
        .where(Response.flags.op("&")(FLAG_DISCARDED) == 0)
    ).all()
    return release(session, list(due), today) if due else 0
