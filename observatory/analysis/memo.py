"""A small in-process memo for page figures that many requests share, valid until the cells
change (a fold moves the watermark) and at most `seconds` old.

Why not a shared cache (Redis): the values are cheap to recompute once and only save repeated
work within one web process; each process keeps its own, bounded in entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from observatory.aggregation.models import FoldWatermark

V = TypeVar("V")


def cells_version(session: Session) -> tuple[str, int, int]:
    """What identifies the cells as they stand: the database, and how far and how often it was
    folded (a fold, a release of held answers or a rebuild changes it)."""
    total = func.coalesce(func.sum(FoldWatermark.last_seq), 0)
    folds = func.coalesce(func.sum(FoldWatermark.folds), 0)
    last, count = session.execute(select(total, folds)).one()
    return str(session.get_bind().engine.url), int(last), int(count)


class Memo(Generic[V]):
    def __init__(self, seconds: float, entries: int = 512) -> None:
        self.seconds, self.entries = seconds, entries
        self._values: dict[Hashable, tuple[float, V]] = {}

    def get(self, session: Session, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of `key` for the cells as they stand, computed once."""
        full = (cells_version(session), key)
        now = time.monotonic()
        found = self._values.get(full)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = compute()
        if len(self._values) >= self.entries:
            self._values.clear()
        self._values[full] = (now, value)
        return value
