"""The pipeline: normalise the text (normalise.py), run every detector, merge what
overlaps, put placeholders in, repeat until nothing changes."""

from __future__ import annotations

import re
from typing import Final

from observatory.responses.scrub.addresses import find_addresses
from observatory.responses.scrub.introductions import find_introductions
from observatory.responses.scrub.names import find_names
from observatory.responses.scrub.normalise import normalise, normalise_with_origin
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
    find_introductions,
)


_DIGIT = re.compile(r"\d")


def _context(text: str) -> Context:
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    shouting = letters >= 12 and upper >= 0.7 * letters
    return Context(has_digit=_DIGIT.search(text) is not None, shouting=shouting)


def _detect(text: str) -> list[Match]:
    """The merged spans of an already normalised `text`, in its own offsets."""
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


def find_pii(text: str) -> list[Match]:
    """The pieces of personal data in `text`, sorted and non-overlapping.

    Detection runs on the normalised text (no invisible characters, ASCII digits, NFKC);
    offsets are mapped back to `text` itself, and a span covers the invisible characters
    inside it ("06\u200b12…"). Overlapping detections are merged (so nothing any detector
    saw is left behind); the merged span keeps the most specific kind (e-mail, IBAN, NIR,
    phone, card, identifier, secret, address, name, in that order).
    """
    if text.isascii():
        return _detect(text)
    normalised = normalise_with_origin(text)
    return [Match(m.kind, *normalised.span(m.start, m.end)) for m in _detect(normalised.text)]


_MAX_PASSES: Final = 8


def _scrub_once(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for m in _detect(text):
        pieces.append(text[position : m.start])
        pieces.append(PLACEHOLDERS[m.kind])
        position = m.end
    pieces.append(text[position:])
    return "".join(pieces)


def scrub(text: str) -> str:
    """The normalised text with every recognised piece of personal data replaced by a
    placeholder.

    The text is normalised first (normalise.py: invisible characters dropped, digits in
    ASCII, NFKC), and the normalised text is what is returned: detection and output must
    see the same characters. Applied until nothing changes, so `scrub(scrub(x)) ==
    scrub(x)`. The second pass finds nothing in practice (placeholders never match); the
    bound only guards against a loop.
    """
    result = normalise(text)
    for _ in range(_MAX_PASSES):
        cleaned = _scrub_once(result)
        if cleaned == result:
            break
        result = cleaned
    return result.strip()
