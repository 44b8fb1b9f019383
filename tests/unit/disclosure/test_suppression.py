"""Primary and complementary suppression: nothing below k is published or derivable."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from observatory.config import Settings
from observatory.disclosure import Audience, Constraint, disclose_table, suppress

K = 11
CHANNELS = ("qr", "kiosk", "papier")


def independent_check(
    counts: dict[object, int],
    relations: list[tuple[object, list[object]]],
    hidden: set[object],
    k: int = K,
) -> None:
    """Solve the published linear constraints, without the code under test.

    For each hidden cell, the cell is derivable exactly when adding its unit row to the
    hidden part of the constraint matrix does not raise the rank. The linear programme then
    bounds it with every count >= 0: the bounds must not meet either.
    """
    cells = sorted(hidden, key=repr)
    col = {c: i for i, c in enumerate(cells)}
    rows, rhs = [], []
    for total, parts in relations:
        row = np.zeros(len(cells))
        known = 0.0
        for cell, sign in [(total, 1.0), *[(p, -1.0) for p in parts]]:
            if cell in col:
                row[col[cell]] += sign
            else:
                known -= sign * counts[cell]
        if row.any():
            rows.append(row)
            rhs.append(known)
    matrix = np.array(rows).reshape(len(rows), len(cells))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    for cell in cells:
        if not 0 < counts[cell] < k:  # a count of k or more may be computed: it may be shown
            continue
        unit = np.zeros((1, len(cells)))
        unit[0, col[cell]] = 1.0
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) > rank, f"{cell} is derivable"
        if not rows:
            continue
        bounds = []
        for sense in (1.0, -1.0):
            result = linprog(sense * unit[0], A_eq=matrix, b_eq=rhs, bounds=(0, None),
                             method="highs")  # fmt: skip
            assert result.status in (0, 3)  # solved, or unbounded above
            bounds.append(np.inf if result.status == 3 else sense * result.fun)
        low, high = bounds[0], bounds[1]
        assert high - low > 0.5, f"{cell} is pinned to [{low}, {high}]"


@st.composite
def territory_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[tuple[object, list[object]]]]:
    """National → regions → départements, each split by channel, with random small counts.

    Some answers are at places with no known territory (a national remainder).
    """
    rows: list[dict[str, object]] = []
    relations: list[tuple[object, list[object]]] = []

    def add(level: str, code: str, parent: tuple[str, str] | None, by_channel: list[int]) -> None:
        link = {
            "parent_level": parent[0] if parent else None,
            "parent_code": parent[1] if parent else None,
        }
        rows.append({"scope_level": level, "scope_code": code, "breakdown": "none",
                     "breakdown_value": "", "n": sum(by_channel), **link})  # fmt: skip
        parts = []
        for channel, n in zip(CHANNELS, by_channel, strict=True):
            if n:
                rows.append({"scope_level": level, "scope_code": code, "breakdown": "channel",
                             "breakdown_value": channel, "n": n, **link})  # fmt: skip
                parts.append((level, code, "channel", channel))
        relations.append(((level, code, "none", ""), parts))

    small = st.integers(0, 25)
    national = np.zeros(3, dtype=int)
    regions = draw(st.integers(1, 3))
    for r in range(regions):
        region_total = np.zeros(3, dtype=int)
        deps = draw(st.integers(1, 4))
        for d in range(deps):
            counts = [draw(small) for _ in CHANNELS]
            if sum(counts) == 0:
                counts[0] = 1
            add("departement", f"{r}{d}", ("region", f"R{r}"), counts)
            region_total += counts
        add("region", f"R{r}", ("national", "FR"), list(map(int, region_total)))
        national += region_total
    unknown = [draw(st.integers(0, 6)) for _ in CHANNELS]
    national += unknown
    add("national", "FR", None, list(map(int, national)))

    table = pd.DataFrame(rows)
    # Hierarchy relations, written from the generated structure, not from the code under test.
    for parent_level, parent_code, child_level in [("national", "FR", "region")] + [
        ("region", f"R{r}", "departement") for r in range(regions)
    ]:
        children = table[(table.parent_code == parent_code) & (table.scope_level == child_level)]
        for (breakdown, value), group in children.groupby(["breakdown", "breakdown_value"]):
            total = (parent_level, parent_code, breakdown, value)
            if not ((table.scope_code == parent_code) & (table.breakdown == breakdown)
                    & (table.breakdown_value == value)).any():  # fmt: skip
                continue
            parts = [(child_level, c, breakdown, value) for c in group.scope_code]
            parts.append(("rest", parent_code, breakdown, value))
            relations.append((total, parts))
    return table, relations


def counts_with_remainders(
    table: pd.DataFrame, relations: list[tuple[object, list[object]]]
) -> dict[object, int]:
    counts: dict[object, int] = {
        (r.scope_level, r.scope_code, r.breakdown, r.breakdown_value): int(r.n)
        for r in table.itertuples()
    }
    for total, parts in relations:
        for part in parts:
            if part[0] == "rest":
                counts[part] = counts[total] - sum(counts[p] for p in parts if p[0] != "rest")
    return counts


@settings(max_examples=40, deadline=None)
@given(generated=territory_tables())
def test_nothing_below_k_is_published_or_derivable(generated) -> None:
    table, relations = generated
    out = disclose_table(table, Audience.PUBLIC, Settings(k_public=K))
    published = out[~out.suppressed]
    assert ((published.n == 0) | (published.n >= K)).all()
    counts = counts_with_remainders(table, relations)
    hidden = {
        (r.scope_level, r.scope_code, r.breakdown, r.breakdown_value)
        for r in out.itertuples()
        if r.suppressed
    }
    # Remainders are never published: they are unknowns, unless a reader can compute them.
    hidden |= {cell for cell in counts if cell[0] == "rest"}
    independent_check(counts, relations, hidden)
    # Primary suppression hid every small cell.
    small = table[(table.n > 0) & (table.n < K)]
    assert set(zip(small.scope_level, small.scope_code, small.breakdown,
                   small.breakdown_value, strict=True)) <= hidden  # fmt: skip


def test_a_lone_small_child_takes_its_smallest_sibling_with_it() -> None:
    counts = {"total": 40, "a": 3, "b": 12, "c": 25}
    result = suppress(counts, [Constraint("total", ("a", "b", "c"))], K)
    assert result.primary == {"a"}
    assert result.complementary == {"b"}


def test_an_unpublished_remainder_can_be_the_complement() -> None:
    counts = {"total": 40, "a": 3, "b": 12, "rest": 25}
    result = suppress(counts, [Constraint("total", ("a", "b", "rest"))], K, unpublished=["rest"])
    assert result.hidden == {"a"}


def test_two_small_children_protect_each_other() -> None:
    counts = {"total": 30, "a": 3, "b": 4, "c": 23}
    result = suppress(counts, [Constraint("total", ("a", "b", "c"))], K)
    assert result.hidden == {"a", "b"}


def test_an_only_child_hides_its_parent() -> None:
    counts = {"region": 7, "dep": 7}
    assert suppress(counts, [Constraint("region", ("dep",))], K).hidden == {"region", "dep"}


def test_derivation_across_two_dimensions_is_blocked() -> None:
    """A 2×2 table with margins: hiding one cell per row is not enough."""
    cells = {
        f"{r}{c}": n
        for (r, c), n in zip(itertools.product("ab", "xy"), [3, 20, 30, 40], strict=True)
    }
    counts = {**cells, "a": 23, "b": 70, "x": 33, "y": 60, "all": 93}
    constraints = [
        Constraint("a", ("ax", "ay")),
        Constraint("b", ("bx", "by")),
        Constraint("x", ("ax", "bx")),
        Constraint("y", ("ay", "by")),
        Constraint("all", ("a", "b")),
    ]
    hidden = suppress(counts, constraints, K).hidden
    relations = [(c.total, list(c.parts)) for c in constraints]
    independent_check(counts, relations, set(hidden))
    assert "ax" in hidden and len(hidden) >= 4
    assert suppress(counts, constraints, K).primary == {"ax"}


def test_places_with_unknown_territory_are_a_remainder_the_reader_can_compute() -> None:
    table = pd.DataFrame(
        [
            ("national", "FR", "none", "", 60, None, None),
            ("region", "R1", "none", "", 56, "national", "FR"),
        ],
        columns=["scope_level", "scope_code", "breakdown", "breakdown_value", "n",
                 "parent_level", "parent_code"],
    )  # fmt: skip
    out = disclose_table(table, Audience.PUBLIC, Settings(k_public=K))
    # 60 - 56 = 4 answers at places of unknown territory: one of the two must go.
    assert out.suppressed.any()


def test_team_threshold_is_lower() -> None:
    table = pd.DataFrame(
        [("team", "3", "none", "", 6)],
        columns=["scope_level", "scope_code", "breakdown", "breakdown_value", "n"],
    )
    assert not disclose_table(table, Audience.TEAM, Settings(k_team=5)).suppressed.any()
    assert disclose_table(table, Audience.PUBLIC, Settings(k_public=K)).suppressed.all()


@pytest.mark.parametrize("n", [0, K])
def test_zero_and_threshold_counts_are_published(n: int) -> None:
    assert not suppress({"a": n}, [], K).hidden
