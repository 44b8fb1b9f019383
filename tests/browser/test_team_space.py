"""The team space in a real browser: axe-core finds nothing on any state at 375 and 1280 px,
the period changes by keyboard alone, and screenshots of each state are written for a
reviewer (SCREENSHOTS_DIR, default build/screenshots)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from observatory.access.tokens import Role, issue
from observatory.aggregation.rebuild import rebuild_cells
from observatory.app import create_app
from observatory.clock import today
from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, upgrade
from observatory.demo.links import busiest_team_place
from observatory.demo.seed import prepare_demo
from observatory.digest.unsubscribe import link_for
from observatory.places.models import Place, Team
from observatory.responses.models import Response
from observatory.teamspace.models import TeamContact
from tests.browser.conftest import WAIT_MS
from tests.conftest import RecordingNotifier

SECRET = "team-space-secret-0123456789abcdef-01234"
FUNNEL_PLACES = 8  # other places in the busy team's département, with their answers
AXE = Axe()
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "build/screenshots"))
WIDTHS = (375, 1280)
DATABASE: dict[str, str] = {}  # the live server's database, by its address


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, int]]:
    """A live server on a small demo database: (url, a team with data, a team without)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('team') / 'team.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    settings = Settings(database_url=url, secret_key=SECRET, redis_url=None)
    prepare_demo(factory, n_places=40, n_responses=6000, today=today(settings.timezone), seed=5)
    with factory.begin() as session:
        place, busy = busiest_team_place(session)
        # Forty places spread over France leave the busy team's département too few to draw
        # "Où en sont vos lieux": the next busiest places move to its commune (cells rebuilt).
        answered = (
            select(Response.place_id)
            .where(Response.place_id != place.id)
            .group_by(Response.place_id)
            .order_by(func.count().desc(), Response.place_id)
            .limit(FUNNEL_PLACES)
        )
        for other in session.scalars(select(Place).where(Place.id.in_(answered))):
            other.commune_code = place.commune_code
        empty = Team(name="Équipe toute neuve")
        session.add(empty)
        session.flush()
        ids = (busy.id, empty.id)
    rebuild_cells(factory, settings)
    app = create_app(settings, notifier=RecordingNotifier())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    DATABASE[f"http://127.0.0.1:{port}"] = url
    yield f"http://127.0.0.1:{port}", *ids
    server.shutdown()
    app.extensions["observatory"].close()


def unsubscribe_link(url: str, email: str) -> str:
    """The link a digest carries for this address (the digest's own token)."""
    engine = make_engine(DATABASE[url])
    try:
        with engine.connect() as conn:
            contact = conn.scalar(select(TeamContact.id).where(TeamContact.email == email))
    finally:
        engine.dispose()
    assert contact is not None
    return link_for(url, SECRET, contact)


