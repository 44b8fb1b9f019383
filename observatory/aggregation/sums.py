"""Cells added up in the database: a question's answers over several months or places, as a cell
of the larger scope or period would hold them (n and option counts add up, keys add modulo
2**32 like the record keys they sum).

Why in SQL: a page that shows a team's year reads thousands of cells only to add them up.
Building a frame of them and parsing two JSON objects per row in Python cost more than the
database's own read (docs/performance.md, team space). Here the database expands the option
counts and returns one row per group and option. The deltas that folds logged and compaction has
not moved in yet (docs/decisions/0011) are added from `read.logged_cells`, so the sums equal
those of `read_cells`' rows whatever the state of the log.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import JSON, BigInteger, ColumnElement, Select, cast, func, literal, select, true
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
    out: dict[Group, Summed] = {}
    for *values, option, count, key in session.execute(_statement(session, by, where)):
        summed = out.setdefault(_group(values), Summed())
        if option is None:
            summed.n += int(count)
        else:
            add_tally(summed.options, {str(option): (int(count), int(key) % KEY_MODULUS)})
    logged = logged_cells(session, where)
    if logged is not None:
        for group, summed in tallies_by(logged, by).items():
            mine = out.setdefault(group, Summed())
            mine.n += summed.n
            add_tally(mine.options, summed.options)
    return out


def _group(values: Sequence[object]) -> Group:
    return tuple(v.date() if isinstance(v, pd.Timestamp) else v for v in values)


def _statement(session: Session, by: Sequence[str], where: Mapping[str, object]) -> Select:  # type: ignore[type-arg]
    """One statement, one round trip: each group's n (option NULL), then its options' counts
    and key sums, expanded from the JSON text by the database (PostgreSQL or SQLite)."""
    cell = AggregateCell.__table__.c
    keys = [cell[c] for c in by]
    filters = where_clauses(AggregateCell, where)
    if session.get_bind().dialect.name == "postgresql":
        each = func.json_each_text(cast(cell.counts_json, JSON)).table_valued("key", "value")
        key_of: ColumnElement[object] = cast(cell.keys_json, JSON).op("->>")(each.c.key)
    else:
        each = func.json_each(cell.counts_json).table_valued("key", "value")
        key_of = func.json_extract(cell.keys_json, literal('$."') + each.c.key + literal('"'))
    totals = select(
        *keys,
        literal(None).label("option"),
        func.sum(cell.n).label("count"),
        literal(0, BigInteger).label("key"),
    ).where(*filters)
    options = (
        select(
            *keys,
            each.c.key.label("option"),
            func.sum(cast(each.c.value, BigInteger)).label("count"),
            func.sum(cast(key_of, BigInteger)).label("key"),
        )
        .select_from(AggregateCell.__table__)
        .join(each, true())
        .where(*filters)
        .group_by(*keys, each.c.key)
    )
    return totals.group_by(*keys).union_all(options)  # type: ignore[return-value]
