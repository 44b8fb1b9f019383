"""What a frozen edition publishes, as one linked table: every cell, its true count and cell
key, and every relation a reader can add up (docs/decisions/0020).

An edition `YYYYTn` covers the twelve months that end with quarter n of year YYYY. For the
nation, each région and each département it gives, for each month, each quarter of the window,
the calendar year so far and the twelve months together: the number of answers, split by
channel, age band and language, and the answers to each closed question ("non renseigné"
counted, so that the options of a question add up to the answers). Reasons people came
(several per answer) are counts that do not add up to anything but still sum over territories
and periods.

Pure functions of the cells (`aggregation.read.read_cells` frames) and of the geography: no
session, no suppression (that is `disclosure.protection`'s job).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from observatory.aggregation.models import NATIONAL, NO_BREAKDOWN, UNKNOWN_VALUE
from observatory.clock import add_months
from observatory.disclosure.complementary import Constraint
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.models import KEY_MODULUS

ANSWERS = "reponses"
TOTAL = "total"
# Additive splits of the answers: the cell breakdown each comes from, and its table name.
SPLITS = {"channel": "canal", "age": "age", "language": "langue"}
LEVELS = ("national", "region", "departement")
MONTHLY_LEVELS = ("national", "region")
REMAINDER_LEVEL = "reste"  # answers below a territory that none of its children holds
_ANSWERED = "~answered"  # a question's answered count, before it becomes "non renseigné"
_CODE = re.compile(r"(?P<year>\d{4})T(?P<quarter>[1-4])")


Period = tuple[str, dt.date]  # (kind, first day)


class CellId(NamedTuple):
    scope_level: str
    scope_code: str
    period_kind: str  # month, quarter, year (the calendar year so far), rolling12
    period_start: str  # ISO date of the period's first month
    table: str
    category: str


@dataclass(frozen=True)
class Window:
    """The months an edition covers, from its code (2026T3: October 2025 to September 2026)."""

    code: str
    year: int
    quarter: int

    @classmethod
    def parse(cls, code: str) -> Window:
        match = _CODE.fullmatch(code.strip().upper())
        if match is None:
            raise ValueError(
                f"an edition is named YYYYTn (2026T3 for July–September 2026), not {code!r}"
            )
        return cls(match.group(0), int(match.group("year")), int(match.group("quarter")))

    @property
    def months(self) -> tuple[dt.date, ...]:
        return _window_months(self.year, self.quarter)

    @property
    def ends_on(self) -> dt.date:
        """The last day of the edition's quarter."""
        return add_months(self.months[-1], 1) - dt.timedelta(days=1)

    def leaves(self, level: str) -> list[Period]:
        """The finest periods a territory level is published by: months for the nation and
        the régions, quarters for the départements (months there are mostly too small)."""
        if level in MONTHLY_LEVELS:
            return [("month", m) for m in self.months]
        return sorted({_quarter_of(m) for m in self.months})

    def leaf_of(self, level: str, month: dt.date) -> Period:
        return ("month", month) if level in MONTHLY_LEVELS else _quarter_of(month)

    def holding(self, leaf: Period) -> list[Period]:
        """A finest period and every published period that adds it up: its quarter, the
        calendar year so far (when in that year) and the twelve months."""
        kind, start = leaf
        out = [leaf]
        if kind == "month":
            out.append(_quarter_of(start))
        if start.year == self.year:
            out.append(("year", dt.date(self.year, 1, 1)))
        if self.quarter < 4:  # in Q4 the twelve months are the calendar year
            out.append(("rolling12", self.months[0]))
        return out

    def periods(self, level: str) -> list[Period]:
        return sorted({p for leaf in self.leaves(level) for p in self.holding(leaf)})


@functools.cache
def _window_months(year: int, quarter: int) -> tuple[dt.date, ...]:
    """Computed once per window: the move search asks for them hundreds of thousands of times
    (88 % of an edition's protection time on sparse data, bench/editions.py --profile)."""
    last = dt.date(year, 3 * quarter, 1)
    return tuple(add_months(last, -i) for i in range(11, -1, -1))


def _quarter_of(month: dt.date) -> Period:
    return ("quarter", dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1))


