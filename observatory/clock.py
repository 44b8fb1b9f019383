"""The only notion of time the product needs: the day an answer belongs to, one rule for every
channel.

An answer's day is its moment's calendar date in the observatory's time zone (Europe/Paris by
default), whichever channel it came by: the form (now), the kiosk (the moment it was given,
sent later from its offline queue) or a mediator's entry (the date written on the paper form).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# How late an answer may still arrive: a kiosk's offline queue sends answers up to 30 days
# old; a paper form may be transcribed up to three months later. Anything published once and
# for all (a frozen edition) waits for the longer of the two.
OFFLINE_DAYS = 30
BACK_DAYS = 90


def today(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


def day_of(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar day of an aware moment in `timezone`; a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def answer_day(claimed: dt.date, now: dt.date, window_days: int) -> dt.date | None:
    """The day to store for an answer said to be given on `claimed`, or None when it is older
    than the window.

    A day in the future is a device's clock running ahead (a kiosk's tablet), never a real
    answer from tomorrow: it is clamped to today rather than refused, so nothing is lost.
    """
    if claimed > now:
        return now
    if claimed < now - dt.timedelta(days=window_days):
        return None
    return claimed


def add_months(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `month`'s: the calendar
    arithmetic of periods, editions and the team space's windows."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
