"""Empty options of a dominated distribution (docs/decisions/0020): hidden on purpose, they
need their protection interval like any primary cell, and an empty total above them that is
published as 0 would tell they are empty too."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.disclosure.complementary import Constraint
from observatory.disclosure.protection import feasible_ranges, protect

K = 11
LEVEL = 3
OPTIONS = ("bien", "pas_bien")


def quarters_and_year(counts: dict[str, dict[str, int]]) -> tuple[dict[object, int], list]:
    """A département's answers to one question by quarter and over the year: answers = the
    sum of the options each period; each option's year = the sum of its quarters."""
    values: dict[object, int] = {}
    for quarter, options in counts.items():
        values[(quarter, "reponses")] = sum(options.values())
        for option, n in options.items():
            values[(quarter, option)] = n
    for category in ("reponses", *OPTIONS):
        values[("year", category)] = sum(values[(q, category)] for q in counts)
    constraints = [
        Constraint((period, "reponses"), tuple((period, o) for o in OPTIONS))
        for period in (*counts, "year")
    ]
    constraints += [
        Constraint(("year", category), tuple((q, category) for q in counts))
        for category in ("reponses", *OPTIONS)
    ]
    return values, constraints


def test_an_empty_option_under_an_empty_year_is_protected_by_hiding_the_year() -> None:
    """The sparse demo edition's 50 unprotectable cells: in a small département everybody
    answered `bien` in a quarter (12 answers: dominated, every option hidden, the empty
    `pas_bien` included), and nobody answered `pas_bien` all year, so the year's `pas_bien`
    was published as 0 and told the quarter's 0. No shift moving only non-empty cells
    exists; one hiding the year's 0 as well does."""
    values, constraints = quarters_and_year(
        {"q1": {"bien": 12, "pas_bien": 0}, "q2": {"bien": 20, "pas_bien": 0}}
    )
    primary = [("q1", "bien"), ("q1", "pas_bien")]
    result = protect(values, constraints, primary=primary, k=K, protection=LEVEL)
    assert not result.unprotectable
    assert ("year", "pas_bien") in result.complementary
    ranges = feasible_ranges(values, constraints, result.hidden, primary)
    for cell in primary:
        low, high = ranges[cell]
        assert low <= values[cell] <= high
        assert high >= values[cell] + LEVEL


def test_an_empty_option_pinned_by_a_known_cell_stays_unprotectable() -> None:
    """When the reader already knows the year's 0 (an earlier edition), nothing can protect
    the quarter's: it is reported, and the edition refused (never published unprotected)."""
    values, constraints = quarters_and_year(
        {"q1": {"bien": 12, "pas_bien": 0}, "q2": {"bien": 20, "pas_bien": 0}}
    )
    result = protect(
        values,
        constraints,
        primary=[("q1", "bien"), ("q1", "pas_bien")],
        k=K,
        protection=LEVEL,
        known=[("year", "pas_bien")],
    )
    assert result.unprotectable == {("q1", "pas_bien")}
    assert ("year", "pas_bien") not in result.hidden


def cube(values: list[int], shape: tuple[int, int, int]) -> tuple[dict[object, int], list]:
    """A three-dimensional table with every margin ("T"), as cells and sum relations."""
    axes = [range(n) for n in shape]
    cells: dict[object, int] = dict(zip(itertools.product(*axes), values, strict=True))
    full = [[*a, "T"] for a in axes]
    for cell in itertools.product(*full):
        if "T" in cell:
            ranges = [a if c == "T" else [c] for a, c in zip(axes, cell, strict=True)]
            leaves = itertools.product(*ranges)
            cells[cell] = sum(cells[leaf] for leaf in leaves)
    constraints = [
        Constraint(cell, tuple((*cell[:d], x, *cell[d + 1 :]) for x in axes[d]))
        for d in range(3)
        for cell in itertools.product(*full)
        if cell[d] == "T"
    ]
    return cells, constraints


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_with_no_known_cell_every_primary_cell_is_protected(data: st.DataObject) -> None:
    """Empty cells chosen as primary (a dominated distribution's empty options) beside small
    ones: with nothing known to the reader, an upward shift always exists (the cell and every
    total above it, empty ones hidden too), so no cell is unprotectable and each one's range
    reaches its value + the protection level."""
    shape = (data.draw(st.integers(2, 3)), data.draw(st.integers(2, 3)), 2)
    size = shape[0] * shape[1] * shape[2]
    leaves = data.draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 5, 14, 40]), min_size=size,
                                max_size=size))  # fmt: skip
    values, constraints = cube(leaves, shape)
    empty = sorted((c for c, n in values.items() if n == 0), key=repr)
    chosen = data.draw(st.lists(st.sampled_from(empty), unique=True)) if empty else []
    primary = [c for c, n in values.items() if 0 < n < K] + chosen
    result = protect(values, constraints, primary=primary, k=K, protection=LEVEL)
    assert not result.unprotectable
    if primary:
        ranges = feasible_ranges(values, constraints, result.hidden, primary)
        for cell in primary:
            assert ranges[cell][1] >= values[cell] + LEVEL - 1e-6, cell
