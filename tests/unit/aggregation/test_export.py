"""Exporting merged cells: split by ranges of months, identical to one statement, and within
DuckDB's memory limit where one statement over every month was not (the 10 M rebuild's bug)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatory.aggregation.cells import duck, export
from observatory.aggregation.cells.builder import CellBuilder
from observatory.aggregation.cells.columns import ROW_COLUMNS
from observatory.aggregation.cells.frames import option_levels
from observatory.questionnaires.definitions import builtin

QN = builtin(1)
LEVELS = option_levels([QN])
TODAY = dt.date(2026, 11, 23)


def synthetic(responses: int, places: int, months: int, seed: int = 1) -> tuple[pd.DataFrame, ...]:
    """Answers to every single-choice question, in response (and day) order, and geography."""
    rng = np.random.default_rng(seed)
    geo = pd.DataFrame(
        {
            "place_id": np.arange(places),
            "place": [f"P{i:05d}" for i in range(places)],
            "commune": [f"{i % 3000:05d}" for i in range(places)],
            "epci": [f"E{i % 800}" for i in range(places)],
            "departement": [f"{i % 100:02d}" for i in range(places)],
            "region": [f"{i % 13:02d}" for i in range(places)],
        }
    )
    seq = np.arange(responses)
    place = rng.integers(0, places, responses)
    offsets = np.sort(rng.integers(0, months * 30, responses))
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(offsets, "D")
    # Drawn apart, so the rest of the data does not depend on them.
    keys = np.random.default_rng(seed + 1).integers(0, 2**32, responses, dtype=np.int64)
    frames = [
        pd.DataFrame(
            {
                "seq": seq,
                "place_id": place,
                "team_id": place,
                "day": day,
                "version": 1,
                "channel": np.where(rng.random(responses) < 0.4, "kiosque", "qr"),
                "language": "fr",
                "record_key": keys,
                "question": q.id,
                "option": np.array([o.code for o in q.options])[
                    rng.integers(0, len(q.options), responses)
                ],
            }
        )
        for q in QN.questions
        if q.kind == "single"
    ]
    return pd.concat(frames).sort_values("seq", kind="stable"), geo


@pytest.fixture
def fresh_duckdb(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A DuckDB of its own for the test (the process's one is restored afterwards)."""
    monkeypatch.setattr(duck._Shared, "database", None)
    yield
    if duck._Shared.database is not None:
        duck._Shared.database.close()


def _fill(builder: CellBuilder, answers: pd.DataFrame, chunk: int) -> None:
    for lo in range(0, int(answers["seq"].max()) + 1, chunk):
        builder.add_answers(answers[(answers["seq"] >= lo) & (answers["seq"] < lo + chunk)])


def test_ranges_of_months_export_the_same_rows_as_one_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers, geo = synthetic(3_000, 200, 14)
    with CellBuilder(geo, LEVELS) as builder:
        _fill(builder, answers, 700)
        whole = pd.DataFrame(
            [row for rows in builder.row_tuples(TODAY) for row in rows], columns=ROW_COLUMNS
        )
        monkeypatch.setattr(export, "EXPORT_ROWS", 1_000)
        assert len(builder._month_ranges()) > 5
        split = pd.DataFrame(
            [row for rows in builder.row_tuples(TODAY) for row in rows], columns=ROW_COLUMNS
        )
        monkeypatch.setattr(export, "EXPORT_ROWS", 1)
        assert len(builder._month_ranges()) == 14  # a month over the limit stands alone
    assert len(whole) > 10_000
    key = ROW_COLUMNS[:7]
    pd.testing.assert_frame_equal(
        split.sort_values(key).reset_index(drop=True),
        whole.sort_values(key).reset_index(drop=True),
    )


def test_export_of_many_months_stays_within_duckdbs_memory_limit(
    monkeypatch: pytest.MonkeyPatch, fresh_duckdb: None, tmp_path: Path
) -> None:
    """At 80 MB, one statement merging 36 months of 150,000 responses ran out of memory (as the
    1 GB one did at 10 M responses); ranges of months do not."""
    monkeypatch.setattr(duck, "DUCKDB_MEMORY_LIMIT", "80MB")
    monkeypatch.setattr(export, "EXPORT_ROWS", 50_000)
    answers, geo = synthetic(150_000, 5_000, 36)
    with CellBuilder(geo, LEVELS) as builder:
        _fill(builder, answers, 20_000)
        parts = builder.write_csv(tmp_path, TODAY)
    assert len(parts) > 10
    lines = sum(sum(1 for _ in path.open()) for path, _ in parts)
    assert lines == sum(n for _, n in parts) > 1_000_000
