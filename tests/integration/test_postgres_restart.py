"""Fault test: PostgreSQL restarts while people answer. Every accepted answer (303) is stored,
the others get "retry later" with their answers kept, and the cells equal a full rebuild."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from observatory.app import create_app
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory
from observatory.responses.models import Response
from observatory.workers.tasks import run_fold
from tests.conftest import fresh_form
from tests.integration.helpers import assert_cells_equal_a_rebuild
from tests.integration.test_redis_down import database_with_a_place  # noqa: F401 (fixture)

pytestmark = [pytest.mark.services, pytest.mark.slow]
VERSION = next(p.name for p in Path("/etc/postgresql").iterdir())
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, "main"]


def postgres_up(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1
    except Exception:
        return False
    finally:
        engine.dispose()


def ensure_postgres(url: str) -> None:
    if not postgres_up(url):
        subprocess.run([*CLUSTER, "start"], capture_output=True, check=False)
    deadline = time.monotonic() + 60
    while not postgres_up(url):
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)


def test_answers_across_a_postgres_restart(database_with_a_place: str) -> None:  # noqa: F811
    url = database_with_a_place
    settings = Settings(
        database_url=url, secret_key="p" * 40, min_fill_seconds=0, burst_threshold=1000
    )
    app = create_app(settings, notifier=_Quiet())
    client = app.test_client()
    forms = [fresh_form(client, "RD2345") for _ in range(60)]  # shown before the restart
    statuses: list[int] = []

    def restart() -> None:
        time.sleep(0.3)
        subprocess.run([*CLUSTER, "restart"], capture_output=True, check=False)

    restarter = threading.Thread(target=restart)
    try:
        restarter.start()
        for fields in forms:
            reply = client.post("/r/RD2345", data={**fields, "satisfaction": "bien"})
            statuses.append(reply.status_code)
            if reply.status_code == 503:
                page = reply.get_data(as_text=True)
                assert 'value="bien" checked' in page  # the answer is kept for a retry
                assert re.search(r"indisponible", page)
            time.sleep(0.05)
        restarter.join()
    finally:
        ensure_postgres(url)
    assert set(statuses) <= {303, 503}, statuses
    accepted = statuses.count(303)
    assert accepted > 0
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == accepted
    run_fold(settings)
    assert assert_cells_equal_a_rebuild(factory, settings) == accepted


class _Quiet:
    def notify(self) -> None:
        pass

    def close(self) -> None:
        pass
