"""The pipeline: run every detector, merge what overlaps, put placeholders in, repeat
until nothing changes."""

from __future__ import annotations

import re
from typing import Final

from observatory.responses.scrub.addresses import find_addresses
from observatory.responses.scrub.names import find_names
from observatory.responses.scrub.numbers import find_emails, find_ids, find_numbers, find_secrets
from observatory.responses.scrub.spans import PLACEHOLDERS, Context, Finder, Kind, Match
from observatory.responses.scrub.text import PREPARE

# When spans overlap they are merged; the merged span takes the first kind in this order.
_PRIORITY: Final[dict[Kind, int]] = {kind: rank for rank, kind in enumerate(PLACEHOLDERS)}

_FINDERS: Final[tuple[Finder, ...]] = (
    find_emails,
    find_numbers,
    find_ids,
    find_secrets,
    find_addresses,
    find_names,
)


_DIGIT = re.compile(r"\d")


def _context(text: str) -> Context:
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    shouting = letters >= 12 and upper >= 0.7 * letters
    return Context(has_digit=_DIGIT.search(text) is not None, shouting=shouting)


def find_pii(text: str) -> list[Match]:
    """The pieces of personal data in `text`, sorted and non-overlapping.

    Overlapping detections are merged (so nothing any detector saw is left behind); the
    merged span keeps the most specific kind (e-mail, IBAN, NIR, phone, card, identifier,
    secret, address, name, in that order). Offsets are those of `text` itself.
    """
    prepared = text.translate(PREPARE)
    ctx = _context(prepared)
    found = sorted(
        (m for finder in _FINDERS for m in finder(prepared, ctx) if m.end > m.start),
        key=lambda m: (m.start, -m.end),
    )
    merged: list[Match] = []
    for m in found:
        if merged and m.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, m.kind, key=_PRIORITY.__getitem__)
            merged[-1] = Match(kind, last.start, max(last.end, m.end))
        else:
            merged.append(m)
    return merged


_MAX_PASSES: Final = 8


def _scrub_once(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for m in find_pii(text):
        pieces.append(text[position : m.start])
        pieces.append(PLACEHOLDERS[m.kind])
        position = m.end
    pieces.append(text[position:])
    return "".join(pieces)


def scrub(text: str) -> str:
    """The text with every recognised piece of personal data replaced by a placeholder.

    Applied until nothing changes, so `scrub(scrub(x)) == scrub(x)`. The second pass finds
    nothing in practice (placeholders never match); the bound only guards against a loop.
    """
    result = text
    for _ in range(_MAX_PASSES):
        cleaned = _scrub_once(result)
        if cleaned == result:
            break
        result = cleaned
    return result.strip()
