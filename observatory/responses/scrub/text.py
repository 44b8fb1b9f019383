"""Text preparation shared by every detector: same-length normalisation, folding, tokens."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Same-length translation, so offsets in the prepared text are offsets in the original:
# typographic apostrophes become ', every kind of space becomes a space, dashes become -.
PREPARE: Final = str.maketrans(
    {
        **dict.fromkeys("’‘`´ʼ′‛＇", "'"),
        **dict.fromkeys(
            "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000", " "
        ),
        **dict.fromkeys("‐‑‒–—―−﹣－", "-"),
    }
)
_ACCENTS: Final = str.maketrans(
    {
        **dict.fromkeys("àâäáãå", "a"),
        **dict.fromkeys("éèêë", "e"),
        **dict.fromkeys("îïíì", "i"),
        **dict.fromkeys("ôöóòõ", "o"),
        **dict.fromkeys("ûüúù", "u"),
        "ç": "c",
        "ÿ": "y",
        "ñ": "n",
        "œ": "oe",
        "æ": "ae",
    }
)


@lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """Lower case without accents: the key of every word list (words.py)."""
    folded = word.lower().translate(_ACCENTS)
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded


def word_set(text: str) -> frozenset[str]:
    """The folded words of a whitespace-separated list."""
    return frozenset(fold(w) for w in text.split())


_SAME_LENGTH_ACCENTS: Final = str.maketrans(
    "àâäáãåéèêëîïíìôöóòõûüúùçÿñœæ", "aaaaaaeeeeiiiiooooouuuucynoa"
)


def fold_same_length(text: str) -> str:
    """Lower case without accents, keeping offsets (for searching a whole text)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few exotic capitals change length: give up on them
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_SAME_LENGTH_ACCENTS)


# --------------------------------------------------------------------------- tokens

LETTER = r"[^\W\d_]"
_LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])*"
WORD = re.compile(rf"{LETTER}{_LETTERS}(?:['-]{LETTER}{_LETTERS})*")
GAP = re.compile(r"[ \t]{1,3}")


def is_capitalised(word: str) -> bool:
    return word[:1].isupper()
