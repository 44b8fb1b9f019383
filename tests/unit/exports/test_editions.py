"""Frozen editions, end to end on a real database: the published values are the pages'
perturbed ones, nothing hidden comes back by linear programming over the whole edition,
and an edition is frozen once published."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import sparse
from scipy.optimize import linprog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from observatory.config import Settings
from observatory.demo.seed import prepare_demo
from observatory.disclosure.figures import Rules
from observatory.disclosure.gate import Audience
from observatory.disclosure.protection import Protection
from observatory.exports.editions import (
    PROTECTION,
    Composed,
    EditionError,
    compose,
    edition_rows,
    publish,
    write_csv,
)
from observatory.exports.models import Edition as EditionModel
from observatory.exports.table import Window
from observatory.questionnaires.definitions import (
    current_version,
    packaged_definitions,
    parse_definition,
)

TODAY = dt.date(2026, 12, 1)
QUESTIONNAIRE = parse_definition(packaged_definitions()[current_version()])


@pytest.fixture
def composed(
    session_factory: sessionmaker[Session], settings: Settings
) -> tuple[Composed, sessionmaker[Session]]:
    prepare_demo(session_factory, n_places=2, n_responses=20_000, today=TODAY, seed=11)
    with session_factory() as session:
        return compose(session, "2026T3", QUESTIONNAIRE, settings), session_factory


def attacker_range(composed: Composed, cell: object) -> tuple[float, float]:
    """min and max of a hidden cell for someone who knows every published count exactly
    (no noise), every relation, and that hidden cells hold at least 1 answer; written here
    with scipy, independently of disclosure.protection."""
    table = composed.table
    hidden = sorted(
        (c for c in table.counts if composed.published.get(c, 0) is None or c in table.unpublished),
        key=repr,
    )
    col = {c: i for i, c in enumerate(hidden)}
    rows, cols, data, rhs = [], [], [], []
    for r, constraint in enumerate(table.constraints):
        known = 0.0
        for c, sign in [(constraint.total, 1.0), *((p, -1.0) for p in constraint.parts)]:
            if c in col:
                rows.append(r)
                cols.append(col[c])
                data.append(sign)
            else:
                known -= sign * table.counts[c]
        rhs.append(known)
    a_eq = sparse.csr_matrix((data, (rows, cols)), shape=(len(table.constraints), len(hidden)))
    bounds = [(1.0 if table.counts[c] > 0 else 0.0, None) for c in hidden]
    ends = []
    for sense in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[col[cell]] = sense
        result = linprog(objective, A_eq=a_eq, b_eq=rhs, bounds=bounds, method="highs")
        assert result.status in (0, 3), result.message
        ends.append(sense * result.fun if result.status == 0 else float("inf"))
    return ends[0], ends[1]


def test_no_small_count_is_published_and_published_counts_are_the_pages(
    composed: tuple[Composed, sessionmaker[Session]], settings: Settings
) -> None:
    edition, _ = composed
    rules = Rules.for_audience(Audience.PUBLIC, settings)
    shown = 0
    for cell, value in edition.published.items():
        if value is None:
            continue
        n, key = edition.table.counts[cell], edition.table.keys[cell]
        assert value == rules.table.perturb(n, key)  # the same figure a page would show
        assert value == 0 or (value >= rules.k and n >= rules.k)
        shown += value > 0
    assert shown > 100  # the edition is not all hidden


def test_nothing_hidden_comes_back_by_linear_programming(
    composed: tuple[Composed, sessionmaker[Session]],
) -> None:
    edition, _ = composed
    protected = sorted(edition.protection.primary - edition.protection.unprotectable, key=repr)
    assert protected
    for cell in random.Random(3).sample(protected, min(25, len(protected))):
        low, high = attacker_range(edition, cell)
        value = edition.table.counts[cell]
        assert low <= value <= high
        assert high >= value + PROTECTION - 1e-6, f"{cell}: at most {high}, holds {value}"


def test_an_edition_is_frozen_and_exported_as_published(
    composed: tuple[Composed, sessionmaker[Session]], tmp_path: Path
) -> None:
    edition, factory = composed
    assert not edition.protection.unprotectable
    with factory.begin() as session:
        publish(session, edition, TODAY)
    with factory.begin() as session, pytest.raises(EditionError, match="déjà publiée"):
        publish(session, edition, TODAY)
    with factory() as session:
        count = write_csv(edition_rows(session, "2026T3"), tmp_path / "e.csv")
    with (tmp_path / "e.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert count == len(rows) == len(edition.published)
    hidden = {k for k, v in edition.published.items() if v is None}
    assert sum(r["valeur"] == "" for r in rows) == len(hidden)
    assert "reason" not in rows[0] and "reste" not in {r["niveau"] for r in rows}


def test_an_edition_with_a_cell_it_cannot_protect_is_not_published(
    composed: tuple[Composed, sessionmaker[Session]],
) -> None:
    edition, factory = composed
    cell = next(iter(edition.protection.primary))
    stuck = Protection(edition.protection.primary, frozenset(), frozenset({cell}))
    with factory.begin() as session, pytest.raises(EditionError, match="protégées"):
        publish(session, dataclasses.replace(edition, protection=stuck), TODAY)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(EditionModel)) == 0


def test_the_window_of_an_edition() -> None:
    window = Window.parse("2026t3")
    assert window.months[0] == dt.date(2025, 10, 1)
    assert window.months[-1] == dt.date(2026, 9, 1)
    assert window.ends_on == dt.date(2026, 9, 30)
    assert window.leaves("departement")[0] == ("quarter", dt.date(2025, 10, 1))
    for bad in ("2026T5", "2026-T3", "T3", ""):
        with pytest.raises(ValueError, match="YYYYTn"):
            Window.parse(bad)


def test_the_command_refuses_an_edition_whose_answers_can_still_arrive(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from observatory.cli import main

    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("OBSERVATORY_SECRET_KEY", settings.secret_key.get_secret_value())
    runner = CliRunner()
    result = runner.invoke(main, ["edition", "publish", "2099T1"])
    assert result.exit_code != 0 and "pourra être publiée à partir du" in result.output
    result = runner.invoke(main, ["edition", "publish", "2026T9"])
    assert result.exit_code != 0 and "YYYYTn" in result.output
    out = tmp_path / "x"
    result = runner.invoke(main, ["export", "--out", str(out), "--edition", "2025T1"])
    assert result.exit_code != 0 and "aucune édition 2025T1" in result.output
    assert not out.exists()  # a refused export leaves no empty file behind