@dataclass(frozen=True, eq=False)  # hashed by identity: one per edition
class Shape:
    """The dimensions the edition's cells are the product of, for the hypercube search."""

    window: Window
    parent: dict[tuple[str, str], tuple[str, str]]  # territory → the territory above it
    categories: dict[str, tuple[str, ...]]  # table → its categories
    additive: frozenset[str]  # tables whose categories add up to the answers


@dataclass
class EditionTable:
    """Every cell with its true count and cell key, and the relations among them."""

    shape: Shape
    counts: dict[CellId, int] = field(default_factory=dict)
    keys: dict[CellId, int] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    # Cells whose options must not be shown when (almost) everyone gave the same answer.
    distributions: list[tuple[CellId, ...]] = field(default_factory=list)
    unpublished: set[CellId] = field(default_factory=set)

    def add(self, cell: CellId, count: int, key: int) -> None:
        self.counts[cell] = self.counts.get(cell, 0) + count
        self.keys[cell] = (self.keys.get(cell, 0) + key) % KEY_MODULUS


def _month_cells(
    cells: pd.DataFrame, questionnaire: Questionnaire, months: Iterable[dt.date]
) -> dict[CellId, tuple[int, int]]:
    """Month cells of the edition: (count, key) per CellId, from stored cells."""
    wanted = {m.isoformat() for m in months}
    headline = questionnaire.headline.id
    closed = {
        q.id: q for q in questionnaire.questions if q.kind != "text" and q.id not in SPLITS.values()
    }
    out: dict[CellId, tuple[int, int]] = {}
    starts = pd.to_datetime(cells["period_start"]).dt.date.map(dt.date.isoformat)
    columns = ["scope_level", "scope_code", "period_kind", "question", "breakdown"]
    rows = zip(
        *(cells[c].astype(str).tolist() for c in columns),
        cells["breakdown_value"].astype(str).tolist(),
        cells["n"].astype(int).tolist(),
        cells["key_sum"].astype(int).tolist(),
        cells["counts_json"].tolist(),
        cells["keys_json"].tolist(),
        starts.tolist(),
        strict=True,
    )
    for level, code, kind, question, breakdown, value, n, key, counts, keys, start in rows:
        if start not in wanted or kind != "month":
            continue
        place = (level, code, "month", start)
        if question == headline and breakdown == NO_BREAKDOWN:
            out[CellId(*place, ANSWERS, TOTAL)] = (n, key)
        elif question == headline and breakdown in SPLITS:
            out[CellId(*place, SPLITS[breakdown], value)] = (n, key)
        if breakdown != NO_BREAKDOWN or question not in closed:
            continue
        key_of = json.loads(keys)
        for option, count in json.loads(counts).items():
            out[CellId(*place, question, option)] = (int(count), int(key_of[option]))
        if not closed[question].required and closed[question].kind == "single":
            out[CellId(*place, question, _ANSWERED)] = (n, key)
    optional = [q for q, d in closed.items() if not d.required and d.kind == "single"]
    for cell in [c for c in out if c.table == ANSWERS]:
        for question in optional:  # nobody answered it: every answer "non renseigné"
            out.setdefault(cell._replace(table=question, category=_ANSWERED), (0, 0))
    return _unanswered(out)


def _unanswered(cells: dict[CellId, tuple[int, int]]) -> dict[CellId, tuple[int, int]]:
    """Replace each single-choice question's answered count by its "non
    renseigné" cell: the answers minus those who answered it, keys likewise."""
    out = {}
    for cell, (count, key) in cells.items():
        if cell.category != _ANSWERED:
            out[cell] = (count, key)
            continue
        total = cells.get(cell._replace(table=ANSWERS, category=TOTAL), (0, 0))
        missing = total[0] - count
        if missing < 0:
            raise ValueError(f"more answers to {cell.table} than answers at {cell[:4]}")
        out[cell._replace(category=UNKNOWN_VALUE)] = (missing, (total[1] - key) % KEY_MODULUS)
    return out


