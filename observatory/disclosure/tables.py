"""The gate for a whole table of cells published together (map, series, export).

A table is a frame of cells for one question and one period; the additive relations a reader
could exploit are derived from it: a scope's cell equals the sum of its values for an additive
breakdown (channel, age band, language), and a territory's cell equals the sum of its children
in the table plus the remainder no child covers (answers at places with no known commune, or
children not shown). The remainder is never published but is counted, because a reader can
compute it by subtraction.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from observatory.aggregation.models import ADDITIVE_BREAKDOWNS, NO_BREAKDOWN
from observatory.config import Settings
from observatory.disclosure.complementary import Constraint, suppress
from observatory.disclosure.gate import Audience, threshold

TABLE_COLUMNS = ["scope_level", "scope_code", "breakdown", "breakdown_value", "n"]
REMAINDER = "remainder"


def _cell_id(level: str, code: str, breakdown: str, value: str) -> tuple[str, str, str, str]:
    return (level, code, breakdown, value)


def table_constraints(
    table: pd.DataFrame,
) -> tuple[dict[Hashable, int], list[Constraint]]:
    """Every cell's count (remainders included) and the additive constraints among them.

    `table`: TABLE_COLUMNS plus optional `parent_level`, `parent_code` (the territory
    directly above, when it is in the table too).
    """
    counts: dict[Hashable, int] = {}
    for row in table.itertuples(index=False):
        cell = _cell_id(
            str(row.scope_level), str(row.scope_code), str(row.breakdown), str(row.breakdown_value)
        )
        counts[cell] = counts.get(cell, 0) + int(str(row.n))
    constraints: list[Constraint] = []

    split = table[table["breakdown"].isin(ADDITIVE_BREAKDOWNS)]
    for (level, code, breakdown), group in split.groupby(
        ["scope_level", "scope_code", "breakdown"], sort=True
    ):
        total = _cell_id(str(level), str(code), NO_BREAKDOWN, "")
        if total in counts:
            values = tuple(
                _cell_id(str(level), str(code), str(breakdown), str(v))
                for v in sorted(group["breakdown_value"])
            )
            constraints.append(Constraint(total, values))

    if {"parent_level", "parent_code"} <= set(table.columns):
        linked = table[table["parent_code"].notna()]
        for (p_level, p_code, breakdown, value), group in linked.groupby(
            ["parent_level", "parent_code", "breakdown", "breakdown_value"], sort=True
        ):
            total = _cell_id(str(p_level), str(p_code), str(breakdown), str(value))
            if total not in counts:
                continue
            parts = [
                _cell_id(str(level), str(code), str(breakdown), str(value))
                for level, code in sorted(
                    zip(group["scope_level"], group["scope_code"], strict=True)
                )
            ]
            rest = counts[total] - sum(counts[p] for p in parts)
            if rest < 0:
                raise ValueError(f"children of {total} add up to more than it")
            remainder = _cell_id(REMAINDER, f"{p_level}:{p_code}", str(breakdown), str(value))
            counts[remainder] = rest
            constraints.append(Constraint(total, (*parts, remainder)))
    return counts, constraints


def disclose_table(table: pd.DataFrame, audience: Audience, settings: Settings) -> pd.DataFrame:
    """The table with `suppressed` (and `complementary`) columns; suppressed counts are NA.

    Callers must not publish anything else derived from a suppressed row (score, share).
    """
    k = threshold(audience, settings)
    counts, constraints = table_constraints(table)
    remainders = [cell for cell in counts if cell[0] == REMAINDER]  # type: ignore[index]
    result = suppress(counts, constraints, k, unpublished=remainders)
    ids = [
        _cell_id(str(r.scope_level), str(r.scope_code), str(r.breakdown), str(r.breakdown_value))
        for r in table.itertuples(index=False)
    ]
    out = table.copy()
    out["suppressed"] = [cell in result.hidden for cell in ids]
    out["complementary"] = [cell in result.complementary for cell in ids]
    out["n"] = out["n"].astype("Int64").mask(out["suppressed"])
    return out
