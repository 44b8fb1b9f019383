"""The open comments a team reads: scrubbed texts at month level, filterable, and marked
"traité" (kept, moved aside) but never deleted.

The comments of a period are shown only when the period holds at least `k_team` answers at the
places shown: with two answers in a month, a mediator would know who wrote what. Keywords
follow the keyword rule (a word only when `k_team` comments share it). Held answers (a burst
under review) are left out, as from every statistic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from observatory.aggregation.keywords import QUESTION, Keyword, extract_keywords
from observatory.clock import add_months
from observatory.places.models import Place, TeamPlace
from observatory.responses.models import Answer, Comment, Response
from observatory.teamspace.models import CommentReview

SATISFACTION = "satisfaction"
THEMES = "motif"


@dataclass(frozen=True)
class TeamComment:
    seq: int
    month: dt.date  # the first day of its month: never the day
    place: str
    text: str
    satisfaction: str | None  # the option code it came with
    themes: tuple[str, ...]
    treated: bool


@dataclass(frozen=True)
class Comments:
    shown: bool  # False: too few answers in the period, nothing is shown
    comments: list[TeamComment]  # after the filters, open ones first, newest first
    total: int  # comments of the period before the filters
    keywords: list[Keyword]


def _span(months: Sequence[dt.date]) -> tuple[dt.date, dt.date]:
    return months[0], add_months(months[-1], 1)


def team_comments(
    session: Session,
    team_id: int,
    place_ids: Sequence[int],
    months: Sequence[dt.date],
    *,
    k: int,
    theme: str | None = None,
    satisfaction: str | None = None,
) -> Comments:
    """The comments at `place_ids` (places the caller checked the team serves) over `months`."""
    start, end = _span(months)
    in_period = (
        Response.place_id.in_(list(place_ids)),
        Response.flags == 0,
        Response.day >= start,
        Response.day < end,
    )
    answers = session.scalar(select(func.count()).select_from(Response).where(*in_period)) or 0
    if not place_ids or answers < k:
        return Comments(False, [], 0, [])
    rows = session.execute(
        select(Comment.response_seq, Response.day, Place.name, Comment.text)
        .join(Response, Response.seq == Comment.response_seq)
        .join(Place, Place.id == Response.place_id)
        .where(Comment.question == QUESTION, *in_period)
        .order_by(Response.day.desc(), Comment.response_seq.desc())
    ).all()
    seqs = [r[0] for r in rows]
    chosen: dict[int, dict[str, list[str]]] = {s: {} for s in seqs}
    for lo in range(0, len(seqs), 500):
        for seq, question, option in session.execute(
            select(Answer.response_seq, Answer.question, Answer.option).where(
                Answer.response_seq.in_(seqs[lo : lo + 500]),
                Answer.question.in_((SATISFACTION, THEMES)),
            )
        ):
            chosen[seq].setdefault(question, []).append(option)
    treated = set(
        session.scalars(
            select(CommentReview.response_seq).where(
                CommentReview.team_id == team_id, CommentReview.response_seq.in_(seqs)
            )
        )
    )
    every = [
        TeamComment(
            seq,
            day.replace(day=1),
            place,
            text,
            next(iter(chosen[seq].get(SATISFACTION, [])), None),
            tuple(sorted(chosen[seq].get(THEMES, []))),
            seq in treated,
        )
        for seq, day, place, text in rows
    ]
    frame = pd.DataFrame({"group": [team_id] * len(every), "text": [c.text for c in every]})
    found = extract_keywords(frame, min_comments=k)
    keywords = [
        Keyword(word=str(w), stem=str(s), comments=int(n))
        for w, s, n in zip(found["word"], found["stem"], found["comments"], strict=True)
    ]
    kept = [
        c
        for c in every
        if (theme is None or theme in c.themes)
        and (satisfaction is None or c.satisfaction == satisfaction)
    ]
    kept.sort(key=lambda c: (c.treated, -c.month.toordinal(), -c.seq))
    return Comments(True, kept, len(every), keywords)


def set_treated(session: Session, team_id: int, seq: int, *, treated: bool, today: dt.date) -> bool:
    """Mark a comment "traité" (or open again); False when it is not a comment at one of the
    team's places (nothing changes then)."""
    served = select(TeamPlace.place_id).where(TeamPlace.team_id == team_id)
    exists = session.scalar(
        select(Comment.response_seq)
        .join(Response, Response.seq == Comment.response_seq)
        .where(Comment.response_seq == seq, Response.place_id.in_(served))
        .limit(1)
    )
    if exists is None:
        return False
    mark = (CommentReview.team_id == team_id, CommentReview.response_seq == seq)
    session.execute(delete(CommentReview).where(*mark))
    if treated:
        session.add(CommentReview(team_id=team_id, response_seq=seq, treated_on=today))
    session.flush()
    return True
