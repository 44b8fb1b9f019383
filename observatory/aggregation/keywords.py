"""Keywords of the open comments: the words that come back most often in a team's comments.

A team cannot read hundreds of comments every month; the handful of words that many people
wrote ("attente", "horaires", "imprimante") tells it where to look. Words are grouped by their
French Snowball stem, so "horaire" and "horaires" count together, and counted once per comment,
so one person repeating a word cannot make it a trend.

The extraction is pure (`extract_keywords`, a frame in, a frame out) so that it is tested
without a database and can serve any grouping (team and month, place and quarter);
`team_keywords` is the thin reader a team's page calls.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

import pandas as pd
import snowballstemmer
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.responses.models import Comment, Response
from observatory.responses.scrub import PLACEHOLDERS

QUESTION: Final = "amelioration"
"""The open question whose comments are summarised ("Qu'est-ce qui pourrait être amélioré ?")."""

MIN_LETTERS: Final = 3
COLUMNS: Final = ["group", "stem", "word", "comments"]

# A word: letters (any script, accents included) and hyphenated compounds ("rendez-vous",
# "wi-fi") kept whole. Apostrophes are not word characters, so "l'accueil" gives "l" and
# "accueil" and the elided article is then too short to count.
_TOKEN: Final = r"[^\W_]+(?:-[^\W_]+)*"
_DIGIT: Final = r"\d"
# The scrubber's placeholders ("[nom]", "[téléphone]"…) are removed as a whole before
# tokenising: counting "nom" or "téléphone" for them would turn redacted personal data into
# a keyword, while a person who really wrote "téléphone" must still be counted.
_PLACEHOLDER: Final = "|".join(re.escape(p) for p in sorted(set(PLACEHOLDERS.values())))
# U+02BC (modifier letter apostrophe) is a letter for the regex engine; some keyboards type it
# for the French apostrophe, which would glue "l'accueil" into one word.
_LETTER_APOSTROPHE: Final = "\u02bc"


@dataclass(frozen=True)
class Keyword:
    """One keyword of a team's comments: its most used spelling, its stem, how many comments."""

    word: str
    stem: str
    comments: int


@cache
def stop_words() -> frozenset[str]:
    """The packaged French stop words (see the file's header for what is listed and why)."""
    text = (
        resources.files("observatory.aggregation")
        .joinpath("data", "stopwords_fr.txt")
        .read_text("utf-8")
    )
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(unicodedata.normalize("NFC", w).lower() for w in words if w)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": pd.Series(dtype=object),
            "stem": pd.Series(dtype=str),
            "word": pd.Series(dtype=str),
            "comments": pd.Series(dtype="int64"),
        }
    )


def _words(texts: pd.Series) -> pd.Series:
    """Comment texts as lists of countable words (lower case, no stop word, no placeholder).

    NFC first: a text typed with combining accents would otherwise split "é" off its word.
    """
    cleaned = (
        texts.fillna("")
        .astype(str)
        .str.normalize("NFC")
        .str.lower()
        .str.replace(_LETTER_APOSTROPHE, "'", regex=False)
        .str.replace(_PLACEHOLDER, " ", regex=True)
    )
    return cleaned.str.findall(_TOKEN)


