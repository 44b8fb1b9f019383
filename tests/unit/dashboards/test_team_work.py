"""The team space's working pages: comments marked "traité", "nous avons fait" with its
history, answers held for review. Every write checks the session, the CSRF value and the
team's own places; team B never reads or changes anything of team A."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.access.tokens import Role
from observatory.aggregation.fold import fold_all_pending
from observatory.places.models import Place
from observatory.responses.models import Comment
from observatory.teamspace.models import TeamActionVersion
from tests.conftest import send_answers
from tests.unit.dashboards.conftest import MINE, THEIRS
from tests.unit.dashboards.test_team_space import (
    callback_search,
    hidden_values,
    layout,
    sign_in,
    team_of,
)


def csrf_of(client: FlaskClient) -> str:
    found = re.search(
        r'"value": "([0-9a-f]{64})", "type": "hidden", "name": "csrf"', layout(client)
    )
    assert found
    return found.group(1)


@pytest.fixture
def client(app_with) -> FlaskClient:
    return app_with(rate_limit_client_per_hour=1000)


def comment_seq(factory: sessionmaker[Session], text: str) -> int:
    with factory() as session:
        found = select(Comment.response_seq).where(Comment.text.startswith(text[:20]))
        return int(session.scalars(found).one())


def test_a_team_reads_its_comments_at_month_level_and_filters_them(
    client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, _ = places
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    page = callback_search(client, "", "/equipe/commentaires")
    assert "Accueil très chaleureux" in page and THEIRS not in page
    assert dt.date.today().strftime("%d/%m/%Y") not in page  # never the day
    assert "Pas bien du tout" in page  # the note it came with
    assert "Accueil très chaleureux" not in callback_search(
        client, "?note=bien", "/equipe/commentaires"
    )
    assert "Accueil très chaleureux" in callback_search(
        client, "?note=pas_bien&motif=demarches", "/equipe/commentaires"
    )
    assert "non reconnu" in callback_search(client, "?note=zzz", "/equipe/commentaires")


def test_marking_a_comment_treated_keeps_it_and_only_its_team_may(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    seq = comment_seq(session_factory, MINE)
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    form = {"seq": str(seq), "traite": "1", "retour": "/equipe/commentaires?periode=12m"}
    assert client.post("/equipe/envoi/commentaire", data=form).status_code == 400  # no CSRF
    done = client.post("/equipe/envoi/commentaire", data={**form, "csrf": csrf_of(client)})
    assert done.status_code == 303
    assert done.headers["Location"] == "/equipe/commentaires?periode=12m&fait=traite"
    page = callback_search(client, "?periode=12m&fait=traite", "/equipe/commentaires")
    assert "Traités (1)" in page and "Accueil très chaleureux" in page
    assert "Remettre à lire" in page
    other = app_with()
    assert other.post("/equipe/envoi/commentaire", data=form).status_code == 403
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    refused = other.post("/equipe/envoi/commentaire", data={**form, "csrf": csrf_of(other)})
    assert refused.status_code == 404
    evil = {**form, "csrf": csrf_of(client), "retour": "https://evil.example/"}
    assert (
        client.post("/equipe/envoi/commentaire", data=evil)
        .headers["Location"]
        .startswith("/equipe/commentaires")
    )
    with session_factory() as session:
        kept = session.scalar(select(Comment.text).where(Comment.response_seq == seq))
        assert kept is not None and kept.startswith(MINE[:20])


def test_nous_avons_fait_keeps_a_dated_history(
    app_with, client: FlaskClient, places: tuple[Place, Place], session_factory
) -> None:
    mine, theirs = places
    sign_in(client, Role.TEAM, str(team_of(session_factory, mine)))
    token = csrf_of(client)
    month = dt.date.today().strftime("%Y-%m")
    entry = {"csrf": token, "dit": "L'attente est longue", "fait": "Un deuxième créneau le mardi",
             "mois": month, "sujet": "satisfaction", "public": "0"}  # fmt: skip
    assert client.post("/equipe/envoi/action", data=entry).status_code == 303
    page = callback_search(client, "", "/equipe/actions")
    assert "Un deuxième créneau le mardi" in page and "Vos actions (1)" in page
    action_id = re.search(r"/equipe/actions\?modifier=([0-9]+)", page)
    assert action_id
    edited = {**entry, "action": action_id.group(1), "fait": "Deux créneaux le mardi"}
    assert client.post("/equipe/envoi/action", data=edited).status_code == 303
    page = callback_search(client, "", "/equipe/actions")
    assert "Deux créneaux le mardi" in page and "modifiée 1 fois" in page
    for bad, reason in (({"fait": "  "}, "Écrivez"), ({"sujet": "zzz"}, "liste"),
                        ({"mois": "2099-01"}, "futur"), ({"mois": "hier"}, "mois")):  # fmt: skip
        refused = client.post("/equipe/envoi/action", data={**entry, **bad})
        assert refused.status_code == 400 and reason in refused.get_data(as_text=True)
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    theirs_token = csrf_of(other)
    assert "Deux créneaux" not in callback_search(other, "", "/equipe/actions")
    steal = {**edited, "csrf": theirs_token}
    assert other.post("/equipe/envoi/action", data=steal).status_code == 400
    retract = {"csrf": theirs_token, "action": action_id.group(1)}
    assert other.post("/equipe/envoi/action/retrait", data=retract).status_code == 404
    retract["csrf"] = token
    assert client.post("/equipe/envoi/action/retrait", data=retract).status_code == 303
    assert "Vos actions (0)" in callback_search(client, "", "/equipe/actions")
    with session_factory() as session:  # three versions: created, edited, withdrawn
        assert len(session.scalars(select(TeamActionVersion)).all()) == 3


def test_held_answers_are_reviewed_by_their_team_only(
    app_with, make_place, session_factory
) -> None:
    bursty = app_with(rate_limit_client_per_hour=1000, burst_threshold=2)
    mine, theirs = make_place(), make_place()
    for _ in range(5):  # identical answers from one address: the last ones are held
        assert send_answers(bursty, mine.code, {"satisfaction": "tres_bien"}).status_code == 303
    fold_all_pending(session_factory, dt.date.today())
    sign_in(bursty, Role.TEAM, str(team_of(session_factory, mine)))
    page = callback_search(bursty, "", "/equipe/attente")
    held = hidden_values(page, "reponse")
    assert held, page[:300]
    other = app_with()
    sign_in(other, Role.TEAM, str(team_of(session_factory, theirs)))
    assert "Aucune réponse en attente" in callback_search(other, "", "/equipe/attente")
    decision = {"decision": "liberer", "reponse": held}
    refused = other.post("/equipe/envoi/attente", data={"csrf": csrf_of(other), **decision})
    assert refused.status_code == 404
    done = bursty.post("/equipe/envoi/attente", data={"csrf": csrf_of(bursty), **decision})
    assert done.status_code == 303
    assert "Aucune réponse en attente" in callback_search(bursty, "", "/equipe/attente")
    assert "5 réponses" in callback_search(bursty, "")  # released into the figures
