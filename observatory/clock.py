"""The only notion of time the product needs: today's date where the answers are given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def today(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()
