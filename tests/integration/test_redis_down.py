"""Fault test: answers accepted while Redis is down are all stored, then folded by the sweep.

Redis only carries wake-up calls; the database is the source of truth. This test stops the real
Redis and always starts it again (start command of this machine kind), even when it fails.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import func, select

from observatory.aggregation.fold import fold_all_pending
from observatory.app import create_app
from observatory.clock import today
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.places.models import Place
from observatory.responses.models import Response
from observatory.territories.service import import_territories
from observatory.workers.tasks import run_fold
from tests.conftest import create_pg_database, drop_pg_database, send_answers
from tests.integration.helpers import assert_cells_equal_a_rebuild

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/9"
START_REDIS = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def start_redis() -> None:
    if not redis_up():
        subprocess.run(START_REDIS, check=True, capture_output=True)
    deadline = time.monotonic() + 120  # generous: only a service that never comes back fails
    while not redis_up():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.1)


@pytest.fixture
def database_with_a_place() -> Iterator[str]:
    url = create_pg_database()
    try:
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        with factory.begin() as session:
            import_territories(session)
            session.add(
                Place(code="RD2345", source_id="redis-down", pivot="43493312300029",
                      name="EPN", commune_code="51454", commune_name="Reims", postal_code="51100",
                      address="1 rue A", typologie=[], services=[], dispositifs=[],
                      itinerant=False, updated_at=today("Europe/Paris"), record={})
            )  # fmt: skip
        yield url
    finally:
        drop_pg_database(url)


def test_answers_accepted_while_redis_is_down_are_folded_afterwards(
    database_with_a_place: str,
) -> None:
    settings = Settings(
        database_url=database_with_a_place,
        redis_url=REDIS_URL,
        secret_key="redis-down-0123456789abcdef-0123456789",
        min_fill_seconds=0,
        burst_threshold=1000,
    )
    app = create_app(settings)
    client = app.test_client()
    assert redis_up()
    subprocess.run(
        ["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, check=False
    )
    try:
        assert not redis_up()
        for choice in ("tres_bien", "bien", "pas_bien", "bien", "tres_bien"):
            reply = send_answers(client, "RD2345", {"satisfaction": choice})
            assert reply.status_code == 303  # accepted although no task could be queued
    finally:
        start_redis()
    factory = make_session_factory(make_engine(database_with_a_place))
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 5
    # The periodic sweep runs this same function: everything accepted gets folded.
    assert run_fold(settings)["responses"] == 5
    assert assert_cells_equal_a_rebuild(factory, settings) == 5
    assert fold_all_pending(factory, today(settings.timezone)).responses == 0
    app.extensions["observatory"].close()
