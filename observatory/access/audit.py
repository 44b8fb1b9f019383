"""The audit log: who did what, when, to which staff object.

Built once for every feature that needs accountability (sign-ins, tokens, later flag reviews).
Events describe staff actions only: never a respondent, never anything about an answer's content,
never a token or a sign-in code (only their public id, the jti).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.access.models import AuditEvent

CLI_ACTOR = "cli"
ANONYMOUS_ACTOR = "anonymous"  # a failed sign-in: nobody is known yet
DETAIL_MAX_KEYS = 16


def token_actor(jti: str) -> str:
    """The actor name of a signed-in person: their token's public id, never the token."""
    return f"token:{jti}"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str = "",
    detail: Mapping[str, object] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one event to `session` (the caller commits, so the event shares its transaction).

    `detail` is kept small (a few scalar fields); it is stored as JSON.
    """
    small = dict(detail or {})
    if len(small) > DETAIL_MAX_KEYS:
        raise ValueError("audit details stay small")
    session.add(
        AuditEvent(
            at=at or dt.datetime.now(dt.UTC),
            actor=actor[:100],
            action=action[:64],
            target=target[:200],
            detail=small,
        )
    )


def recent(session: Session, limit: int = 100) -> list[AuditEvent]:
    """The newest events first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
