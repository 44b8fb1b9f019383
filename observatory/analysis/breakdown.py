"""What people came for, by channel, age band and language, from a team's own answers.

Counted straight from the answers of the team's places over the period, grouped in the database
(a few dozen rows come back), exact, as every figure a team sees of itself. A group (a
column) under `k_team` people shows no share and no count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from observatory.aggregation.models import UNKNOWN_VALUE
from observatory.analysis.memo import Memo
from observatory.clock import add_months
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.models import Answer, Response

THEMES = "motif"
AGE = "age"
CHANNELS = {
    "qr": "QR code ou lien",
    "kiosk": "Tablette sur place",
    "paper": "Formulaire papier",
    "assisted": "Réponse à l'oral",
    "later": "Plus tard, chez soi",
}
LANGUAGES = {"fr": "Français", "en": "Anglais", "ar": "Arabe", "es": "Espagnol",
             "pt": "Portugais", "uk": "Ukrainien"}  # fmt: skip
NOT_SAID = "Non renseigné"


@dataclass(frozen=True)
class Column:
    label: str
    people: int | None  # who gave a reason in this group; None: under k_team, held back


@dataclass(frozen=True)
class GroupTable:
    title: str  # "Selon le canal"
    columns: list[Column]
    rows: list[tuple[str, list[float | None]]]  # reason → share in each column


Counted = tuple[dict[str, int], dict[tuple[str, str], int]]  # people, answers per reason
# Counting a busy team's year reads every answer of it (28,694 people for 30 places at 10 M
# answers: 0.6 s): the counts are kept until the next fold, at most ten minutes.
_COUNTS: Memo[dict[str, Counted]] = Memo(seconds=600.0)


def _counts(
    session: Session, place_ids: Sequence[int], months: Sequence[dt.date]
) -> dict[str, Counted]:
    """People who gave a reason, and answers per reason, in each group of channel, age band
    and language: grouped in the database by all three at once (two queries, a few hundred rows
    back), then added up per dimension here, since each person is in exactly one combination."""
    start, end = months[0], add_months(months[-1], 1)
    reason, age = aliased(Answer), aliased(Answer)
    band: Any = func.coalesce(age.option, UNKNOWN_VALUE)
    keys = (Response.channel, band, Response.language)
    base = (
        select()
        .select_from(Response)
        .join(reason, (reason.response_seq == Response.seq) & (reason.question == THEMES))
        .outerjoin(age, (age.response_seq == Response.seq) & (age.question == AGE))
        .where(
            Response.place_id.in_(list(place_ids)),
            Response.flags == 0,
            Response.day >= start,
            Response.day < end,
        )
    )
    people_rows = session.execute(
        base.add_columns(*keys, func.count(func.distinct(Response.seq))).group_by(*keys)
    ).all()
    answer_rows = session.execute(
        base.add_columns(*keys, reason.option, func.count()).group_by(*keys, reason.option)
    ).all()
    out: dict[str, Counted] = {}
    for position, name in enumerate(("channel", AGE, "language")):
        people: dict[str, int] = {}
        answers: dict[tuple[str, str], int] = {}
        for *group, n in people_rows:
            people[str(group[position])] = people.get(str(group[position]), 0) + int(n)
        for *group, option, n in answer_rows:
            key = (str(group[position]), str(option))
            answers[key] = answers.get(key, 0) + int(n)
        out[name] = (people, answers)
    return out


def _table(
    counted: Counted, title: str, *,
    labels: dict[str, str], themes: dict[str, str], k: int,
) -> GroupTable | None:  # fmt: skip
    people, answers = counted
    order = [v for v in labels if v in people] + sorted(set(people) - set(labels))
    if len(order) < 2:
        return None  # one group only: the page's own table already says it all
    columns = [
        Column(labels.get(v, NOT_SAID if v == UNKNOWN_VALUE else v),
               people[v] if people[v] >= k else None)
        for v in order
    ]  # fmt: skip
    rows = []
    for code, label in themes.items():
        shares: list[float | None] = [
            answers.get((v, code), 0) / people[v] if col.people is not None else None
            for v, col in zip(order, columns, strict=True)
        ]
        rows.append((label, shares))
    return GroupTable(title, columns, rows)


def reasons_by_group(
    session: Session,
    place_ids: Sequence[int],
    months: Sequence[dt.date],
    questionnaire: Questionnaire,
    k: int,
) -> list[GroupTable]:
    """The reasons for coming by channel, age band and language (tables with two groups or
    more only)."""
    question = questionnaire.question(THEMES)
    if question is None or not place_ids:
        return []
    themes = {o.code: o.label for o in question.options}
    age = questionnaire.question(AGE)
    ages = {o.code: o.label for o in age.options} if age else {}
    key = (tuple(sorted(place_ids)), tuple(months))
    counted = _COUNTS.get(session, key, lambda: _counts(session, place_ids, months))
    tables = [
        _table(counted["channel"], "Selon la façon de répondre", labels=CHANNELS,
               themes=themes, k=k),
        _table(counted[AGE], "Selon l'âge", labels=ages, themes=themes, k=k),
        _table(counted["language"], "Selon la langue du questionnaire", labels=LANGUAGES,
               themes=themes, k=k),
    ]  # fmt: skip
    return [t for t in tables if t is not None]
