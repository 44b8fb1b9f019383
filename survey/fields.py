"""Reading the form's fields defensively: whatever a client sends, a value of the right shape
or a clear default, never an exception (issue 10: `step=abc` and `1e5` were 500s)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence

from werkzeug.datastructures import MultiDict

from observatory.questionnaires.definitions import Questionnaire

# Printable ASCII without spaces: a key never carries a NUL byte or a lone surrogate to the
# database (the stored key is a hash of it anyway, see responses.ingest.scoped_key).
FORM_KEY_PATTERN = re.compile(r"[!-~]{1,64}")
KEY_PATTERN = re.compile(r"[!-~]{8,64}")  # the JSON API's contract: 8 to 64 characters
STEP_PATTERN = re.compile(r"[0-9]{1,4}")


def form_key(value: str | None) -> str:
    """The client's idempotency key when it has the shape the form gives it, else a new one
    (a malformed key, with a NUL byte say, never reaches the database)."""
    if value is not None and FORM_KEY_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


def step_number(value: str | None, total: int) -> int:
    """The screen of the step-by-step form, within 0 … total - 1 (0 when unreadable)."""
    if value is None or not STEP_PATTERN.fullmatch(value):
        return 0
    return max(0, min(int(value), total - 1))


def answers_from(form: MultiDict[str, str], questionnaire: Questionnaire) -> dict[str, list[str]]:
    """The submitted values of each question of the questionnaire (unknown fields ignored)."""
    return {q.id: form.getlist(q.id) for q in questionnaire.questions}


def shown_answers(
    raw: Mapping[str, Sequence[str]], questionnaire: Questionnaire
) -> dict[str, list[str]]:
    """The answers to show again on a re-displayed form: free texts cut at their maximum
    length, choices only when they are real options, so nothing over-long or foreign is
    echoed back."""
    shown: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        values = raw.get(question.id, ())
        if question.kind == "text":
            shown[question.id] = [v[: question.max_length] for v in values[:1]]
        else:
            shown[question.id] = [v for v in values if question.option(v) is not None]
    return shown
