"""The linear programmes of the protection search: a cheapest shift of a cell by a given
amount, and the largest shift down, each among a chosen set of cells (the others stay put).

A shift moves cells up ("plus") and down ("minus") so that every relation still holds and no
cell goes below what a reader knows it holds; every cell it moves is then hidden, and the
shift is the witness that the reader's range for the primary cell reaches that far
(`disclosure.protection`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from observatory.disclosure.relations import MOVED, IntArray, Problem

# Cost of moving a cell that is already hidden: small but not zero, so that among equivalent
# shifts the linear programme prefers the ones that move fewer cells.
_HIDDEN_COST = 1e-3
# Weight of the downward shift's size against its cost (normalised to 1) in `down_shift`.
_REACH_WEIGHT = 1e3


def shift(
    problem: Problem,
    p: int,
    target: float,
    near: npt.NDArray[np.int64],
    *,
    empty_too: bool = False,
) -> npt.NDArray[np.int64] | None:
    """Cells a cheapest shift of cell `p` by `target` moves, among the `near` cells (the
    others stay put); None when no shift exists there. With `empty_too`, published empty
    cells may move up as well (they are then hidden); cells the reader knows never move."""
    immovable = problem.known if empty_too else problem.fixed
    system = _system(problem, p, near, immovable)
    if system is None:  # nothing can balance it: only a cell in no relation moves alone
        has_rows = problem.rows_of(np.array([p])).size > 0
        return None if has_rows else np.empty(0, dtype=np.int64)
    movable, a_eq, column, cost, bounds = system
    c = np.concatenate([cost, cost])
    result = linprog(c, A_eq=a_eq, b_eq=-column * target, bounds=bounds, method="highs")
    if result.status != 0:
        return None
    n = movable.size
    z = result.x[:n] - result.x[n:]
    return np.asarray(movable[np.abs(z) > MOVED], dtype=np.int64)


def down_shift(
    problem: Problem, p: int, near: npt.NDArray[np.int64], most: int
) -> tuple[int, IntArray]:
    """How far down, up to `most`, a shift of `p` among the `near` cells can take it, and the
    cells of a cheap such shift: one linear programme that maximises the shift first (its
    weight dwarfs the costs, normalised to sum to 1) and then its cost. A shift scaled down
    stays a shift (the relations are homogeneous, the bounds hold 0), so the cells moved by
    the largest one also witness every smaller size."""
    system = _system(problem, p, near, problem.fixed)
    if system is None:
        return 0, np.empty(0, dtype=np.int64)
    movable, a_eq, column, cost, bounds = system
    # Variables: plus, minus, then t (p goes down by t): relations × (z) − column·t = 0.
    a_t = sparse.hstack([a_eq, sparse.csr_matrix(-column.reshape(-1, 1))]).tocsr()
    weights = cost / cost.sum()
    c = np.concatenate([weights, weights, [-_REACH_WEIGHT]])
    result = linprog(
        c, A_eq=a_t, b_eq=np.zeros(a_t.shape[0]), bounds=[*bounds, (0.0, float(most))],
        method="highs",
    )  # fmt: skip
    if result.status != 0:
        return 0, np.empty(0, dtype=np.int64)
    size = min(most, int(np.floor(result.x[-1] + 1e-6)))
    n = movable.size
    z = result.x[:n] - result.x[n : 2 * n]
    return size, np.asarray(movable[np.abs(z) > MOVED], dtype=np.int64)


def _system(
    problem: Problem,
    p: int,
    near: npt.NDArray[np.int64],
    immovable: npt.NDArray[np.bool_],
) -> tuple[IntArray, sparse.csr_matrix, npt.NDArray[np.float64], npt.NDArray[np.float64],
           list[tuple[float, float | None]]] | None:  # fmt: skip
    """The linear system of a shift of `p` among the `near` cells that are not `immovable`:
    (the movable cells, the relations over plus then minus moves, `p`'s column in those
    relations, each move's cost, the bounds of plus and minus); None when nothing can move."""
    movable = near[(near != p) & ~immovable[near]]
    if movable.size == 0:
        return None
    rows = np.union1d(problem.rows_of(np.array([p])), problem.rows_of(movable))
    block = problem.by_row[rows][:, movable]
    # z = plus - minus; cells outside `movable` stay put, so every relation touching a moved
    # cell must balance with the moves inside it.
    a_eq = sparse.hstack([block, -block]).tocsr()
    column = problem.by_row[rows][:, [p]].toarray().ravel()
    cost = np.where(problem.hidden[movable], _HIDDEN_COST, 1.0 + problem.values[movable])
    room_down = (problem.values - problem.floor)[movable].astype(np.float64)
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * movable.size + [
        (0.0, float(d)) for d in room_down
    ]
    return movable, a_eq, column, cost.astype(np.float64), bounds
