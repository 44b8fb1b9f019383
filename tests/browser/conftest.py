"""A live server and system Chromium (never a downloaded browser) for the browser tests.

HTML and accessibility do not depend on the database, so these run on SQLite only; the rest of
the suite covers both backends.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import text
from werkzeug.serving import make_server

from observatory.app import create_app
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place, Team, TeamPlace
from observatory.questionnaires.definitions import ensure_questionnaires
from observatory.territories.service import import_territories
from tests.conftest import RecordingNotifier

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLACE_CODE = "MED234"
BROWSER_SECRET = "browser-secret-0123456789abcdef-0123456"

pytestmark = pytest.mark.browser
# Waits, not timed assertions: `expect()` retries until this bound (its default is 5 s, which a
# loaded machine can exceed); a slow page never fails a test, a wrong one still does.
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)


@dataclass(frozen=True)
class Site:
    url: str
    code: str
    settings: Settings
    kiosk_token: str

    def responses(self) -> list[tuple[str, str]]:
        """(channel, idempotency key) of every stored response."""
        engine = make_engine(self.settings.database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT channel, idempotency_key FROM response"))
                return [(row[0], row[1]) for row in rows]
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'site.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory.begin() as session:
        import_territories(session)
        ensure_questionnaires(session)
        place = Place(
            code=PLACE_CODE, source_id="browser-1", pivot="43493312300029",
            name="Médiathèque Jean-Moulin", commune_code="51454", commune_name="Reims",
            postal_code="51100", address="1 rue de l'Essai", typologie=["BIB"], services=[],
            dispositifs=[], itinerant=False, updated_at=dt.date(2026, 1, 1), record={},
        )  # fmt: skip
        session.add(place)
        session.flush()
        team = Team(name="Équipe Jean-Moulin")
        session.add(team)
        session.flush()
        session.add(TeamPlace(team_id=team.id, place_id=place.id))
        _, kiosk_token = enrol_kiosk(
            session, place, "Tablette", BROWSER_SECRET, dt.date(2026, 11, 1)
        )
    settings = Settings(
        database_url=url,
        secret_key=BROWSER_SECRET,
        min_fill_seconds=0,
        burst_threshold=1000,
        kiosk_idle_seconds=2,
        kiosk_warning_seconds=20,  # the shortest RGAA 13.1 allows
        kiosk_pause_seconds=1,
    )
    app = create_app(settings, notifier=RecordingNotifier())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{port}", PLACE_CODE, settings, kiosk_token)
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 320 px wide phone with JavaScript disabled."""
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, java_script_enabled=False, locale="fr-FR"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    yield page
    context.close()
