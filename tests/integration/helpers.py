"""Pieces shared by the tests that run on the real services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from observatory.aggregation.rebuild import rebuild_cells
from observatory.config import Settings
from observatory.workers.celery_app import make_celery
from tests.unit.aggregation.test_fold import cells


@contextmanager
def celery_worker(settings: Settings, log_path: Path, concurrency: int = 2) -> Iterator[int]:
    """A real `observatory worker` process for `settings`, ready to take tasks; yields its pid."""
    env = {
        **os.environ,
        "OBSERVATORY_DATABASE_URL": settings.database_url,
        "OBSERVATORY_REDIS_URL": str(settings.redis_url),
        "OBSERVATORY_FOLD_DEBOUNCE_SECONDS": str(settings.fold_debounce_seconds),
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "observatory"),
                "worker",
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            celery = make_celery(settings)
            deadline = time.monotonic() + 120  # a bound on a hang, not a speed
            while not celery.control.ping(timeout=1):
                assert worker.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the Celery worker did not start"
            yield worker.pid
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


def assert_cells_equal_a_rebuild(factory: sessionmaker[Session], settings: Settings) -> int:
    """The folded cells equal a full rebuild; returns the national number of answers."""
    folded = cells(factory)
    rebuild_cells(factory, settings)
    pd.testing.assert_frame_equal(folded, cells(factory))
    national = folded[
        (folded.scope_level == "national")
        & (folded.breakdown == "none")
        & (folded.question == "satisfaction")
    ]
    return int(national.n.sum())
