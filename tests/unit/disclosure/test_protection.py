"""Complementary suppression with protection intervals (editions): what an attacker who
knows every published count exactly can deduce about each hidden small count."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from observatory.disclosure.complementary import Constraint
from observatory.disclosure.protection import feasible_ranges, protect

K = 11
LEVEL = 3


def attacker_max(
    values: dict[object, int], constraints: list[Constraint], hidden: set[object], cell: object
) -> float:
    """The largest value of `cell` given the published counts and hidden cells of at least 1
    (0 for an empty one): written here, independently of the code under test."""
    unknown = sorted(hidden, key=repr)
    col = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for constraint in constraints:
        row = np.zeros(len(unknown))
        known = 0.0
        for c, sign in [(constraint.total, 1.0), *((p, -1.0) for p in constraint.parts)]:
            if c in col:
                row[col[c]] += sign
            else:
                known -= sign * values[c]
        if row.any():
            rows.append(row)
            rhs.append(known)
    objective = np.zeros(len(unknown))
    objective[col[cell]] = -1.0
    bounds = [(1.0 if values[c] > 0 else 0.0, None) for c in unknown]
    if not rows:
        return float("inf")
    result = linprog(objective, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
    return float("inf") if result.status == 3 else -float(result.fun)


def cube(draw_values: list[int], rows: int, cols: int, layers: int):
    """A rows × cols × layers table with every margin, as cells and sum relations."""
    values: dict[object, int] = {}
    it = iter(draw_values)
    for i, j, k in itertools.product(range(rows), range(cols), range(layers)):
        values[(i, j, k)] = next(it)
    axes = [range(rows), range(cols), range(layers)]
    full = [[*a, "T"] for a in axes]
    for cell in itertools.product(*full):
        if "T" in cell:
            leaves = itertools.product(
                *[a if c == "T" else [c] for a, c in zip(axes, cell, strict=True)]
            )
            values[cell] = sum(values[leaf] for leaf in leaves)
    constraints = []
    for d in range(3):
        for cell in itertools.product(*full):
            if cell[d] != "T":
                continue
            parts = tuple((*cell[:d], x, *cell[d + 1 :]) for x in axes[d])
            constraints.append(Constraint(cell, parts))
    return values, constraints


SIZES = st.sampled_from([0, 1, 2, 3, 5, 8, 12, 25, 60])


@settings(max_examples=40)
@given(st.data())
def test_every_primary_cell_keeps_its_upper_protection(data: st.DataObject) -> None:
    rows, cols, layers = (data.draw(st.integers(2, 4)) for _ in range(3))
    leaves = data.draw(
        st.lists(SIZES, min_size=rows * cols * layers, max_size=rows * cols * layers)
    )
    values, constraints = cube(leaves, rows, cols, layers)
    primary = [c for c, n in values.items() if 0 < n < K]
    result = protect(values, constraints, primary=primary, k=K, protection=LEVEL)
    hidden = set(result.hidden)
    assert set(primary) <= hidden
    assert not any(values[c] == 0 for c in result.complementary)  # empty cells stay published
    for cell in primary:
        if cell in result.unprotectable:
            continue
        assert attacker_max(values, constraints, hidden, cell) >= values[cell] + LEVEL - 1e-6
    # No hidden group adds up to fewer than k answers beside a published total.
    for constraint in constraints:
        if constraint.total in hidden:
            continue
        group = sum(values[p] for p in constraint.parts if p in hidden)
        assert group == 0 or group >= K


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_primary_cell_goes_down_as_far_as_any_shift_can_take_it(
    data: st.DataObject,
) -> None:
    """Downward protection is best effort, but on a table small enough for the search to see
    all of it, each primary cell's range reaches down by the protection level, or as far as a
    reader would allow if every non-empty cell were hidden (the most any pattern can give)."""
    rows, cols = data.draw(st.integers(2, 3)), data.draw(st.integers(2, 3))
    leaves = data.draw(st.lists(SIZES, min_size=rows * cols * 2, max_size=rows * cols * 2))
    values, constraints = cube(leaves, rows, cols, 2)
    primary = [c for c, n in values.items() if 0 < n < K]
    result = protect(values, constraints, primary=primary, k=K, protection=LEVEL)
    everything = [c for c, n in values.items() if n > 0]
    widest = feasible_ranges(values, constraints, everything, primary)
    ranges = feasible_ranges(values, constraints, result.hidden, primary)
    for cell in primary:
        reachable = min(LEVEL, values[cell] - widest[cell][0])
        assert ranges[cell][0] <= values[cell] - reachable + 1e-6, cell


def test_the_audit_agrees_with_the_independent_attack() -> None:
    rng = np.random.default_rng(7)
    values, constraints = cube(list(rng.choice([0, 1, 2, 4, 9, 30], size=27)), 3, 3, 3)
    primary = [c for c, n in values.items() if 0 < n < K]
    result = protect(values, constraints, primary=primary, k=K, protection=LEVEL)
    ranges = feasible_ranges(values, constraints, result.hidden, primary)
    for cell, (low, high) in ranges.items():
        assert low <= values[cell] <= high
        assert high == pytest.approx(attacker_max(values, constraints, set(result.hidden), cell))


def test_the_audit_recovers_what_a_bad_pattern_leaves_exposed() -> None:
    """Région 240 = 120 + 113 + 7 with only the 7 hidden: the audit pins it, so the check
    the tests rely on can fail."""
    values = {"r": 240, "a": 120, "b": 113, "c": 7}
    constraints = [Constraint("r", ("a", "b", "c"))]
    assert feasible_ranges(values, constraints, {"c"}, ["c"]) == {"c": (7.0, 7.0)}
    result = protect(values, constraints, primary=["c"], k=K, protection=LEVEL)
    low, high = feasible_ranges(values, constraints, result.hidden, ["c"])["c"]
    assert high >= 7 + LEVEL and low <= 7 - LEVEL


def test_two_small_cells_do_not_protect_each_other() -> None:
    """30 = 1 + 1 + 28: hiding the two 1s publishes their sum, 2; a third cell is hidden."""
    values = {"t": 30, "a": 1, "b": 1, "c": 28}
    constraints = [Constraint("t", ("a", "b", "c"))]
    result = protect(values, constraints, primary=["a", "b"], k=K, protection=LEVEL)
    assert "c" in result.hidden or "t" in result.hidden


def test_a_known_cell_is_never_used_to_hide_another() -> None:
    """A team knows its own commune's 12: it must not be the cell that hides the neighbour's 3."""
    values = {"d": 40, "own": 12, "neighbour": 3, "other": 25}
    constraints = [Constraint("d", ("own", "neighbour", "other"))]
    result = protect(
        values, constraints, primary=["neighbour"], k=K, protection=LEVEL, known=["own"]
    )
    assert "own" not in result.hidden
    high = attacker_max(values, constraints, set(result.hidden), "neighbour")
    assert high >= 3 + LEVEL


def test_a_shift_that_runs_far_from_the_cell_is_still_found() -> None:
    """A rare language's month could only move with its quarter, its year and every territory
    above it, farther than the neighbourhood searched first: it was reported unprotectable
    and the whole edition refused. The chain here is eight relations long, each total's other
    part an empty (published, so immovable) cell."""
    values: dict[object, int] = {"a": 1}
    constraints = []
    below = "a"
    for level in range(8):
        values[f"t{level}"], values[f"z{level}"] = 1, 0
        constraints.append(Constraint(f"t{level}", (below, f"z{level}")))
        below = f"t{level}"
    result = protect(values, constraints, primary=["a"], k=K, protection=LEVEL)
    assert not result.unprotectable
    assert attacker_max(values, constraints, set(result.hidden), "a") >= 1 + LEVEL


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="no value"):
        protect({"a": 1}, [Constraint("t", ("a",))], primary=["a"], k=K, protection=LEVEL)
    with pytest.raises(ValueError, match="negative"):
        protect({"a": -1}, [], primary=[], k=K, protection=LEVEL)
    with pytest.raises(ValueError, match="at least 1"):
        protect({"a": 1}, [], primary=[], k=K, protection=0)
