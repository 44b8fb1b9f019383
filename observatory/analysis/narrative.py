"""The generated text of a team's page ("Ce que disent vos usagers"): a pure function of the
indicators' changes that says only what the tests support.

Every period change the page shows is a test; with five indicators, one of them would seem to
move by chance one period in four at the 5 % level. The Benjamini–Hochberg procedure keeps the
expected share of false findings among the reported ones at `FDR_Q` over all the page's
comparisons (under no change at all, the chance of reporting any change is at most `FDR_Q`).
Sentences come in a fixed order: changes the procedure retains, then what is stable, then what
rests on too few answers; each names the page figures it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from observatory.analysis.indicators import MIN_TEST_N, Change
from observatory.analysis.wording import difference_text, number, value_text

FDR_Q = 0.05
SentenceKind = Literal["change", "stable", "few", "themes", "empty"]
Verdict = Literal["hausse", "baisse", "stable", "peu"]


def benjamini_hochberg(p_values: Sequence[float], q: float = FDR_Q) -> list[bool]:
    """Which hypotheses are rejected at false-discovery rate `q` (step-up procedure)."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"the false-discovery level is strictly between 0 and 1, not {q!r}")
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    largest = 0
    for rank, i in enumerate(order, start=1):
        if p_values[i] <= q * rank / m:
            largest = rank
    rejected = [False] * m
    for i in order[:largest]:
        rejected[i] = True
    return rejected


def verdicts(changes: Sequence[Change], q: float = FDR_Q) -> dict[str, Verdict]:
    """Each indicator's verdict, the same on the page as in the text: "hausse" or "baisse"
    when Benjamini–Hochberg retains its change among all the page's tests, "stable" when it
    does not, "peu" when there are too few answers to test."""
    tested = [c for c in changes if c.comparison is not None]
    rejected = benjamini_hochberg([c.comparison.p_value for c in tested if c.comparison], q)
    out: dict[str, Verdict] = {c.indicator.id: "peu" for c in changes}
    for item, retained in zip(tested, rejected, strict=True):
        assert item.comparison is not None
        if not retained:
            out[item.indicator.id] = "stable"
        else:
            out[item.indicator.id] = "hausse" if item.comparison.difference > 0 else "baisse"
    return out


@dataclass(frozen=True)
class Sentence:
    kind: SentenceKind
    text: str
    figures: tuple[str, ...]  # ids of the page elements the sentence comes from


def figure_id(indicator_id: str) -> str:
    return f"indicateur-{indicator_id}"


def _listed(subjects: Sequence[str]) -> str:
    if len(subjects) == 1:
        return subjects[0]
    return f"{', '.join(subjects[:-1])} et {subjects[-1]}"


def _change_sentence(item: Change, versus: str) -> Sentence:
    assert item.comparison is not None
    assert item.current.estimate is not None and item.previous.estimate is not None
    indicator = item.indicator
    went = "a augmenté" if item.comparison.difference > 0 else "a baissé"
    now = value_text(indicator.kind, item.current.estimate.value)
    before = value_text(indicator.kind, item.previous.estimate.value)
    text = (
        f"{indicator.subject[0].upper()}{indicator.subject[1:]} {went} : {now} contre {before} "
        f"pour {versus} ({difference_text(indicator.kind, item.comparison.difference)}"
        "). Cet écart est trop grand pour s'expliquer par le hasard."
    )
    return Sentence("change", text, (figure_id(indicator.id),))


def analyse(
    changes: Sequence[Change],
    *,
    answers: int | None,
    themes: Sequence[tuple[str, float]] = (),
    q: float = FDR_Q,
    versus: str = "la période précédente",
) -> list[Sentence]:
    """The page's text. `answers` is the period's number of answers as the page shows it (None:
    below the team's threshold); `themes` the most frequent reasons for coming, with their
    share, as the page shows them."""
    if answers is None:
        return [
            Sentence(
                "empty",
                "Pas encore assez de réponses sur cette période pour en dire quelque chose. "
                "Choisissez une période plus longue ou revenez dans quelques semaines.",
                ("reponses",),
            )
        ]
    verdict = verdicts(changes, q)
    found = [c for c in changes if verdict[c.indicator.id] in ("hausse", "baisse")]
    stable = [c for c in changes if verdict[c.indicator.id] == "stable"]
    few = [c for c in changes if verdict[c.indicator.id] == "peu"]
    tested = found + stable
    sentences = [_change_sentence(c, versus) for c in found]
    if not found and tested:
        sentences.append(
            Sentence(
                "stable",
                f"Aucun changement net par rapport à {versus} : les écarts que "
                "montrent les chiffres peuvent s'expliquer par le hasard.",
                tuple(figure_id(c.indicator.id) for c in tested),
            )
        )
    elif stable:
        sentences.append(
            Sentence(
                "stable",
                f"Pas de changement net pour {_listed([c.indicator.subject for c in stable])} : "
                f"les écarts avec {versus} peuvent s'expliquer par le hasard.",
                tuple(figure_id(c.indicator.id) for c in stable),
            )
        )
    if few:
        sentences.append(
            Sentence(
                "few",
                f"Trop peu de réponses pour dire si {_listed([c.indicator.subject for c in few])} "
                f"{'a' if len(few) == 1 else 'ont'} changé : il en faut au moins {MIN_TEST_N} "
                f"sur cette période et pour {versus}.",
                tuple(figure_id(c.indicator.id) for c in few),
            )
        )
    if themes:
        listed = _listed(
            [f"{label.lower()} ({number(100 * share)}\u202f%)" for label, share in themes]
        )
        sentences.append(
            Sentence("themes", f"Les personnes sont surtout venues pour : {listed}.", ("motifs",))
        )
    return sentences
