"""Full rebuild: every cell recomputed from the responses, atomically."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.fold import (
    FoldResult,
    fold_pending,
    pending_range,
    reset_watermark,
)
from observatory.clock import today
from observatory.config import Settings


def rebuild_cells(
    factory: sessionmaker[Session], settings: Settings, progress: bool = False
) -> FoldResult:
    """Forget the cells and fold everything again in one transaction.

    Readers keep seeing the old cells until the commit, and a failure leaves them untouched.
    The progress bar counts response sequence numbers read, chunk by chunk.
    """
    from tqdm import tqdm

    with factory.begin() as session:
        _, newest = pending_range(session)
        with tqdm(total=newest, desc="Rebuilding cells", unit="resp", disable=not progress) as bar:
            reset_watermark(session)
            result = fold_pending(
                session, today(settings.timezone), progress=bar.update, replace=True
            )
    return result
