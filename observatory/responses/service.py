"""Ingestion: validate a submission against its questionnaire and store it atomically."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from observatory.places.models import Place, TeamPlace
from observatory.questionnaires.definitions import Questionnaire
from observatory.responses.locks import hold_ingest_lock
from observatory.responses.models import CHANNELS, KEY_MODULUS, Answer, Comment, Response
from observatory.responses.scrub import scrub

LANGUAGES = ("fr", "en", "ar", "es", "pt", "uk")
# Control characters (but tab and line breaks) and lone surrogates: nothing a person types,
# and PostgreSQL refuses NUL in text outright (it was a 500, with the comment in the log).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """A submitted text without the characters no database or person needs."""
    return _UNSTORABLE.sub("", value)


class SubmissionError(ValueError):
    """A submission that cannot be stored; `errors` maps a question id to a message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Submission:
    """Clean answers, ready to store: choice codes per question and scrubbed texts."""

    choices: dict[str, tuple[str, ...]]
    texts: dict[str, str] = field(default_factory=dict)


def validate_answers(questionnaire: Questionnaire, raw: Mapping[str, Sequence[str]]) -> Submission:
    """Check raw answers (question id → submitted values); unknown keys are ignored.

    Every error is collected, so a form can show them all next to their fields at once.
    """
    errors: dict[str, str] = {}
    choices: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    for question in questionnaire.questions:
        values = [clean_text(v).strip() for v in raw.get(question.id, ()) if v]
        values = [v for v in values if v]
        if not values:
            if question.required:
                errors[question.id] = "required"
            continue
        if question.kind == "text":
            text = " ".join(values)
            if len(text) > question.max_length:
                errors[question.id] = "too_long"
            else:
                texts[question.id] = scrub(text)
            continue
        unknown = [v for v in values if question.option(v) is None]
        if unknown:
            errors[question.id] = "invalid_choice"
        elif question.kind == "single" and len(set(values)) > 1:
            errors[question.id] = "single_choice"
        else:
            choices[question.id] = tuple(sorted(set(values)))
    if errors:
        raise SubmissionError(errors)
    return Submission(choices, {k: v for k, v in texts.items() if v})


def _default_team(session: Session, place_id: int) -> int | None:
    """The team of a place served by exactly one team; otherwise the answer stays place-level."""
    teams = session.scalars(select(TeamPlace.team_id).where(TeamPlace.place_id == place_id)).all()
    return teams[0] if len(teams) == 1 else None


def store_response(
    session: Session,
    *,
    place: Place,
    questionnaire: Questionnaire,
    submission: Submission,
    channel: str,
    language: str,
    idempotency_key: str,
    day: dt.date,
    flags: int = 0,
) -> tuple[Response, bool]:
    """Insert one response with its answers; (response, created).

    Re-sending the same idempotency key returns the stored response and stores nothing: the
    unique key decides, so a duplicate costs one failed insert here and no look-up on the
    common path (`responses.ingest` looks the key up first anyway, to compare the answers).
    The caller commits, then notifies the workers.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    hold_ingest_lock(session)
    response = Response(
        id=str(uuid.uuid4()),
        idempotency_key=idempotency_key,
        place_id=place.id,
        team_id=_default_team(session, place.id),
        questionnaire_version=questionnaire.version,
        channel=channel,
        day=day,
        language=language,
        flags=flags,
        record_key=secrets.randbelow(KEY_MODULUS),
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
            session.add_all(
                Answer(response_seq=response.seq, question=qid, option=option)
                for qid, options in submission.choices.items()
                for option in options
            )
            session.add_all(
                Comment(response_seq=response.seq, question=qid, text=text)
                for qid, text in submission.texts.items()
            )
            session.flush()
    except IntegrityError:
        # The key is already stored (sent again, or raced in from another request): the first
        # one wins.
        stored = session.scalar(select(Response).where(Response.idempotency_key == idempotency_key))
        if stored is None:
            raise
        return stored, False
    return response, True
