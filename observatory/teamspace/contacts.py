"""The addresses a team's weekly digest goes to: add, list, remove (the CLI and the team's page
call these services; each takes a Session and leaves the commit to its caller).

An address is checked here, once, for what the digest needs: one plain mailbox that no mail
server will read as two, and no line break that could add a header. A person who unsubscribes
keeps their row (`unsubscribed_on`), so that no digest goes to them again until the team
removes the address.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from observatory.access import audit
from observatory.places.models import Team
from observatory.teamspace.models import TeamContact

MAX_CONTACTS = 20  # a team's colleagues, not a mailing list: bounds what a digest run sends
MAX_LENGTH = 254  # RFC 5321's limit on a forward path
# RFC 5322's dot-atom local part (no quoted strings, no comments: no mail client needs them and
# they are where parsers disagree) and a domain of LDH labels with a top-level domain.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOP = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


class ContactError(ValueError):
    """An address that cannot be added or removed; `str()` is French (what a team reads),
    `english` the same for the operator's command line."""

    def __init__(self, french: str, english: str) -> None:
        super().__init__(french)
        self.english = english


@dataclass(frozen=True)
class ContactEntry:
    id: int
    email: str
    added_on: dt.date
    unsubscribed_on: dt.date | None

    @property
    def subscribed(self) -> bool:
        return self.unsubscribed_on is None


def normalise_email(raw: str) -> str:
    """The address as stored: trimmed, its domain in lower case (and in ASCII, for an
    internationalised domain), or ContactError."""
    text = raw.strip()
    invalid = ContactError(
        f"L'adresse « {text[:80]} » n'est pas une adresse e-mail valable "
        "(attendu : prenom.nom@exemple.fr).",
        f"{text[:80]!r} is not a valid e-mail address (expected: name@example.org)",
    )
    if not text or len(text) > MAX_LENGTH or text.count("@") != 1:
        raise invalid
    local, domain = text.split("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        raise invalid
    try:
        ascii_domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise invalid from error
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise invalid
    if not _TOP.fullmatch(labels[-1]):
        raise invalid
    address = f"{local}@{ascii_domain}"
    if len(address) > MAX_LENGTH:
        raise invalid
    return address


def _entry(row: TeamContact) -> ContactEntry:
    return ContactEntry(row.id, row.email, row.added_on, row.unsubscribed_on)


def _find(session: Session, team_id: int, email: str) -> TeamContact | None:
    # Local parts are compared without case: nobody means two people by Marie@ and marie@.
    return session.scalar(
        select(TeamContact).where(
            TeamContact.team_id == team_id, func.lower(TeamContact.email) == email.lower()
        )
    )


def list_contacts(session: Session, team_id: int) -> list[ContactEntry]:
    """The team's addresses, unsubscribed ones included (marked), in alphabetical order."""
    rows = session.scalars(
        select(TeamContact)
        .where(TeamContact.team_id == team_id)
        .order_by(func.lower(TeamContact.email), TeamContact.id)
    )
    return [_entry(row) for row in rows]


def add_contact(
    session: Session,
    team_id: int,
    email: str,
    *,
    today: dt.date,
    actor: str = audit.CLI_ACTOR,
) -> ContactEntry:
    """Add an address to the team's digest; ContactError if it is invalid, already there (even
    unsubscribed: only removing it first may undo that person's choice) or one too many."""
    address = normalise_email(email)
    if session.get(Team, team_id) is None:
        raise ContactError(f"L'équipe {team_id} n'existe pas.", f"no team has the id {team_id}")
    found = _find(session, team_id, address)
    if found is not None:
        if found.unsubscribed_on is not None:
            raise ContactError(
                f"L'adresse {found.email} s'est désabonnée le "
                f"{found.unsubscribed_on:%d/%m/%Y} ; retirez-la d'abord si cette personne "
                "souhaite recevoir à nouveau le message.",
                f"{found.email} unsubscribed on {found.unsubscribed_on:%Y-%m-%d}; remove it "
                "first if that person wants the digest again",
            )
        raise ContactError(
            f"L'adresse {found.email} est déjà dans la liste.", f"{found.email} is already listed"
        )
    count = session.scalar(
        select(func.count()).select_from(TeamContact).where(TeamContact.team_id == team_id)
    )
    if (count or 0) >= MAX_CONTACTS:
        raise ContactError(
            f"Une équipe peut avoir {MAX_CONTACTS} adresses au plus ; retirez-en une d'abord.",
            f"a team has at most {MAX_CONTACTS} addresses; remove one first",
        )
    row = TeamContact(team_id=team_id, email=address, added_on=today, unsubscribed_on=None)
    try:
        with session.begin_nested():  # the unique key decides between two concurrent adds
            session.add(row)
            session.flush()
    except IntegrityError as error:
        raise ContactError(
            f"L'adresse {address} est déjà dans la liste.", f"{address} is already listed"
        ) from error
    audit.record(
        session,
        actor=actor,
        action="digest.contact.add",
        target=f"team:{team_id}",
        detail={"contact": row.id},
    )
    return _entry(row)


def remove_contact(
    session: Session, team_id: int, email: str, *, actor: str = audit.CLI_ACTOR
) -> ContactEntry:
    """Remove an address from the team's digest (its row goes: the address is no longer kept);
    ContactError if the team has no such address."""
    try:
        address = normalise_email(email)  # as it was stored (an internationalised domain)
    except ContactError:
        address = email.strip()  # an address stored before a stricter check, if ever
    found = _find(session, team_id, address) if address else None
    if found is None:
        raise ContactError(
            f"L'adresse « {address[:80]} » n'est pas dans la liste de cette équipe.",
            f"team {team_id} has no address {address[:80]!r}",
        )
    removed = _entry(found)
    session.delete(found)
    audit.record(
        session,
        actor=actor,
        action="digest.contact.remove",
        target=f"team:{team_id}",
        detail={"contact": removed.id},
    )
    session.flush()
    return removed