def open_space(browser: Browser, url: str, team_id: int, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    token, _ = issue(SECRET, Role.TEAM, str(team_id), days=1)
    page.goto(f"{url}/equipe/connexion")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")
    expect(page.locator("#page h2").first).to_be_visible()

    return page


def check(page: Page, state: str, width: int) -> None:
    if page.locator("#situation").count():  # the funnel arrives from a callback of its own
        expect(page.locator("#situation-resume")).to_be_visible()
    results = AXE.run(page, options=OPTIONS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"equipe-{state}-{width}.png"), full_page=True)
    assert results.violations_count == 0, f"{state} at {width} px:\n{results.generate_report()}"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_state_of_the_space_is_accessible(
    browser: Browser, space: tuple[str, int, int], width: int
) -> None:
    url, busy, empty = space
    page = open_space(browser, url, busy, width)
    expect(page.locator("#entonnoir")).to_be_visible()  # the funnel drawn, its table beside
    expect(page.locator("#situation-resume")).to_contain_text("ce n'est pas un classement")
    check(page, "donnees", width)
    page.get_by_role("link", name="Les 12 derniers mois").click()
    expect(page.locator("#reponses")).to_contain_text("12 derniers mois")
    check(page, "12-mois", width)
    page.get_by_role("button", name="Voir les motifs selon la façon de répondre").click()
    expect(page.locator("#groupes table").first).to_be_visible()
    check(page, "motifs-par-groupe", width)
    page.get_by_role("link", name="Commentaires").click()
    expect(page.locator("#commentaires-resume")).to_be_visible()
    check(page, "commentaires", width)
    page.get_by_role("link", name="Pas bien du tout").click()
    expect(page.locator("#commentaires-resume")).to_contain_text("filtres choisis")
    check(page, "commentaires-filtres", width)
    page.get_by_role("link", name="Nous avons fait").click()
    page.fill("#dit", "Les horaires ne conviennent pas")
    page.fill("#fait", "Ouverture le samedi matin")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("[role=status]")).to_contain_text("enregistré")
    check(page, "actions", width)
    page.get_by_role("link", name="Réponses en attente").click()
    expect(page.locator("#attente-titre")).to_be_visible()
    check(page, "attente", width)
    page.context.close()
    page = open_space(browser, url, empty, width)
    expect(page.locator("#analyse")).to_contain_text("Pas encore assez de réponses")
    check(page, "equipe-vide", width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_state_of_the_team_pages_is_accessible(
    browser: Browser, space: tuple[str, int, int], width: int
) -> None:
    """Places, digest addresses, members and the annual report (and its print view)."""
    url, busy, _ = space
    page = open_space(browser, url, busy, width)
    page.get_by_role("link", name="Nos lieux, affiches et tablettes").click()
    expect(page.locator("#lieux-titre")).to_be_visible()
    check(page, "lieux", width)
    page.get_by_role("button", name="Enregistrer une tablette").first.click()
    expect(page.locator("h1")).to_contain_text("Tablette")
    check(page, "tablette-enregistree", width)
    page.get_by_role("link", name="Revenir à vos lieux").click()
    page.fill("#adresse", f"equipe-{width}@exemple.fr")
    page.get_by_role("button", name="Ajouter l'adresse").click()
    expect(page.locator("[role=status]")).to_contain_text("lettre de la semaine")
    check(page, "adresses", width)
    page.goto(unsubscribe_link(url, f"equipe-{width}@exemple.fr"))
    check(page, "desabonnement", width)
    page.get_by_role("button").first.click()
    check(page, "desabonnement-fait", width)
    page.goto(f"{url}/equipe/lieux")
    expect(page.locator("#lieux-titre")).to_be_visible()
    page.get_by_role("link", name="Membres de l'équipe").click()
    expect(page.locator("#membres-titre")).to_be_visible()
    page.fill("#nom-membre", f"Camille {width}")
    page.get_by_role("button", name="Ajouter et faire son lien de connexion").click()
    expect(page.locator("h1")).to_contain_text("fait partie de l'équipe")
    check(page, "membre-ajoute", width)
    page.get_by_role("link", name="Revenir aux membres").click()
    expect(page.locator("#membres-titre")).to_be_visible()
    check(page, "membres", width)
    page.get_by_role("link", name="Bilan annuel").click()
    expect(page.locator("h1")).to_contain_text("Bilan")
    check(page, "bilan", width)
    page.emulate_media(media="print")
    check(page, "bilan-impression", width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_public_action_reaches_the_departements_page(
    browser: Browser, space: tuple[str, int, int], width: int
) -> None:
    """ "Nous avons fait" published by the team, on its département's public page (read without
    signing in), and the list of départements."""
    url, busy, _ = space
    page = open_space(browser, url, busy, width)
    page.get_by_role("link", name="Nous avons fait").click()
    page.fill("#dit", f"Trop d'attente le matin ({width})")
    page.fill("#fait", f"Un accueil sans rendez-vous le mardi ({width})")
    page.select_option("#public", "1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("[role=status]")).to_contain_text("enregistré")
    public_page = page.locator("#page a[href^='/barometre/territoires/']").first
    href = public_page.get_attribute("href")
    page.context.close()
    visitor = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    visitor.set_default_timeout(WAIT_MS)
    page = visitor.new_page()
    page.goto(f"{url}{href}")
    expect(page.locator("#nous-avons-fait")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"Un accueil sans rendez-vous le mardi ({width})")
    check(page, "territoire", width)
    page.get_by_role("link", name="Les autres départements").click()
    expect(page.locator("h1")).to_contain_text("Les départements")
    check(page, "territoires", width)
    page.goto(f"{url}/barometre/territoires/999")
    expect(page.locator("h1")).to_contain_text("Ce département n'existe pas")
    check(page, "territoire-inconnu", width)
    visitor.close()


def test_the_period_changes_by_keyboard_and_the_table_is_reached(
    browser: Browser, space: tuple[str, int, int]
) -> None:
    url, busy, _ = space
    page = open_space(browser, url, busy, 1280)
    page.get_by_role("link", name="Les 3 derniers mois").focus()
    page.keyboard.press("Tab")  # the next period: the last 12 months
    page.keyboard.press("Enter")
    expect(page.locator("#reponses")).to_contain_text("12 derniers mois")
    for _ in range(60):  # Tab on until the month table's scrolling region has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.querySelector('#table-mois') !== null"):
            break
    else:
        pytest.fail("the month table was never reached with Tab")
    page.context.close()


def test_the_dates_shown_are_months_only(browser: Browser, space: tuple[str, int, int]) -> None:
    """Nothing on the page is dated to the day (answers are dated to the month)."""
    url, busy, _ = space
    page = open_space(browser, url, busy, 1280)
    text = page.locator("#page").inner_text()
    assert dt.date.today().isoformat() not in text
    page.context.close()
