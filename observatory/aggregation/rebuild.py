"""Full rebuild: every cell recomputed from the responses, atomically."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.fold import FoldResult, fold_pending, reset_cells
from observatory.clock import today
from observatory.config import Settings


def rebuild_cells(
    factory: sessionmaker[Session], settings: Settings, progress: bool = False
) -> FoldResult:
    """Forget the cells and fold everything again in one transaction.

    Readers keep seeing the old cells until the commit, and a failure leaves them untouched.
    """
    from tqdm import tqdm

    with (
        tqdm(total=2, desc="Rebuilding cells", unit="step", disable=not progress) as bar,
        factory.begin() as session,
    ):
        reset_cells(session)
        bar.update(1)
        result = fold_pending(session, today(settings.timezone))
        bar.update(1)
    return result
