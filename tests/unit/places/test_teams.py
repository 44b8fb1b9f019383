"""Teams serve one or more places; a place may be served by several teams."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from observatory.places.models import Place, TeamPlace
from observatory.places.teams import add_places, create_team, places_of_team, teams_of_place


@pytest.fixture
def places(session: Session) -> dict[str, int]:
    rows = [
        {
            "code": code,
            "source_id": f"src-{code}",
            "pivot": "123456789",
            "name": f"Place {code}",
            "commune_name": "Reims",
            "postal_code": "51100",
            "address": "1 rue X",
            "updated_at": dt.date(2024, 1, 1),
        }
        for code in ("AAAAAA", "BBBBBB", "CCCCCC")
    ]
    session.execute(insert(Place), rows)
    return {p.code: p.id for p in session.scalars(select(Place))}


def test_create_team_and_add_places(session: Session, places: dict[str, int]) -> None:
    team = create_team(session, "Équipe Reims", ["AAAAAA", "bbbbbb", "AAAAAA"])
    session.commit()
    assert [p.code for p in places_of_team(session, team.id)] == ["AAAAAA", "BBBBBB"]

    add_places(session, "Équipe Reims", ["BBBBBB", "CCCCCC"])  # BBBBBB already served
    other = create_team(session, "Bus numérique", ["CCCCCC"])
    session.commit()
    assert [p.code for p in places_of_team(session, team.id)] == ["AAAAAA", "BBBBBB", "CCCCCC"]
    assert teams_of_place(session, places["CCCCCC"]) == [other, team]
    assert teams_of_place(session, places["AAAAAA"]) == [team]
    assert len(session.scalars(select(TeamPlace)).all()) == 4


def test_team_errors(session: Session, places: dict[str, int]) -> None:
    create_team(session, "Équipe", ["AAAAAA"])
    with pytest.raises(ValueError, match="unknown place codes: ZZZZZZ, YYYYYY"):
        create_team(session, "Autre", ["AAAAAA", "ZZZZZZ", "YYYYYY"])
    with pytest.raises(ValueError, match="at least one place"):
        create_team(session, "Autre", [])
    with pytest.raises(ValueError, match="already exists"):
        create_team(session, "Équipe", ["BBBBBB"])
    with pytest.raises(ValueError, match="no team named 'Personne'"):
        add_places(session, "Personne", ["BBBBBB"])
    with pytest.raises(ValueError, match="unknown place code: ZZZZZZ"):
        add_places(session, "Équipe", ["ZZZZZZ"])
    with pytest.raises(ValueError, match="needs a name"):
        create_team(session, "  ", ["AAAAAA"])
    assert teams_of_place(session, places["BBBBBB"]) == []
