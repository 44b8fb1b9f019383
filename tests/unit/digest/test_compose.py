"""What a digest may say, decided by one pure function: counts only from k_team, never a
comment, the page's own change sentences, French, escaped HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from observatory.digest.compose import DigestFacts, compose
from tests.unit.digest.conftest import flat

CHANGE = (
    "La satisfaction a baissé : 4,2 sur 10 contre 8,1 sur 10 sur la période précédente "
    "(\u22123,9 points). Cet écart est trop grand pour s'expliquer par le hasard."
)
FACTS = DigestFacts(
    team="EPN de Reims",
    answers=12,
    comments=7,
    since=dt.date(2026, 1, 5),
    changes=(CHANGE,),
    period="les 3 derniers mois (nov. 2025 à janv. 2026)",
    space_url="https://observatoire.example/equipe/",
    unsubscribe_url="https://observatoire.example/equipe/desabonnement/TOKEN",
    k_team=5,
)


def visible(html: str) -> str:
    return flat(re.sub(r"<[^>]+>", " ", html))


def test_a_digest_says_what_is_new_in_french_in_both_parts() -> None:
    mail = compose(FACTS)
    assert (
        mail.subject
        == "EPN de Reims : 12 nouvelles réponses – Observatoire de la médiation numérique"
    )
    for text in (flat(mail.text), visible(mail.html)):
        assert "Bonjour" in text
        assert "Depuis notre message du lundi 5 janvier 2026" in text
        assert "votre équipe « EPN de Reims » a reçu 12 nouvelles réponses" in text
        assert "7 nouveaux commentaires vous attendent" in text
        assert "Ce qui a changé" in text and "Sur les 3 derniers mois" in text
        assert "La satisfaction a baissé : 4,2 sur 10 contre 8,1 sur 10" in text
    assert '<html lang="fr">' in mail.html and "<h1" in mail.html and "<h2" in mail.html
    assert 'href="https://observatoire.example/equipe/"' in mail.html
    assert 'href="https://observatoire.example/equipe/desabonnement/TOKEN"' in mail.html
    assert "https://observatoire.example/equipe/\n" in mail.text  # a URL on its own line
    assert "https://observatoire.example/equipe/desabonnement/TOKEN\n" in mail.text
    assert all(len(line) <= 72 or "://" in line for line in mail.text.splitlines())


def test_no_change_no_section_and_the_first_digest_has_no_since() -> None:
    mail = compose(dataclasses.replace(FACTS, changes=(), since=None, comments=0))
    for text in (flat(mail.text), visible(mail.html)):
        assert "Ce qui a changé" not in text and "Sur les 3 derniers mois" not in text
        assert "Depuis notre message" not in text
        assert "Votre équipe « EPN de Reims » a reçu 12 nouvelles réponses." in text
        assert "commentaire" not in text.replace("les commentaires de votre équipe", "").replace(
            "vos commentaires", ""
        )


@given(
    answers=st.integers(1, 4),
    comments=st.integers(0, 30),
    k=st.integers(5, 11),
)
def test_a_count_below_k_team_is_never_printed(answers: int, comments: int, k: int) -> None:
    facts = dataclasses.replace(
        FACTS,
        answers=answers,
        comments=comments,
        k_team=k,
        since=None,
        changes=(),
        space_url="https://observatoire.example/equipe/",
        unsubscribe_url="https://observatoire.example/equipe/desabonnement/abc",
    )
    mail = compose(facts)
    for text in (mail.subject, mail.text, visible(mail.html)):
        assert "quelques nouvelles réponses" in text
        assert not re.search(r"\d", text), text  # no figure at all: no date, no change
        if comments:
            assert "De nouveaux commentaires vous attendent" in flat(text) or text == mail.subject


def test_comments_are_counted_only_when_both_counts_reach_k_team() -> None:
    few = compose(dataclasses.replace(FACTS, answers=40, comments=4))
    assert "De nouveaux commentaires" in flat(few.text) and "4 nouveaux" not in flat(few.text)
    one = compose(dataclasses.replace(FACTS, answers=5, comments=1, k_team=1))
    assert "1 nouveau commentaire vous attend " in flat(one.text)
    assert "5 nouvelles réponses" in flat(one.text)
    single = compose(dataclasses.replace(FACTS, answers=1, comments=0, k_team=1))
    assert "1 nouvelle réponse." in flat(single.text)
    many = compose(dataclasses.replace(FACTS, answers=12_345, comments=0))
    assert "12\u202f345 nouvelles réponses" in many.text.replace("\n", " ")


def test_what_a_team_wrote_is_escaped_and_folded() -> None:
    mail = compose(dataclasses.replace(FACTS, team="<b>Équipe</b>\nBcc: x@evil.example"))
    assert "<b>Équipe</b>" not in mail.html and "&lt;b&gt;Équipe&lt;/b&gt;" in mail.html
    assert "\n" not in mail.subject and "Bcc: x@evil.example" in mail.subject
