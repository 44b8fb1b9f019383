"""The perturbation table and the published figures (cell key method, issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from observatory.config import Settings
from observatory.disclosure import figures
from observatory.disclosure.gate import Audience
from observatory.disclosure.perturbation import (
    MAX_NOISE,
    VARIANCE,
    PerturbationTable,
    perturbation_table,
)
from observatory.responses.models import KEY_MODULUS

TABLE = perturbation_table()
SETTINGS = Settings(secret_key="x" * 40)
PUBLIC = figures.Rules.for_audience(Audience.PUBLIC, SETTINGS)
TEAM = figures.Rules.for_audience(Audience.TEAM, SETTINGS)
counts_ = st.integers(min_value=0, max_value=10**7)
keys = st.integers(min_value=0, max_value=KEY_MODULUS - 1)


def test_every_row_is_unbiased_with_the_same_variance_and_bounded() -> None:
    for count, row in TABLE.rows.items():
        assert row.mean() == pytest.approx(0.0, abs=1e-9), count
        assert row.variance() == pytest.approx(VARIANCE, abs=1e-9), count
        assert min(row.values) >= -min(count, MAX_NOISE) and max(row.values) <= MAX_NOISE
        assert row.cumulative[-1] == 1.0


@given(counts_, keys)
def test_a_perturbed_count_is_bounded_never_negative_and_repeatable(n: int, key: int) -> None:
    shown = TABLE.perturb(n, key)
    assert shown >= 0 and abs(shown - n) <= MAX_NOISE
    assert shown == TABLE.perturb(n, key) == TABLE.perturb(n, key + KEY_MODULUS)
    if n == 0:
        assert shown == 0  # an empty cell stays empty


@given(st.lists(st.tuples(counts_, keys), min_size=1, max_size=50))
def test_a_whole_table_perturbs_as_each_cell_does(cells: list[tuple[int, int]]) -> None:
    n, k = zip(*cells, strict=True)
    assert TABLE.perturb_many(n, k).tolist() == [TABLE.perturb(a, b) for a, b in cells]


def test_cell_keys_spread_over_the_row_give_its_distribution() -> None:
    """Uniform cell keys draw each noise with the row's probability (the table is honest)."""
    positions = (np.arange(100_000) * (KEY_MODULUS // 100_000)).astype(np.int64)
    noise = TABLE.perturb_many(np.full(positions.size, 50), positions) - 50
    assert abs(noise.mean()) < 0.01 and abs(noise.var() - VARIANCE) < 0.02


def test_the_table_refuses_impossible_parameters() -> None:
    with pytest.raises(ValueError):
        PerturbationTable(max_noise=1, variance=4.0)


def test_the_team_sees_its_own_counts_exactly_from_k_team() -> None:
    assert figures.count(5, 123, TEAM) == 5
    assert figures.count(4, 123, TEAM) is None
    frame = pd.DataFrame({"n": [3, 5, 200], "key_sum": [1, 2, 3]})
    assert figures.counts(frame, TEAM).tolist() == [pd.NA, 5, 200]


@given(counts_, keys)
def test_nobody_else_sees_a_count_under_k_or_an_unperturbed_one(n: int, key: int) -> None:
    shown = figures.count(n, key, PUBLIC)
    assert shown is None or (shown >= SETTINGS.k_public and shown == TABLE.perturb(n, key))


def test_unanimous_small_groups_are_held_back() -> None:
    """11 out of 11, or a score from 11 identical answers, tells everyone's answer."""
    unanimous = {"pas_bien_du_tout": (11, 77), "bien": (0, 0), "tres_bien": (0, 0)}
    assert figures.distribution(unanimous, PUBLIC) is None
    assert figures.share((11, 77), (11, 77), PUBLIC) is None
    assert figures.distribution(unanimous, TEAM) is not None  # the team's own answers
    varied = {"pas_bien_du_tout": (6, 5), "bien": (5, 9), "tres_bien": (4, 13)}
    shown = figures.distribution(varied, PUBLIC)
    assert shown is None or sum(shown.values()) >= SETTINGS.k_public
    large = {"tres_bien": (300, 5), "bien": (0, 0)}
    assert figures.distribution(large, PUBLIC) == {"tres_bien": TABLE.perturb(300, 5), "bien": 0}


@given(st.integers(0, 200), st.integers(0, 200), keys, keys)
def test_a_published_share_is_perturbed_bounded_and_never_unanimous_when_small(
    x: int, rest: int, x_key: int, n_key: int
) -> None:
    n = x + rest
    shown = figures.share((x, x_key), (n, n_key), PUBLIC)
    if shown is None:
        return
    part, whole = shown
    assert whole >= SETTINGS.k_public and 0 <= part <= whole
    assert abs(whole - n) <= MAX_NOISE and abs(part - x) <= MAX_NOISE
    if whole < figures.DOMINANCE_N:
        assert min(part, whole - part) >= figures.DOMINANCE_MIN


def test_the_table_can_be_published_from_the_command_line() -> None:
    from click.testing import CliRunner

    from observatory.cli import main

    printed = CliRunner().invoke(main, ["disclosure", "ptable"])
    assert printed.exit_code == 0
    lines = printed.output.splitlines()
    assert lines[0] == "count,noise,probability"
    rows = [line.split(",") for line in lines[1:]]
    for count in {r[0] for r in rows}:
        assert sum(float(r[2]) for r in rows if r[0] == count) == pytest.approx(1.0, abs=1e-5)
    assert {r[0] for r in rows} == {"1", "2", "3", "4", f"{MAX_NOISE + 1}+"}


def test_a_single_places_score_reaches_each_audience_by_its_own_rule() -> None:
    """The public sees one place's score from 100 answers (perturbed); coordinators and the
    ministry from 11 (perturbed); its own team from 5, exactly."""
    place_score = figures.Rules.for_audience(Audience.PLACE_SCORE, SETTINGS)
    answers = {"tres_bien": (60, 1), "bien": (25, 2), "pas_bien": (10, 3)}  # 95 answers
    assert figures.distribution(answers, place_score) is None
    shown = figures.distribution(answers, PUBLIC)
    assert shown == {k: TABLE.perturb(c, key) for k, (c, key) in answers.items()}
    assert figures.distribution(answers, TEAM) == {k: c for k, (c, _) in answers.items()}
    more = {**answers, "pas_tres_bien": (30, 4)}  # 125 answers (these keys draw -4 each)
    published = figures.distribution(more, place_score)
    assert published is not None and sum(published.values()) >= SETTINGS.n_place_score


@given(
    st.dictionaries(
        st.sampled_from(["tres_bien", "bien", "pas_bien", "ne_sait_pas"]),
        st.tuples(st.integers(0, 60), st.integers(0, KEY_MODULUS - 1)),
    ),
    st.sets(st.sampled_from(["tres_bien", "bien", "pas_bien", "ne_sait_pas"])),
)
def test_a_distribution_among_some_options_is_that_of_those_options_alone(
    options: dict[str, tuple[int, int]], among: set[str]
) -> None:
    """A score's levels leave "ne sait pas" out: the threshold and the dominance rule then
    apply to the levels' total, as if the other options were never asked."""
    kept = {code: value for code, value in options.items() if code in among}
    for rules in (PUBLIC, TEAM):
        assert figures.distribution(options, rules, among=among) == figures.distribution(
            kept, rules
        )
