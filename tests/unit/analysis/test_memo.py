"""The in-process memo: a value is kept for its key and version only, and a full memo drops its
oldest values, not all of them (the funnel's earlier months stay while newer ones arrive)."""

from __future__ import annotations

from observatory.analysis.memo import Memo


def test_a_value_is_kept_for_its_version_only() -> None:
    memo: Memo[int] = Memo(seconds=600.0)
    memo.put("a", 1, version="v1")
    assert memo.peek("a", version="v1") == 1
    assert memo.peek("a", version="v2") is None
    assert memo.peek("b", version="v1") is None


def test_a_full_memo_drops_its_oldest_values_first() -> None:
    memo: Memo[int] = Memo(seconds=600.0, entries=3)
    for i in range(5):
        memo.put(i, i, version=0)
    assert [memo.peek(i, version=0) for i in range(5)] == [None, None, 2, 3, 4]


def test_a_value_older_than_its_lifetime_is_gone() -> None:
    memo: Memo[int] = Memo(seconds=0.0)
    memo.put("a", 1, version=0)
    assert memo.peek("a", version=0) is None
