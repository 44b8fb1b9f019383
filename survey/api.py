"""POST /api/v1/responses: JSON ingestion with the form's validation, used by the kiosk sync.

The kiosk authenticates with its enrolment token (Authorization: Bearer …); the channel is
recorded from that credential, never from the body. Answers made offline carry the moment
they were given (`answered_at`; older kiosks send `day`) and a client idempotency key, so a
retried or interrupted sync stores each answer exactly once. Errors are problem+json
(RFC 9457) with a status the kiosk acts on: it drops an item only on 201 or 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from observatory.clock import OFFLINE_DAYS, answer_day, day_of, today
from observatory.places.models import Kiosk, Place
from observatory.responses.abuse import Source, SourceKind
from observatory.responses.ingest import Ingestion, Status, ingest
from observatory.web.context import request_session, runtime
from observatory.web.problems import JsonBodyError, parse_json, problem
from survey.fields import KEY_PATTERN
from survey.i18n import LANGUAGES
from survey.kiosk import enrolled

api_blueprint = Blueprint("ingest_api", __name__, url_prefix="/api/v1")
MAX_BODY = 32_768


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


def _claimed_day(body: dict[str, Any], timezone: str) -> dt.date | str | None:
    """The day the answer was given by the device's account: from `answered_at` (a moment,
    turned into a day by the one rule in `observatory.clock`), else `day` (older kiosks), else
    None (now). A string says what is wrong."""
    moment = body.get("answered_at")
    if moment is not None:
        try:
            return day_of(dt.datetime.fromisoformat(str(moment)), timezone)
        except (ValueError, OverflowError):
            return "answered_at: an ISO 8601 date and time, e.g. 2026-05-02T14:03:00+02:00"
    day = body.get("day")
    if day is not None:
        try:
            return dt.date.fromisoformat(str(day))
        except ValueError:
            return "day: an ISO date, e.g. 2026-05-02"
    return None


@dataclass(frozen=True)
class Ingest:
    key: str
    language: str
    day: dt.date
    answers: dict[str, list[str]]


def parse_body(body: Any, now: dt.date, timezone: str = "Europe/Paris") -> Ingest | dict[str, str]:
    """The request's fields, or what is wrong with each of them."""
    if not isinstance(body, dict):
        return {"body": "a JSON object"}
    key, language = body.get("idempotency_key"), body.get("language", "fr")
    answers = _raw_answers(body.get("answers"))
    claimed = _claimed_day(body, timezone)
    problems = {}
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        problems["idempotency_key"] = "8 to 64 printable ASCII characters, no space"
    if not isinstance(language, str) or language not in LANGUAGES:
        problems["language"] = "unsupported"
    day = None
    if isinstance(claimed, str):
        problems["day"] = claimed
    else:
        # A device clock running ahead is clamped to today; older than the window is refused.
        day = answer_day(claimed or now, now, OFFLINE_DAYS)
        if day is None:
            problems["day"] = f"a moment within the last {OFFLINE_DAYS} days"
    if answers is None:
        problems["answers"] = "an object of question ids to codes or lists of codes"
    if problems or day is None or answers is None:
        return problems
    return Ingest(str(key), str(language), day, answers)


@api_blueprint.post("/responses")
def post_response() -> ResponseReturnValue:
    if (request.content_length or 0) > MAX_BODY:
        return problem(413, "Body too large", f"at most {MAX_BODY} bytes")
    found = kiosk_from_request()
    if found is None:
        return problem(401, "Unauthorized", "a valid kiosk enrolment token is required")
    kiosk, place = found
    rt = runtime()
    try:
        body = parse_json(request.get_data(cache=False))
    except JsonBodyError as error:
        return problem(400, "Malformed JSON", str(error))
    parsed = parse_body(body, today(rt.settings.timezone), rt.settings.timezone)
    if not isinstance(parsed, Ingest):
        return problem(422, "Invalid request", "some fields are invalid", errors=parsed)
    item = Ingestion(
        place=place,
        questionnaire=rt.current_questionnaire(),
        raw=parsed.answers,
        channel="kiosk",
        language=parsed.language,
        idempotency_key=parsed.key,
        day=parsed.day,
        source=Source(SourceKind.KIOSK, str(kiosk.id)),
    )
    outcome = ingest(request_session(), item, rt.limits, rt.notifier)
    replies: dict[Status, Callable[[], ResponseReturnValue]] = {
        Status.INVALID: lambda: problem(
            422, "Invalid answers", "some answers are invalid", errors=outcome.errors
        ),
        Status.CONFLICT: lambda: problem(
            409,
            "Idempotency key reused",
            "this key already stored different answers from this kiosk; nothing was stored",
        ),
        Status.RATE_LIMITED: lambda: problem(
            429, "Too many answers", "too many answers from this kiosk; retry later"
        ),
        Status.UNAVAILABLE: lambda: problem(
            503, "Unavailable", "the database is unavailable; retry later"
        ),
        Status.STORED: lambda: (jsonify({"status": "stored"}), 201),
        Status.DUPLICATE: lambda: (jsonify({"status": "duplicate"}), 200),
    }
    return replies[outcome.status]()
