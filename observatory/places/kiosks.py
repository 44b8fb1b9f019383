"""Kiosk enrolment: a place enrols a tablet once with a signed link, and can revoke it.

The link carries a signed kiosk id and a random nonce; the database keeps only its SHA-256, so a
database leak does not leak working links, and revoking takes effect at the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.places.models import Kiosk, Place

_SALT = "observatory-kiosk"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enrol_kiosk(
    session: Session, place: Place, label: str, secret: str, today: dt.date
) -> tuple[Kiosk, str]:
    """Create a kiosk for `place`; returns it with its enrolment token (shown once)."""
    label = label.strip()[:100] or "Tablette"
    kiosk = Kiosk(place_id=place.id, label=label, token_hash="pending", enrolled_on=today)
    session.add(kiosk)
    session.flush()
    token = URLSafeSerializer(secret, salt=_SALT).dumps([kiosk.id, secrets.token_urlsafe(16)])
    kiosk.token_hash = _hash(token)
    session.flush()
    return kiosk, token


def kiosk_for_token(session: Session, token: str, secret: str) -> Kiosk | None:
    """The active kiosk of an enrolment token, or None (forged, unknown or revoked)."""
    try:
        kiosk_id, _nonce = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    kiosk = session.get(Kiosk, kiosk_id) if isinstance(kiosk_id, int) else None
    if kiosk is None or kiosk.revoked_on is not None:
        return None
    return kiosk if hmac.compare_digest(kiosk.token_hash, _hash(token)) else None


def revoke_kiosk(session: Session, kiosk_id: int, today: dt.date) -> Kiosk:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ValueError(f"no kiosk has the id {kiosk_id}")
    if kiosk.revoked_on is None:
        kiosk.revoked_on = today
    return kiosk


def kiosks_of_place(session: Session, place_id: int) -> list[Kiosk]:
    return list(session.scalars(select(Kiosk).where(Kiosk.place_id == place_id).order_by(Kiosk.id)))
