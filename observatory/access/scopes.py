"""What a principal may act on: the places a team serves, the places of a territory."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from observatory.access.tokens import Principal, Role
from observatory.places.models import Place, TeamPlace
from observatory.territories.models import communes_in


def places_query(principal: Principal) -> Select[Place] | None:
    """The places `principal` may enter answers for; None when it may enter none."""
    query = select(Place).order_by(Place.name)
    if principal.role is Role.TEAM:
        served = select(TeamPlace.place_id).where(TeamPlace.team_id == int(principal.scope))
        return query.where(Place.id.in_(served))
    if principal.role is Role.COORDINATOR:
        level, _, code = principal.scope.partition(":")
        if level == "commune":
            return query.where(Place.commune_code == code)
        return query.where(Place.commune_code.in_(communes_in(level, code)))
    if principal.role is Role.MINISTRY:
        return query
    return None  # researchers see aggregates only


def allowed_places(session: Session, principal: Principal) -> list[Place]:
    query = places_query(principal)
    return list(session.scalars(query)) if query is not None else []


def may_enter_for(session: Session, principal: Principal, place_id: int) -> bool:
    query = places_query(principal)
    return query is not None and session.scalar(query.where(Place.id == place_id)) is not None
