"""Errors of the JSON API as problem+json (RFC 9457), and a JSON reader that never raises
anything but a clear `JsonBodyError`.

Python's `json` raises RecursionError on deeply nested input (5,000 levels gave a 500) and
happily returns lone surrogates (`"x\\ud800y"`) that no database can store: both are refused
here, before any handler sees the body.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify

MAX_DEPTH = 16
PROBLEM_TYPE = "about:blank"


class JsonBodyError(ValueError):
    """A body that is not the JSON the API accepts; the message says why."""


def problem(status: int, title: str, detail: str = "", **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    reply = jsonify(body)
    reply.mimetype = "application/problem+json"
    return reply, status


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JsonBodyError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise JsonBodyError("a string holds an invalid character (lone surrogate)") from error
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _no_constants(name: str) -> Any:
    raise JsonBodyError(f"{name} is not JSON")


def parse_json(data: bytes) -> Any:
    """The JSON value of a UTF-8 body, or JsonBodyError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonBodyError("the body is not UTF-8") from error
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError as error:
        raise JsonBodyError(f"nested deeper than {MAX_DEPTH} levels") from error
    except ValueError as error:  # JSONDecodeError is a ValueError
        raise JsonBodyError(f"not valid JSON: {error}") from error
    _check(value, 0)
    return value
