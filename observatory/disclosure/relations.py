"""The relations of an edition as a sparse system, and what can be read off it cheaply.

`disclosure.protection` searches shifts over this structure; the questions answered here
(which relations a cell is in, whether a move keeps them all true, whether an empty cell is
pinned by published zeros) need no linear programme, and are asked millions of times on a
large edition, so they work on the matrix's arrays directly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from observatory.disclosure.complementary import Constraint

IntArray = npt.NDArray[np.int64]
C = TypeVar("C", bound=Hashable)  # a cell's identifier
MOVED = 1e-7  # below this a shift's component is rounding, not a move


@dataclass
class Problem:
    cells: Sequence[Hashable]
    values: IntArray
    by_row: sparse.csr_matrix  # relations × cells: +1 the total, -1 each part
    by_cell: sparse.csc_matrix
    hidden: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]  # cells the reader knows: never move, never hidden
    fixed: npt.NDArray[np.bool_]  # cannot move now: known cells, published empty cells
    totals: IntArray  # each relation's total
    parts: sparse.csr_matrix  # relations × cells: 1 for each part

    @property
    def floor(self) -> IntArray:
        """The least a reader knows a hidden cell holds: 1, since empty cells are published
        as 0 (an empty cell hidden on purpose, as in a dominated distribution, may be 0)."""
        return (self.values > 0).astype(np.int64)

    def hide(self, cells: npt.NDArray[np.int64]) -> None:
        """Hide `cells`: an empty one hidden (to protect another) may then move too."""
        self.hidden[cells] = True
        self.fixed[cells] = self.known[cells]

    def rows_of(self, cells: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if cells.size == 0:
            return np.empty(0, dtype=np.int64)
        return np.unique(self.by_cell[:, cells].indices).astype(np.int64)

    def cells_of(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if rows.size == 0:
            return np.empty(0, dtype=np.int64)
        return np.unique(self.by_row[rows].indices).astype(np.int64)


def build_problem(
    values: Mapping[C, int],
    constraints: Sequence[Constraint],
    known: Iterable[C],
    hidden: Iterable[C],
) -> Problem:
    cells = list(values)
    index = {cell: i for i, cell in enumerate(cells)}
    rows, cols, signs = [], [], []
    for r, constraint in enumerate(constraints):
        for cell, sign in [(constraint.total, 1), *((p, -1) for p in constraint.parts)]:
            if cell not in index:
                raise ValueError(f"relation {r} names {cell!r}, which has no value")
            rows.append(r)
            cols.append(index[cell])
            signs.append(sign)
    matrix = sparse.csr_matrix(
        (np.array(signs, dtype=np.float64), (rows, cols)), shape=(len(constraints), len(cells))
    )
    matrix.sum_duplicates()
    y = np.array([values[c] for c in cells], dtype=np.int64)
    if (y < 0).any():
        raise ValueError("counts cannot be negative")
    hidden_mask = np.zeros(len(cells), dtype=bool)
    hidden_mask[[index[c] for c in hidden if c in index]] = True
    known_mask = np.zeros(len(cells), dtype=bool)
    known_mask[[index[c] for c in known if c in index]] = True
    hidden_mask &= ~known_mask
    fixed = known_mask | ((y == 0) & ~hidden_mask)
    totals = np.asarray(matrix.multiply(matrix > 0).argmax(axis=1)).ravel().astype(np.int64)
    parts = (matrix < 0).astype(np.float64).tocsr()
    return Problem(cells, y, matrix, matrix.tocsc(), hidden_mask, known_mask, fixed, totals, parts)


def neighbourhood(problem: Problem, p: int, depth: int) -> npt.NDArray[np.int64]:
    cells = np.array([p], dtype=np.int64)
    for _ in range(depth):
        cells = np.union1d(cells, problem.cells_of(problem.rows_of(cells)))
    return cells


def balanced(by_cell: sparse.csc_matrix, cells: IntArray, signs: npt.NDArray[np.float64]) -> bool:
    """Whether moving `cells` by `signs` keeps every relation true: the relations' entries
    of those columns gathered straight from the matrix's arrays (slicing the sparse matrix
    took a third of the structured search)."""
    starts = by_cell.indptr[cells]
    lengths = by_cell.indptr[cells + 1] - starts
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    at = offsets + np.arange(int(lengths.sum()))
    _, inverse = np.unique(by_cell.indices[at], return_inverse=True)
    net = np.bincount(inverse, weights=by_cell.data[at] * np.repeat(signs, lengths))
    return bool(np.abs(net).max(initial=0.0) <= MOVED)


def pinned_empty(problem: Problem, p: int) -> bool:
    """Whether the empty cell `p` cannot go up while published empty cells stay put: it is a
    part of a relation whose empty total cannot go up (the other parts, empty too, cannot go
    down), or the total of parts none of which can go up. A cheap proof that spares the
    linear programme over the whole edition, which would only fail."""
    empty_rows = problem.values[problem.totals] == 0
    cells, rows = np.array([p], dtype=np.int64), np.empty(0, dtype=np.int64)
    while True:  # the empty cells linked to p through relations with an empty total
        rows = problem.rows_of(cells)
        rows = rows[empty_rows[rows]]
        wider = np.union1d(cells, problem.cells_of(rows))
        if wider.size == cells.size:
            break
        cells = wider
    pinned = problem.fixed.copy()
    parts = problem.parts[rows]
    size = np.diff(parts.indptr)
    while not pinned[p]:
        before = int(pinned[cells].sum())
        pinned[problem.cells_of(rows[pinned[problem.totals[rows]]])] = True
        full = np.asarray(parts @ pinned.astype(np.float64)).ravel() == size
        pinned[problem.totals[rows[full]]] = True
        if int(pinned[cells].sum()) == before:
            break
    return bool(pinned[p])
