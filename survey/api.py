"""POST /api/v1/responses: JSON ingestion with the form's validation, used by the kiosk sync.

The kiosk authenticates with its enrolment token (Authorization: Bearer …); the channel is
recorded from that credential, never from the body. Answers made offline carry the day they
were given (at most 30 days back) and a client idempotency key, so a retried or interrupted
sync stores each answer exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from observatory.app import runtime
from observatory.clock import today
from observatory.places.models import Kiosk, Place
from survey.i18n import LANGUAGES
from survey.kiosk import enrolled
from survey.submission import Status, accept

api_blueprint = Blueprint("ingest_api", __name__, url_prefix="/api/v1")
OFFLINE_DAYS = 30
MAX_BODY = 32_768


def _error(status: int, message: str, **extra: Any) -> ResponseReturnValue:
    return jsonify({"error": message, **extra}), status


def kiosk_from_request() -> tuple[Kiosk, Place] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return enrolled(header[7:].strip())


def _raw_answers(value: Any) -> dict[str, list[str]] | None:
    """{"question": "code" | ["code", …] | "text"} → lists of strings; None if malformed."""
    if not isinstance(value, dict):
        return None
    raw: dict[str, list[str]] = {}
    for key, item in value.items():
        items = item if isinstance(item, list) else [item]
        if not isinstance(key, str) or not all(isinstance(v, str) for v in items):
            return None
        raw[key] = items
    return raw


def _day(value: Any, now: dt.date) -> dt.date | None:
    if value is None:
        return now
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if now - dt.timedelta(days=OFFLINE_DAYS) <= day <= now else None


@dataclass(frozen=True)
class Ingest:
    key: str
    language: str
    day: dt.date
    answers: dict[str, list[str]]


def parse_body(body: Any, now: dt.date) -> Ingest | dict[str, str]:
    """The request's fields, or what is wrong with each of them."""
    if not isinstance(body, dict):
        return {"body": "a JSON object"}
    key, language = body.get("idempotency_key"), body.get("language", "fr")
    day, answers = _day(body.get("day"), now), _raw_answers(body.get("answers"))
    problems = {}
    if not isinstance(key, str) or not 8 <= len(key) <= 64:
        problems["idempotency_key"] = "8 to 64 characters"
    if not isinstance(language, str) or language not in LANGUAGES:
        problems["language"] = "unsupported"
    if day is None:
        problems["day"] = f"an ISO date within the last {OFFLINE_DAYS} days"
    if answers is None:
        problems["answers"] = "an object of question ids to codes or lists of codes"
    if problems or day is None or answers is None:
        return problems
    return Ingest(str(key), str(language), day, answers)


@api_blueprint.post("/responses")
def post_response() -> ResponseReturnValue:
    if (request.content_length or 0) > MAX_BODY:
        return _error(413, "body too large")
    found = kiosk_from_request()
    if found is None:
        return _error(401, "a valid kiosk enrolment token is required")
    kiosk, place = found
    rt = runtime()
    parsed = parse_body(request.get_json(silent=True), today(rt.settings.timezone))
    if not isinstance(parsed, Ingest):
        return _error(422, "invalid request", errors=parsed)
    outcome = accept(
        rt,
        place=place,
        questionnaire=rt.current_questionnaire(),
        raw=parsed.answers,
        channel="kiosk",
        language=parsed.language,
        idempotency_key=parsed.key,
        day=parsed.day,
        limiter_key=f"kiosk-{kiosk.id}",
    )
    replies: dict[Status, Callable[[], ResponseReturnValue]] = {
        Status.INVALID: lambda: _error(422, "invalid answers", errors=outcome.errors),
        Status.RATE_LIMITED: lambda: _error(429, "too many answers from this kiosk; retry later"),
        Status.UNAVAILABLE: lambda: _error(503, "the database is unavailable; retry later"),
        Status.STORED: lambda: (jsonify({"status": "stored"}), 201),
        Status.DUPLICATE: lambda: (jsonify({"status": "duplicate"}), 200),
    }
    return replies[outcome.status]()
