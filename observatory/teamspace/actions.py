""" "Vous avez dit, nous avons fait": what a team changed in answer to its users.

An entry is never edited in place: each save adds a dated version, so the history of what was
claimed and when stays (a team cannot quietly rewrite last year's promise). Withdrawing is a
version too. Only entries the team marked public may appear on its territory's public page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from observatory.teamspace.models import TeamAction, TeamActionVersion

MAX_TEXT = 2000


class ActionError(ValueError):
    """An entry that cannot be saved as sent; the message says why, in French."""


@dataclass(frozen=True)
class ActionEntry:
    id: int
    created_on: dt.date
    saved_on: dt.date  # the last save
    said: str
    done: str
    done_in: dt.date  # the month of the change (its first day)
    topic: str | None
    public: bool
    withdrawn: bool
    versions: int


def _clean(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise ActionError(f"Écrivez {what}.")
    if len(text) > MAX_TEXT:
        raise ActionError(f"{what[0].upper()}{what[1:]} : {MAX_TEXT} caractères au plus.")
    return text


def save_action(
    session: Session,
    team_id: int,
    *,
    action_id: int | None,
    said: str,
    done: str,
    done_in: dt.date,
    topic: str | None,
    public: bool,
    topics: Collection[str],
    today: dt.date,
) -> int:
    """Create an entry (`action_id` None) or add a version to one of the team's entries; its id.
    `topics` are the indicators and themes an entry may point to."""
    said = _clean(said, "ce que les usagers ont dit")
    done = _clean(done, "ce que vous avez fait")
    if topic is not None and topic not in topics:
        raise ActionError("Choisissez un indicateur ou un motif de la liste.")
    if done_in.replace(day=1) > today.replace(day=1) or done_in.year < 2000:
        raise ActionError("Le mois du changement ne peut pas être dans le futur.")
    if action_id is None:
        action = TeamAction(team_id=team_id, created_on=today)
        session.add(action)
        session.flush()
        action_id = action.id
    elif _owned(session, team_id, action_id) is None:
        raise ActionError("Cette action n'existe pas dans votre espace.")
    session.add(
        TeamActionVersion(
            action_id=action_id, saved_on=today, said=said, done=done,
            done_in=done_in.replace(day=1), topic=topic, public=public, withdrawn=False,
        )
    )  # fmt: skip
    session.flush()
    return action_id


def _owned(session: Session, team_id: int, action_id: int) -> TeamAction | None:
    return session.scalar(
        select(TeamAction).where(TeamAction.id == action_id, TeamAction.team_id == team_id)
    )


def withdraw_action(session: Session, team_id: int, action_id: int, today: dt.date) -> bool:
    """Withdraw one of the team's entries (a dated version; the history stays)."""
    if _owned(session, team_id, action_id) is None:
        return False
    latest = _latest(session, [action_id])[action_id]
    session.add(
        TeamActionVersion(
            action_id=action_id, saved_on=today, said=latest.said, done=latest.done,
            done_in=latest.done_in, topic=latest.topic, public=False, withdrawn=True,
        )
    )  # fmt: skip
    session.flush()
    return True


def _latest(session: Session, ids: list[int]) -> dict[int, TeamActionVersion]:
    last = (
        select(TeamActionVersion.action_id, func.max(TeamActionVersion.id).label("id"))
        .where(TeamActionVersion.action_id.in_(ids))
        .group_by(TeamActionVersion.action_id)
        .subquery()
    )
    rows = session.scalars(select(TeamActionVersion).join(last, last.c.id == TeamActionVersion.id))
    return {v.action_id: v for v in rows}


def list_actions(
    session: Session,
    team_id: int,
    *,
    year: int | None = None,
    public_only: bool = False,
    withdrawn: bool = False,
) -> list[ActionEntry]:
    """The team's entries as they stand, newest change first (`year`: changes made that year)."""
    found = _entries_of(session, [team_id], year=year, public_only=public_only, withdrawn=withdrawn)
    return found.get(team_id, [])


def public_actions(session: Session, team_ids: Collection[int]) -> dict[int, list[ActionEntry]]:
    """The entries each team chose to show publicly, as they stand (withdrawn ones left out),
    newest change first: a territory's public page, in three statements whatever the number
    of teams."""
    return _entries_of(session, team_ids, year=None, public_only=True, withdrawn=False)


def _entries_of(
    session: Session,
    team_ids: Collection[int],
    *,
    year: int | None,
    public_only: bool,
    withdrawn: bool,
) -> dict[int, list[ActionEntry]]:
    if not team_ids:
        return {}
    actions = {
        a.id: a
        for a in session.scalars(select(TeamAction).where(TeamAction.team_id.in_(list(team_ids))))
    }
    if not actions:
        return {}
    latest = _latest(session, list(actions))
    counts = dict(
        session.execute(
            select(TeamActionVersion.action_id, func.count())
            .where(TeamActionVersion.action_id.in_(list(actions)))
            .group_by(TeamActionVersion.action_id)
        ).all()
    )
    out: dict[int, list[ActionEntry]] = {}
    for action_id, v in latest.items():
        if (v.withdrawn and not withdrawn) or (public_only and not v.public):
            continue
        if year is not None and v.done_in.year != year:
            continue
        action = actions[action_id]
        out.setdefault(action.team_id, []).append(
            ActionEntry(
                action_id, action.created_on, v.saved_on, v.said, v.done,
                v.done_in, v.topic, v.public, v.withdrawn, int(counts[action_id]),
            )
        )  # fmt: skip
    for entries in out.values():
        entries.sort(key=lambda e: (e.done_in, e.id), reverse=True)
    return out
