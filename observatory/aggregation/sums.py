"""Cells added up in the database: a question's answers over several months or places, as a cell
of the larger scope or period would hold them (n and option counts add up, keys add modulo
2**32 like the record keys they sum).

Why not `read_cells` and a loop: a page that shows a team's year reads thousands of cells only
to add them up; building a frame of them and parsing two JSON objects per row cost more than the
database's own read (docs/performance.md, team space). Here the rows go straight from the
driver's tuples into the sums. (Adding up in SQL was tried: PostgreSQL's JSON functions
over 4,000 cells cost three times the Python below.) The deltas that folds logged and compaction has
not moved in yet (docs/decisions/0011) are added from `read.logged_cells`, so the sums equal
those of `read_cells`' rows whatever the state of the log.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.aggregation.models import AggregateCell
from observatory.aggregation.read import check_where, logged_cells, where_clauses
from observatory.responses.models import KEY_MODULUS

Tally = dict[str, tuple[int, int]]  # option → (count, cell key)
Group = tuple[Hashable, ...]


@dataclass
class Summed:
    """One group's cells added up: n (people who answered) and each option's count and key."""

    n: int = 0
    options: Tally = field(default_factory=dict)

    def add(self, other: Summed) -> None:
        """Add `other` in place, as the cell of both groups together would hold it."""
        self.n += other.n
        add_tally(self.options, other.options)


def add_tally(into: Tally, tally: Mapping[str, tuple[int, int]]) -> None:
    """Add `tally` into `into`, in place."""
    for option, (count, key) in tally.items():
        total, total_key = into.get(option, (0, 0))
        into[option] = (total + count, (total_key + key) % KEY_MODULUS)


def tallies_by(rows: pd.DataFrame, by: Sequence[str]) -> dict[Group, Summed]:
    """The n, option counts and keys of cell rows (read_cells' frame) added up per value of
    the `by` columns; each row's JSON is parsed once."""
    out: dict[Group, Summed] = {}
    columns = [rows[c] for c in by]
    for *values, n, counts, keys in zip(
        *columns, rows["n"], rows["counts_json"], rows["keys_json"], strict=True
    ):
        key_of = json.loads(str(keys))
        summed = out.setdefault(_group(values), Summed())
        summed.n += int(n)
        add_tally(
            summed.options,
            {
                option: (int(c), int(key_of[option]))
                for option, c in json.loads(str(counts)).items()
            },
        )
    return out


def sum_cells(session: Session, by: Sequence[str], **where: object) -> dict[Group, Summed]:
    """The cells `read_cells(session, **where)` would return, added up per value of the `by`
    key columns (e.g. ("period_start", "question")); dates come back as `datetime.date`.

    Groups without any cell are absent."""
    check_where(where)
    check_where(dict.fromkeys(by))
    cell = AggregateCell.__table__.c
    stmt = select(*(cell[c] for c in by), cell.n, cell.counts_json, cell.keys_json).where(
        *where_clauses(AggregateCell, where)
    )
    out = _added(session.execute(stmt).all(), len(by))
    logged = logged_cells(session, where)
    if logged is not None:
        for group, summed in tallies_by(logged, by).items():
            out.setdefault(group, Summed()).add(summed)
    return out


def _added(rows: Sequence[Sequence[object]], width: int) -> dict[Group, Summed]:
    """Rows of (*group, n, counts_json, keys_json) added up per group. All the rows' JSON is
    parsed in two calls, not two per row: parsing is then a small part of the cost (measured
    at 4,000 cells: about 20 ms in Python, where PostgreSQL's own JSON functions took 60 ms
    more than reading the rows)."""
    if not rows:
        return {}
    counts = json.loads("[" + ",".join(str(r[width + 1]) for r in rows) + "]")
    keys = json.loads("[" + ",".join(str(r[width + 2]) for r in rows) + "]")
    totals: dict[Group, int] = {}
    options_of: dict[Group, dict[str, list[int]]] = {}
    groups: dict[tuple[object, ...], Group] = {}  # a few hundred groups for thousands of rows
    for row, row_counts, row_keys in zip(rows, counts, keys, strict=True):
        raw = tuple(row[:width])
        group = groups.get(raw)
        if group is None:
            group = groups[raw] = _group(raw)
        totals[group] = totals.get(group, 0) + int(row[width])  # type: ignore[call-overload]
        options = options_of.setdefault(group, {})
        for option, count in row_counts.items():
            entry = options.get(option)
            if entry is None:
                options[option] = [count, row_keys[option]]
            else:
                entry[0] += count
                entry[1] += row_keys[option]
    return {
        group: Summed(n, {o: (c, k % KEY_MODULUS) for o, (c, k) in options_of[group].items()})
        for group, n in totals.items()
    }


def _group(values: Sequence[object]) -> Group:
    return tuple(v.date() if isinstance(v, pd.Timestamp) else v for v in values)
