"""Migrations build the schema from empty, go back to nothing, and match the models exactly."""

from __future__ import annotations

import datetime as dt
import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

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
        # Up to 0008 only: 0009 empties the log (its cells have no key sums).
        upgrade(empty_database, "0008")
        with engine.connect() as conn:
            logged = conn.execute(text("SELECT scope_code, cells_json FROM aggregate_delta")).all()
        assert len(logged) == 2  # one row per département, every question in it
        got: dict[tuple[str, str], tuple[int, int, int, dict[str, int]]] = {}
        for code, packed in logged:
            for question, n, total, total_sq, counts in json.loads(packed):
                was = got.get((code, question), (0, 0, 0, {}))
                merged = {o: was[3].get(o, 0) + counts.get(o, 0) for o in {*was[3], *counts}}
                got[(code, question)] = (was[0] + n, was[1] + total, was[2] + total_sq, merged)
        assert got == {
            ("13", "accueil"): (1, 5, 25, {"b": 1}),
            ("75", "accueil"): (4, 35, 325, {"a": 3, "b": 1}),
            ("75", "motif"): (2, 0, 0, {"impots": 2}),
        }
        downgrade(empty_database, "0005")
        expected = sorted((*r[:5], json.loads(r[5])) for r in NARROW_DELTAS)
        assert _narrow_rows(empty_database) == expected
    finally:
        engine.dispose()


KEY_MODULUS = 2**32
_PLACE_SQL = (
    "INSERT INTO place (id, code, source_id, pivot, name, commune_name, postal_code, address, "
    "typologie, services, dispositifs, itinerant, updated_at, record) VALUES (1, 'ABCDEF', "
    "'s-1', '00000000000000', 'Lieu', 'Reims', '51100', '1 rue', '[]', '[]', '[]', false, "
    "'2026-11-01', '{}')"
)
_RESPONSE_SQL = (
    "INSERT INTO response (seq, id, idempotency_key, place_id, questionnaire_version, channel, "
    "day, language, flags) VALUES (:seq, :id, :key, 1, 1, 'qr', '2026-11-02', 'fr', 0)"
)
_OLD_CELL_SQL = (
    "INSERT INTO aggregate_cell (scope_level, scope_code, period_kind, period_start, question, "
    "breakdown, breakdown_value, n, sum, sum_sq, counts_json, updated_on) VALUES ('national', "
    "'FR', 'month', '2026-11-01', 'satisfaction', 'none', '', 3, 5, 9, "
    """'{"bien": 2, "tres_bien": 1}', '2026-11-03')"""
)
_OLD_DELTA_SQL = (
    "INSERT INTO aggregate_delta (scope_level, scope_code, period_kind, period_start, "
    "breakdown, breakdown_value, cells_json, updated_on) VALUES ('national', 'FR', 'month', "
    """'2026-11-01', 'none', '', '[["satisfaction", 1, 0, 0, {"pas_bien": 1}]]', '2026-11-03')"""
)


def _scalar(url: str, sql: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_record_keys_migration_keeps_answers_and_recomputes_the_cells(
    empty_database: str,
) -> None:
    """0009 draws a random key for every stored response, empties the cells and the log and
    rewinds the watermark (no cell had key sums), so the next fold recomputes them with their
    keys; downgrading drops the columns and keeps responses, answers and cells."""
    from observatory.aggregation.fold import fold_all_pending
    from observatory.questionnaires.definitions import ensure_questionnaires

    url = empty_database
    upgrade(url, "0008")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_PLACE_SQL))
            conn.execute(
                text(_RESPONSE_SQL),
                [{"seq": s, "id": f"id-{s}", "key": f"k-{s}"} for s in (1, 2, 3)],
            )
            conn.execute(
                text("INSERT INTO answer (response_seq, question, option) VALUES (:s, :q, :o)"),
                [
                    {"s": 1, "q": "satisfaction", "o": "bien"},
                    {"s": 2, "q": "satisfaction", "o": "bien"},
                    {"s": 3, "q": "satisfaction", "o": "tres_bien"},
                ],
            )
            conn.execute(text(_OLD_CELL_SQL))
            conn.execute(text(_OLD_DELTA_SQL))
            conn.execute(
                text("INSERT INTO fold_watermark (name, last_seq, folds) VALUES ('cells', 3, 1)")
            )
    finally:
        engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            keys = dict(conn.execute(text("SELECT seq, record_key FROM response")).all())
            assert conn.execute(text("SELECT count(*) FROM answer")).scalar() == 3
            assert conn.execute(text("SELECT count(*) FROM aggregate_cell")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM aggregate_delta")).scalar() == 0
            assert conn.execute(text("SELECT last_seq FROM fold_watermark")).scalar() == 0
        assert sorted(keys) == [1, 2, 3]
        assert all(0 <= k < KEY_MODULUS for k in keys.values())
        assert len(set(keys.values())) == 3  # drawn at random (a clash: about 1 in 10**9)
        factory = make_session_factory(engine)
        with factory.begin() as session:
            ensure_questionnaires(session)
        assert fold_all_pending(factory, dt.date(2026, 11, 23)).responses == 3
        with factory() as session:
            rows = read_cells(
                session, scope_level="national", breakdown="none", question="satisfaction"
            )
        assert rows.n.tolist() == [3]
        assert int(rows.key_sum.iloc[0]) == sum(keys.values()) % KEY_MODULUS
        assert json.loads(rows.keys_json.iloc[0]) == {
            "bien": (keys[1] + keys[2]) % KEY_MODULUS,
            "tres_bien": keys[3],
        }
    finally:
        engine.dispose()

    downgrade(url, "0008")
    assert "record_key" not in _columns(url, "response")
    assert not {"key_sum", "keys_json"} & _columns(url, "aggregate_cell")
    assert _scalar(url, "SELECT count(*) FROM answer") == 3
    assert _scalar(url, "SELECT count(*) FROM response") == 3
    # The recomputed cells stay, right for the older code.
    assert (
        _scalar(
            url,
            "SELECT n FROM aggregate_cell WHERE scope_level = 'national' "
            "AND breakdown = 'none' AND question = 'satisfaction'",
        )
        == 3
    )
