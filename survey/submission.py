"""The one path every entry point (form, kiosk, JSON API) takes to store an answer."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy.exc import OperationalError

from observatory.db import session_scope
from observatory.places.models import Place
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.abuse import answers_signature
from observatory.responses.models import FLAG_BURST
from observatory.responses.service import SubmissionError, store_response, validate_answers
from observatory.runtime import Runtime

log = logging.getLogger(__name__)


class Status(Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # the same idempotency key was already stored: nothing new
    INVALID = "invalid"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # the database cannot be reached: nothing stored, retry later


@dataclass(frozen=True)
class Outcome:
    status: Status
    errors: dict[str, str] = field(default_factory=dict)


def accept(
    rt: Runtime,
    *,
    place: Place,
    questionnaire: Questionnaire,
    raw: Mapping[str, Sequence[str]],
    channel: str,
    language: str,
    idempotency_key: str,
    day: dt.date,
    limiter_key: str,
) -> Outcome:
    """Validate, apply the abuse rules, store in one transaction, then wake the workers."""
    try:
        submission = validate_answers(questionnaire, raw)
    except SubmissionError as error:
        return Outcome(Status.INVALID, error.errors)
    if not rt.limits.allow(limiter_key, place.code):
        return Outcome(Status.RATE_LIMITED)
    burst = rt.limits.is_burst(answers_signature(place.code, submission.choices))
    try:
        with session_scope(rt.sessions) as session:
            _, created = store_response(
                session,
                place=place,
                questionnaire=questionnaire,
                submission=submission,
                channel=channel,
                language=language,
                idempotency_key=idempotency_key,
                day=day,
                flags=FLAG_BURST if burst else 0,
            )
    except OperationalError:
        # A restart or failover of the database: the transaction rolled back, nothing is half
        # stored, and the caller keeps the answers for a retry.
        log.warning("database unavailable while storing an answer", exc_info=True)
        return Outcome(Status.UNAVAILABLE)
    if created:
        rt.notifier.notify()  # after the commit: the database is the source of truth
    return Outcome(Status.STORED if created else Status.DUPLICATE)
