"""The team space (/equipe/): a team sees its own figures exactly, never another team's, and
every request (page, layout, callback) checks who is signed in."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role, issue, revoke
from observatory.aggregation.fold import fold_all_pending
from observatory.analysis import public_counts, shared
from observatory.analysis.wording import value_text
from observatory.places.models import Place, Team, TeamPlace
from tests.conftest import send_answers

SECRET = "test-secret-key-0123456789abcdef-0123"


def team_of(factory: sessionmaker[Session], place: Place) -> int:
    with factory() as session:
        return int(
            session.scalars(select(TeamPlace.team_id).where(TeamPlace.place_id == place.id)).one()
        )


def team_name(factory: sessionmaker[Session], team_id: int) -> str:
    with factory() as session:
        team = session.get(Team, team_id)
        assert team is not None
        return team.name


def sign_in(client: FlaskClient, role: Role, scope: str) -> Any:
    token, principal = issue(SECRET, role, scope, days=1)
    assert client.post("/equipe/connexion", data={"token": token}).status_code == 303
    return principal


def layout(client: FlaskClient) -> str:
    reply = client.get("/equipe/_dash-layout")
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    return json.dumps(reply.get_json(), ensure_ascii=False)


def callback(client: FlaskClient, period: object = "3m", place: object = "tous") -> str:
    """The page's callback, as the browser sends it when the address changes."""
    search = f"?periode={period}&lieu={place}" if isinstance(period, str) else period
    return callback_search(client, search)


