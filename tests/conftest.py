"""Fixtures shared by the whole suite: one parametrised run on SQLite and on real PostgreSQL."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from observatory import models
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.territories.models import Territory

# CI explores the same examples on every run (a red CI always means a real regression);
# local runs keep exploring new ones, which is where new counterexamples are found.
# No example has a deadline anywhere: a per-example time limit is a timed assertion, and the
# machine's speed varies.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
BACKENDS = ("sqlite", "postgresql")
# Territories are large and read-only in tests: loaded once per backend, never wiped.
KEEP_TABLES = {"territory", "alembic_version"}


BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_bench(name: str) -> ModuleType:
    """A benchmark script of bench/ as a module, as `python bench/NAME.py` would see it."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # the scripts import their shared `report` module
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def create_pg_database() -> str:
    """A fresh, uniquely named PostgreSQL database; the caller drops it with `drop_pg_database`."""
    name = f"observatory_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database on each backend (the whole suite runs on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'observatory.sqlite3'}"
        upgrade(url)
        yield url
        return
    url = create_pg_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, on each backend (migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No minimum fill time here: tests answer instantly (a dedicated test covers it).
    return Settings(
        database_url=database_url,
        redis_url=None,
        secret_key="test-secret-key-0123456789abcdef-0123",
        min_fill_seconds=0,
        burst_threshold=1000,  # tests repeat identical answers on purpose
    )


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on a database that is emptied (but for territories) after the test."""
    yield make_session_factory(engine)
    wipe(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


def wipe(engine: Engine) -> None:
    tables = [t for t in reversed(models.Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())


@pytest.fixture
def territories(engine: Engine) -> None:
    """The territorial referential, imported once per backend."""
    from observatory.territories.service import import_territories

    factory = make_session_factory(engine)
    with factory() as session:
        if session.scalar(select(Territory.code).limit(1)) is None:
            import_territories(session)
            session.commit()


# --- Domain fixtures -------------------------------------------------------------------------

import datetime as dt  # noqa: E402
from collections.abc import Callable  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from observatory.places.models import Place, Team, TeamPlace  # noqa: E402
from observatory.questionnaires.definitions import ensure_questionnaires  # noqa: E402

PlaceFactory = Callable[..., Place]


@pytest.fixture
def make_place(session_factory: sessionmaker[Session], territories: None) -> PlaceFactory:
    """Create a place (with its own team unless told otherwise) and return it."""
    counter = iter(range(1, 10_000))

    def factory(code: str | None = None, commune: str = "51454", team: bool = True) -> Place:
        i = next(counter)
        with session_factory.begin() as session:
            ensure_questionnaires(session)
            place = Place(
                code=code or f"T{i:05d}".replace("0", "Z").replace("1", "Y"),
                source_id=f"test-{uuid.uuid4().hex}",
                source="tests",
                pivot="43493312300029",
                name=f"Médiathèque d'essai {i}",
                commune_code=commune,
                commune_name="Reims",
                postal_code="51100",
                address="1 rue de l'Essai",
                typologie=["BIB"],
                services=["Aide aux démarches administratives"],
                dispositifs=[],
                itinerant=False,
                updated_at=dt.date(2026, 1, 1),
                record={},
            )
            session.add(place)
            session.flush()
            if team:
                created = Team(name=f"Équipe {place.code}")
                session.add(created)
                session.flush()
                session.add(TeamPlace(team_id=created.id, place_id=place.id))
        return place

    return factory


@pytest.fixture
def make_place_once(make_place: PlaceFactory) -> str:
    """The code of one place, for tests that post many times (fuzzing)."""
    return make_place().code


class RecordingNotifier:
    """A notifier that only counts notifications; tests fold explicitly."""

    def __init__(self) -> None:
        self.notifications = 0

    def notify(self) -> None:
        self.notifications += 1

    def close(self) -> None:
        pass


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[Flask]:
    from observatory.app import create_app

    notifier = RecordingNotifier()
    application = create_app(settings, notifier=notifier)
    application.config["TESTING"] = True
    yield application
    application.extensions["observatory"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


AppFactory = Callable[..., FlaskClient]


@pytest.fixture
def app_with(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[AppFactory]:
    """Clients of apps whose settings differ from the test defaults; closed after the test."""
    apps: list[Flask] = []

    def factory(**overrides: object) -> FlaskClient:
        app = create_app_for(settings.model_copy(update=overrides))
        apps.append(app)
        return app.test_client()

    yield factory
    for app in apps:
        app.extensions["observatory"].close()


def create_app_for(settings: Settings) -> Flask:
    from observatory.app import create_app

    return create_app(settings, notifier=RecordingNotifier())


FORM_FIELDS = re.compile(r'name="(idempotency_key|token)" value="([^"]+)"')


def fresh_form(client: FlaskClient, code: str, **query: str) -> dict[str, str]:
    """The hidden fields of a freshly shown form (idempotency key and signed token)."""
    page = client.get(f"/r/{code}", query_string=query)
    assert page.status_code == 200, page.status_code
    return dict(FORM_FIELDS.findall(page.get_data(as_text=True)))


def send_answers(client: FlaskClient, code: str, answers: dict[str, object], **extra: str):  # type: ignore[no-untyped-def]
    """Show the form, then send it as a browser would; returns the reply."""
    return client.post(f"/r/{code}", data={**fresh_form(client, code), **answers, **extra})
