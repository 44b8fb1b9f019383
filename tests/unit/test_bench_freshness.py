"""The pure parts of bench/freshness.py: percentiles, attribution of visibility, the report.

The bench itself needs PostgreSQL, Redis and a worker; unit tests never time anything.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.conftest import load_bench


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("freshness")


def test_percentiles_interpolate_between_ranks(bench: ModuleType) -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 95) == pytest.approx(95.05)
    assert bench.percentile([3.0], 95) == 3.0
    assert bench.summary([2.0, 1.0, 4.0])["max_s"] == 4.0
    assert bench.summary([])["p95_s"] is None
    with pytest.raises(ValueError):
        bench.percentile([], 50)


def test_each_answer_is_visible_from_the_first_read_that_counts_it(bench: ModuleType) -> None:
    # History of 10; three answers; a fold made two visible at t=5, the third at t=9.
    seen = [(1.0, 10), (5.0, 12), (9.0, 13)]
    assert bench.visible_at(10, 3, seen) == [5.0, 5.0, 9.0]
    assert bench.visible_at(10, 4, seen) == [5.0, 5.0, 9.0, None]
    assert bench.latencies([4.0, 4.5, 8.0, 8.5], [5.0, 5.0, 9.0, None]) == [1.0, 0.5, 1.0]


def test_report_says_whether_the_budget_is_met(bench: ModuleType) -> None:
    case = {
        "name": "3 answers at 5/s",
        "answers": 3,
        "achieved_rate": 5.0,
        "from_reply": bench.summary([1.0, 1.2, 6.0]),
        "from_sending": bench.summary([1.1, 1.3, 6.1]),
        "folds": 2,
        "meets_budget": False,
    }
    results = {
        "settings": {"fold_debounce_seconds": 1.0},
        "data": {"history": 5000, "places": 200},
        "poll_s": 0.02,
        "read_s": 0.05,
        "cases": [case],
        "machine": {"cpus": 2, "system": "Linux", "python": "3.11", "database": "PG", "redis": "7"},
    }
    table = bench.markdown(results)
    assert "| 3 answers at 5/s | 3/3 | 5.0/s | 1.20 s |" in table
    assert "**fails**" in table


def test_arguments_are_bounded(bench: ModuleType) -> None:
    assert bench.parse_args([]).rates == [5.0, 20.0]
    with pytest.raises(SystemExit):
        bench.parse_args(["--count", "1000000"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--redis-url", "redis://example.org:6379/0"])
