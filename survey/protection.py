"""The signed form token that replaces a cookie: bound to a place and to the time it was shown,
and spent by the answer it carries (single use, see `responses.ingest`).

Each token holds a random nonce: two people opening a place's form in the same second must get
different tokens, or spending one would refuse the other.
"""

from __future__ import annotations

import secrets
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
        return self._serializer.dumps([place_code, secrets.token_urlsafe(9)])

    def check(self, token: str, place_code: str, now: float | None = None) -> Verdict:
        try:
            bound, issued = self._serializer.loads(
                token, max_age=self._max_age, return_timestamp=True
            )
        except (SignatureExpired, BadSignature):
            return Verdict.EXPIRED
        if isinstance(bound, list) and len(bound) == 2:
            bound = bound[0]
        if bound != place_code:  # tokens issued before the nonce were the bare place code
            return Verdict.EXPIRED
        elapsed = (now if now is not None else time.time()) - issued.timestamp()
        return Verdict.TOO_FAST if elapsed < self._min_fill else Verdict.OK
