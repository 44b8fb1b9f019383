"""A real Celery worker on the real Redis and PostgreSQL folds a posted answer exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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
QUEUE = "celery"  # Celery's default queue, the only one the worker consumes
# Bound of every wait: only a hang fails the test, a slow machine never does.
WAIT_S = 120.0


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


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    """Poll until `predicate` holds: a generous bound that only catches a hang, never a speed."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} (waited {timeout:.0f} s)"
        time.sleep(0.05)


def queued(broker: redis.Redis) -> int:
    """Tasks waiting in the worker's queue (Redis transport: one list per queue)."""
    return int(broker.llen(QUEUE))


def test_posted_answer_is_folded_exactly_once_by_a_real_worker(stack: Settings) -> None:
    """Behaviour only: how fast an answer reaches the cells is measured by bench/freshness.py."""
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
    wait_until(lambda: national_n(stack) == 1, "the answer never reached the cells")
    # After the fold, the worker makes the pages' shared figures into Redis (the funnel's
    # public counts of the département, for each period the team page offers).
    store = redis.Redis.from_url(REDIS_URL)
    wait_until(
        lambda: bool(store.keys("observatory:shared:v:*:51:*")), "nothing was made ahead in Redis"
    )
    store.close()

    # Extra folds (a duplicate delivery, the beat sweep) never count the answer again.
    celery = make_celery(stack)
    before = folds(stack)
    for _ in range(3):
        celery.send_task(FOLD_TASK)
    wait_until(lambda: folds(stack) >= before + 3, "the extra folds never ran")
    assert national_n(stack) == 1

    # A burst of answers shares the fold already queued: one task, not one per answer. The
    # worker stops taking tasks meanwhile, so that no fold can clear the debounce key during
    # the burst however slowly the answers are posted (nothing here depends on timing).
    broker = redis.Redis.from_url(REDIS_URL)
    assert queued(broker) == 0
    assert celery.control.cancel_consumer(QUEUE, reply=True, limit=1, timeout=WAIT_S)
    before = folds(stack)
    for _ in range(30):
        reply = send_answers(client, "RE2345", {"satisfaction": "tres_bien"})
        assert reply.status_code == 303, reply.get_data(as_text=True)[-3000:]
    assert queued(broker) == 1
    assert celery.control.add_consumer(QUEUE, reply=True, limit=1, timeout=WAIT_S)
    wait_until(lambda: national_n(stack) == 31, "the burst never reached the cells")
    wait_until(lambda: queued(broker) == 0, "the queued fold was never taken")
    assert folds(stack) - before == 1
    assert national_n(stack) == 31
    broker.close()
    app.extensions["observatory"].close()
