"""Complementary suppression with protection intervals, for frozen editions (offline).

An edition publishes a fixed set of linked tables at once: territories (national, régions,
départements), periods (months, quarters, the year so far, the last 12 months) and
categories (channel, age band, language, each question's answers). Every relation a reader can
add up is a `Constraint` (total = sum of parts). A cell below the threshold is hidden (primary
suppression); other cells are then hidden too (complementary) until, for every primary cell,
a reader who knows every published count *exactly* (as if there were no perturbation) and that
every hidden cell holds at least one answer (empty cells are published as 0) still cannot
narrow it down: its feasible range must reach `protection` answers above its value and
`protection` below (never below 1). On top of this, the hidden cells of any relation whose
total is published must hold at least `k` answers together, so that no small group is
published as a difference.

The method (docs/decisions/0020) is the linear-programming heuristic of the statistical
offices' tools: for each primary cell and each direction, find the cheapest way to shift its
value by the protection level while every relation still holds and no cell goes below 1;
every cell the shift moves is hidden. Such a shift is a witness that the reader's range
reaches that far, so each primary cell's protection is guaranteed by construction, and hiding
more cells later can only widen the ranges. Published cells cost their count (hide small
cells rather than national totals); cells already hidden cost nearly nothing, so that one
complementary cell serves many primary ones. Each shift is sought among the cells within a
few relations of the primary cell and widened only when none exists there, so each linear
programme stays small whatever the size of the edition. An upward shift always exists when no
cell the reader knows is in the way, if published empty cells may move too (they are then
hidden): that is tried last, for the empty options of dominated distributions that an empty
total published as 0 pins down.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from observatory.disclosure.complementary import Constraint, feasible_ranges
from observatory.disclosure.relations import (
    MOVED,
    IntArray,
    Problem,
    balanced,
    build_problem,
    neighbourhood,
    pinned_empty,
)

__all__ = ["Moves", "Progress", "Protection", "feasible_ranges", "protect"]

C = TypeVar("C", bound=Hashable)  # a cell's identifier
Progress = Callable[[int, int], None]  # (primary cells done, primary cells in all)
# For a cell and a direction (+1: the cell goes up, -1: down): balanced moves (cells that
# move with it, cells that move the other way), the ones fitting that direction first.
Moves = Callable[[C, int], Iterable[tuple[Sequence[C], Sequence[C]]]]

# Cost of moving a cell that is already hidden: small but not zero, so that among equivalent
# shifts the linear programme prefers the ones that move fewer cells.
_HIDDEN_COST = 1e-3
# How many relations away from the primary cell a shift is sought, widening when none exists;
# past the last depth, over the whole edition (a rare language's month may need a shift that
# runs through its quarter, its twelve months and every territory above it).
_DEPTHS = (2, 3, 5)


@dataclass(frozen=True)
class Protection:
    """The outcome: which cells are hidden, and why."""

    primary: frozenset[Hashable]  # below the threshold (or dominated): hidden and protected
    complementary: frozenset[Hashable]  # hidden so that the primary cells stay protected
    unprotectable: frozenset[Hashable]  # primary cells no shift could protect (reported)

    @property
    def hidden(self) -> frozenset[Hashable]:
        return self.primary | self.complementary


def _shift(
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


def _reach_down(problem: Problem, p: int, near: npt.NDArray[np.int64], most: int) -> int:
    """How far down, at most `most`, some shift of `p` among the `near` cells can take it: one
    linear programme maximising the shift, so that the search below tries the sizes that can
    succeed instead of failing at each larger one (up to twelve failed programmes a cell on
    sparse data, most of an edition's time)."""
    system = _system(problem, p, near, problem.fixed)
    if system is None:
        return 0
    movable, a_eq, column, _, bounds = system
    # Variables: plus, minus, then t (p goes down by t): relations × (z) − column·t = 0.
    a_t = sparse.hstack([a_eq, sparse.csr_matrix(-column.reshape(-1, 1))]).tocsr()
    c = np.zeros(2 * movable.size + 1)
    c[-1] = -1.0
    result = linprog(
        c, A_eq=a_t, b_eq=np.zeros(a_t.shape[0]), bounds=[*bounds, (0.0, float(most))],
        method="highs",
    )  # fmt: skip
    if result.status != 0:
        return 0
    return min(most, int(np.floor(-result.fun + 1e-6)))


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


def _best_move(
    problem: Problem,
    target: int,
    moves: Iterable[tuple[IntArray, IntArray]],
    room: IntArray,
) -> tuple[IntArray, IntArray] | None:
    """The cheapest of the structured moves (cells shifted by +target, cells by -target) that
    keeps every relation true and whose cells going down have the `room`: (its cells, those
    going down), or None. Balance is checked here, so a move proposed wrongly is skipped,
    never trusted."""
    best: tuple[float, IntArray, IntArray] | None = None
    for plus, minus in moves:
        down = minus if target > 0 else plus
        if (room[down] < abs(target)).any():
            continue
        cells = np.concatenate([plus, minus])
        if problem.fixed[cells].any():
            continue
        signs = np.concatenate([np.ones(plus.size), -np.ones(minus.size)])
        if not balanced(problem.by_cell, cells, signs):
            continue  # some relation would no longer hold
        shown = cells[~problem.hidden[cells]]
        cost = float((1 + problem.values[shown]).sum())
        if best is None or cost < best[0]:
            best = (cost, cells, down)
            if cost == 0:
                break
    return None if best is None else (best[1], best[2])


def _structured(
    problem: Problem, target: int, moves: list[tuple[IntArray, IntArray]]
) -> IntArray | None:
    """Cells of a sum of structured moves shifting the cell by `target`: one move when one
    fits, else smaller steps whose cells going down share the room (a year of 5 made of
    quarters of 3 and 2 goes down by 3 as 2 + 1)."""
    room = problem.values - problem.floor
    sign, remaining = (1 if target > 0 else -1), abs(target)
    moved: list[IntArray] = []
    while remaining > 0:
        for step in range(remaining, 0, -1):
            found = _best_move(problem, sign * step, moves, room)
            if found is not None:
                break
        else:
            return None
        cells, down = found
        room[down] -= step
        moved.append(cells)
        remaining -= step
    return np.unique(np.concatenate(moved)) if moved else None


def _protect_cell(
    problem: Problem,
    p: int,
    amount: int,
    moves: Callable[[int, int], list[tuple[IntArray, IntArray]]] | None,
) -> bool:
    """Hide what it takes for `p` to move up by `amount`, and down by as much as it can
    (never below its floor); False when it cannot move up.

    Down, a hidden cell can go no lower than the number of hidden cells it adds up (each
    holds at least 1 answer, empty cells being published): a twelve-month count of 3 made of
    three quarters of 1 is known to be at least 3. It is then protected upwards only.
    """
    if not _move(problem, p, amount, moves):
        return False
    down = min(amount, int(problem.values[p] - problem.floor[p]))
    if down > 0:
        candidates = moves(p, -1) if moves is not None else []
        near = np.union1d(
            neighbourhood(problem, p, _DEPTHS[-1]),
            np.concatenate([np.concatenate(m) for m in candidates]) if candidates else [],
        ).astype(np.int64)
        down = _reach_down(problem, p, near, down)
    while down > 0 and not _move(problem, p, -down, moves):
        down -= 1
    return True


def _move(
    problem: Problem,
    p: int,
    target: int,
    moves: Callable[[int, int], list[tuple[IntArray, IntArray]]] | None,
) -> bool:
    """Hide the cells of a shift of `p` by `target`, sought from the cheapest kind to the
    widest; False when none exists.

    Moving `p` up with every total above it always works for a non-empty cell (as if some of
    its answers were counted twice: every cell holding them is non-empty), unless a cell the
    reader knows is in the way; so the upward search ends over the whole edition. An empty
    cell is different: an empty option of a dominated distribution is primary, and when an
    empty total above it is published as 0 (nobody gave that answer all year), no shift of
    non-empty cells exists. Published empty cells may then move too, and are hidden.
    """
    moved = None
    pinned = target > 0 and problem.values[p] == 0 and pinned_empty(problem, p)
    if not pinned:
        candidates = moves(p, 1 if target > 0 else -1) if moves is not None else []
        moved = _structured(problem, target, candidates)
        if moved is None and candidates:
            # Moves combined in any proportion: a linear programme over their cells.
            near = np.unique(np.concatenate([np.concatenate(m) for m in candidates]))
            moved = _shift(problem, p, float(target), near)
        for depth in _DEPTHS:
            if moved is not None:
                break
            moved = _shift(problem, p, float(target), neighbourhood(problem, p, depth))
    if target > 0:  # only the required direction is worth a whole search
        everything = np.arange(len(problem.cells))
        if moved is None and not pinned:
            moved = _shift(problem, p, float(target), everything)
        for wider in (*(_DEPTHS if moved is None else ()), None):
            if moved is not None:
                break
            near = everything if wider is None else neighbourhood(problem, p, wider)
            moved = _shift(problem, p, float(target), near, empty_too=True)
    if moved is None:
        return False
    problem.hide(moved)
    return True


def _small_groups(problem: Problem, k: int) -> bool:
    """Hide one more cell in each relation whose published total leaves a hidden group of
    fewer than k answers (30 = 1 + 1 + 28 hiding the 1s publishes "2" as a difference);
    True when anything was hidden."""
    matrix = problem.by_row
    parts = matrix.multiply(matrix < 0).tocsr() * -1.0
    totals = problem.totals
    group = parts @ (problem.values * problem.hidden).astype(np.float64)
    bad = np.flatnonzero(~problem.hidden[totals] & (group > 0) & (group < k))
    changed = False
    for r in bad:
        members = parts.indices[parts.indptr[r] : parts.indptr[r + 1]]
        if int(problem.values[members[problem.hidden[members]]].sum()) >= k:
            continue  # an earlier fix in this pass reached it
        candidates = members[~problem.hidden[members] & ~problem.fixed[members]]
        if candidates.size == 0:  # every other part known: hide the total itself
            candidates = np.array([totals[r]])[~problem.fixed[[totals[r]]]]
        if candidates.size:
            problem.hidden[candidates[np.argmin(problem.values[candidates])]] = True
            changed = True
    return changed


def protect(
    values: Mapping[C, int],
    constraints: Sequence[Constraint],
    *,
    primary: Iterable[C],
    k: int,
    protection: int,
    known: Iterable[C] = (),
    unpublished: Iterable[C] = (),
    moves: Moves[C] | None = None,
    progress: Progress | None = None,
) -> Protection:
    """The cells to hide so that every `primary` cell keeps its protection interval.

    `values` holds the true count of every cell of the edition. `known` are cells the audience
    already knows (an earlier edition, its own figures): they count as published and are never
    chosen to hide another. `unpublished` cells are never shown but a reader can reason about
    them (answers at places with no known territory): hidden from the start, free to use.
    Empty cells are published as 0 unless they are primary (an empty option of a dominated
    distribution: showing it would tell what everyone answered). `moves` proposes, for a
    cell, balanced sets of cells (shifted up, shifted down) that keep every relation true, the
    hypercubes of a table's structure: the cheapest one that fits is taken before any linear
    programme is solved.
    """
    if protection < 1 or k < 1:
        raise ValueError("k and the protection level are at least 1")
    primary = list(primary)
    problem = build_problem(values, constraints, known, [*primary, *unpublished])
    index = {cell: i for i, cell in enumerate(problem.cells)}
    wanted = sorted(
        {index[c] for c in primary if c in index and not problem.fixed[index[c]]},
        key=lambda i: (-int(problem.values[i]), repr(problem.cells[i])),
    )
    problem.hide(np.array(wanted, dtype=np.int64))
    indexed = None if moves is None else _indexed_moves(moves, problem, index)
    failed = []
    for done, p in enumerate(wanted, start=1):
        if not _protect_cell(problem, p, protection, indexed):
            failed.append(p)
        if progress is not None:
            progress(done, len(wanted))
    while _small_groups(problem, k):
        pass
    primary_set = {problem.cells[i] for i in wanted}
    hidden = {problem.cells[int(i)] for i in np.flatnonzero(problem.hidden)}
    return Protection(
        frozenset(primary_set),
        frozenset(hidden - primary_set - set(unpublished)),
        frozenset(problem.cells[i] for i in failed),
    )


def _indexed_moves(
    moves: Moves[C], problem: Problem, index: Mapping[Hashable, int]
) -> Callable[[int, int], list[tuple[IntArray, IntArray]]]:
    """`moves` over cell positions; a move naming a cell the table lacks is dropped (a cell
    not in the table is an empty one nobody can move)."""

    # The current cell's moves only: asked again for each smaller step down, never again once
    # the loop has passed the cell (keeping them all would hold millions of arrays).
    cache: dict[tuple[int, int], list[tuple[IntArray, IntArray]]] = {}

    def at(p: int, direction: int) -> list[tuple[IntArray, IntArray]]:
        if (p, direction) not in cache:
            if any(q != p for q, _ in cache):
                cache.clear()
            cache[(p, direction)] = indexed(p, direction)
        return cache[(p, direction)]

    def indexed(p: int, direction: int) -> list[tuple[IntArray, IntArray]]:
        out = []
        for plus, minus in moves(cast(C, problem.cells[p]), direction):
            try:
                up = np.array([index[c] for c in plus], dtype=np.int64)
                down = np.array([index[c] for c in minus], dtype=np.int64)
            except KeyError:
                continue
            out.append((up, down))
        return out

    return at
