"""Task bodies shared by Celery and the in-process worker: settings in, JSON-able dict out."""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from observatory.access import audit
from observatory.aggregation.fold import compact_if_due, fold_all_pending
from observatory.aggregation.review import release_due
from observatory.clock import today
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def session_factory_for(database_url: str) -> sessionmaker[Session]:
    """One engine per process and database (created lazily, so after a Celery fork)."""
    return make_session_factory(make_engine(database_url))


def run_fold(settings: Settings) -> dict[str, int]:
    """Fold everything past the watermark, then compact the delta log if it is due; safe to
    run twice or concurrently."""
    factory = session_factory_for(settings.database_url)
    day = today(settings.timezone)
    result = fold_all_pending(factory, day)
    if result.responses:
        log.info("folded %d responses into %d rows", result.responses, result.rows_written)
    released = release_held(factory, day, settings.burst_release_days)
    compacted = compact_if_due(factory, day, idle=result.responses == 0)
    if compacted:
        log.info("compacted the delta log into %d cells", compacted)
    return {
        "responses": result.responses,
        "rows": result.rows_written,
        "released": released,
        "compacted": compacted,
        "last_seq": result.last_seq,
        "made_ahead": make_ahead(settings, factory, day),
    }


def make_ahead(settings: Settings, factory: sessionmaker[Session], day: dt.date) -> int:
    """The figures pages share, made into the shared store for the cells as they now stand
    (observatory.analysis.public_counts: each département's places as the public sees them,
    for the team space's funnel); how many were made. After every fold and sweep, so that a
    lost store (Redis restarted) is whole again within a sweep. A failure here never fails the
    fold: the pages then make what they need themselves."""
    from observatory.analysis.public_counts import warm
    from observatory.analysis.shared import store_for
    from observatory.disclosure import Audience
    from observatory.disclosure.figures import Rules

    public = Rules.for_audience(Audience.PUBLIC, settings)
    try:
        with factory() as session:
            made = warm(session, public, store_for(settings), day)
    except Exception:
        log.exception("could not make the shared page figures; the pages will make them")
        return 0
    if made:
        log.info("made %d shared page figures ahead", made)
    return made


def release_held(factory: sessionmaker[Session], day: dt.date, delay_days: int) -> int:
    """Release the held answers nobody discarded within `delay_days` (a partial index finds
    them, so this costs nothing when none is due)."""
    with factory.begin() as session:
        released = release_due(session, day, delay_days)
        if released:
            audit.record(
                session, actor="worker", action="flag.release.auto", detail={"answers": released}
            )
    if released:
        log.info("released %d held answers after %d days", released, delay_days)
    return released


def run_digest(settings: Settings, *, budget_seconds: float | None = None) -> dict[str, int]:
    """This week's digests (observatory.digest.service); stops starting new teams after
    `budget_seconds` and says how many are left, so the task can queue itself again (what was
    sent is recorded: a second run never sends a team's digest twice in a week)."""
    from observatory.digest.service import DigestNotConfiguredError, run_digests

    deadline = time.monotonic() + budget_seconds if budget_seconds is not None else None
    try:
        report = run_digests(
            session_factory_for(settings.database_url), settings, deadline=deadline
        )
    except DigestNotConfiguredError:
        log.error("weekly digest not sent: set OBSERVATORY_SMTP_URL")
        return {"sent": 0, "failed": 0, "unreached": 0, "not_configured": 1}
    return {
        "sent": len(report.sent),
        "failed": len(report.failed),
        "unreached": report.unreached,
        "not_configured": 0,
    }
