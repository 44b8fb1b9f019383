"""The links `observatory demo` prints, each working as printed: the form of a real place with
realistic data, a kiosk enrolled for it, and a single-use sign-in link for its team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from observatory.access.signin import issue_link, issue_token
from observatory.access.tokens import Role
from observatory.places.kiosks import enrol_kiosk
from observatory.places.models import Place, Team, TeamPlace
from observatory.places.qr import form_url
from observatory.responses.models import Response


@dataclass(frozen=True)
class DemoLinks:
    place_code: str
    place_name: str
    team_name: str
    form: str
    kiosk: str
    signin: str


def busiest_team_place(session: Session) -> tuple[Place, Team]:
    """The place with the most answers among those served by exactly one team (so that its
    team's space has realistic figures), and that team."""
    single = (
        select(TeamPlace.place_id)
        .group_by(TeamPlace.place_id)
        .having(func.count(TeamPlace.team_id) == 1)
    )
    place_id = session.scalar(
        select(Response.place_id)
        .where(Response.place_id.in_(single))
        .group_by(Response.place_id)
        .order_by(func.count().desc(), Response.place_id)
        .limit(1)
    )
    if place_id is None:
        raise ValueError("the demo database has no answered place with a team")
    place = session.get(Place, place_id)
    team = session.scalar(
        select(Team)
        .join(TeamPlace, TeamPlace.team_id == Team.id)
        .where(TeamPlace.place_id == place_id)
    )
    assert place is not None and team is not None
    return place, team


def demo_links(
    session: Session, *, secret: str, public_url: str, signin_hours: int, now: dt.datetime
) -> DemoLinks:
    """Enrol a kiosk and issue a team member's sign-in link (the caller commits)."""
    place, team = busiest_team_place(session)
    _, kiosk_token = enrol_kiosk(session, place, "Tablette de démonstration", secret, now.date())
    _, record = issue_token(
        session, secret, Role.TEAM, str(team.id), holder=f"Démonstration ({team.name})",
        days=30, now=now, actor="demo",
    )  # fmt: skip
    link = issue_link(
        session, record.jti, public_url=public_url, hours=signin_hours, now=now, actor="demo"
    )
    base = public_url.rstrip("/")
    return DemoLinks(
        place_code=place.code,
        place_name=place.name,
        team_name=team.name,
        form=form_url(base, place.code),
        kiosk=f"{base}/kiosk/{kiosk_token}",
        signin=link,
    )
