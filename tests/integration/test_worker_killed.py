"""Fault test: a Celery worker process SIGKILLed in the middle of a fold leaves no partial or
double count; the fold is redelivered (acks_late + reject_on_worker_lost) and completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis
from sqlalchemy import func, select

from observatory.aggregation.fold import pending_range, reset_cells
from observatory.aggregation.models import AggregateCell
from observatory.aggregation.rebuild import rebuild_cells
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.demo.seed import prepare_demo
from observatory.workers.celery_app import FOLD_TASK, make_celery
from tests.conftest import create_pg_database, drop_pg_database
from tests.unit.aggregation.test_fold import cells

pytestmark = [pytest.mark.services, pytest.mark.slow]
REDIS_URL = "redis://127.0.0.1:6379/10"
TODAY = pd.Timestamp("2026-11-23").date()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Settings, subprocess.Popen[bytes]]]:
    url = create_pg_database()
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    settings = Settings(database_url=url, redis_url=REDIS_URL, secret_key="k" * 40)
    worker = None
    try:
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        prepare_demo(factory, n_places=300, n_responses=100_000, today=TODAY)
        with factory.begin() as session:
            reset_cells(session)  # everything is pending again: a long fold to interrupt
        env = {**os.environ, "OBSERVATORY_DATABASE_URL": url, "OBSERVATORY_REDIS_URL": REDIS_URL}
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "observatory"), "worker", "--concurrency", "1"],
            env=env,
            stdout=(tmp_path / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        celery = make_celery(settings)
        deadline = time.monotonic() + 60
        while not celery.control.ping(timeout=1):
            assert worker.poll() is None and time.monotonic() < deadline, "worker did not start"
        yield settings, worker
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        broker.flushdb()
        drop_pg_database(url)


def test_a_fold_killed_midway_is_redone_exactly_once(
    seeded: tuple[Settings, subprocess.Popen[bytes]],
) -> None:
    settings, _worker = seeded
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
    folded = cells(factory)
    rebuild_cells(factory, settings)
    pd.testing.assert_frame_equal(folded, cells(factory))
    national = folded[
        (folded.scope_level == "national")
        & (folded.period_kind == "year")
        & (folded.question == "satisfaction")
    ]
    assert int(national.n.sum()) == 100_000
