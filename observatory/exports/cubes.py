"""Hypercubes of an edition: balanced moves that keep every relation of the table true.

An edition's cells are the product of three dimensions: territory (national → régions →
départements), period (months, and the quarters, year and twelve months that add them up) and
category (the categories of a table, which add up to the answers for additive tables). Along
each dimension, a move is a pair of signed coordinate sets, (up, down), such that every
relation along that dimension still holds: a département up and a neighbour of its région
down (the région does not change), or a département up together with its région and the
nation. A move of the whole table is the product of one move per dimension, each cell's sign
the product of its coordinates' signs: every relation lies along one dimension with the other
coordinates fixed, so it holds. These are the hypercubes of the statistical offices'
suppression tools (τ-Argus's GHMITER), generalised to hierarchies and overlapping periods.

For a primary cell, the few cheapest moves of each dimension (small cells first, with room to
go down) are combined; `disclosure.protection` takes the cheapest product that fits.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

from observatory.exports.table import ANSWERS, MONTHLY_LEVELS, TOTAL, CellId, Shape, Window

Territory = tuple[str, str]
Period = tuple[str, str]  # (kind, ISO start)
Category = tuple[str, str]  # (table, category)
Move = tuple[tuple[object, ...], tuple[object, ...]]  # (up coordinates, down coordinates)

_BEST_PER_DIMENSION = 4
_PARTIAL = 1e6  # the cost of a cell that can take only part of a shift


def _chain(territory: Territory, parent: Mapping[Territory, Territory]) -> list[Territory]:
    out = [territory]
    while out[-1] in parent:
        out.append(parent[out[-1]])
    return out


@functools.cache
def territory_moves(x: Territory, shape: Shape) -> list[Move]:
    """Moves where x goes up: a finest territory under x up with every territory above it
    that the other end does not share, and another one (or none) down. Finest means a
    département, or a région taken as a whole (its départements unchanged, which holds
    when the periods that move are months within one quarter: the engine checks)."""
    trees = [shape.parent, {t: up for t, up in shape.parent.items() if t[0] in MONTHLY_LEVELS}]
    out: list[Move] = []
    for parent in trees:
        leaves = sorted(set(parent) - set(parent.values()))
        for leaf in (leaf for leaf in leaves if x in _chain(leaf, parent)):
            up_chain = _chain(leaf, parent)
            for other in [*(o for o in leaves if o != leaf), None]:
                down_chain = [] if other is None else _chain(other, parent)
                up = tuple(t for t in up_chain if t not in down_chain)
                if x in up:
                    out.append((up, tuple(t for t in down_chain if t not in up_chain)))
    if not out:  # the nation alone
        out.append(((x,), ()))
    return list(dict.fromkeys(out))


@functools.cache
def _periods(window: Window, level: str, month: dt.date | None) -> tuple[Period, ...]:
    """The published periods holding `month` at `level`'s grain. Computed once: the move
    search asks for them millions of times on sparse data (1.4 M calls for 400 cells)."""
    if month is None:
        return ()
    return tuple(
        (kind, start.isoformat()) for kind, start in window.holding(window.leaf_of(level, month))
    )


@functools.cache
def _net(
    window: Window, level: str, months: tuple[dt.date, dt.date | None]
) -> tuple[tuple[Period, int], ...]:
    """The periods that move at `level`'s grain when the first month goes up and the second
    down, with their signs (a period holding both does not move)."""
    net: dict[Period, int] = {}
    for sign, month in ((1, months[0]), (-1, months[1])):
        for period in _periods(window, level, month):
            net[period] = net.get(period, 0) + sign
    return tuple((period, sign) for period, sign in net.items() if sign)


def month_pairs(x: Period, level: str, shape: Shape) -> list[tuple[dt.date, dt.date | None]]:
    """(month up, month down or none) such that x, at its territory's grain, goes up."""
    return _month_pairs(x, level, shape.window)


@functools.cache
def _month_pairs(x: Period, level: str, window: Window) -> list[tuple[dt.date, dt.date | None]]:
    out: list[tuple[dt.date, dt.date | None]] = []
    for month in window.months:
        if x not in _periods(window, level, month):
            continue
        for other in [*(o for o in window.months if o != month), None]:
            if x not in _periods(window, level, other):
                out.append((month, other))
    return out


