"""What a running web process holds: settings, a session factory and the workers' notifier."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, session_scope
from observatory.places.models import Place
from observatory.questionnaires.definitions import (
    Questionnaire,
    ensure_questionnaires,
    load_questionnaires,
)
from observatory.responses.abuse import Limits, MemoryCounter, RedisCounter
from observatory.workers.dispatch import Notifier, make_notifier

PLACE_CACHE_SECONDS = 60.0


@dataclass
class Runtime:
    settings: Settings
    sessions: sessionmaker[Session]
    notifier: Notifier
    limits: Limits
    _questionnaires: dict[int, Questionnaire] = field(default_factory=dict)
    _places: dict[str, tuple[float, Place]] = field(default_factory=dict)

    def questionnaires(self) -> dict[int, Questionnaire]:
        """Stored versions, read once: versions are immutable once stored."""
        if not self._questionnaires:
            with session_scope(self.sessions) as session:
                ensure_questionnaires(session)
                self._questionnaires = load_questionnaires(session)
        return self._questionnaires

    def current_questionnaire(self) -> Questionnaire:
        versions = self.questionnaires()
        return versions[max(versions)]

    def place(self, code: str, session: Session | None = None) -> Place | None:
        """The place with this public code, kept for a minute.

        Places change rarely; the cache lets the form come back with the person's answers when
        the database restarts in the middle of a submission. Unknown codes are not cached.
        """
        now = time.monotonic()
        cached = self._places.get(code)
        if cached is not None and cached[0] > now:
            return cached[1]
        if session is not None:  # the request's own session
            found = session.scalar(select(Place).where(Place.code == code))
        else:
            with self.sessions() as own:
                found = own.scalar(select(Place).where(Place.code == code))
        if found is not None:
            self._places[code] = (now + PLACE_CACHE_SECONDS, found)
        return found

    def close(self) -> None:
        self.notifier.close()


def make_limits(settings: Settings) -> Limits:
    """Counters in Redis when there is one (shared by all web processes), else in memory."""
    if settings.redis_url:
        from observatory.workers.celery_app import redis_client

        counter: MemoryCounter | RedisCounter = RedisCounter(redis_client(settings))
    else:
        counter = MemoryCounter()
    return Limits(
        counter,
        per_client_per_hour=settings.rate_limit_client_per_hour,
        per_place_per_hour=settings.rate_limit_place_per_hour,
        per_kiosk_per_hour=settings.rate_limit_kiosk_per_hour,
        per_mediator_per_hour=settings.rate_limit_mediator_per_hour,
        burst_threshold=settings.burst_threshold,
    )


def build_runtime(settings: Settings, notifier: Notifier | None = None) -> Runtime:
    sessions = make_session_factory(make_engine(settings.database_url))
    return Runtime(
        settings,
        sessions,
        notifier if notifier is not None else make_notifier(settings),
        make_limits(settings),
    )
