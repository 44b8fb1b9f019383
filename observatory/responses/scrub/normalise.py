"""Unicode normalisation run before any detector, so that what a reader sees is what the
detectors see.

Without it, "06\u200b12 34 56 78" (a zero-width space copied from a messaging app),
"٠٦١٢٣٤٥٦٧٨" (a phone keyboard set to Arabic) or "marie＠example.fr" (a fullwidth at sign
from an Asian input method) read as a phone number or an e-mail address to a person but
not to a regular expression, and were stored verbatim. Three steps, in this order:

1. invisible characters are dropped: every format character (Unicode category Cf: zero-width
   space, joiners, soft hyphen, byte-order mark, bidirectional marks and isolates, word
   joiner…), variation selectors, the combining grapheme joiner and the Hangul fillers;
2. every character with a digit value (Arabic-Indic, extended Arabic-Indic, Devanagari,
   fullwidth, superscripts…) becomes the ASCII digit;
3. NFKC: compatibility forms become their plain equivalent (fullwidth letters and `＠`,
   ligatures, no-break spaces, "…" → "...").

The scrubber stores the normalised text, so detection and output never disagree. To keep
`find_pii` offsets in the caller's text, `normalise_with_origin` also says which characters
of the original each normalised character comes from.
"""

from __future__ import annotations

import unicodedata
from typing import Final, NamedTuple

# Invisible characters outside category Cf (which is tested by category).
_INVISIBLE: Final = frozenset(
    [0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)


class _Table(dict[int, "int | str | None"]):
    """`str.translate` table built lazily: None drops a character, a digit replaces it."""

    def __missing__(self, code: int) -> int | str | None:
        character = chr(code)
        value: int | str | None = code
        if code in _INVISIBLE or unicodedata.category(character) == "Cf":
            value = None
        else:
            digit = unicodedata.digit(character, None)
            if digit is not None:
                value = str(digit)
        self[code] = value
        return value


_TABLE: Final = _Table()


def normalise(text: str) -> str:
    """`text` without invisible characters, with ASCII digits, in NFKC.

    Idempotent: `normalise(normalise(x)) == normalise(x)`. ASCII text is returned as is.
    """
    if text.isascii():
        return text
    cleaned = text.translate(_TABLE)
    if unicodedata.is_normalized("NFKC", cleaned):
        return cleaned
    return normalise_with_origin(text).text


class Normalised(NamedTuple):
    """A normalised text; character i comes from `source[starts[i]:ends[i]]`."""

    text: str
    starts: list[int]
    ends: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The offsets in the source text of the normalised range [start, end)."""
        return self.starts[start], self.ends[end - 1]


def _is_kept(character: str) -> bool:
    return _TABLE[ord(character)] is not None


def normalise_with_origin(text: str) -> Normalised:
    """`normalise(text)` and where each of its characters comes from.

    NFKC is applied to each character together with the combining marks that follow it
    (a cluster), so every output character is traced to one cluster. Applying NFKC per
    cluster rather than to the whole text only differs for starters that compose with each
    other (Hangul jamo, a few Indic vowel signs), which no detector looks at; the result is
    still a fixed point of this function.
    """
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, size = 0, len(text)
    while i < size:
        if not _is_kept(text[i]):
            i += 1
            continue
        j = i + 1
        kept = [text[i]]
        while j < size and (unicodedata.combining(text[j]) or not _is_kept(text[j])):
            if _is_kept(text[j]):
                kept.append(text[j])
            j += 1
        cluster = "".join(kept).translate(_TABLE)
        if not cluster.isascii():
            cluster = unicodedata.normalize("NFKC", cluster).translate(_TABLE)
        pieces.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return Normalised("".join(pieces), starts, ends)
