"""A small in-process memo for page figures that many requests share, valid until the cells
change and at most `seconds` old.

What "the cells change" means is the caller's to say when it can: a figure that depends on a
few cells is keyed on those cells' own state (`version=`), so that a fold elsewhere in the
country does not throw it away; otherwise any fold (the watermark moving) does.

Why not a shared cache (Redis) for all: most values are cheap to recompute once and only save
repeated work within one web process; each process keeps its own, bounded in entries (the
oldest go first). What is too costly to make on a page is made ahead by the workers into the
shared store (`observatory.analysis.shared`), and a memo keeps a process's copy.
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

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], V],
        *,
        version: Hashable | None = None,
    ) -> V:
        """The value of `key` for the cells as they stand, computed once. `version`: what
        changes whenever a cell the value depends on changes; by default, any fold."""
        version = cells_version(session) if version is None else version
        found = self.peek(key, version=version)
        if found is not None:
            return found
        value = compute()
        self.put(key, value, version=version)
        return value

    def peek(self, key: Hashable, *, version: Hashable) -> V | None:
        """The value kept for `key` at `version`, if any and young enough (for callers that
        compute several missing values in one read)."""
        found = self._values.get((version, key))
        if found is not None and time.monotonic() - found[0] < self.seconds:
            return found[1]
        return None

    def put(self, key: Hashable, value: V, *, version: Hashable) -> None:
        while len(self._values) >= self.entries:  # the oldest first (insertion order)
            try:
                self._values.pop(next(iter(self._values)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile
                break
        self._values[(version, key)] = (time.monotonic(), value)