def extract_keywords(comments: pd.DataFrame, min_comments: int, top: int = 15) -> pd.DataFrame:
    """The `top` most shared words of each group, each in at least `min_comments` comments.

    `comments` has columns `group` (any hashable, mutually orderable key, such as a team id
    or a (team, month) tuple) and `text`. The result has one row per kept stem: `group`,
    `stem` (French Snowball), `word` (the spelling of that stem used by the most comments of
    the group, ties broken alphabetically) and `comments` (the number of distinct comments of
    the group containing the stem), sorted by group, comments descending, then word.

    `min_comments` is the disclosure threshold: a word shared by fewer comments could point at
    one identifiable person, so it is never returned, and a group with fewer comments in total
    returns nothing at all. Counting distinct comments rather than occurrences means nobody
    can push a word above the threshold alone by repeating it.
    """
    if min_comments < 1:
        raise ValueError("min_comments must be at least 1")
    if top < 0:
        raise ValueError("top must not be negative")
    frame = comments[["group", "text"]].reset_index(drop=True)
    if frame.empty or top == 0:
        return _empty()
    # Integer codes in sorted group order: every later groupby and sort stays on plain
    # integers, whatever the keys are (tuples would otherwise turn into a MultiIndex).
    codes, groups = pd.factorize(frame["group"].to_numpy(dtype=object), sort=True)
    frame["code"] = codes
    frame = frame[frame.groupby("code")["code"].transform("size") >= min_comments]

    tokens = (
        pd.DataFrame({"code": frame["code"], "comment": frame.index, "word": _words(frame["text"])})
        .explode("word")
        .dropna(subset=["word"])
    )
    word = tokens["word"].astype(str)
    keep = (
        (word.str.len() >= MIN_LETTERS)
        & ~word.str.contains(_DIGIT, regex=True)
        & ~word.isin(stop_words())
    )
    tokens = tokens.loc[keep, ["code", "comment"]].assign(word=word[keep])
    tokens = tokens.drop_duplicates(["comment", "word"])
    if tokens.empty:
        return _empty()

    # Stemming is the costly step, and a month of comments repeats the same few hundred
    # words: stem each distinct word once. One stemmer per call, as a stemmer is not
    # thread-safe and dashboards serve requests from several threads.
    distinct = tokens["word"].unique().tolist()
    stemmer = snowballstemmer.stemmer("french")
    stems: dict[str, str] = dict(zip(distinct, stemmer.stemWords(distinct), strict=True))
    tokens["stem"] = tokens["word"].map(stems)

    counts = (
        tokens.drop_duplicates(["comment", "stem"])
        .groupby(["code", "stem"], as_index=False)
        .size()
        .rename(columns={"size": "comments"})
    )
    counts = counts[counts["comments"] >= min_comments]
    spellings = (
        tokens.groupby(["code", "stem", "word"], as_index=False)
        .size()
        .sort_values(["code", "stem", "size", "word"], ascending=[True, True, False, True])
        .drop_duplicates(["code", "stem"])
    )
    found = counts.merge(spellings[["code", "stem", "word"]], on=["code", "stem"])
    if found.empty:
        return _empty()
    found = (
        found.sort_values(["code", "comments", "word"], ascending=[True, False, True])
        .groupby("code")
        .head(top)
    )
    return pd.DataFrame(
        {
            "group": pd.Series(groups[found["code"].to_numpy()], dtype=object),
            "stem": found["stem"].astype(str).to_numpy(),
            "word": found["word"].astype(str).to_numpy(),
            "comments": found["comments"].astype("int64").to_numpy(),
        },
        columns=COLUMNS,
    )


def team_keywords(
    session: Session, team_id: int, start: dt.date, end: dt.date, *, k: int, top: int = 15
) -> list[Keyword]:
    """The keywords of a team's open comments over the days start <= day < end.

    The caller passes `k`, the team's disclosure threshold (`settings.k_team`, 5 by default),
    and this is how a keyword is "shown only above k": no keyword appears unless at least `k`
    distinct comments contain it, and there are no keywords at all when the team has fewer
    than `k` comments in the period. Flagged responses (a burst under review) are left out,
    as they are from every statistic. The period is half-open so that consecutive months
    never share a day.
    """
    texts = session.scalars(
        select(Comment.text)
        .join(Response, Response.seq == Comment.response_seq)
        .where(
            Comment.question == QUESTION,
            Response.team_id == team_id,
            Response.flags == 0,
            Response.day >= start,
            Response.day < end,
        )
        .order_by(Comment.response_seq)
    ).all()
    frame = pd.DataFrame({"group": [team_id] * len(texts), "text": list(texts)})
    found = extract_keywords(frame, min_comments=k, top=top)
    return [
        Keyword(word=str(word), stem=str(stem), comments=int(n))
        for word, stem, n in zip(found["word"], found["stem"], found["comments"], strict=True)
    ]
