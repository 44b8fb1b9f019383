"""A real Celery worker on the real Redis and PostgreSQL folds a posted answer exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from observatory.aggregation.models import FoldWatermark
from observatory.app import create_app
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.places.models import Place
from observatory.territories.service import import_territories
from observatory.workers.celery_app import FOLD_TASK, make_celery
from tests.conftest import create_pg_database, drop_pg_database, send_answers
from tests.integration.helpers import celery_worker
from tests.unit.aggregation.test_fold import national

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Settings]:
    """PostgreSQL database + Redis db 9 + one `observatory worker` process."""
    database_url = create_pg_database()
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    settings = Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        fold_debounce_seconds=0.3,
        secret_key="integration-0123456789abcdef-012345",
        min_fill_seconds=0,
        burst_threshold=1000,
    )
    upgrade(database_url)
    factory = make_session_factory(make_engine(database_url))
    with factory.begin() as session:
        import_territories(session)
    try:
        with celery_worker(settings, tmp_path / "worker.log"):
            yield settings
    finally:
        broker.flushdb()
        broker.close()
        drop_pg_database(database_url)


def national_n(settings: Settings) -> int:
    return national(make_session_factory(make_engine(settings.database_url)))[0]


def folds(settings: Settings) -> int:
    factory = make_session_factory(make_engine(settings.database_url))
    with factory() as session:
        return int(session.scalar(select(FoldWatermark.folds)) or 0)


def wait_for(predicate, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - start


def test_posted_answer_is_folded_exactly_once_by_a_real_worker(stack: Settings) -> None:
    app = create_app(stack)
    client = app.test_client()
    factory = app.extensions["observatory"].sessions
    with factory.begin() as session:
        place = Place(
            code="RE2345",
            source_id="integration-1",
            pivot="43493312300029",
            name="EPN d'intégration",
            commune_code="51454",
            commune_name="Reims",
            postal_code="51100",
            address="1 rue A",
            typologie=[],
            services=[],
            dispositifs=[],
            itinerant=False,
            updated_at=__import__("datetime").date(2026, 1, 1),
            record={},
        )
        session.add(place)

    assert send_answers(client, "RE2345", {"satisfaction": "bien"}).status_code == 303
    elapsed = wait_for(lambda: national_n(stack) == 1, timeout=10)
    assert elapsed < 5, f"answer reached the cells after {elapsed:.1f} s"

    # Extra folds (a duplicate delivery, the beat sweep) never count the answer again.
    celery = make_celery(stack)
    before = folds(stack)
    for _ in range(3):
        celery.send_task(FOLD_TASK)
    wait_for(lambda: folds(stack) >= before + 3, timeout=15)
    assert national_n(stack) == 1

    # A burst of answers is folded by a handful of tasks, not one task per answer.
    before = folds(stack)
    for _ in range(30):
        assert send_answers(client, "RE2345", {"satisfaction": "tres_bien"}).status_code == 303
    wait_for(lambda: national_n(stack) == 31, timeout=15)
    time.sleep(1.0)
    assert folds(stack) - before <= 6
    app.extensions["observatory"].close()
