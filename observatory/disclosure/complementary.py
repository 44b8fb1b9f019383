"""Complementary suppression: no hidden count can be recovered from the published ones.

Hiding the cells below the threshold (primary suppression) is not enough when totals are
published too: a département's count minus the counts of all its other communes gives the
hidden one back, and so does a total minus the other values of an additive breakdown. Every
table published at once is therefore described as additive constraints (total = sum of parts)
and cells are hidden until no hidden count is determined by the published ones.

A hidden count is "determined" when it has the same value in every solution of the linear
system the published counts leave: its unit vector lies in the row space of the constraint
matrix restricted to the hidden cells, or, equivalently, every vector of that matrix's null
space is zero at its position. Each time a hidden cell is determined, the published cell
with the smallest count in one of its constraints is hidden as well (the classic greedy
choice: it loses the least information), and the check is run again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

_TOLERANCE = 1e-9
C = TypeVar("C", bound=Hashable)  # a cell's identifier


@dataclass(frozen=True)
class Constraint:
    """`total` = sum of `parts` (cell identifiers); what a reader can add and subtract."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Suppression:
    primary: frozenset[Hashable]  # below the threshold
    complementary: frozenset[Hashable]  # hidden so that the primary ones stay hidden

    @property
    def hidden(self) -> frozenset[Hashable]:
        return self.primary | self.complementary


def linear_system(
    constraints: Sequence[Constraint],
    unknowns: Sequence[Hashable],
    counts: Mapping[Hashable, int] | None = None,
) -> tuple[np.ndarray, list[float]]:
    """The constraints as A·x = b over the `unknowns` (+1 for a total, -1 for a part).

    Rows are kept only for constraints touching an unknown; b moves the known counts (from
    `counts`; 0 when not given) to the right-hand side.
    """
    column = {cell: i for i, cell in enumerate(unknowns)}
    known = counts or {}
    rows, rhs = [], []
    for constraint in constraints:
        row = np.zeros(len(unknowns))
        value = 0.0
        for cell, sign in [(constraint.total, 1.0), *((p, -1.0) for p in constraint.parts)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                value -= sign * known.get(cell, 0)
        if row.any():
            rows.append(row)
            rhs.append(value)
    return np.array(rows).reshape(len(rows), len(unknowns)), rhs


def determined(hidden: Iterable[Hashable], constraints: Sequence[Constraint]) -> set[Hashable]:
    """Hidden cells whose value follows from the published cells and the constraints."""
    cells = sorted(hidden, key=repr)
    if not cells:
        return set()
    matrix, _ = linear_system(constraints, cells)
    if matrix.shape[0] == 0:
        return set()
    basis = null_space(matrix)
    if basis.shape[1] == 0:
        return set(cells)
    free = np.abs(basis).max(axis=1) > _TOLERANCE
    return {cell for cell, is_free in zip(cells, free, strict=True) if not is_free}


def pinned(
    cells: Iterable[Hashable],
    hidden: Iterable[Hashable],
    constraints: Sequence[Constraint],
    counts: Mapping[Hashable, int],
) -> set[Hashable]:
    """Cells whose value is fixed once a reader adds that no count is negative.

    Linear algebra alone misses this: with a + b = 7 and a - c = 7 published, c >= 0 gives
    a >= 7 and b >= 0 gives a <= 7. Each cell is bounded by two linear programmes (HiGHS).
    """
    unknowns = sorted(hidden, key=repr)
    column = {cell: i for i, cell in enumerate(unknowns)}
    matrix, rhs = linear_system(constraints, unknowns, counts)
    if not rhs:
        return set()
    out = set()
    for cell in cells:
        objective = np.zeros(len(unknowns))
        objective[column[cell]] = 1.0
        low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 1.0:
            out.add(cell)
    return out


def suppress(
    counts: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    k: int,
    unpublished: Iterable[Hashable] = (),
) -> Suppression:
    """The cells to hide so that no count below `k` is published or derivable.

    `counts` holds every cell of the table, published or not; `unpublished` are cells never
    shown but whose value a reader might compute (a remainder such as "places with no known
    commune"). The goal is that no cell with 0 < n < k is determined; a hidden cell of k or
    more that a reader could compute discloses nothing a published one would not. Empty cells
    (0) are not hidden by themselves: they identify nobody.
    """
    sensitive = {cell for cell, n in counts.items() if 0 < n < k}
    never = set(unpublished)
    primary = sensitive - never
    hidden = sensitive | never
    touching: dict[Hashable, list[Constraint]] = {}
    for constraint in constraints:
        for cell in (constraint.total, *constraint.parts):
            touching.setdefault(cell, []).append(constraint)
    while True:
        exposed = determined(hidden, constraints) & sensitive
        if not exposed:
            exposed = pinned(hidden & sensitive, hidden, constraints, counts)
        if not exposed:
            break
        victim = _cheapest_partner(exposed, hidden, touching, counts)
        if victim is None:  # nothing left to hide: every cell in reach already is
            break
        hidden.add(victim)
    return Suppression(frozenset(primary), frozenset(hidden - sensitive - never))


def _cheapest_partner(
    exposed: set[Hashable],
    hidden: set[Hashable],
    touching: Mapping[Hashable, list[Constraint]],
    counts: Mapping[Hashable, int],
) -> Hashable | None:
    """A published cell sharing a constraint with an exposed cell, smallest count first.

    Non-empty cells come first: hiding a known zero protects little. Ties are broken on the
    identifier so that the result never depends on the order of the input.
    """
    for pool in (exposed, hidden):
        candidates = {
            cell
            for exposed_cell in pool
            for constraint in touching.get(exposed_cell, [])
            for cell in (constraint.total, *constraint.parts)
            if cell not in hidden and cell in counts
        }
        if candidates:
            return min(candidates, key=lambda c: (counts[c] == 0, counts[c], repr(c)))
    return None


def feasible_ranges(
    values: Mapping[C, int],
    constraints: Sequence[Constraint],
    hidden: Iterable[C],
    cells: Iterable[C],
) -> dict[C, tuple[float, float]]:
    """What a reader can deduce about each of `cells`: its smallest and largest value given
    the published counts (exact), the relations, and hidden cells of at least 1 (0 for an
    empty one, hidden only to protect another: the reader is credited with knowing it).

    The auditor's view of editions (`disclosure.protection`), independent of how the cells
    were chosen; an unbounded range ends at infinity.
    """
    hidden_list = sorted(set(hidden), key=repr)
    column = {cell: i for i, cell in enumerate(hidden_list)}
    a_eq, rhs = linear_system(constraints, hidden_list, cast(Mapping[Hashable, int], values))
    lower = [1.0 if values[c] > 0 else 0.0 for c in hidden_list]
    bounds = [(low, None) for low in lower]
    out: dict[C, tuple[float, float]] = {}
    for cell in cells:
        objective = np.zeros(len(hidden_list))
        objective[column[cell]] = 1.0
        ends = []
        for sense in (1.0, -1.0):
            if not rhs:
                ends.append(lower[column[cell]] if sense > 0 else np.inf)
                continue
            result = linprog(sense * objective, A_eq=a_eq, b_eq=rhs, bounds=bounds,
                             method="highs")  # fmt: skip
            if result.status == 3:  # unbounded
                ends.append(np.inf)
            elif result.status == 0:
                ends.append(sense * result.fun)
            else:
                raise RuntimeError(f"audit of {cell!r}: {result.message}")
        out[cell] = (float(ends[0]), float(ends[1]))
    return out
