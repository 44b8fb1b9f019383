"""The one path every entry point (form, kiosk, JSON API, mediators' entry) takes to store an
answer: validate, check the idempotency key, spend the single-use credential, apply the limits,
store and commit, and wake the workers once the commit has happened.

Views parse the request, call `ingest`, and render its `Outcome`; they never touch the
database, the counters or the workers themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.abuse import Source
from observatory.responses.models import FLAG_BURST, Answer, Comment, Response
from observatory.responses.service import (
    Submission,
    SubmissionError,
    store_response,
    validate_answers,
)

log = logging.getLogger(__name__)


class Status(Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # this key already stored these answers: nothing new
    CONFLICT = "conflict"  # this key already stored *other* answers: the new ones are refused
    REPLAYED = "replayed"  # the single-use form token was already spent on another answer
    INVALID = "invalid"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # the database cannot be reached: nothing stored, retry later


@dataclass(frozen=True)
class Outcome:
    status: Status
    errors: dict[str, str] = field(default_factory=dict)


class Guard(Protocol):
    """The abuse rules (`abuse.Limits`); every method fails open."""

    def admit(self, source: Source, place_code: str) -> bool: ...

    def accepted(self, source: Source, place_code: str) -> None: ...

    def is_burst(
        self, source: Source, place_code: str, choices: Mapping[str, Sequence[str]]
    ) -> bool: ...

    def claim_once(self, credential: str, ttl_seconds: int) -> bool: ...

    def release_once(self, credential: str) -> None: ...


class Notifier(Protocol):
    def notify(self) -> None: ...


@dataclass(frozen=True)
class Ingestion:
    """One answer as an entry point received it.

    `once` is a single-use credential spent by storing this answer (the form's signed token),
    remembered for `once_ttl_seconds`; `idempotency_key` is the client's, scoped here to the
    source so that two sources can never collide.
    """

    place: Place
    questionnaire: Questionnaire
    raw: Mapping[str, Sequence[str]]
    channel: str
    language: str
    idempotency_key: str
    day: dt.date
    source: Source
    once: str | None = None
    once_ttl_seconds: int = 0


def scoped_key(source: Source, key: str) -> str:
    """The stored key: the client's key within its source, hashed to a fixed 64 characters.

    A kiosk at another place reusing a key, or a form whose key was copied, can never be taken
    for (and drop) someone else's answer.
    """
    return hashlib.sha256(f"{source.scope()}\x00{key}".encode()).hexdigest()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's current transaction has committed, and never if it
    rolls back: the workers are woken by construction only for answers that exist."""

    def fire(_session: Session) -> None:
        try:
            callback()
        except Exception:  # a notifier must never undo a stored answer; the sweep catches up
            log.warning("after-commit callback failed", exc_info=True)

    def forget(_session: Session, _transaction: object | None = None) -> None:
        if event.contains(session, "after_commit", fire):
            event.remove(session, "after_commit", fire)

    event.listen(session, "after_commit", fire, once=True)
    event.listen(session, "after_rollback", forget, once=True)


def _same_answers(session: Session, stored: Response, place: Place, sub: Submission) -> bool:
    if stored.place_id != place.id:
        return False
    choices: dict[str, list[str]] = {}
    for question, option in session.execute(
        select(Answer.question, Answer.option).where(Answer.response_seq == stored.seq)
    ):
        choices.setdefault(question, []).append(option)
    texts = dict(
        session.execute(
            select(Comment.question, Comment.text).where(Comment.response_seq == stored.seq)
        ).all()
    )
    return {q: tuple(sorted(v)) for q, v in choices.items()} == sub.choices and texts == sub.texts


def _replay_outcome(session: Session, key: str, item: Ingestion, sub: Submission) -> Outcome | None:
    stored = session.scalar(select(Response).where(Response.idempotency_key == key))
    if stored is None:
        return None
    same = _same_answers(session, stored, item.place, sub)
    return Outcome(Status.DUPLICATE if same else Status.CONFLICT)


def ingest(session: Session, item: Ingestion, guard: Guard, notifier: Notifier) -> Outcome:
    """Store one answer in its own transaction (committed here) and wake the workers after the
    commit. The order matters:

    1. validation is pure and first: an invalid submission costs nothing and counts nowhere;
    2. the idempotency key is checked before the form token, so a browser sending the same
       answer again (a lost reply, a double tap) still gets "merci";
    3. the single-use token is spent atomically before storing, and given back if nothing is
       stored, so 600 replays of one token store at most one answer;
    4. only a stored answer counts towards a limit.
    """
    try:
        submission = validate_answers(item.questionnaire, item.raw)
    except SubmissionError as error:
        return Outcome(Status.INVALID, error.errors)
    key = scoped_key(item.source, item.idempotency_key)
    try:
        known = _replay_outcome(session, key, item, submission)
    except OperationalError:
        session.rollback()
        log.warning("database unavailable while checking an idempotency key")
        return Outcome(Status.UNAVAILABLE)
    if known is not None:
        return known
    if item.once is not None and not guard.claim_once(item.once, item.once_ttl_seconds):
        return Outcome(Status.REPLAYED)
    outcome = _store(session, item, guard=guard, notifier=notifier, key=key, submission=submission)
    if outcome.status is not Status.STORED and item.once is not None:
        guard.release_once(item.once)
    return outcome


def _store(
    session: Session,
    item: Ingestion,
    *,
    guard: Guard,
    notifier: Notifier,
    key: str,
    submission: Submission,
) -> Outcome:
    if not guard.admit(item.source, item.place.code):
        return Outcome(Status.RATE_LIMITED)
    burst = guard.is_burst(item.source, item.place.code, submission.choices)
    try:
        _, created = store_response(
            session,
            place=item.place,
            questionnaire=item.questionnaire,
            submission=submission,
            channel=item.channel,
            language=item.language,
            idempotency_key=key,
            day=item.day,
            flags=FLAG_BURST if burst else 0,
        )
        if not created:  # the same key raced in from another request, which won
            session.rollback()
            return _replay_outcome(session, key, item, submission) or Outcome(Status.DUPLICATE)
        after_commit(session, notifier.notify)
        session.commit()
    except OperationalError:
        # A restart or failover of the database: the transaction rolled back, nothing is half
        # stored, and the caller keeps the answers for a retry. No SQL parameter is logged.
        session.rollback()
        log.warning("database unavailable while storing an answer")
        return Outcome(Status.UNAVAILABLE)
    guard.accepted(item.source, item.place.code)
    return Outcome(Status.STORED)
