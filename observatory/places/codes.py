"""Short public place codes for URLs and QR codes: 6-8 characters, no 0/O/1/I.

Codes are derived from the schema `id` (SHA-256), not drawn at random, so re-importing the same
file into a fresh database gives every place the same code and printed QR codes keep working.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

# 32 symbols (5 bits each) without the look-alikes 0/O and 1/I, easy to read aloud and retype.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MIN_LENGTH = 6
MAX_LENGTH = 8
_SYMBOLS = frozenset(ALPHABET)


class CodeSpaceExhaustedError(RuntimeError):
    """Every candidate code of a source id is taken (astronomically unlikely below 10⁶ places)."""


def place_code(source_id: str, length: int = MIN_LENGTH) -> str:
    """The code of `source_id` at `length` characters: the first 5×length bits of its SHA-256.

    A longer code extends the shorter one, so a collision at 6 characters is resolved by
    adding a character rather than by picking something unrelated.
    """
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"a place code has {MIN_LENGTH} to {MAX_LENGTH} characters, not {length}")
    digest = int.from_bytes(hashlib.sha256(source_id.encode("utf-8")).digest(), "big")
    bits = 256
    chars = []
    for _ in range(length):
        bits -= 5
        chars.append(ALPHABET[(digest >> bits) & 0b11111])
    return "".join(chars)


def allocate_code(source_id: str, taken: Callable[[str], bool]) -> str:
    """The shortest code of `source_id` that `taken` says is free (6, then 7, then 8 characters)."""
    for length in range(MIN_LENGTH, MAX_LENGTH + 1):
        code = place_code(source_id, length)
        if not taken(code):
            return code
    raise CodeSpaceExhaustedError(
        f"no free place code for {source_id!r}: its 6, 7 and 8 character codes are all taken"
    )


def normalise_code(text: str) -> str | None:
    """The code someone typed or scanned, upper-cased; None if it cannot be a place code."""
    code = text.strip()
    if not code.isascii():  # "ß".upper() == "SS": only ASCII input can be a code
        return None
    code = code.upper()
    if MIN_LENGTH <= len(code) <= MAX_LENGTH and all(ch in _SYMBOLS for ch in code):
        return code
    return None
