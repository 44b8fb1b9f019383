"""The periods a team can look at, each with the previous period of the same length it is
compared with; pure (dates in, months out).

The current month is included: a team wants to see this month's answers, and a shorter month
only widens its interval (the comparison tests account for the number of answers).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from observatory.clock import add_months

MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin",
             "juil.", "août", "sept.", "oct.", "nov.", "déc.")  # fmt: skip
DEFAULT = "3m"
TREND_MONTHS = 12
_QUARTER = re.compile(r"(?P<year>20[0-9]{2})T(?P<quarter>[1-4])")
_YEAR = re.compile(r"20[0-9]{2}")


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def _run(last: dt.date, length: int) -> tuple[dt.date, ...]:
    return tuple(add_months(last, -i) for i in range(length - 1, -1, -1))


@dataclass(frozen=True)
class Period:
    code: str
    label: str  # "les 3 derniers mois (oct. 2026 à déc. 2026)"
    months: tuple[dt.date, ...]
    previous: tuple[dt.date, ...]
    versus: str  # what it is compared with, in words ("les 3 mois précédents", "2025")

    @property
    def trend(self) -> tuple[dt.date, ...]:
        """The months the trend charts show: the last TREND_MONTHS ending with the period."""
        return _run(self.months[-1], TREND_MONTHS)


def _span(months: tuple[dt.date, ...]) -> str:
    return f"{month_label(months[0])} à {month_label(months[-1])}"


def period(code: str, today: dt.date) -> Period:
    """The period named `code` ("3m", "12m", "2026T3", "2026"), or ValueError."""
    this_month = today.replace(day=1)
    if code in ("3m", "12m"):
        length = int(code[:-1])
        months = _run(this_month, length)
        label = f"les {length} derniers mois ({_span(months)})"
        previous = _run(add_months(months[0], -1), length)
        return Period(code, label, months, previous, f"les {length} mois précédents")
    if match := _QUARTER.fullmatch(code):
        year, quarter = int(match["year"]), int(match["quarter"])
        months = _run(dt.date(year, 3 * quarter, 1), 3)
        if months[0] > this_month:
            raise ValueError(f"le trimestre {code} n'a pas commencé")
        label = f"le {quarter}{'er' if quarter == 1 else 'e'} trimestre {year} ({_span(months)})"
        return Period(
            code, label, months, _run(add_months(months[0], -1), 3), "le trimestre précédent"
        )
    if _YEAR.fullmatch(code):
        year = int(code)
        if year > today.year:
            raise ValueError(f"l'année {code} n'a pas commencé")
        months = _run(dt.date(year, 12, 1), 12)
        previous = _run(dt.date(year - 1, 12, 1), 12)
        return Period(code, f"l'année {year}", months, previous, str(year - 1))
    raise ValueError(f"période inconnue : {code!r}")


def offered(today: dt.date) -> list[Period]:
    """What the period picker offers: 3 and 12 months, the last four quarters, this year and
    the two before."""
    this_month = today.replace(day=1)
    quarters = []
    for back in range(4):
        month = add_months(this_month, -3 * back)
        quarters.append(f"{month.year}T{(month.month - 1) // 3 + 1}")
    years = [str(today.year - back) for back in range(3)]
    return [period(code, today) for code in ("3m", "12m", *quarters, *years)]
