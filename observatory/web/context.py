"""The runtime of the app serving the current request, found through Flask's extensions.

Blueprints read it here instead of importing `observatory.app`, so the app factory imports the
blueprints and never the other way round.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import current_app, g
from sqlalchemy.orm import Session

from observatory.db import committing
from observatory.runtime import Runtime

EXTENSION = "observatory"
_SESSION = "observatory_db_session"


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    rt: Runtime = current_app.extensions[EXTENSION]
    return rt


def request_session() -> Session:
    """The one database session of the current request, opened on first use and closed (rolled
    back if uncommitted) when the request ends."""
    found: Session | None = g.get(_SESSION)
    if found is None:
        found = runtime().sessions()
        setattr(g, _SESSION, found)
    return found


def close_request_session(_error: BaseException | None = None) -> None:
    found: Session | None = g.pop(_SESSION, None)
    if found is not None:
        found.close()


def public_url() -> str:
    """The site's public base URL, from the settings only: never the request's Host header,
    which a client chooses (`Host: evil.example` once made a poster's QR code point there)."""
    return runtime().settings.public_url.rstrip("/")


def unit_of_work() -> AbstractContextManager[Session]:
    """A transaction on the request's session: committed at the end of the block, rolled back
    on an error. Several blocks in one request share the session, one after the other."""
    return committing(request_session())
