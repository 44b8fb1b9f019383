"""Teams of mediators and the places they serve (a team may serve several places, and a place
may be served by several teams)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.places.codes import normalise_code
from observatory.places.models import Place, Team, TeamPlace


def create_team(session: Session, name: str, place_codes: Sequence[str]) -> Team:
    """A new team serving the given places (public codes); ValueError says what is wrong."""
    name = name.strip()
    if not name:
        raise ValueError("a team needs a name")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise ValueError(f"a team named {name!r} already exists")
    place_ids = _place_ids(session, place_codes)
    team = Team(name=name)
    session.add(team)
    session.flush()
    session.add_all(TeamPlace(team_id=team.id, place_id=place_id) for place_id in place_ids)
    session.flush()
    return team


def add_places(session: Session, team_name: str, place_codes: Sequence[str]) -> Team:
    """Let an existing team serve more places; places it already serves are left as they are."""
    team = session.scalar(select(Team).where(Team.name == team_name.strip()))
    if team is None:
        raise ValueError(f"no team named {team_name!r}")
    place_ids = _place_ids(session, place_codes)
    served = set(session.scalars(select(TeamPlace.place_id).where(TeamPlace.team_id == team.id)))
    session.add_all(
        TeamPlace(team_id=team.id, place_id=place_id)
        for place_id in place_ids
        if place_id not in served
    )
    session.flush()
    return team


def teams_of_place(session: Session, place_id: int) -> list[Team]:
    """The teams serving a place, by name."""
    statement = (
        select(Team)
        .join(TeamPlace, TeamPlace.team_id == Team.id)
        .where(TeamPlace.place_id == place_id)
        .order_by(Team.name)
    )
    return list(session.scalars(statement))


def places_of_team(session: Session, team_id: int) -> list[Place]:
    """The places a team serves, by code."""
    statement = (
        select(Place)
        .join(TeamPlace, TeamPlace.place_id == Place.id)
        .where(TeamPlace.team_id == team_id)
        .order_by(Place.code)
    )
    return list(session.scalars(statement))


def _place_ids(session: Session, place_codes: Sequence[str]) -> list[int]:
    """The ids of the places with these codes, in order, without repeats; every code must exist.

    Codes are normalised first, so "abc234" typed from a poster finds ABC234.
    """
    if isinstance(place_codes, str):  # a lone code is a Sequence[str] of characters
        raise TypeError("place_codes must be a list of codes, not a string")
    if not place_codes:
        raise ValueError("a team must serve at least one place: no place code given")
    codes = list(dict.fromkeys(normalise_code(code) or code.strip() for code in place_codes))
    statement = select(Place.code, Place.id).where(Place.code.in_(codes))
    found = {row.code: row.id for row in session.execute(statement)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValueError(
            f"unknown place code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
        )
    return [found[code] for code in codes]
