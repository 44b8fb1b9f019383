"""Fixtures of the team space tests."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from observatory.aggregation.fold import fold_all_pending
from observatory.places.models import Place
from tests.conftest import send_answers

MINE = "Accueil très chaleureux, merci à Paul pour sa patience"
THEIRS = "Texte distinctif de l'autre équipe zorglub"


@pytest.fixture
def places(client: FlaskClient, make_place, session_factory) -> tuple[Place, Place]:
    mine, theirs = make_place(), make_place()
    for i in range(6):
        answers = {"satisfaction": "bien" if i else "pas_bien", "motif": "demarches"}
        if i == 0:
            answers["amelioration"] = MINE
        assert send_answers(client, mine.code, answers).status_code == 303
    for i in range(6):
        answers = {"satisfaction": "bien", "amelioration": f"{THEIRS} {i}"}
        assert send_answers(client, theirs.code, answers).status_code == 303
    fold_all_pending(session_factory, dt.date.today())
    return mine, theirs