def category_moves(x: Category, shape: Shape, size: Callable[[Category], int]) -> list[Move]:
    """Moves where x goes up: another category of its table down (additive tables); x alone
    (tables whose categories overlap); the answers up with one category of every additive
    table (the largest ones, then the next ones), x being its own table's, as if answers were
    counted twice: for the answers themselves, and for a category whose neighbours are too
    small to go down (an option nearly everyone chose on few answers, the dominance rule's
    cells, could otherwise only move through a linear programme over half the edition)."""
    table, category = x
    if table != ANSWERS and table not in shape.additive:
        return [((x,), ())]
    ranked = {
        name: sorted(shape.categories[name], key=lambda c, n=name: -size((n, c)))  # type: ignore[misc]
        for name in sorted(shape.additive - {table})
    }
    depth = max((len(v) for v in ranked.values()), default=0)
    own = () if table == ANSWERS else (x,)
    together: list[Move] = [
        (
            (
                (ANSWERS, TOTAL),
                *own,
                *((name, cats[min(r, len(cats) - 1)]) for name, cats in ranked.items()),
            ),
            (),
        )
        for r in range(min(depth, 3))
    ]
    if table == ANSWERS:
        return together
    pairs: list[Move] = [
        ((x,), ((table, other),)) for other in shape.categories[table] if other != category
    ]
    return pairs + together


Signed = dict[CellId, int]


def _signed(
    window: Window,
    territories: Move,
    months: tuple[dt.date, dt.date | None],
    categories: Move,
) -> Signed:
    """The cells of a move and their signs: each territory at its own grain of the two
    months (a period holding both does not move)."""
    net: dict[tuple[Territory, Period], int] = {}
    for sign_t, ts in ((1, territories[0]), (-1, territories[1])):
        for t in ts:
            territory = cast(Territory, t)
            for sign_m, month in ((1, months[0]), (-1, months[1])):
                for period in _periods(window, territory[0], month):
                    key = (territory, period)
                    net[key] = net.get(key, 0) + sign_t * sign_m
    out: Signed = {}
    for (territory, period), sign in net.items():
        if sign == 0:
            continue
        for sign_c, cs in ((1, categories[0]), (-1, categories[1])):
            for c in cs:
                out[CellId(*territory, *period, *cast(Category, c))] = sign * sign_c
    return out


def _cost(
    primary: CellId, signed: Signed, counts: Mapping[CellId, int], room: int, direction: int
) -> float:
    """What a move would hide, or infinity when a cell cannot take it at all: an empty cell
    (published as 0) cannot go up, a cell of 1 cannot go down. A cell going down with less
    than `room` answers can take only part of the shift (the engine then adds smaller moves
    up): such moves come after those that take it whole."""
    cost = 0.0
    for cell, sign in signed.items():
        if cell == primary:
            continue
        n = counts.get(cell, 0)
        going_down = sign * direction < 0
        if n == 0 or (going_down and n <= 1):
            return float("inf")
        cost += 1 + n + (_PARTIAL if going_down and n <= room else 0)
    return cost


def edition_moves(
    shape: Shape, counts: Mapping[CellId, int], room: int
) -> Callable[[CellId, int], list[tuple[list[CellId], list[CellId]]]]:
    """The `moves` callback of `disclosure.protection.protect` for an edition's cells: the
    few cheapest moves of each dimension (the others held at the primary cell's coordinates,
    the move alone always kept), combined."""
    window = shape.window

    def moves(cell: CellId, direction: int) -> list[tuple[list[CellId], list[CellId]]]:
        t: Territory = (cell.scope_level, cell.scope_code)
        p: Period = (cell.period_kind, cell.period_start)
        c: Category = (cell.table, cell.category)
        if t not in shape.parent and t[0] != "national":  # a remainder: never primary
            return []
        own = (((t,), ()), ((c,), ()))
        by_t = territory_moves(t, shape)
        by_m = month_pairs(p, t[0], shape)
        by_c = category_moves(c, shape, lambda k: counts.get(CellId(*t, *p, *k), 0))
        # Months are ranked with the territory moving alone up to the nation: which month
        # moves decides which région and national cells move, and they must not be empty.
        chains = [m for m in by_t if not m[1]] or [own[0]]

        def territory_cost(pair: tuple[dt.date, dt.date | None]) -> Callable[[Move], float]:
            """A territory move's cost with the months of `pair`: the sum of each territory's
            own (a territory's cells are its alone), each computed once."""
            alone: dict[tuple[object, int], float] = {}

            def of(t: object, sign: int) -> float:
                if (t, sign) not in alone:
                    territory = cast(Territory, t)
                    signed = {
                        CellId(*territory, *period, *c): sign * s
                        for period, s in _net(window, territory[0], pair)
                    }
                    alone[(t, sign)] = _cost(cell, signed, counts, room, direction)
                return alone[(t, sign)]

            return lambda m: sum(of(t, 1) for t in m[0]) + sum(of(t, -1) for t in m[1])

        def fits(pair: tuple[dt.date, dt.date | None]) -> Callable[[Move], bool]:
            return lambda m: _whole(shape, _signed(window, m, pair, own[1]))

        def month_cost(pair: tuple[dt.date, dt.date | None]) -> float:
            costs = _checked(chains, [territory_cost(pair)(m) for m in chains], fits(pair), 1)
            return min(costs, default=float("inf"))

        best_m = _pick(
            by_m,
            [month_cost(m) for m in by_m],
            # Spread over the finest periods: when one is too small to take the whole shift,
            # the rest goes through another (`disclosure.protection` adds moves up).
            spread=lambda pair: pair[0],
        )
        # The other dimensions are ranked with the month moving alone: it asks nothing of
        # any other month, so their ranking does not hinge on one month's room.
        month = next((m for m in best_m if m[1] is None), best_m[0])
        cost_t = territory_cost(month)
        best_t = _pick(
            by_t, _checked(by_t, [cost_t(m) for m in by_t], fits(month), _BEST_PER_DIMENSION)
        )
        best_c = _pick(
            by_c,
            [_cost(cell, _signed(window, own[0], month, m), counts, room, direction) for m in by_c],
        )
        out = []
        for tm, mm, cm in itertools.product(best_t, best_m, best_c):
            signed = _signed(window, tm, mm, cm)
            if not _whole(shape, signed):
                continue
            out.append(
                ([k for k, s in signed.items() if s > 0], [k for k, s in signed.items() if s < 0])
            )
        return out

    return moves


