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

from observatory.disclosure.complementary import Constraint, feasible_ranges
from observatory.disclosure.relations import (
    IntArray,
    Problem,
    balanced,
    build_problem,
    neighbourhood,
    pinned_empty,
)
from observatory.disclosure.shifts import down_shift, shift

__all__ = ["Moves", "Progress", "Protection", "feasible_ranges", "protect"]

C = TypeVar("C", bound=Hashable)  # a cell's identifier
Progress = Callable[[int, int], None]  # (primary cells done, primary cells in all)
# For a cell and a direction (+1: the cell goes up, -1: down): balanced moves (cells that
# move with it, cells that move the other way), the ones fitting that direction first.
Moves = Callable[[C, int], Iterable[tuple[Sequence[C], Sequence[C]]]]

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
    if not _move_up(problem, p, amount, moves):
        return False
    down = min(amount, int(problem.values[p] - problem.floor[p]))
    if down > 0:
        _move_down(problem, p, down, moves)
    return True


def _move_down(
    problem: Problem,
    p: int,
    most: int,
    moves: Callable[[int, int], list[tuple[IntArray, IntArray]]] | None,
) -> None:
    """Hide the cells of a shift of `p` down by as much as it can go, up to `most` (best
    effort): a structured move when one fits, else at each width (the moves' cells, then
    wider neighbourhoods) one programme finding the largest shift, stopping at the first that
    reaches `most`. (Trying each size in turn, 3, 2 then 1 answer down at four widths, made
    up to twelve failing programmes a cell on sparse data, most of an edition's time.)"""
    candidates = moves(p, -1) if moves is not None else []
    moved = _structured(problem, -most, candidates)
    if moved is not None:
        problem.hide(moved)
        return
    widths = [_cells_of(candidates)] if candidates else []
    widths += [neighbourhood(problem, p, depth) for depth in _DEPTHS]
    best = (0, np.empty(0, dtype=np.int64))
    for near in widths:
        found = down_shift(problem, p, near, most)
        if found[0] > best[0]:
            best = found
        if best[0] == most:
            break
    if best[0] > 0:
        problem.hide(best[1])


def _move_up(
    problem: Problem,
    p: int,
    amount: int,
    moves: Callable[[int, int], list[tuple[IntArray, IntArray]]] | None,
) -> bool:
    """Hide the cells of a shift of `p` up by `amount`, sought from the cheapest kind to the
    widest; False when none exists.

    Moving `p` up with every total above it always works for a non-empty cell (as if some of
    its answers were counted twice: every cell holding them is non-empty), unless a cell the
    reader knows is in the way; so the search ends over the whole edition. An empty cell is
    different: an empty option of a dominated distribution is primary, and when an empty
    total above it is published as 0 (nobody gave that answer all year), no shift of
    non-empty cells exists. Published empty cells may then move too, and are hidden.
    """
    moved = None
    pinned = problem.values[p] == 0 and pinned_empty(problem, p)
    if not pinned:
        candidates = moves(p, 1) if moves is not None else []
        moved = _structured(problem, amount, candidates)
        if moved is None and candidates:
            # Moves combined in any proportion: a linear programme over their cells.
            moved = shift(problem, p, float(amount), _cells_of(candidates))
        for depth in _DEPTHS:
            if moved is not None:
                break
            moved = shift(problem, p, float(amount), neighbourhood(problem, p, depth))
    everything = np.arange(len(problem.cells))
    if moved is None and not pinned:
        moved = shift(problem, p, float(amount), everything)
    for wider in (*(_DEPTHS if moved is None else ()), None):
        if moved is not None:
            break
        near = everything if wider is None else neighbourhood(problem, p, wider)
        moved = shift(problem, p, float(amount), near, empty_too=True)
    if moved is None:
        return False
    problem.hide(moved)
    return True


def _cells_of(moves: list[tuple[IntArray, IntArray]]) -> IntArray:
    """Every cell the structured `moves` name, once."""
    return np.unique(np.concatenate([np.concatenate(m) for m in moves]))


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
