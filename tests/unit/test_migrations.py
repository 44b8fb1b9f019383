"""Migrations build the schema from empty, go back to nothing, and match the models exactly."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from observatory.aggregation.models import AggregateDelta
from observatory.aggregation.read import read_cells
from observatory.db import downgrade, make_engine, make_session_factory, upgrade
from observatory.models import Base


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade(empty_database)
    assert tables(empty_database) == set(Base.metadata.tables)
    downgrade(empty_database, "base")
    assert tables(empty_database) == set()
    upgrade(empty_database)
    assert tables(empty_database) == set(Base.metadata.tables)


def test_models_and_migrations_agree(empty_database: str) -> None:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"


NARROW_DELTAS = [  # scope_code, question, n, sum, sum_sq, counts_json: two folds, same cell twice
    ("75", "accueil", 3, 25, 225, '{"a": 2, "b": 1}'),
    ("75", "accueil", 1, 10, 100, '{"a": 1}'),
    ("75", "motif", 2, 0, 0, '{"impots": 2}'),
    ("13", "accueil", 1, 5, 25, '{"b": 1}'),
]
NARROW_NAMES = ["code", "question", "n", "sum", "sum_sq", "counts"]


def _narrow_rows(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT scope_code, question, n, sum, sum_sq, counts_json FROM aggregate_delta"
                )
            ).all()
    finally:
        engine.dispose()
    # JSON text may lose its spaces on the way back (SQLite's json_extract): compare values.
    return sorted((*r[:5], json.loads(r[5])) for r in rows)


def test_pending_deltas_survive_the_wide_log_migration(empty_database: str) -> None:
    """0006 packs narrow deltas into wide rows and back: nothing pending is lost either way."""
    upgrade(empty_database, "0005")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO aggregate_delta (scope_level, scope_code, period_kind, "
                    "period_start, question, breakdown, breakdown_value, n, sum, sum_sq, "
                    "counts_json, updated_on) VALUES ('departement', :code, 'month', "
                    "'2026-10-01', :question, 'none', '', :n, :sum, :sum_sq, :counts, "
                    "'2026-11-02')"
                ),
                [
                    dict(
                        zip(["code", "question", "n", "sum", "sum_sq", "counts"], row, strict=True)
                    )
                    for row in NARROW_DELTAS
                ],
            )
        upgrade(empty_database)
        factory = make_session_factory(engine)
        with factory() as session:
            logged = int(session.scalar(select(func.count()).select_from(AggregateDelta)) or 0)
            cells = read_cells(session, scope_level="departement")
        assert logged == 2  # one row per département, every question in it
        got = {
            (r.scope_code, r.question): (r.n, r.sum, r.sum_sq, r.counts_json)
            for r in cells.itertuples()
        }
        assert got == {
            ("13", "accueil"): (1, 5, 25, '{"b": 1}'),
            ("75", "accueil"): (4, 35, 325, '{"a": 3, "b": 1}'),
            ("75", "motif"): (2, 0, 0, '{"impots": 2}'),
        }
        downgrade(empty_database, "0005")
        expected = sorted((*r[:5], json.loads(r[5])) for r in NARROW_DELTAS)
        assert _narrow_rows(empty_database) == expected
    finally:
        engine.dispose()
