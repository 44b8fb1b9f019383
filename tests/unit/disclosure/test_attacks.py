"""An attacker's view of what the gate publishes (issue 11's audit, replayed against the cell
key method): subtraction along the hierarchy and the periods, linear programming over every
published relation, cells the attacker's team knows, padding with added answers.

The attacker knows the perturbation table (it may be public: noise within ±MAX_NOISE, zeros
stay zeros), every additive relation, and the published figures; never the record keys. For
each hidden cell, linear programming finds the smallest and largest true count compatible with
all of that: the range must never close on the true value, and must span at least the
protection level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from observatory.config import Settings
from observatory.disclosure import figures
from observatory.disclosure.gate import Audience
from observatory.disclosure.perturbation import MAX_NOISE
from observatory.responses.models import KEY_MODULUS

SETTINGS = Settings(secret_key="x" * 40)
PUBLIC = figures.Rules.for_audience(Audience.PUBLIC, SETTINGS)
# A hidden count is never narrowed to fewer than four possible values (e.g. 0 to 3): the
# protection level of docs/decisions/0018.
PROTECTION = 3


@dataclass
class Table:
    """Cells as lists of records (each record a key); relations as (total, parts) indices."""

    records: list[list[int]]
    relations: list[tuple[int, list[int]]]

    def published(self) -> list[int | None]:
        return [figures.count(len(r), sum(r) % KEY_MODULUS, PUBLIC) for r in self.records]


def ranges(table: Table, known: dict[int, int]) -> dict[int, tuple[float, float]]:
    """For each hidden cell, the (min, max) true count the attacker can prove."""
    shown = table.published()
    cells = len(table.records)
    bounds = []
    for i, value in enumerate(shown):
        if i in known:
            bounds.append((known[i], known[i]))
        elif value is None:  # held back: its perturbed count was below k
            bounds.append((0, PUBLIC.k - 1 + MAX_NOISE))
        else:  # a published count is at most MAX_NOISE away, and only 0 shows as 0
            bounds.append((max(1, value - MAX_NOISE), value + MAX_NOISE))
    equalities = []
    for total, parts in table.relations:
        row = np.zeros(cells)
        row[total] = 1
        row[parts] -= 1
        equalities.append(row)
    a_eq = np.array(equalities) if equalities else None
    b_eq = np.zeros(len(equalities)) if equalities else None
    found = {}
    for i, value in enumerate(shown):
        if value is not None or i in known:
            continue
        objective = np.zeros(cells)
        objective[i] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0  # the truth is always feasible
        found[i] = (low.fun, -high.fun)
    return found


def keys(rng: np.random.Generator, count: int) -> list[int]:
    """Record keys as the ingestion draws them: secret and uniformly random. Hypothesis picks
    the tables and the seed, never the keys themselves: an attacker cannot choose them, and
    keys it chose (all 0) would give every cell its most extreme noise at once, the one
    coincidence where bounded noise pins a count (docs/decisions/0018)."""
    return [int(k) for k in rng.integers(0, KEY_MODULUS, size=count)]


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[Table, dict[int, int]]:
    """A région, its départements and each département's communes; each commune's records by
    month, with the all-months total, and each département split by channel: subtraction along
    territory, time and breakdowns all apply."""
    months = draw(st.integers(1, 3))
    sizes = draw(
        st.lists(
            st.lists(st.lists(st.integers(0, 40), min_size=months, max_size=months),
                     min_size=1, max_size=3),
            min_size=1, max_size=3,
        )
    )  # fmt: skip
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    records: list[list[int]] = []
    relations: list[tuple[int, list[int]]] = []

    def cell(recs: list[int]) -> int:
        records.append(recs)
        return len(records) - 1

    region_months: list[list[int]] = [[] for _ in range(months)]
    departement_cells = []
    for departement in sizes:
        dep_months: list[list[int]] = [[] for _ in range(months)]
        commune_cells = []
        for commune in departement:
            month_cells = []
            for m, size in enumerate(commune):
                recs = keys(rng, size)
                month_cells.append(cell(recs))
                dep_months[m] += recs
                region_months[m] += recs
            everything = [k for c in month_cells for k in records[c]]
            total = cell(everything)
            relations.append((total, month_cells))
            commune_cells.append((total, month_cells))
        dep_month_cells = [cell(r) for r in dep_months]
        for m, dep_cell in enumerate(dep_month_cells):
            relations.append((dep_cell, [months_[m] for _, months_ in commune_cells]))
        dep_total = cell([k for r in dep_months for k in r])
        relations.append((dep_total, dep_month_cells))
        relations.append((dep_total, [t for t, _ in commune_cells]))
        # An additive breakdown of the département (channel): its values add up to it.
        everyone = records[dep_total]
        channels = draw(st.lists(st.integers(0, 2), min_size=len(everyone), max_size=len(everyone)))
        by_channel = [
            [k for k, c in zip(everyone, channels, strict=True) if c == v] for v in range(3)
        ]
        relations.append((dep_total, [cell(r) for r in by_channel]))
        departement_cells.append((dep_total, dep_month_cells))
    region_month_cells = [cell(r) for r in region_months]
    for m, reg_cell in enumerate(region_month_cells):
        relations.append((reg_cell, [months_[m] for _, months_ in departement_cells]))
    region_total = cell([k for r in region_months for k in r])
    relations.append((region_total, region_month_cells))
    relations.append((region_total, [t for t, _ in departement_cells]))
    table = Table(records, relations)
    # The attacker's own team knows one commune-month exactly.
    mine = draw(st.integers(0, len(records) - 1))
    return table, {mine: len(records[mine])}


@settings(max_examples=150, deadline=None)
@given(hierarchies())
def test_no_hidden_count_comes_back_exactly_along_territories_and_periods(
    case: tuple[Table, dict[int, int]],
) -> None:
    table, known = case
    for cell, (low, high) in ranges(table, {}).items():
        truth = len(table.records[cell])
        assert low - 1e-6 <= truth <= high + 1e-6
        if truth:
            assert high - low >= PROTECTION - 1e-6, (cell, truth, low, high)
    # An attacker who also knows a cell exactly (their own team's) can narrow a hidden total
    # down to "at most k − 1 + MAX_NOISE minus what I know" (docs/decisions/0018), but never
    # to the true value alone.
    mine = [sorted(table.records[c]) for c in known]
    for cell, (low, high) in ranges(table, known).items():
        truth = len(table.records[cell])
        assert low - 1e-6 <= truth <= high + 1e-6
        if truth and sorted(table.records[cell]) not in mine:
            assert high - low >= 1 - 1e-6, (cell, truth, low, high)


def test_the_audits_region_example_gives_back_noise_not_the_seven() -> None:
    """Région 240 = départements 120 + 113 + 7: subtraction used to give back the 7."""
    rng = np.random.default_rng(7)
    parts = [list(rng.integers(0, KEY_MODULUS, size=n)) for n in (120, 113, 7)]
    table = Table([[k for p in parts for k in p], *parts], [(0, [1, 2, 3])])
    (low, high) = ranges(table, {})[3]
    assert low <= 7 <= high and high - low >= 3 * MAX_NOISE


def test_padding_a_small_cell_with_ten_answers_tells_nothing_exact() -> None:
    """Anyone can add ten answers to lift a cell over k, then subtract them."""
    rng = np.random.default_rng(11)
    for true in range(1, 6):
        for _ in range(50):
            real = list(rng.integers(0, KEY_MODULUS, size=true))
            padded = real + list(rng.integers(0, KEY_MODULUS, size=10))
            shown = figures.count(len(padded), sum(padded) % KEY_MODULUS, PUBLIC)
            if shown is None:
                continue
            guess = shown - 10
            assert abs(guess - true) <= MAX_NOISE
    # Over many cells the guess is wrong more often than right.
    right = 0
    trials = 400
    for _ in range(trials):
        real = list(rng.integers(0, KEY_MODULUS, size=3))
        padded = real + list(rng.integers(0, KEY_MODULUS, size=10))
        shown = figures.count(13, sum(padded) % KEY_MODULUS, PUBLIC)
        right += shown is not None and shown - 10 == 3
    assert right < trials / 2


def test_score_times_n_gives_back_no_exact_sum_of_hidden_answers() -> None:
    """The 12-month score × n minus each shown month's score × n used to give back the sum of
    a hidden month's answers (all four "pas bien du tout"). Now every figure comes from
    perturbed level counts: over many histories the difference is mostly wrong, never sure."""
    rng = np.random.default_rng(3)
    months = {"jan": {3: 30, 2: 10}, "feb": {3: 25, 2: 12, 1: 3}, "mar": {0: 4}}
    exact_hits, trials = 0, 300
    for _ in range(trials):
        level_keys = {
            m: {lv: list(rng.integers(0, KEY_MODULUS, size=c)) for lv, c in counts.items()}
            for m, counts in months.items()
        }

        def levels_of(which: list[str], level_keys=level_keys) -> dict[str, tuple[int, int]]:
            out: dict[str, tuple[int, int]] = {}
            for level in range(4):
                recs = [k for m in which for k in level_keys[m].get(level, [])]
                out[str(level)] = (len(recs), sum(recs) % KEY_MODULUS)
            return out

        year = figures.distribution(levels_of(list(months)), PUBLIC)
        shown = {m: figures.distribution(levels_of([m]), PUBLIC) for m in months}
        assert year is not None and shown["mar"] is None  # 4 answers: held back
        level_sum = sum(int(level) * c for level, c in year.items()) - sum(
            int(level) * c for s in shown.values() if s is not None for level, c in s.items()
        )
        exact_hits += level_sum == 0  # the hidden month's answers were all at level 0
    assert exact_hits < trials / 2