def build_table(
    cells: pd.DataFrame,
    questionnaire: Questionnaire,
    window: Window,
    region_of: Mapping[str, str],
) -> EditionTable:
    """The edition's linked table from month cells of the national, région and département
    levels (`region_of`: département code → région code)."""
    base = _month_cells(cells, questionnaire, window.months)
    # Every territory shows every category a table has anywhere in the edition (0 when empty),
    # so that each relation lists all its parts.
    categories: dict[str, set[str]] = defaultdict(set)
    territories: set[tuple[str, str]] = {("national", NATIONAL)}
    for cell in base:
        categories[cell.table].add(cell.category)
        territories.add((cell.scope_level, cell.scope_code))
    unknown = sorted(c for lvl, c in territories if lvl == "departement" and c not in region_of)
    if unknown:
        raise ValueError(f"départements with no région in the referential: {unknown}")
    territories |= {("region", region_of[c]) for lvl, c in territories if lvl == "departement"}
    parent = {
        (level, code): ("region", region_of[code])
        if level == "departement"
        else ("national", NATIONAL)
        for level, code in territories
        if level != "national"
    }
    single = {q.id for q in questionnaire.questions if q.kind == "single" and q.id in categories}
    additive = single | {name for name in categories if name in SPLITS.values()}
    shape = Shape(
        window,
        parent,
        {name: tuple(sorted(options)) for name, options in categories.items()},
        frozenset(additive),
    )
    table = EditionTable(shape)
    for level, code in territories:
        for name, options in categories.items():
            for category in options:
                for month in window.months:
                    count, key = base.get(
                        CellId(level, code, "month", month.isoformat(), name, category), (0, 0)
                    )
                    for kind, start in window.holding(window.leaf_of(level, month)):
                        table.add(CellId(level, code, kind, start.isoformat(), name, category),
                                  count, key)  # fmt: skip
    _category_relations(table, territories, categories)
    _territory_relations(table, territories, categories)
    _period_relations(table, territories, categories)
    return table


def _category_relations(
    table: EditionTable,
    territories: set[tuple[str, str]],
    categories: Mapping[str, set[str]],
) -> None:
    """Answers = the sum of each split, and of each single-choice question's options."""
    additive = table.shape.additive
    questions = additive - set(SPLITS.values())
    for level, code in sorted(territories):
        for kind, start in table.shape.window.periods(level):
            at = (level, code, kind, start.isoformat())
            for name in sorted(additive):
                parts = tuple(CellId(*at, name, c) for c in sorted(categories[name]))
                table.constraints.append(Constraint(CellId(*at, ANSWERS, TOTAL), parts))
                if name in questions:
                    table.distributions.append(
                        tuple(p for p in parts if p.category != UNKNOWN_VALUE)
                    )


def _territory_relations(
    table: EditionTable,
    territories: set[tuple[str, str]],
    categories: Mapping[str, set[str]],
) -> None:
    """A parent = the sum of its children, plus what none of them holds (never published),
    for every period both are published by."""
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for territory in sorted(territories):
        if territory in table.shape.parent:
            children[table.shape.parent[territory]].append(territory)
    for parent, kids in sorted(children.items()):
        for kind, start in table.shape.window.periods(kids[0][0]):
            for name, options in sorted(categories.items()):
                for category in sorted(options):
                    at = (kind, start.isoformat(), name, category)
                    whole = CellId(*parent, *at)
                    parts = [CellId(*kid, *at) for kid in kids]
                    rest = table.counts[whole] - sum(table.counts[p] for p in parts)
                    if rest < 0:
                        raise ValueError(f"the parts of {whole} add up to more than it")
                    if rest > 0:
                        remainder = CellId(REMAINDER_LEVEL, f"{parent[0]}:{parent[1]}", *at)
                        key = table.keys[whole] - sum(table.keys[p] for p in parts)
                        table.add(remainder, rest, key % KEY_MODULUS)
                        table.unpublished.add(remainder)
                        parts.append(remainder)
                    table.constraints.append(Constraint(whole, tuple(parts)))


def _period_relations(
    table: EditionTable,
    territories: set[tuple[str, str]],
    categories: Mapping[str, set[str]],
) -> None:
    """Each quarter, the year so far and the twelve months = the sum of their finest
    periods (months, or quarters for the départements)."""
    window = table.shape.window
    for level, code in sorted(territories):
        sums: dict[Period, list[Period]] = defaultdict(list)
        for leaf in window.leaves(level):
            for period in window.holding(leaf)[1:]:
                sums[period].append(leaf)
        for name, options in sorted(categories.items()):
            for category in sorted(options):
                for (kind, start), leaves in sorted(sums.items()):
                    whole = CellId(level, code, kind, start.isoformat(), name, category)
                    parts = tuple(
                        CellId(level, code, k, day.isoformat(), name, category) for k, day in leaves
                    )
                    table.constraints.append(Constraint(whole, parts))