T = TypeVar("T")


@functools.cache
def _children(shape: Shape) -> dict[Territory, frozenset[Territory]]:
    out: dict[Territory, set[Territory]] = {}
    for child, parent in sorted(shape.parent.items()):
        out.setdefault(parent, set()).add(child)
    return {parent: frozenset(kids) for parent, kids in out.items()}


def _whole(shape: Shape, signed: Signed) -> bool:
    """False when a territory moves in a period its children are published by too, but none
    of them moves with it (a région's quarter without any of its départements')."""
    children = _children(shape)
    moving: dict[tuple[str, ...], set[Territory]] = {}  # (period, category) → territories
    for cell in signed:
        moving.setdefault(cell[2:], set()).add((cell[0], cell[1]))
    for cell in signed:
        kids = children.get((cell[0], cell[1]))
        if not kids or cell.period_kind == "month":  # départements have no months
            continue
        if kids.isdisjoint(moving[cell[2:]]):
            return False
    return True


def _checked(
    options: list[T], costs: list[float], fits: Callable[[T], bool], count: int
) -> list[float]:
    """`costs` with infinity for the options that do not fit, as `_pick` needs them: checked
    cheapest first (a check builds the move's cells) only until `count` fit and one that
    moves nothing down fits too; the options never checked count as not fitting, which
    `_pick` would not have taken anyway."""
    out = [float("inf")] * len(costs)
    found, alone = 0, False
    for cost, i in sorted((c, i) for i, c in enumerate(costs) if c < float("inf")):
        if found >= count and (alone or not _alone(options[i])):
            if alone:
                break
            continue
        if fits(options[i]):
            out[i] = cost
            found += 1
            alone = alone or _alone(options[i])
    return out


def _pick(
    options: list[T], costs: list[float], spread: Callable[[T], object] | None = None
) -> list[T]:
    """The cheapest options that fit; the cheapest that moves nothing down (it fits wherever
    cells are not empty, when every cell around is too small to go down); with `spread`, the
    cheapest of each kind as well, up to as many again."""
    ranked = [i for cost, i in sorted((c, i) for i, c in enumerate(costs)) if cost < float("inf")]
    chosen = [options[i] for i in ranked[:_BEST_PER_DIMENSION]]
    alone = next((options[i] for i in ranked if _alone(options[i])), None)
    if alone is not None and alone not in chosen:
        chosen[-1] = alone
    if spread is not None:
        kinds = {spread(o) for o in chosen}
        for i in ranked:
            if len(chosen) >= 2 * _BEST_PER_DIMENSION:
                break
            if spread(options[i]) not in kinds:
                kinds.add(spread(options[i]))
                chosen.append(options[i])
    return chosen or options[:1]


def _alone(option: object) -> bool:
    return isinstance(option, tuple) and len(option) == 2 and (option[1] is None or option[1] == ())
