"""The automatic analysis says only what the tests support: planted changes are reported, and
over many datasets without any change, reports stay as rare as the false-discovery level."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from observatory.analysis.indicators import INDICATORS, MIN_TEST_N, Change, change, measure, scales
from observatory.analysis.narrative import FDR_Q, analyse, benjamini_hochberg, figure_id
from observatory.analysis.wording import value_text
from observatory.questionnaires.definitions import builtin

SCALES = scales(builtin())
K_TEAM = 5


def answers(rng: np.random.Generator, n: int, shift: float = 0.0) -> dict[str, dict[str, int]]:
    """Option counts of `n` respondents for each indicator's question. One latent opinion per
    person drives all five answers (they are correlated, as real answers are); `shift` moves
    everyone's opinion."""
    opinion = rng.normal(shift, 1.0, n)
    out = {}
    for indicator in INDICATORS:
        scale = SCALES[indicator.id]
        noisy = opinion + rng.normal(0.0, 0.7, n)
        cuts = np.linspace(-1.2, 0.6, scale.max_level)  # mostly good answers, as in the field
        level = np.searchsorted(cuts, noisy)
        by_code = {code: int((level == lvl).sum()) for code, lvl in scale.levels.items()}
        out[indicator.question] = by_code
    return out


def changes_between(
    before: dict[str, dict[str, int]], now: dict[str, dict[str, int]]
) -> list[Change]:
    out = []
    for indicator in INDICATORS:
        scale = SCALES[indicator.id]
        current = measure(indicator, now[indicator.question], scale, K_TEAM)
        previous = measure(indicator, before[indicator.question], scale, K_TEAM)
        out.append(change(current, previous, scale))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=30),
       st.sampled_from([0.01, 0.05, 0.1, 0.2]))  # fmt: skip
def test_benjamini_hochberg_is_the_reference_procedure(p_values: list[float], q: float) -> None:
    expected, *_ = multipletests(p_values, alpha=q, method="fdr_bh")
    assert benjamini_hochberg(p_values, q) == [bool(x) for x in expected]


def test_the_false_discovery_level_is_checked() -> None:
    for q in (0.0, 1.0, -0.1, math.nan):
        with pytest.raises(ValueError, match="false-discovery"):
            benjamini_hochberg([0.5], q)


def test_a_planted_change_is_reported_and_nothing_else() -> None:
    rng = np.random.default_rng(4)
    before, now = answers(rng, 300), answers(rng, 300, shift=-0.6)
    sentences = analyse(changes_between(before, now), answers=300)
    reported = [s for s in sentences if s.kind == "change"]
    assert reported, sentences
    assert all("a baissé" in s.text for s in reported)
    assert sentences[0].kind == "change"  # changes come first


def test_over_null_datasets_a_change_is_reported_no_more_often_than_the_level() -> None:
    """Under no change at all, Benjamini–Hochberg reports any change with probability at most q.
    Over N seeded datasets (sizes from a small team's to a large one's), the share of datasets
    with any reported change stays within q + 3 standard errors."""
    runs = 1000
    reported = 0
    rng = np.random.default_rng(2026)
    for _ in range(runs):
        n_before, n_now = (int(x) for x in rng.integers(MIN_TEST_N, 400, size=2))
        sentences = analyse(
            changes_between(answers(rng, n_before), answers(rng, n_now)), answers=n_now
        )
        reported += any(s.kind == "change" for s in sentences)
    bound = FDR_Q + 3 * math.sqrt(FDR_Q * (1 - FDR_Q) / runs)
    assert reported / runs <= bound, f"{reported} of {runs} null datasets reported a change"


def test_too_few_answers_are_said_and_never_tested() -> None:
    rng = np.random.default_rng(1)
    few = changes_between(answers(rng, MIN_TEST_N - 1), answers(rng, 200, shift=-3.0))
    assert all(c.comparison is None for c in few)
    sentences = analyse(few, answers=200)
    assert [s.kind for s in sentences] == ["few"]
    assert str(MIN_TEST_N) in sentences[0].text


def test_an_empty_period_says_so() -> None:
    sentences = analyse([], answers=None)
    assert [s.kind for s in sentences] == ["empty"]


def test_a_sentence_quotes_the_figures_as_the_page_writes_them() -> None:
    rng = np.random.default_rng(4)
    items = changes_between(answers(rng, 300), answers(rng, 300, shift=-0.6))
    by_figure = {figure_id(c.indicator.id): c for c in items}
    for sentence in analyse(items, answers=300):
        if sentence.kind != "change":
            continue
        (figure,) = sentence.figures
        item = by_figure[figure]
        assert item.current.estimate is not None
        assert value_text(item.indicator.kind, item.current.estimate.value) in sentence.text


def test_themes_are_one_sentence() -> None:
    sentences = analyse([], answers=40, themes=[("Aide aux démarches", 0.5), ("Loisirs", 0.25)])
    assert sentences[-1].kind == "themes"
    assert "aide aux démarches (50\u202f%) et loisirs (25\u202f%)" in sentences[-1].text
