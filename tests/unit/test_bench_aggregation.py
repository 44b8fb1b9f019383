"""bench/aggregation.py runs end to end at a tiny scale on SQLite and reports every figure.

It checks the shape of the report, never a time: unit tests do not time anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_bench as load_bench_named


def load_bench() -> ModuleType:
    return load_bench_named("aggregation")


def test_tiny_run_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "aggregation.json"
    bench = load_bench()
    bench.main(
        [
            f"--database-url=sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--responses=2000",
            "--places=50",
            "--months=3",
            "--repeat=1",
            "--folds=100,400",
            f"--output={output}",
        ]
    )
    results = json.loads(output.read_text(encoding="utf-8"))

    assert results["data"]["responses"] == 2000
    assert results["data"]["answers"] > 5 * 2000  # about 7 answer rows per response
    assert results["machine"]["database_kind"] == "sqlite"
    assert results["cells"] > 0
    assert results["rebuild"]["seconds"] > 0
    assert 0 < results["rebuild"]["responses"] <= 2000  # flagged responses are left out
    assert results["rebuild"]["peak_rss_mb"] > 0
    assert results["baseline"]["best_s"] > 0
    assert results["baseline"]["groups"] > 0
    assert results["extraction"]["rows"] > results["data"]["answers"]
    assert set(results["ratios"]) == {"rebuild_over_groupby", "rebuild_over_extraction_and_groupby"}
    assert [f["new_responses"] for f in results["folds"]] == [100, 400]
    for fold in results["folds"]:
        assert fold["seconds"] > 0
        assert fold["rows_written"] > 0
        assert fold["per_1000_responses_s"] > 0
    assert results["first_fold_of_month"]["new_responses"] == 400  # the largest batch
    compactions = results["first_fold_of_month"]["compactions"]
    assert len(compactions) == 1 + results["repeat"]  # after the first fold, then each round
    assert all(c["rows_written"] > 0 for c in compactions)
    assert set(results["fold_line"]) == {"fixed_s", "per_1000_responses_s"}
    assert {"rebuild_ratio", "rebuild_rss_mb", "fold_rss_mb"} <= set(results["budgets"])
    assert all(isinstance(b["pass"], bool) for b in results["budgets"].values())
    assert results["at_budget_scale"] is False
    # The database file is removed afterwards (no --keep), the table is printed.
    assert not (tmp_path / "bench.sqlite3").exists()
    assert "| input | `rebuild_cells()` |" in capsys.readouterr().out