def callback_search(client: FlaskClient, search: object, path: str = "/equipe/") -> str:
    body = {
        "output": "..sections.children...page.children..",
        "outputs": [
            {"id": "sections", "property": "children"},
            {"id": "page", "property": "children"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.search"],
        "state": [],
    }
    return post_callback(client, body)


def standing_search(client: FlaskClient, search: object) -> str:
    """The funnel's own callback, as the browser sends it once the results are shown."""
    body = {
        "output": "situation.children",
        "outputs": {"id": "situation", "property": "children"},
        "inputs": [{"id": "situation-demande", "property": "data", "value": search}],
        "changedPropIds": ["situation-demande.data"],
        "state": [],
    }
    return post_callback(client, body)


def post_callback(client: FlaskClient, body: dict[str, object]) -> str:
    """A callback's reply as text; every callback of the space answers 200, never cached."""
    reply = client.post("/equipe/_dash-update-component", json=body)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.headers["Cache-Control"] == "no-store"
    return json.dumps(reply.get_json(), ensure_ascii=False)


def hidden_values(page: str, name: str) -> list[str]:
    """The values of the hidden form fields named `name` in a Dash layout or callback reply."""
    return re.findall(rf'"value": "([^"]+)", "type": "hidden", "name": "{name}"', page)


def answer(client: FlaskClient, place: Place, choice: str, n: int, **more: str) -> None:
    for _ in range(n):
        reply = send_answers(client, place.code, {"satisfaction": choice, **more})
        assert reply.status_code == 303


@pytest.fixture
def client(app_with) -> FlaskClient:
    """An app that takes this test's 65 answers from one address in a few seconds."""
    return app_with(rate_limit_client_per_hour=1000)


@pytest.fixture
def two_teams(client: FlaskClient, make_place, session_factory) -> tuple[Place, Place]:
    mine, theirs = make_place(), make_place()
    answer(client, mine, "tres_bien", 30, objectif="oui", motif="demarches")
    answer(client, mine, "pas_bien", 10, objectif="non", motif="loisirs")
    answer(client, theirs, "bien", 25, objectif="en_partie")
    fold_all_pending(session_factory, dt.date.today())
    return mine, theirs


def test_the_space_is_closed_until_a_team_member_signs_in(
    app_with, client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, _ = two_teams
    page = client.get("/equipe/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/equipe/connexion")
    name = team_name(session_factory, team_of(session_factory, mine))
    for text in (layout(client), callback(client)):
        assert "pas connecté" in text and name not in text and "Satisfaction" not in text
    other = app_with()  # a coordinator is not a team: no team space
    sign_in(other, Role.COORDINATOR, "departement:51")
    assert other.get("/equipe/").status_code == 302
    assert "pas connecté" in callback(other)


def test_a_team_sees_its_own_figures_exactly(
    client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, _ = two_teams
    team_id = team_of(session_factory, mine)
    sign_in(client, Role.TEAM, str(team_id))
    assert client.get("/equipe/").status_code == 200
    assert team_name(session_factory, team_id) in layout(client)
    text = callback_search(client, "")  # what the page shows first
    assert "40 réponses" in text  # exact, never perturbed for the team itself
    assert value_text("score", 30 * 10 / 40) in text  # 30 × 10 + 10 × 0 over 40
    assert value_text("share", 30 / 40) in text  # objectif "oui"
    assert "Aide aux démarches administratives" in text
    assert "Ce que disent vos usagers" in text
    # Months before this one hold no answers: shown as gaps, without any count.
    assert "pas encore assez de réponses" in text


def test_a_team_never_reads_another_teams_place(
    client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = two_teams
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    their_name = team_name(session_factory, team_of(session_factory, theirs))
    for place in (str(theirs.id), "999999", "²", "-1", "12.0", "tous; DROP"):
        for text in (callback(client, "3m", place), standing_search(client, f"?lieu={place}")):
            assert "pas un de vos lieux" in text or "non reconnu" in text
            assert their_name not in text and "25 réponses" not in text
            assert theirs.name not in text
    assert "40 réponses" in callback(client, "12m", str(mine.id))
    assert their_name not in layout(client) and theirs.name not in layout(client)


def test_bad_periods_get_a_clear_message(
    client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, _ = two_teams
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    for period in ("2999T1", "1999", "5m", "", "2026T9"):
        assert "non reconnu" in callback(client, period)
    for search in (["?periode=3m"], "?periode=3m&periode=12m", "?x=1", "?" + "a" * 500, 12):
        assert "non reconnu" in callback_search(client, search)
    assert "40 réponses" in callback_search(client, "")  # the defaults: 3 months, every place
    year = str(dt.date.today().year)
    assert "40 réponses" in callback(client, year)


def test_a_revoked_token_or_a_logout_closes_the_space_at_once(
    client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, _ = two_teams
    principal = sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    assert "40 réponses" in callback(client)
    with session_factory.begin() as session:
        revoke(session, principal.jti, dt.date.today())
    assert "pas connecté" in callback(client)  # the next callback, not the next page load
    principal = sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    page = layout(client)
    csrf = re.search(r'"value": "([0-9a-f]{64})", "type": "hidden", "name": "csrf"', page)
    assert csrf, re.findall(r'.{80}"csrf".{120}', page)
    assert client.post("/equipe/deconnexion", data={"csrf": csrf.group(1)}).status_code == 303
    assert "pas connecté" in callback(client)


def test_the_text_says_only_what_the_table_shows(
    client: FlaskClient, two_teams: tuple[Place, Place], session_factory
) -> None:
    mine, _ = two_teams
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    text = callback(client, "3m")
    # No earlier period: nothing is compared, and the text says too few answers.
    assert "Trop peu de réponses pour dire si" in text
    assert "a augmenté" not in text and "a baissé" not in text


def test_the_funnel_names_only_the_teams_place_and_hides_small_places(
    client: FlaskClient, make_place, session_factory
) -> None:
    mine = make_place()
    others = [make_place() for _ in range(3)]
    small = make_place()
    answer(client, mine, "tres_bien", 15)
    for i, other in enumerate(others):  # mixed answers: no dominance rule hides them
        answer(client, other, "bien", 10 + i)
        answer(client, other, "pas_bien", 9)
    answer(client, small, "pas_tres_bien", 3)  # below k_public even once perturbed
    fold_all_pending(session_factory, dt.date.today())
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    page = callback_search(client, "?periode=3m")
    assert "Calcul de la comparaison" in page and "situation-demande" in page
    assert "Autre lieu" not in page  # the funnel comes from its own callback
    text = standing_search(client, "?periode=3m")
    assert "Où en sont vos lieux dans le département" in text
    assert f"{mine.name} : 10,0 sur 10 sur 15 réponses" in text
    assert text.count("| Autre lieu |") == 3  # the small place is not shown at all
    for other in [*others, small]:
        assert other.name not in text and other.code not in text
    late = make_place()  # the other places' public counts are kept a while, but not past a fold
    answer(client, late, "bien", 12)
    answer(client, late, "pas_bien", 9)
    fold_all_pending(session_factory, dt.date.today())
    assert standing_search(client, "?periode=3m").count("| Autre lieu |") == 4
    # Nor past new answers at a place already shown (kept while the département's cells stay
    # the same): its row grows from 19 answers (10 + 9) to 59, perturbed by a few at most.
    rows = _other_rows(standing_search(client, "?periode=3m"))
    answer(client, others[0], "bien", 40)
    fold_all_pending(session_factory, dt.date.today())
    grown = _other_rows(standing_search(client, "?periode=3m"))
    assert len(grown) == 4 and grown != rows
    assert max(n for n, _ in grown) >= 55 > max(n for n, _ in rows)
    # Made again from the earlier months kept and the last one read, the funnel equals what a
    # first visit reads whole.
    before = _other_rows(standing_search(client, "?periode=12m"))
    answer(client, others[1], "pas_bien", 6)
    fold_all_pending(session_factory, dt.date.today())
    kept = standing_search(client, "?periode=12m")
    assert _other_rows(kept) != before
    public_counts._PUBLIC._values.clear()
    public_counts._EARLIER._values.clear()
    shared._PROCESS.clear()
    assert standing_search(client, "?periode=12m") == kept


def _other_rows(text: str) -> list[tuple[int, str]]:
    """(answers, score) of the funnel table's anonymous rows."""
    return sorted(
        (int(n), score) for n, score in re.findall(r"\| Autre lieu \| (\d+) \| ([^|]+) \|", text)
    )


def test_reasons_by_age_band_hide_a_small_group(
    client: FlaskClient, make_place, session_factory
) -> None:
    place = make_place()
    answer(client, place, "bien", 12, age="moins_25", motif="insertion_pro")
    answer(client, place, "bien", 12, age="65_74", motif="demarches")
    answer(client, place, "bien", 3, age="45_64", motif="loisirs")
    fold_all_pending(session_factory, dt.date.today())
    sign_in(client, Role.TEAM, str(team_of(session_factory, place)))
    assert "Voir les motifs selon" in callback_search(client, "?periode=3m")
    body = {
        "output": "groupes.children",
        "outputs": {"id": "groupes", "property": "children"},
        "inputs": [{"id": "voir-groupes", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["voir-groupes.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": "?periode=3m"}],
    }
    text = post_callback(client, body)
    assert "Selon l'âge" in text
    assert "Moins de 25 ans (12 pers.)" in text and "65 à 74 ans (12 pers.)" in text
    assert "45 à 64 ans (pas encore assez de réponses)" in text and "3 pers." not in text
    assert "100\u202f%" in text  # every young person came for work
