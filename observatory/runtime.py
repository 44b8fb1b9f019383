"""What a running web process holds: settings, a session factory and the workers' notifier."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from observatory.config import Settings
from observatory.db import make_engine, make_session_factory, session_scope
from observatory.questionnaires.definitions import (
    Questionnaire,
    ensure_questionnaires,
    load_questionnaires,
)
from observatory.responses.abuse import Limits, MemoryCounter, RedisCounter
from observatory.workers.dispatch import Notifier, make_notifier


@dataclass
class Runtime:
    settings: Settings
    sessions: sessionmaker[Session]
    notifier: Notifier
    limits: Limits
    _questionnaires: dict[int, Questionnaire] = field(default_factory=dict)

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
