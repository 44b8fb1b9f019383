"""Fault test: a Celery worker process SIGKILLed in the middle of a fold leaves no partial or
double count; the fold is redelivered (acks_late + reject_on_worker_lost) and completes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis
from sqlalchemy import func, select

from observatory.aggregation.fold import pending_range, reset_cells
from observatory.aggregation.models import AggregateCell
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.demo.seed import prepare_demo
from observatory.workers.celery_app import FOLD_TASK, make_celery
from tests.conftest import create_pg_database, drop_pg_database
from tests.integration.helpers import assert_cells_equal_a_rebuild, celery_worker

pytestmark = [pytest.mark.services, pytest.mark.slow]
REDIS_URL = "redis://127.0.0.1:6379/10"
TODAY = pd.Timestamp("2026-11-23").date()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Settings]:
    url = create_pg_database()
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    settings = Settings(database_url=url, redis_url=REDIS_URL, secret_key="k" * 40)
    try:
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        prepare_demo(factory, n_places=300, n_responses=100_000, today=TODAY)
        with factory.begin() as session:
            reset_cells(session)  # everything is pending again: a long fold to interrupt
        with celery_worker(settings, tmp_path / "worker.log", concurrency=1):
            yield settings
    finally:
        broker.flushdb()
        drop_pg_database(url)


def test_a_fold_killed_midway_is_redone_exactly_once(seeded: Settings) -> None:
    settings = seeded
    factory = make_session_factory(make_engine(settings.database_url))
    celery = make_celery(settings)
    celery.send_task(FOLD_TASK)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None:
        assert time.monotonic() < deadline, "the fold never started"
        for tasks in (celery.control.inspect(timeout=0.5).active() or {}).values():
            victim = next((t["worker_pid"] for t in tasks if t["name"] == FOLD_TASK), None)
    time.sleep(1.0)  # well inside the fold (it takes several seconds for 100,000 answers)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AggregateCell)) == 0
    os.kill(victim, signal.SIGKILL)

    # The parent worker rejects the lost task, Redis hands it out again, a new child folds it.
    deadline = time.monotonic() + 240
    while True:
        with factory() as session:
            last, newest = pending_range(session)
        if last == newest:
            break
        assert time.monotonic() < deadline, "the fold was not redone"
        time.sleep(1.0)
    assert assert_cells_equal_a_rebuild(factory, settings) == 100_000
