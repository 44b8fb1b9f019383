"""bench/disclosure.py runs end to end and reports every figure (shape only, never a time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import load_bench


def test_the_disclosure_bench_reports_cost_and_utility(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "disclosure.json"
    load_bench("disclosure").main(["--repeat", "2", "--output", str(output)])
    results = json.loads(output.read_text(encoding="utf-8"))
    assert results["page"]["cells"] == 101 * 4 * 6 * 24
    utility = results["utility"]
    assert set(utility) >= {"national (month)", "département (month)", "place (month)"}
    assert utility["national (month)"]["mean_relative_change"] < 1e-4  # effectively exact
    assert "| page table |" in capsys.readouterr().out
