"""The digest's words: a pure function from what is new (counts, the page's retained changes) to
a subject, a plain-text and an HTML body, in French.

What it may say is decided here and only here (docs/decisions/0022): a count of new answers or
comments only from `k_team` (the team's own threshold; below it, "quelques nouvelles réponses"),
never a comment's text (a comment in a weekly e-mail is dated to its week, and the team space
dates comments to the month), and a change only when the team page itself states it.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from observatory.analysis.wording import number

WIDTH = 72  # plain-text lines, as mail clients expect
SITE = "Observatoire de la médiation numérique"
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")  # fmt: skip

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class DigestFacts:
    """Everything one digest says, already decided by the service."""

    team: str
    answers: int  # new answers counted (exact; shown only from k_team)
    comments: int  # their comments (rows; shown only from k_team)
    since: dt.date | None  # the day of the previous digest; None for the first
    changes: tuple[str, ...]  # the team page's sentences for its retained changes
    period: str  # the page's label of the period those changes are about
    space_url: str
    unsubscribe_url: str
    k_team: int


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Words:
    news: str
    comments: str | None
    changes_intro: str | None


def day_text(day: dt.date) -> str:
    """ "lundi 5 janvier 2026"."""
    return f"{DAYS_FR[day.weekday()]} {day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def one_line(text: str) -> str:
    """Whitespace (line breaks included) folded to single spaces: a team name in a header."""
    return " ".join(text.split())


def answers_text(n: int, k: int) -> str:
    """ "12 nouvelles réponses", or "quelques nouvelles réponses" below `k` (never the count)."""
    if n < k:
        return "quelques nouvelles réponses"
    return f"{number(n)} nouvelle{'s' * (n > 1)} réponse{'s' * (n > 1)}"


def comments_text(facts: DigestFacts) -> str | None:
    """The comments' sentence; a count only when both counts reach `k_team` (a comment count
    beside a hidden answer count would bound it). Nothing when there is no new comment."""
    n = facts.comments
    if n == 0:
        return None
    if facts.answers >= facts.k_team and n >= facts.k_team:
        if n == 1:
            return "1 nouveau commentaire vous attend dans votre espace."
        return f"{number(n)} nouveaux commentaires vous attendent dans votre espace."
    return "De nouveaux commentaires vous attendent dans votre espace."


def _words(facts: DigestFacts) -> _Words:
    team = f"votre équipe «\u00a0{one_line(facts.team)}\u00a0»"  # kept on one line
    got = answers_text(facts.answers, facts.k_team)
    if facts.since is None:
        news = f"{team[0].upper()}{team[1:]} a reçu {got}."
    else:
        news = f"Depuis notre message du {day_text(facts.since)}, {team} a reçu {got}."
    intro = None
    if facts.changes:
        intro = f"Sur {facts.period}, par rapport à la période d'avant :"
    return _Words(news, comments_text(facts), intro)


def subject(facts: DigestFacts) -> str:
    got = answers_text(facts.answers, facts.k_team)
    return f"{one_line(facts.team)} : {got} – {SITE}"


def _wrapped(paragraph: str, indent: str = "") -> str:
    return textwrap.fill(
        paragraph,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=" " * len(indent),
        break_long_words=False,
        break_on_hyphens=False,
    )


def plain_text(facts: DigestFacts) -> str:
    words = _words(facts)
    blocks = ["Bonjour,", _wrapped(words.news)]
    if words.comments:
        blocks.append(_wrapped(f"{words.comments} Nous ne les recopions jamais dans ce message."))
    if words.changes_intro:
        changes = "\n".join(_wrapped(sentence, "- ") for sentence in facts.changes)
        blocks.append(f"Ce qui a changé\n\n{_wrapped(words.changes_intro)}\n{changes}")
    blocks.append(f"Vos résultats et vos commentaires (connexion nécessaire) :\n{facts.space_url}")
    blocks.append(
        _wrapped(
            "Vous recevez ce message au plus une fois par semaine, quand votre équipe a de "
            "nouvelles réponses, parce que votre adresse figure dans la liste de l'équipe. "
            "Pour ne plus le recevoir :"
        )
        + f"\n{facts.unsubscribe_url}"
    )
    return "\n\n".join(blocks) + f"\n\n-- \n{SITE}\n"


def html_text(facts: DigestFacts) -> str:
    words = _words(facts)
    return _templates.get_template("digest/mail.html").render(
        facts=facts, words=words, title=subject(facts), site=SITE
    )


def compose(facts: DigestFacts) -> Mail:
    """The subject and both bodies of one digest (the same sentences in each)."""
    return Mail(subject(facts), plain_text(facts), html_text(facts))
