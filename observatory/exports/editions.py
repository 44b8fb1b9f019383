"""Compose, freeze and export an edition (docs/decisions/0020).

The edition shows the same perturbed counts as the pages (cell key method, docs/decisions/0018)
and, on top, hides what complementary suppression with protection intervals requires, computed
here, offline, over the whole edition: at page time no linear programme runs.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from observatory.aggregation.read import read_cells
from observatory.config import Settings
from observatory.disclosure.figures import DOMINANCE_MIN, DOMINANCE_N, Rules
from observatory.disclosure.gate import Audience
from observatory.disclosure.protection import Progress, Protection, protect
from observatory.exports.cubes import edition_moves
from observatory.exports.models import Edition, EditionCell
from observatory.exports.table import LEVELS, CellId, EditionTable, Window, build_table
from observatory.questionnaires.definitions import Questionnaire
from observatory.territories.models import Territory

# How far a hidden small count must stay uncertain, in answers, both ways (never below 1): as
# wide as the perturbation's own bound of ±4 would let a count move, less one.
PROTECTION = 3
CSV_COLUMNS = ("niveau", "code", "periode", "debut", "tableau", "categorie", "valeur")


# The columns that name a stored cell, in CellId's order.
_CELL_ID = (
    EditionCell.scope_level,
    EditionCell.scope_code,
    EditionCell.period_kind,
    EditionCell.period_start,
    EditionCell.table_name,
    EditionCell.category,
)


class EditionError(ValueError):
    """An edition that cannot be published as asked (the message says why, in French)."""


@dataclass(frozen=True)
class Composed:
    window: Window
    table: EditionTable
    published: dict[CellId, int | None]  # None: hidden
    protection: Protection
    k: int


def region_of(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Territory.code, Territory.region_code).where(Territory.level == "departement")
    )
    return {code: region for code, region in rows if region}


def _cells(session: Session, window: Window) -> pd.DataFrame:
    """The month cells of the edition's twelve months (every period it publishes adds up some
    of them), not of every month stored: 3 times fewer rows on 36 months of data."""
    months = list(window.months)
    frames = [
        read_cells(session, scope_level=level, period_kind="month", period_start=months)
        for level in LEVELS
    ]
    return pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)


def known_cells(session: Session, window: Window) -> set[CellId]:
    """Cells that earlier editions published: their readers know them already."""
    rows = session.execute(
        select(*_CELL_ID)
        .join(Edition, Edition.id == EditionCell.edition_id)
        .where(Edition.code != window.code, EditionCell.value.is_not(None))
    )
    return {
        CellId(lvl, code, kind, start.isoformat(), t, c) for lvl, code, kind, start, t, c in rows
    }


def primary_cells(table: EditionTable, shown: dict[CellId, int], k: int) -> set[CellId]:
    """Cells hidden for themselves: fewer than k answers, truly or once perturbed, and every
    option of a question that (almost) everyone answered the same way on few answers."""
    primary = {
        cell
        for cell, n in table.counts.items()
        if cell not in table.unpublished and n > 0 and (n < k or shown[cell] < k)
    }
    for options in table.distributions:
        total = sum(shown[c] for c in options)
        top = max((shown[c] for c in options), default=0)
        if 0 < total < DOMINANCE_N and total - top < DOMINANCE_MIN:
            primary.update(options)
    return primary


def compose(
    session: Session,
    code: str,
    questionnaire: Questionnaire,
    settings: Settings,
    progress: Progress | None = None,
) -> Composed:
    """Everything the edition would publish, without storing it."""
    try:
        window = Window.parse(code)
    except ValueError as error:
        raise EditionError(str(error)) from error
    table = build_table(_cells(session, window), questionnaire, window, region_of(session))
    rules = Rules.for_audience(Audience.PUBLIC, settings)
    cells = list(table.counts)
    perturbed = rules.table.perturb_many(
        np.array([table.counts[c] for c in cells], dtype=np.int64),
        np.array([table.keys[c] for c in cells], dtype=np.int64),
    )
    shown = dict(zip(cells, (int(v) for v in perturbed), strict=True))
    outcome = protect(
        table.counts,
        table.constraints,
        primary=primary_cells(table, shown, rules.k),
        k=rules.k,
        protection=PROTECTION,
        known=known_cells(session, window),
        unpublished=table.unpublished,
        moves=edition_moves(table.shape, table.counts, PROTECTION),
        progress=progress,
    )
    published: dict[CellId, int | None] = {
        cell: None if cell in outcome.hidden else shown[cell]
        for cell in cells
        if cell not in table.unpublished
    }
    return Composed(window, table, published, outcome, rules.k)


def publishable_from(window: Window, window_days: int) -> dt.date:
    """Answers may reach the observatory up to `window_days` late (kiosk queues, paper forms):
    an edition waits for them, or it would differ from the cells a month later."""
    return window.ends_on + dt.timedelta(days=window_days + 1)


def publish(session: Session, composed: Composed, today: dt.date) -> Edition:
    """Freeze a composed edition. An edition is published once: it is never recomputed."""
    code = composed.window.code
    if session.scalar(select(Edition.id).where(Edition.code == code)) is not None:
        raise EditionError(f"l'édition {code} est déjà publiée : une édition ne change plus")
    if composed.protection.unprotectable:
        examples = ", ".join(sorted(str(c) for c in composed.protection.unprotectable)[:3])
        raise EditionError(
            f"{len(composed.protection.unprotectable)} cellules de l'édition {code} ne peuvent "
            f"pas être protégées (par exemple {examples}) : l'édition n'est pas publiée. "
            "Trop peu de réponses pour ce niveau de détail ; voir docs/decisions/0020."
        )
    edition = Edition(
        code=code,
        published_on=today,
        first_month=composed.window.months[0],
        last_month=composed.window.months[-1],
        k=composed.k,
        protection=PROTECTION,
        cells=len(composed.published),
        hidden=sum(v is None for v in composed.published.values()),
    )
    session.add(edition)
    session.flush()
    session.bulk_insert_mappings(
        EditionCell,
        [
            {
                "edition_id": edition.id,
                "scope_level": cell.scope_level,
                "scope_code": cell.scope_code,
                "period_kind": cell.period_kind,
                "period_start": dt.date.fromisoformat(cell.period_start),
                "table_name": cell.table,
                "category": cell.category,
                "value": value,
                "reason": _reason(cell, composed.protection),
            }
            for cell, value in composed.published.items()
        ],
    )
    return edition


def _reason(cell: CellId, protection: Protection) -> str:
    if cell in protection.primary:
        return "primary"
    return "complementary" if cell in protection.complementary else ""


def withdraw(session: Session, code: str) -> bool:
    """Remove an edition (a mistake caught before anyone used it); True when one was removed."""
    edition_id = session.scalar(select(Edition.id).where(Edition.code == code))
    if edition_id is None:
        return False
    session.execute(delete(EditionCell).where(EditionCell.edition_id == edition_id))
    session.execute(delete(Edition).where(Edition.id == edition_id))
    return True


def edition_rows(session: Session, code: str) -> Iterator[tuple[str, ...]]:
    """The stored edition as CSV rows (CSV_COLUMNS); hidden values are empty. An unknown
    edition is refused here, before the caller opens any file (not at the first row)."""
    edition_id = session.scalar(select(Edition.id).where(Edition.code == code))
    if edition_id is None:
        raise EditionError(
            f"aucune édition {code} n'est publiée (observatory edition publish {code})"
        )
    rows = session.execute(
        select(*_CELL_ID, EditionCell.value)
        .where(EditionCell.edition_id == edition_id)
        .order_by(
            EditionCell.table_name,
            EditionCell.scope_level,
            EditionCell.scope_code,
            EditionCell.period_kind,
            EditionCell.period_start,
            EditionCell.category,
        )
    )
    return (
        (level, code_, kind, start.isoformat(), table, category,
         "" if value is None else str(value))
        for level, code_, kind, start, table, category, value in rows
    )  # fmt: skip


def write_csv(rows: Iterable[tuple[str, ...]], path: Path) -> int:
    """Write an edition's rows; the number of rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(CSV_COLUMNS)
        for row in rows:
            out.writerow(row)
            count += 1
    return count
