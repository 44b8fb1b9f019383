"""Unsubscribing from the digest without signing in: the link carries the contact's id and an
HMAC of it under the secret key, so only the observatory can make one and each address has its
own. A service: it takes a Session; the blueprint (views.py) calls it.

Why an HMAC and not a random code stored in the table: the digest's table needs no new column,
the link is the same every week (a person may use any of their digests), and it dies with the
address (a removed and re-added address gets a new id, hence a new link). Changing the secret
key invalidates the links already sent; the next digest brings new ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re

from sqlalchemy.orm import Session

from observatory.access import audit
from observatory.teamspace.models import TeamContact

PATH = "/equipe/desabonnement/"
_PURPOSE = b"observatory.digest.unsubscribe:"  # this key signs other things too
_SHAPE = re.compile(r"(?P<id>[1-9][0-9]{0,9})\.(?P<mac>[A-Za-z0-9_-]{43})")  # ASCII digits only
ACTOR = "unsubscribe-link"  # the audit log's actor: nobody signed in


def _mac(secret: str, contact_id: int) -> str:
    digest = hmac.new(
        secret.encode(), _PURPOSE + str(contact_id).encode("ascii"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_for(secret: str, contact_id: int) -> str:
    return f"{contact_id}.{_mac(secret, contact_id)}"


def link_for(public_url: str, secret: str, contact_id: int) -> str:
    return f"{public_url.rstrip('/')}{PATH}{token_for(secret, contact_id)}"


def contact_id_of(secret: str, token: str) -> int | None:
    """The contact id a genuine token names; None for anything else (compared in constant
    time, and malformed input never reaches the database)."""
    found = _SHAPE.fullmatch(token)
    if found is None:
        return None
    contact_id = int(found["id"])
    if not hmac.compare_digest(found["mac"], _mac(secret, contact_id)):
        return None
    return contact_id


def contact_of(session: Session, secret: str, token: str) -> TeamContact | None:
    """The contact a genuine token names, if the team still lists it."""
    contact_id = contact_id_of(secret, token)
    return session.get(TeamContact, contact_id) if contact_id is not None else None


def unsubscribe(session: Session, contact: TeamContact, today: dt.date) -> bool:
    """Stop the digest for this address; False if it had already stopped (idempotent: a mail
    client's one-click request and the person's own click may both arrive)."""
    if contact.unsubscribed_on is not None:
        return False
    contact.unsubscribed_on = today
    audit.record(
        session,
        actor=ACTOR,
        action="digest.contact.unsubscribe",
        target=f"team:{contact.team_id}",
        detail={"contact": contact.id},
    )
    session.flush()
    return True
