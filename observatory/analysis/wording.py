"""How figures read in French, the same on the page and in the generated text (a sentence's
figure must match the page's character for character)."""

from __future__ import annotations

from observatory.aggregation.stats import Estimate


def number(value: float, decimals: int = 0) -> str:
    """French formatting: narrow no-break space for thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def value_text(kind: str, value: float) -> str:
    """A score as "7,9 sur 10", a share as "54 %"."""
    if kind == "share":
        return f"{number(100 * value)}\u202f%"
    return f"{number(value, 1)} sur 10"


def interval_text(kind: str, estimate: Estimate) -> str:
    if kind == "share":
        return f"de {number(100 * estimate.low)} à {number(100 * estimate.high)}\u202f%"
    return f"de {number(estimate.low, 1)} à {number(estimate.high, 1)}"


def difference_text(kind: str, difference: float) -> str:
    """A change as "+0,8 point" or "−12 points" (a share's change in percentage points)."""
    decimals = 0 if kind == "share" else 1
    size = round(abs(100 * difference) if kind == "share" else abs(difference), decimals)
    sign = "+" if difference > 0 else "\u2212" if difference < 0 else ""
    return f"{sign}{number(size, decimals)} {'point' if size < 2 else 'points'}"
