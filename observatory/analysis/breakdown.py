"""What people came for, by channel, age band and language, from a team's own answers.

Read straight from the answers of the team's places over the period (a team has a few thousand
answers a year at most): two narrow queries and a cross-tabulation, exact, as every figure a
team sees of itself. A group (a column) under `k_team` people shows no share and no count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import UNKNOWN_VALUE
from observatory.analysis.periods import shift
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


def _frame(session: Session, place_ids: Sequence[int], months: Sequence[dt.date]) -> pd.DataFrame:
    start, end = months[0], shift(months[-1], 1)
    chosen = (
        Response.place_id.in_(list(place_ids)),
        Response.flags == 0,
        Response.day >= start,
        Response.day < end,
    )
    responses = pd.DataFrame(
        session.execute(
            select(Response.seq, Response.channel, Response.language).where(*chosen)
        ).all(),
        columns=["seq", "channel", "language"],
    )
    seqs = select(Response.seq).where(*chosen)
    answers = pd.DataFrame(
        session.execute(
            select(Answer.response_seq, Answer.question, Answer.option).where(
                Answer.question.in_((THEMES, AGE)), Answer.response_seq.in_(seqs)
            )
        ).all(),
        columns=["seq", "question", "option"],
    )
    ages = answers[answers["question"] == AGE].drop_duplicates("seq").set_index("seq")["option"]
    said = responses["seq"].map(ages).astype(object)
    responses["age"] = said.where(said.notna(), UNKNOWN_VALUE)
    reasons = answers[answers["question"] == THEMES][["seq", "option"]]
    return reasons.merge(responses, on="seq", how="inner")


def _table(
    reasons: pd.DataFrame, by: str, title: str, *, labels: dict[str, str],
    themes: dict[str, str], k: int,
) -> GroupTable | None:  # fmt: skip
    people = reasons.drop_duplicates("seq").groupby(by)["seq"].count()
    counts = reasons.groupby([by, "option"])["seq"].nunique()
    order = [v for v in labels if v in people.index] + sorted(set(people.index) - set(labels))
    if len(order) < 2:
        return None  # one group only: the page's own table already says it all
    columns = [
        Column(labels.get(v, NOT_SAID if v == UNKNOWN_VALUE else v),
               int(people[v]) if people[v] >= k else None)
        for v in order
    ]  # fmt: skip
    rows = []
    for code, label in themes.items():
        shares: list[float | None] = [
            float(counts.get((v, code), 0)) / int(people[v]) if col.people is not None else None
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
    reasons = _frame(session, place_ids, months)
    if reasons.empty:
        return []
    tables = [
        _table(
            reasons, "channel", "Selon la façon de répondre", labels=CHANNELS, themes=themes, k=k
        ),
        _table(reasons, "age", "Selon l'âge", labels=ages, themes=themes, k=k),
        _table(
            reasons,
            "language",
            "Selon la langue du questionnaire",
            labels=LANGUAGES,
            themes=themes,
            k=k,
        ),
    ]
    return [t for t in tables if t is not None]
