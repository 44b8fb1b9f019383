"""The two notes of a team's annual self-evaluation: what it did this year, what it wants to
bring next year. Saved as the team writes them; the report prints them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.teamspace.models import TeamYearNote

MAX_NOTE = 5000


class NoteError(ValueError):
    """Notes that cannot be saved as sent; the message says why, in French."""


@dataclass(frozen=True)
class YearNotes:
    done_this_year: str
    next_year: str
    saved_on: dt.date | None


def year_notes(session: Session, team_id: int, year: int) -> YearNotes:
    row = session.scalar(
        select(TeamYearNote).where(TeamYearNote.team_id == team_id, TeamYearNote.year == year)
    )
    if row is None:
        return YearNotes("", "", None)
    return YearNotes(row.done_this_year, row.next_year, row.saved_on)


def save_notes(
    session: Session, team_id: int, year: int, *, done: str, next_year: str, today: dt.date
) -> None:
    done, next_year = done.strip(), next_year.strip()
    if len(done) > MAX_NOTE or len(next_year) > MAX_NOTE:
        raise NoteError(f"Chaque note tient en {MAX_NOTE} caractères au plus.")
    if not 2000 <= year <= today.year + 1:
        raise NoteError("Cette année n'a pas de bilan.")
    row = session.scalar(
        select(TeamYearNote).where(TeamYearNote.team_id == team_id, TeamYearNote.year == year)
    )
    if row is None:
        row = TeamYearNote(team_id=team_id, year=year)
        session.add(row)
    row.done_this_year, row.next_year, row.saved_on = done, next_year, today
    session.flush()
