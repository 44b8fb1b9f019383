"""The signed form token that replaces a cookie: bound to a place and to the time it was shown."""

from __future__ import annotations

import time
from enum import Enum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class Verdict(Enum):
    OK = "ok"
    TOO_FAST = "too_fast"  # sent faster than a person can: shown again to confirm
    EXPIRED = "expired"  # shown too long ago, or for another place: shown again, answers kept


class FormGuard:
    def __init__(self, secret: str, *, min_fill_seconds: float, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="observatory-form")
        self._min_fill = min_fill_seconds
        self._max_age = max_age_seconds

    def issue(self, place_code: str) -> str:
        return self._serializer.dumps(place_code)

    def check(self, token: str, place_code: str, now: float | None = None) -> Verdict:
        try:
            bound, issued = self._serializer.loads(
                token, max_age=self._max_age, return_timestamp=True
            )
        except (SignatureExpired, BadSignature):
            return Verdict.EXPIRED
        if bound != place_code:
            return Verdict.EXPIRED
        elapsed = (now if now is not None else time.time()) - issued.timestamp()
        return Verdict.TOO_FAST if elapsed < self._min_fill else Verdict.OK
